"""Seasonal forecasts with prediction intervals, rolling-origin backtests and reorder suggestions.

Input series are summed per period (``freq``) and empty periods count as 0, which is what daily
revenue and unit series mean. Models: additive damped-trend ETS with seasonality (default) or
SARIMAX(1,1,1)(0,1,1)s, both from statsmodels.
"""

from __future__ import annotations

import math
import warnings
from typing import Literal

import numpy as np
import pandas as pd
from scipy.stats import norm
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


def forecast(
    series: pd.Series,
    horizon: int,
    season_length: int = 7,
    method: Method = "ets",
    freq: str = "D",
) -> pd.DataFrame:
    """Point forecast with 80 % and 95 % prediction intervals for the next ``horizon`` periods."""
    y = regularize(series, freq)
    if horizon < 1:
        raise ValueError("horizon must be >= 1")
    if len(y) < 2 * season_length + 2:
        raise ValueError(f"need at least {2 * season_length + 2} periods, got {len(y)}")
    frames: dict[float, pd.DataFrame] = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # optimizer chatter from statsmodels
        if method == "ets":
            ets = ETSModel(
                y,
                error="add",
                trend="add",
                damped_trend=True,
                seasonal="add",
                seasonal_periods=season_length,
            ).fit(disp=False)
            prediction = ets.get_prediction(start=len(y), end=len(y) + horizon - 1)
            for alpha in (0.2, 0.05):
                frames[alpha] = prediction.summary_frame(alpha=alpha).rename(
                    columns={"pi_lower": "lower", "pi_upper": "upper"}
                )
        elif method == "sarimax":
            sarimax = SARIMAX(y, order=(1, 1, 1), seasonal_order=(0, 1, 1, season_length)).fit(
                disp=False
            )
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


def seasonal_naive(series: pd.Series, horizon: int, season_length: int = 7) -> pd.Series:
    """Repeat the last observed season: forecast for t+h is y[t+h-k*season_length]."""
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
    season_length: int = 7,
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
        if cut < 2 * season_length + 2:
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


def reorder_suggestions(
    forecasts: pd.DataFrame,
    inventory: pd.DataFrame,
    service_level: float = 0.95,
    review_days: int = 0,
    item_col: str = "item_id",
) -> pd.DataFrame:
    """Order-up-to suggestions per item from a daily demand forecast.

    ``forecasts``: item_col, date, forecast, lower_95, upper_95 (as from :func:`forecast`);
    ``inventory``: item_col, on_hand, lead_time_days and optionally inbound. Over the cover
    window (lead time + review days) the target is expected demand + z * sigma, with daily
    sigma = (upper_95 - lower_95) / (2 * 1.96) and independent daily errors. Suggested
    quantity = ceil(target - on_hand - inbound), floored at 0.
    """
    if not 0.5 <= service_level < 1:
        raise ValueError("service_level must be in [0.5, 1)")
    need = {item_col, "date", "forecast", "lower_95", "upper_95"} - set(forecasts.columns)
    need |= {item_col, "on_hand", "lead_time_days"} - set(inventory.columns)
    if need:
        raise ValueError(f"missing columns: {sorted(need)}")
    z = float(norm.ppf(service_level))
    rows = []
    for item, stock in inventory.set_index(item_col).iterrows():
        days = int(stock["lead_time_days"]) + review_days
        plan = forecasts[forecasts[item_col] == item].sort_values("date")
        if len(plan) < days:
            raise ValueError(f"forecast for {item!r} covers {len(plan)} days, need {days}")
        window = plan.iloc[:days]
        demand = float(window["forecast"].clip(lower=0).sum())
        sigma_day = (window["upper_95"] - window["lower_95"]) / (2 * norm.ppf(0.975))
        safety = z * math.sqrt(float((sigma_day**2).sum()))
        position = float(stock["on_hand"]) + float(stock.get("inbound", 0.0))
        daily = float(plan["forecast"].clip(lower=0).mean())
        qty = max(0, math.ceil(demand + safety - position))
        rows.append(
            {
                item_col: item,
                "cover_days": days,
                "expected_demand": demand,
                "safety_stock": safety,
                "target_level": demand + safety,
                "inventory_position": position,
                "days_of_cover": position / daily if daily > 0 else math.inf,
                "order_qty": qty,
                "reorder": qty > 0,
            }
        )
    return pd.DataFrame(rows)
