"""Forecasts on synthetic series with known structure; metrics by hand."""

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


def test_without_season_the_model_has_no_weekly_pattern_and_needs_less_history() -> None:
    series = _trend_seasonal(n=12)
    out = forecast(series, horizon=5, season_length=None)
    assert len(out) == 5
    assert (out["lower_95"] <= out["lower_80"]).all() and (out["upper_80"] <= out["upper_95"]).all()
    with pytest.raises(ValueError, match="at least 8"):
        forecast(series.iloc[:7], horizon=2, season_length=None)
    naive = seasonal_naive(series, horizon=3, season_length=None)
    assert naive.tolist() == [series.iloc[-1]] * 3
