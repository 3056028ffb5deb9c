"""Seasonal forecasts with prediction intervals, rolling-origin backtests and reorder suggestions.

Input series are summed per period (``freq``) and empty periods count as 0, which is what daily
revenue and unit series mean. Models: additive damped-trend ETS with seasonality (default) or
SARIMAX(1,1,1)(0,1,1)s, both from statsmodels; ``season_length=None`` drops the seasonal part
(for series shorter than two seasons, such as weekly demand with under two years of history).
"""

from __future__ import annotations

import warnings
from typing import Literal

import numpy as np
import pandas as pd
from statsmodels.tsa.exponential_smoothing.ets import ETSModel
from statsmodels.tsa.statespace.sarimax import SARIMAX

Method = Literal["ets", "sarimax"]
FORECAST_COLUMNS = ("forecast", "lower_80", "upper_80", "lower_95", "upper_95")


def regularize(series: pd.Series, freq: str = "D") -> pd.Series:
    """Sum values per ``freq`` period on a gap-free DatetimeIndex (missing periods = 0)."""
    if not isinstance(series.index, pd.DatetimeIndex):
        raise ValueError("series needs a DatetimeIndex")
    if series.isna().any():
        raise ValueError("series has missing values")
    return series.sort_index().astype(float).resample(freq).sum()


def _future_index(series: pd.Series, horizon: int) -> pd.DatetimeIndex:
    index = series.index
    if not isinstance(index, pd.DatetimeIndex) or index.freq is None:
        raise ValueError("series needs a DatetimeIndex with a frequency (see regularize)")
    future = pd.date_range(index[-1], periods=horizon + 1, freq=index.freq)[1:]
    return future.rename("date")


def min_periods(season_length: int | None) -> int:
    """Shortest history :func:`forecast` accepts: two seasons and two periods (8 without season)."""
    return 8 if season_length is None else 2 * season_length + 2


def forecast(
    series: pd.Series,
    horizon: int,
    season_length: int | None = 7,
    method: Method = "ets",
    freq: str = "D",
) -> pd.DataFrame:
    """Point forecast with 80 % and 95 % prediction intervals for the next ``horizon`` periods."""
    y = regularize(series, freq)
    if horizon < 1:
        raise ValueError("horizon must be >= 1")
    if len(y) < min_periods(season_length):
        raise ValueError(f"need at least {min_periods(season_length)} periods, got {len(y)}")
    frames: dict[float, pd.DataFrame] = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # optimizer chatter from statsmodels
        if method == "ets":
            ets = ETSModel(
                y,
                error="add",
                trend="add",
                damped_trend=True,
                seasonal=None if season_length is None else "add",
                seasonal_periods=season_length,
            ).fit(disp=False)
            prediction = ets.get_prediction(start=len(y), end=len(y) + horizon - 1)
            for alpha in (0.2, 0.05):
                frames[alpha] = prediction.summary_frame(alpha=alpha).rename(
                    columns={"pi_lower": "lower", "pi_upper": "upper"}
                )
        elif method == "sarimax":
            seasonal_order = (0, 0, 0, 0) if season_length is None else (0, 1, 1, season_length)
            sarimax = SARIMAX(y, order=(1, 1, 1), seasonal_order=seasonal_order).fit(disp=False)
            prediction = sarimax.get_forecast(horizon)
            for alpha in (0.2, 0.05):
                frames[alpha] = prediction.summary_frame(alpha=alpha).rename(
                    columns={"mean_ci_lower": "lower", "mean_ci_upper": "upper"}
                )
        else:
            raise ValueError(f"unknown method {method!r}")
    out = pd.DataFrame(
        {
            "forecast": frames[0.2]["mean"].to_numpy(),
            "lower_80": frames[0.2]["lower"].to_numpy(),
            "upper_80": frames[0.2]["upper"].to_numpy(),
            "lower_95": frames[0.05]["lower"].to_numpy(),
            "upper_95": frames[0.05]["upper"].to_numpy(),
        },
        index=_future_index(y, horizon),
    )
    return out


def seasonal_naive(series: pd.Series, horizon: int, season_length: int | None = 7) -> pd.Series:
    """Repeat the last observed season: forecast for t+h is y[t+h-k*season_length] (without a
    season: the last value)."""
    season_length = season_length or 1
    if len(series) < season_length:
        raise ValueError(f"need at least {season_length} periods")
    last = series.to_numpy(dtype=np.float64)[-season_length:]
    values = np.resize(last, horizon)
    return pd.Series(values, index=_future_index(series, horizon), name="seasonal_naive")


def mape(actual: np.ndarray, predicted: np.ndarray) -> float:
    """Mean absolute percentage error in %, over periods with a non-zero actual."""
    a, p = np.asarray(actual, dtype=float), np.asarray(predicted, dtype=float)
    keep = a != 0
    if not keep.any():
        return float("nan")
    return float(np.mean(np.abs(a[keep] - p[keep]) / np.abs(a[keep])) * 100)


def smape(actual: np.ndarray, predicted: np.ndarray) -> float:
    """Symmetric MAPE in % (0..200); a period where both are 0 counts as 0 error."""
    a, p = np.asarray(actual, dtype=float), np.asarray(predicted, dtype=float)
    denom = np.abs(a) + np.abs(p)
    ratio = np.divide(2 * np.abs(a - p), denom, out=np.zeros_like(a), where=denom != 0)
    return float(np.mean(ratio) * 100)


def backtest(
    series: pd.Series,
    horizon: int = 7,
    n_origins: int = 6,
    step: int = 7,
    season_length: int | None = 7,
    method: Method = "ets",
    freq: str = "D",
) -> pd.DataFrame:
    """Rolling-origin backtest: per origin, MAPE/sMAPE of the model and of seasonal naive.

    The last origin leaves exactly ``horizon`` periods to score; earlier origins step back by
    ``step`` periods. Use ``frame.mean(numeric_only=True)`` for the overall figures.
    """
    y = regularize(series, freq)
    rows = []
    for k in range(n_origins - 1, -1, -1):
        cut = len(y) - horizon - k * step
        if cut < min_periods(season_length):
            raise ValueError("series too short for this many origins")
        train, test = y.iloc[:cut], y.iloc[cut : cut + horizon].to_numpy()
        model = forecast(train, horizon, season_length, method, freq)["forecast"].to_numpy()
        naive = seasonal_naive(train, horizon, season_length).to_numpy()
        rows.append(
            {
                "origin": y.index[cut - 1],
                "mape_model": mape(test, model),
                "smape_model": smape(test, model),
                "mape_naive": mape(test, naive),
                "smape_naive": smape(test, naive),
            }
        )
    return pd.DataFrame(rows)
