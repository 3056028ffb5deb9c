"""Cohort metrics on a hand-made frame; every expected value is worked out by hand below."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from globalcart.analytics.cohorts import (
    churn_by_cohort,
    churn_flags,
    churn_rate,
    cohort_summary,
    retention_matrix,
)

NAN = float("nan")
AS_OF = "2024-03-31"  # orders up to 2024-03-31 23:59:59 count; obs_end = 2024-04-01 00:00
ORDERS = [
    # Jan cohort: A, B, C
    ("A", "2024-01-05 10:00", 100.0),
    ("A", "2024-01-10 10:00", 50.0),  # +5 d
    ("A", "2024-02-04 10:00", 30.0),  # exactly +30 d: inside the 30-day window
    ("B", "2024-01-20 12:00", 80.0),
    ("B", "2024-01-27 12:00", 20.0),  # exactly +7 d: inside the 7-day window
    ("B", "2024-03-20 12:00", 40.0),  # +60 d
    ("C", "2024-01-31 23:00", 60.0),
    # Feb cohort: D, E
    ("D", "2024-02-10 08:00", 200.0),
    ("D", "2024-02-10 09:00", 10.0),  # +1 h: a further order, counts as retention
    ("E", "2024-02-29 12:00", 40.0),
    ("E", "2024-03-10 12:00", 60.0),  # +10 d
    # Mar cohort: F
    ("F", "2024-03-15 00:00", 25.0),
    # after AS_OF: ignored unless as_of is later
    ("F", "2024-04-01 00:00", 99.0),
    ("G", "2024-04-02 10:00", 15.0),
]


def _orders(rows: list[tuple[str, str, float]] = ORDERS) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["customer_id", "order_ts", "net_revenue"])
    frame["order_ts"] = pd.to_datetime(frame["order_ts"])
    return frame


def _assert_row(actual: pd.Series, expected: list[float]) -> None:
    assert len(actual) == len(expected)
    for got, want in zip(actual.tolist(), expected, strict=True):
        if math.isnan(want):
            assert math.isnan(got)
        else:
            assert got == pytest.approx(want)


def test_retention_matrix_by_hand() -> None:
    out = retention_matrix(_orders(), months=4, as_of=AS_OF)
    assert list(out.index) == [pd.Timestamp(f"2024-0{m}-01") for m in (1, 2, 3)]
    assert out.index.name == "cohort_month"
    assert out["cohort_size"].tolist() == [3, 2, 1]
    # Jan: Jan all 3; Feb only A; Mar only B; Apr not over yet.
    _assert_row(out.iloc[0, 1:], [1.0, 1 / 3, 1 / 3, NAN])
    # Feb: Mar only E (of D, E); Apr, May not over.
    _assert_row(out.iloc[1, 1:], [1.0, 0.5, NAN, NAN])
    _assert_row(out.iloc[2, 1:], [1.0, NAN, NAN, NAN])


def test_matrix_cell_of_an_unfinished_month_is_nan() -> None:
    out = retention_matrix(_orders(), months=3, as_of="2024-03-30")  # March not over
    _assert_row(out.iloc[0, 1:], [1.0, 1 / 3, NAN])
    _assert_row(out.iloc[2, 1:], [NAN, NAN, NAN])
    assert list(out.columns) == ["cohort_size", "month_0", "month_1", "month_2"]


def test_cohort_summary_by_hand() -> None:
    out = cohort_summary(_orders(), as_of=AS_OF)
    jan, feb, mar = (out.loc[pd.Timestamp(f"2024-0{m}-01")] for m in (1, 2, 3))
    assert (jan["cohort_size"], feb["cohort_size"], mar["cohort_size"]) == (3, 2, 1)
    # observed days from the cohort month start to 2024-04-01 (2024 is a leap year)
    assert (jan["observed_days"], feb["observed_days"], mar["observed_days"]) == (91, 60, 31)
    # repeat: A, B of 3; D, E of 2; F has one order by AS_OF
    assert jan["repeat_rate"] == pytest.approx(2 / 3)
    assert (feb["repeat_rate"], mar["repeat_rate"]) == (1.0, 0.0)
    # Jan 7 d: A (+5 d) and B (+7 d exactly), not C. LTV: A 150, B 100, C 60.
    assert jan["retention_7d"] == pytest.approx(2 / 3)
    assert jan["ltv_7d"] == pytest.approx(310 / 3)
    # Jan 30 d: A also gets the +30 d order (180). Complete: C's window ends 2024-03-01 23:00.
    assert jan["retention_30d"] == pytest.approx(2 / 3)
    assert jan["ltv_30d"] == pytest.approx(340 / 3)
    # Jan 90 d: C's window ends 2024-04-30 23:00, after obs_end -> NaN, not an under-count.
    assert math.isnan(jan["retention_90d"]) and math.isnan(jan["ltv_90d"])
    # Feb 7 d: D (+1 h) yes, E (+10 d) no; LTV D 210, E 40. 30 d: both; E's +10 d order too.
    assert (feb["retention_7d"], feb["ltv_7d"]) == (0.5, 125.0)
    assert (feb["retention_30d"], feb["ltv_30d"]) == (1.0, 155.0)
    # Mar: F's 7-day window (to 03-22) is complete, 30-day (to 04-14) is not.
    assert (mar["retention_7d"], mar["ltv_7d"]) == (0.0, 25.0)
    assert math.isnan(mar["retention_30d"]) and math.isnan(mar["ltv_90d"])


def test_window_boundaries_are_inclusive_up_to_the_second() -> None:
    rows = [("X", "2024-01-01 00:00:00", 10.0), ("X", "2024-01-08 00:00:01", 5.0)]
    out = cohort_summary(_orders(rows), as_of="2024-06-30").iloc[0]
    assert (out["retention_7d"], out["ltv_7d"]) == (0.0, 10.0)  # 7 d + 1 s is outside
    assert (out["retention_30d"], out["ltv_30d"]) == (1.0, 15.0)


def test_churn_by_hand() -> None:
    # As of 03-31, days since last order: A 56, B 11, C 60, D 50, E 21, F 16.
    assert churn_rate(_orders(), AS_OF) == 0.0
    assert churn_rate(_orders(), AS_OF, inactive_days=30) == pytest.approx(3 / 6)
    # As of 06-30: A 147, B 102, C 151, D 141, E 112, F (04-01) exactly 90 -> churned,
    # G (04-02) 89 -> active.
    flags = churn_flags(_orders(), "2024-06-30")
    assert flags.loc["F", "days_since_last_order"] == 90
    assert flags.loc["G", "days_since_last_order"] == 89
    assert flags["churned"].sum() == 6
    assert churn_rate(_orders(), "2024-06-30") == pytest.approx(6 / 7)
    by_cohort = churn_by_cohort(_orders(), "2024-06-30")
    assert by_cohort["customers"].tolist() == [3, 2, 1, 1]
    assert by_cohort["churned"].tolist() == [3, 2, 1, 0]
    assert by_cohort.index[-1] == pd.Timestamp("2024-04-01")


def test_signup_anchor_counts_customers_without_orders() -> None:
    customers = pd.DataFrame(
        [
            ("A", "2023-12-30 00:00"),
            ("B", "2024-01-20 11:00"),
            ("C", "2024-01-15 00:00"),
            ("D", "2024-02-01 00:00"),
            ("E", "2024-02-29 11:00"),
            ("F", "2024-03-01 00:00"),
            ("H", "2024-03-05 00:00"),  # never orders
            ("G", "2024-04-01 00:00"),  # signs up after AS_OF
        ],
        columns=["customer_id", "created_at"],
    )
    matrix = retention_matrix(_orders(), 5, AS_OF, customers, "signup")
    assert matrix["cohort_size"].tolist() == [1, 2, 2, 2]
    _assert_row(matrix.iloc[0, 1:], [0.0, 1.0, 1.0, 0.0, NAN])  # A: Dec none, Jan, Feb, Mar none
    _assert_row(matrix.iloc[1, 1:], [1.0, 0.0, 0.5, NAN, NAN])  # B, C: Jan both, Mar B
    _assert_row(matrix.iloc[3, 1:], [0.5, NAN, NAN, NAN, NAN])  # F, H: Mar F only
    summary = cohort_summary(_orders(), AS_OF, customers, "signup")
    jan = summary.loc[pd.Timestamp("2024-01-01")]
    # B orders 1 h after sign-up (80) and 7 d 1 h after (outside 7 d); C first orders after 16 d.
    assert (jan["retention_7d"], jan["ltv_7d"]) == (0.5, 40.0)
    assert jan["retention_30d"] == 1.0
    assert summary.loc[pd.Timestamp("2024-03-01"), "retention_7d"] == 0.0


def test_errors_are_clear() -> None:
    with pytest.raises(ValueError, match="lack columns"):
        cohort_summary(_orders().drop(columns="net_revenue"))
    with pytest.raises(ValueError, match="no orders"):
        retention_matrix(_orders(), as_of="2023-01-01")
    with pytest.raises(ValueError, match="needs a customers frame"):
        cohort_summary(_orders(), anchor="signup")
    late = pd.DataFrame({"customer_id": list("ABCDEFG"), "created_at": ["2024-03-01"] * 7})
    with pytest.raises(ValueError, match="precede"):
        cohort_summary(_orders(), customers=late, anchor="signup")


order_rows = st.lists(
    st.tuples(
        st.integers(0, 12),  # customer
        st.integers(0, 500),  # day offset
        st.integers(0, 23),  # hour
        st.floats(0, 1_000, allow_nan=False),  # revenue
    ),
    min_size=1,
    max_size=60,
)


def _random_orders(rows: list[tuple[int, int, int, float]]) -> pd.DataFrame:
    base = pd.Timestamp("2023-01-01")
    return pd.DataFrame(
        {
            "customer_id": [f"c{c}" for c, _, _, _ in rows],
            "order_ts": [base + pd.Timedelta(days=d, hours=h) for _, d, h, _ in rows],
            "net_revenue": [r for _, _, _, r in rows],
        }
    )


@settings(max_examples=60, deadline=None)
@given(order_rows, st.integers(0, 520))
def test_cohort_invariants(rows: list[tuple[int, int, int, float]], as_of_day: int) -> None:
    orders = _random_orders(rows)
    as_of = pd.Timestamp("2023-01-01") + pd.Timedelta(days=as_of_day)
    seen = orders[orders["order_ts"] < as_of + pd.Timedelta(days=1)]
    if seen.empty:
        return
    n_customers = seen["customer_id"].nunique()
    matrix = retention_matrix(orders, as_of=as_of)
    assert matrix["cohort_size"].sum() == n_customers
    shares = matrix.drop(columns="cohort_size").to_numpy()
    assert np.all(np.isnan(shares) | ((shares >= 0) & (shares <= 1)))
    month_0 = matrix["month_0"].to_numpy()
    assert np.all(np.isnan(month_0) | (month_0 == 1.0))
    assert not np.isnan(month_0[:-1]).any()  # every cohort but the latest has a finished month 0

    summary = cohort_summary(orders, as_of=as_of)
    assert summary["cohort_size"].sum() == n_customers
    rates = summary[["repeat_rate", "retention_7d", "retention_30d", "retention_90d"]].to_numpy()
    assert np.all(np.isnan(rates) | ((rates >= 0) & (rates <= 1)))
    for short, long in (("7d", "30d"), ("30d", "90d")):
        both = summary[[f"retention_{short}", f"retention_{long}"]].dropna()
        assert (both.iloc[:, 0] <= both.iloc[:, 1]).all()
        ltv = summary[[f"ltv_{short}", f"ltv_{long}"]].dropna()
        assert (ltv.iloc[:, 0] <= ltv.iloc[:, 1] + 1e-9).all()
    repeat = summary[["retention_90d", "repeat_rate"]].dropna()
    assert (repeat["retention_90d"] <= repeat["repeat_rate"]).all()

    rate = churn_rate(orders, as_of)
    assert 0.0 <= rate <= 1.0
    by_cohort = churn_by_cohort(orders, as_of)
    assert by_cohort["customers"].sum() == n_customers
    assert by_cohort["churned"].sum() == pytest.approx(rate * n_customers)


def test_result_does_not_depend_on_row_order() -> None:
    orders = _orders()
    shuffled = orders.sample(frac=1.0, random_state=7).reset_index(drop=True)
    pd.testing.assert_frame_equal(cohort_summary(orders), cohort_summary(shuffled))
    pd.testing.assert_frame_equal(retention_matrix(orders), retention_matrix(shuffled))
