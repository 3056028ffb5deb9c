"""Robust z-score / IQR flags; medians, MADs and fences worked out by hand."""

from __future__ import annotations

import pandas as pd
import pytest

from globalcart.analytics.outliers import (
    FLAG_COLUMNS,
    daily_revenue,
    flag_daily_revenue,
    flag_order_values,
    iqr_fences,
    robust_z,
)


def test_order_values_by_hand() -> None:
    orders = pd.DataFrame({"order_id": list("abcdefg"), "amount": [8, 9, 10, 10, 11, 12, 100]})
    out = flag_order_values(orders)
    assert list(out.columns) == ["order_id", "amount", *FLAG_COLUMNS]
    # median 10; |dev| = 2,1,0,0,1,2,90 -> MAD 1; z(100) = 0.6745 * 90 = 60.705
    assert out["robust_z"].iloc[-1] == pytest.approx(60.705)
    assert out["robust_z"].iloc[0] == pytest.approx(-1.349)
    # Q1 = 9.5, Q3 = 11.5 (linear interpolation) -> fences 6.5 and 14.5
    assert (out["iqr_low"].iloc[0], out["iqr_high"].iloc[0]) == (6.5, 14.5)
    assert out["is_anomaly"].tolist() == [False] * 6 + [True]
    assert out["reason"].iloc[-1] == (
        "order value 100.00 is 60.7 robust SDs above the median 10.00 (threshold 3.5); "
        "order value 100.00 is above the upper IQR fence 14.50 (k=1.5)"
    )
    assert (out["reason"].iloc[:6] == "").all()


def test_zero_mad_falls_back_to_mean_absolute_deviation() -> None:
    values = pd.Series([5.0] * 6 + [20.0])
    # MAD 0; meanAD = 15 / 7; z = 15 / (1.2533 * 15 / 7) = 7 / 1.2533
    assert robust_z(values).iloc[-1] == pytest.approx(7 / 1.2533)
    assert (robust_z(pd.Series([3.0, 3.0, 3.0])) == 0).all()
    flat = flag_order_values(pd.DataFrame({"amount": [3.0, 3.0, 3.0]}))
    assert not flat["is_anomaly"].any()


def test_low_values_and_thresholds() -> None:
    orders = pd.DataFrame({"amount": [0.5, 40, 41, 42, 43, 44, 45]})
    out = flag_order_values(orders, z_threshold=3.5, iqr_k=1.5)
    assert out["is_anomaly"].tolist() == [True] + [False] * 6
    assert "below the median 42.00" in out["reason"].iloc[0]
    assert "below the lower IQR fence" in out["reason"].iloc[0]
    loose = flag_order_values(orders, z_threshold=100, iqr_k=100)
    assert not loose["is_anomaly"].any()
    assert iqr_fences(pd.Series([1.0, 2.0, 3.0, 4.0, 5.0]), k=1.0) == (0.0, 6.0)


def test_daily_revenue_fills_gaps_and_flags_spike() -> None:
    days = [d for d in pd.date_range("2024-02-01", periods=28, freq="D") if d.day != 10]
    amounts = [500.0 if d.day == 20 else 100.0 for d in days]
    tx = pd.DataFrame({"order_ts": [d + pd.Timedelta(hours=12) for d in days], "amount": amounts})
    revenue = daily_revenue(tx)
    assert len(revenue) == 28 and revenue[pd.Timestamp("2024-02-10")] == 0.0
    out = flag_daily_revenue(tx)
    flagged = out.index[out["is_anomaly"]].tolist()
    assert flagged == [pd.Timestamp("2024-02-10"), pd.Timestamp("2024-02-20")]
    assert "above the median 100.00" in str(out.loc["2024-02-20", "reason"])
    assert "below the median 100.00" in str(out.loc["2024-02-10", "reason"])


def test_by_weekday_removes_weekly_pattern() -> None:
    days = pd.date_range("2024-03-04", periods=28, freq="D")  # starts on a Monday
    amounts = [300.0 if d.day_of_week == 5 else 100.0 for d in days]
    amounts[-2] = 100.0  # the last Saturday (2024-03-30) is weak
    tx = pd.DataFrame({"order_ts": days, "amount": amounts})
    plain = flag_daily_revenue(tx)
    assert plain["is_anomaly"].sum() == 3  # the three strong Saturdays look like spikes
    weekly = flag_daily_revenue(tx, by_weekday=True)
    assert weekly.index.is_monotonic_increasing
    assert weekly.index[weekly["is_anomaly"]].tolist() == [pd.Timestamp("2024-03-30")]
    # Saturdays 100, 300, 300, 300: Q1 = 250, Q3 = 300 -> lower fence 175
    assert weekly.loc["2024-03-30", "reason"] == (
        "daily revenue 100.00 is below the lower IQR fence 175.00 of Saturdays (k=1.5)"
    )


def test_missing_columns_are_reported() -> None:
    with pytest.raises(ValueError, match="lack column"):
        flag_order_values(pd.DataFrame({"value": [1.0]}))
    with pytest.raises(ValueError, match="lack columns"):
        flag_daily_revenue(pd.DataFrame({"order_ts": []}))
