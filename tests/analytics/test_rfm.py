"""RFM scores and segments on a hand-made frame; expected values worked out by hand below."""

from __future__ import annotations

import pandas as pd
import pytest

from globalcart.analytics.rfm import (
    SEGMENT_GRID,
    SEGMENTS,
    quintile_score,
    rfm_table,
    segment_for,
    segment_summary,
)

AS_OF = pd.Timestamp("2024-06-30")
# customer: (days since last order, number of orders, total spend)
PROFILE = {
    "c01": (1, 5, 500.0),
    "c02": (1, 4, 400.0),
    "c03": (10, 3, 300.0),
    "c04": (20, 3, 250.0),
    "c05": (30, 2, 200.0),
    "c06": (60, 2, 150.0),
    "c07": (90, 1, 100.0),
    "c08": (120, 1, 100.0),
    "c09": (200, 1, 50.0),
    "c10": (300, 1, 20.0),
}
# score = 1 + floor(5 * (min_rank - 1) / 10) = 1 + floor((min_rank - 1) / 2), worst value first.
# R (largest recency first): c10 r1->1, c09 r2->1, c08 r3->2, c07 r4->2, c06 r5->3, c05 r6->3,
#   c04 r7->4, c03 r8->4, c01 & c02 tie at r9->5.
# F: 1 order (c07-c10) r1->1; 2 orders (c05, c06) r5->3; 3 orders (c03, c04) r7->4;
#   c02 r9->5; c01 r10->5.
# M: c10 r1->1, c09 r2->1, c07 & c08 tie at r3->2, c06 r5->3, c05 r6->3, c04 r7->4, c03 r8->4,
#   c02 r9->5, c01 r10->5.
# FM = (F + M + 1) // 2; segment = SEGMENT_GRID[R][FM - 1].
EXPECTED = {
    "c01": (5, 5, 5, 5, "Champions"),
    "c02": (5, 5, 5, 5, "Champions"),
    "c03": (4, 4, 4, 4, "Loyal"),
    "c04": (4, 4, 4, 4, "Loyal"),
    "c05": (3, 3, 3, 3, "Need Attention"),
    "c06": (3, 3, 3, 3, "Need Attention"),
    "c07": (2, 1, 2, 2, "Hibernating"),
    "c08": (2, 1, 2, 2, "Hibernating"),
    "c09": (1, 1, 1, 1, "Lost"),
    "c10": (1, 1, 1, 1, "Lost"),
}


def _transactions() -> pd.DataFrame:
    rows = []
    for customer, (recency, n_orders, total) in PROFILE.items():
        for k in range(n_orders):  # last order `recency` days before AS_OF, earlier ones weekly
            ts = AS_OF - pd.Timedelta(days=recency + 7 * k) + pd.Timedelta(hours=15)
            rows.append((customer, ts, total / n_orders))
    rows.append(("c10", AS_OF + pd.Timedelta(days=1), 10_000.0))  # after as_of: ignored
    rows.append(("c99", AS_OF + pd.Timedelta(days=3), 5.0))  # only after as_of: absent
    return pd.DataFrame(rows, columns=["customer_id", "order_ts", "amount"])


def test_scores_and_segments_match_hand_computation() -> None:
    out = rfm_table(_transactions(), AS_OF)
    assert list(out.index) == list(PROFILE)
    for customer, (recency, n_orders, total) in PROFILE.items():
        row = out.loc[customer]
        assert (row["recency_days"], row["frequency"]) == (recency, n_orders)
        assert row["monetary"] == pytest.approx(total)
        got = (row["r_score"], row["f_score"], row["m_score"], row["fm_score"], row["segment"])
        assert got == EXPECTED[customer], customer
    assert out.loc["c03", "rfm_cell"] == "444"
    assert out.loc["c07", "rfm_cell"] == "212"


def test_result_does_not_depend_on_row_order() -> None:
    tx = _transactions()
    shuffled = tx.sample(frac=1.0, random_state=3).reset_index(drop=True)
    pd.testing.assert_frame_equal(rfm_table(tx, AS_OF), rfm_table(shuffled, AS_OF))


def test_quintile_ties_share_the_lower_score() -> None:
    values = pd.Series([3, 1, 1, 1, 2], name="x")
    # min ranks 5,1,1,1,4 -> 1 + floor(5 * (rank - 1) / 5) = 5,1,1,1,4
    assert quintile_score(values).tolist() == [5, 1, 1, 1, 4]
    # descending min ranks 1,3,3,3,2 -> scores 1,3,3,3,2
    assert quintile_score(values, higher_is_better=False).tolist() == [1, 3, 3, 3, 2]
    with pytest.raises(ValueError, match="missing"):
        quintile_score(pd.Series([1.0, None], name="x"))


def test_grid_covers_every_cell_and_every_segment() -> None:
    names = {segment_for(r, fm) for r in range(1, 6) for fm in range(1, 6)}
    assert names == set(SEGMENTS)
    assert len(SEGMENT_GRID) == 5
    assert segment_for(5, 1) == "New Customers"
    assert segment_for(1, 5) == "Can't Lose Them"
    with pytest.raises(ValueError):
        segment_for(0, 3)


def test_segment_summary_counts_sum_to_customers() -> None:
    out = rfm_table(_transactions(), AS_OF)
    summary = segment_summary(out)
    assert summary["customers"].sum() == len(out) == 10
    assert summary["share"].sum() == pytest.approx(1.0)
    assert list(summary.index) == ["Champions", "Loyal", "Need Attention", "Hibernating", "Lost"]
    assert summary.loc["Champions", "total_monetary"] == pytest.approx(900.0)


def test_errors_are_clear() -> None:
    with pytest.raises(ValueError, match="lack columns"):
        rfm_table(_transactions(), AS_OF, monetary_col="revenue")
    with pytest.raises(ValueError, match="no transactions"):
        rfm_table(_transactions(), "2020-01-01")
