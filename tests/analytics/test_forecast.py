"""Forecasts on synthetic series with known structure; metrics and reorder maths by hand."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from globalcart.analytics.forecast import (
    FORECAST_COLUMNS,
    Method,
    backtest,
    forecast,
    mape,
    regularize,
    reorder_suggestions,
    seasonal_naive,
    smape,
)

WEEKLY = np.array([-12.0, -4.0, 0.0, 3.0, 8.0, 15.0, -10.0])


def _trend_seasonal(n: int = 196, seed: int = 1) -> pd.Series:
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    values = 100 + 0.8 * t + WEEKLY[t % 7] + rng.normal(0, 4, n)
    return pd.Series(values, index=pd.date_range("2024-01-01", periods=n, freq="D"))


@pytest.mark.parametrize("method", ["ets", "sarimax"])
def test_intervals_are_ordered_and_nested(method: Method) -> None:
    series = _trend_seasonal()
    out = forecast(series, horizon=14, method=method)
    assert tuple(out.columns) == FORECAST_COLUMNS
    assert len(out) == 14
    assert out.index[0] == series.index[-1] + pd.Timedelta(days=1)
    assert (out["lower_95"] < out["lower_80"]).all()
    assert (out["lower_80"] < out["forecast"]).all()
    assert (out["forecast"] < out["upper_80"]).all()
    assert (out["upper_80"] < out["upper_95"]).all()
    width_80 = out["upper_80"] - out["lower_80"]
    width_95 = out["upper_95"] - out["lower_95"]
    assert (width_95 > width_80).all()
    # for a Gaussian interval the width ratio is z(0.975) / z(0.9) = 1.96 / 1.2816
    assert np.allclose(width_95 / width_80, 1.959964 / 1.281552, rtol=1e-3)


def test_forecast_follows_trend_and_weekly_pattern() -> None:
    series = _trend_seasonal()
    out = forecast(series, horizon=14)
    t = np.arange(len(series), len(series) + 14)
    truth = 100 + 0.8 * t + WEEKLY[t % 7]
    assert np.abs(out["forecast"].to_numpy() - truth).mean() < 6.0


@pytest.mark.parametrize("method", ["ets", "sarimax"])
def test_model_beats_seasonal_naive_in_backtest(method: Method) -> None:
    result = backtest(_trend_seasonal(), horizon=7, n_origins=6, method=method)
    assert len(result) == 6
    assert result["origin"].is_monotonic_increasing
    overall = result.mean(numeric_only=True)
    assert overall["smape_model"] < overall["smape_naive"]
    assert overall["mape_model"] < overall["mape_naive"]


def test_backtest_origins_leave_exact_horizon() -> None:
    series = _trend_seasonal(n=60)
    result = backtest(series, horizon=7, n_origins=2, step=7)
    assert list(result["origin"]) == [series.index[-15], series.index[-8]]
    with pytest.raises(ValueError, match="too short"):
        backtest(series, horizon=7, n_origins=8)


def test_seasonal_naive_repeats_last_week() -> None:
    series = pd.Series(
        np.arange(10, dtype=float), index=pd.date_range("2024-03-01", periods=10, freq="D")
    )
    out = seasonal_naive(series, horizon=9)
    assert out.tolist() == [3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 3.0, 4.0]
    assert out.index[0] == pd.Timestamp("2024-03-11")


def test_error_metrics_by_hand() -> None:
    actual = np.array([100.0, 50.0, 0.0])
    predicted = np.array([110.0, 40.0, 0.0])
    # MAPE skips the zero actual: (10/100 + 10/50) / 2 = 15 %
    assert mape(actual, predicted) == pytest.approx(15.0)
    # sMAPE: (20/210 + 20/90 + 0) / 3
    assert smape(actual, predicted) == pytest.approx((20 / 210 + 20 / 90) / 3 * 100)
    assert math.isnan(mape(np.zeros(2), np.ones(2)))


def test_regularize_sums_duplicates_and_fills_gaps() -> None:
    index = pd.to_datetime(["2024-01-03 10:00", "2024-01-01 09:00", "2024-01-01 17:00"])
    out = regularize(pd.Series([5.0, 1.0, 2.0], index=index))
    assert out.tolist() == [3.0, 0.0, 5.0]
    assert isinstance(out.index, pd.DatetimeIndex) and out.index.freqstr == "D"
    with pytest.raises(ValueError, match="DatetimeIndex"):
        regularize(pd.Series([1.0]))


def test_forecast_rejects_bad_input() -> None:
    with pytest.raises(ValueError, match="at least"):
        forecast(_trend_seasonal(n=10), horizon=3)
    with pytest.raises(ValueError, match="horizon"):
        forecast(_trend_seasonal(), horizon=0)


def test_reorder_suggestions_by_hand() -> None:
    z95 = 1.959964
    days = pd.date_range("2024-05-01", periods=10, freq="D")
    rows = []
    for item in ("A", "B"):
        for day in days:  # 10 units/day, daily sigma 2
            rows.append((item, day, 10.0, 10 - 2 * z95, 10 + 2 * z95))
    forecasts = pd.DataFrame(rows, columns=["item_id", "date", "forecast", "lower_95", "upper_95"])
    inventory = pd.DataFrame(
        {"item_id": ["A", "B"], "on_hand": [50, 200], "lead_time_days": [4, 4], "inbound": [10, 0]}
    )
    out = reorder_suggestions(forecasts, inventory, service_level=0.95, review_days=3)
    out = out.set_index("item_id")
    # cover 7 days: demand 70, safety = z(0.95) * 2 * sqrt(7) = 1.644854 * 5.291503 = 8.7038
    assert out.loc["A", "cover_days"] == 7
    assert out.loc["A", "expected_demand"] == pytest.approx(70.0)
    assert out.loc["A", "safety_stock"] == pytest.approx(1.644854 * 2 * math.sqrt(7), rel=1e-5)
    assert out.loc["A", "inventory_position"] == 60.0
    assert out.loc["A", "days_of_cover"] == pytest.approx(6.0)
    assert out.loc["A", "order_qty"] == 19  # ceil(78.70 - 60)
    assert bool(out.loc["A", "reorder"])
    assert out.loc["B", "order_qty"] == 0
    assert not bool(out.loc["B", "reorder"])
    with pytest.raises(ValueError, match="covers 10 days"):
        reorder_suggestions(forecasts, inventory, review_days=20)
    with pytest.raises(ValueError, match="service_level"):
        reorder_suggestions(forecasts, inventory, service_level=1.0)
