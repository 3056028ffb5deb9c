"""Weekly demand per category, its forecast, and reorder suggestions per product.

Weeks are ISO weeks (Monday to Sunday, labelled by their Monday). Only complete weeks inside the
observed period count, so a half-observed first or last week does not look like a demand drop.
Product demand is allocated top-down: a product's expected units are its share of its category's
units over the recent weeks times the category forecast. The reorder maths is explained in
docs/demand_forecasting.md.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import norm

from globalcart.analytics.forecast import backtest, forecast, min_periods

YEAR_WEEKS = 52
Z_975 = float(norm.ppf(0.975))
DEMAND_COLUMNS = ("units", "lo80", "hi80", "lo95", "hi95")


def complete_weeks(first_day: pd.Timestamp, last_day: pd.Timestamp) -> pd.DatetimeIndex:
    """Mondays of the ISO weeks that lie wholly inside ``first_day`` .. ``last_day``."""
    first = pd.Timestamp(first_day).normalize()
    last = pd.Timestamp(last_day).normalize()
    start = first + pd.Timedelta(days=(7 - first.weekday()) % 7)
    end = last - pd.Timedelta(days=(last.weekday() + 1) % 7 + 6)
    return pd.date_range(start, end, freq="W-MON", name="week_start")


def weekly_units(daily: pd.DataFrame, weeks: pd.DatetimeIndex, key: str) -> pd.DataFrame:
    """Units per ``key`` and week from ``daily`` (key, order_date, units), zero-filled over
    ``weeks``: one row per key and week (key, week_start, units)."""
    if daily.empty or len(weeks) == 0:
        return pd.DataFrame({key: [], "week_start": pd.DatetimeIndex([]), "units": []})
    days = pd.to_datetime(daily["order_date"])
    week = days - pd.to_timedelta(days.dt.day_of_week, unit="D")
    inside = week.isin(weeks)
    grid = pd.MultiIndex.from_product(
        [sorted(daily[key].unique()), weeks], names=[key, "week_start"]
    )
    totals = (
        daily.loc[inside, "units"]
        .astype(float)
        .groupby([daily.loc[inside, key], week[inside].rename("week_start")])
        .sum()
    )
    return totals.reindex(grid, fill_value=0.0).rename("units").reset_index()


def season_for(n_weeks: int) -> int | None:
    """Yearly seasonality once two years (+2 weeks) of history exist, else none."""
    return YEAR_WEEKS if n_weeks >= min_periods(YEAR_WEEKS) else None


def forecast_categories(
    history: pd.DataFrame, horizon: int, progress: Callable[[str], None] | None = None
) -> pd.DataFrame:
    """History and forecast per category: category, week_start, units, lo80, hi80, lo95, hi95,
    is_forecast, sigma (the forecast's standard deviation, from the 95 % interval).

    Forecast values are clipped at 0 (units cannot be negative; clipping keeps the nesting
    lo95 <= lo80 <= units <= hi80 <= hi95); sigma comes from the unclipped interval.
    """
    frames = []
    for category, rows in history.groupby("category", sort=True):
        series = rows.set_index("week_start")["units"].asfreq("W-MON")
        predicted = forecast(series, horizon, season_for(len(series)), freq="W-MON")
        past = pd.DataFrame({"week_start": series.index, "units": series.to_numpy()})
        ahead = pd.DataFrame(
            {
                "week_start": predicted.index,
                "units": predicted["forecast"].to_numpy(),
                "lo80": predicted["lower_80"].to_numpy(),
                "hi80": predicted["upper_80"].to_numpy(),
                "lo95": predicted["lower_95"].to_numpy(),
                "hi95": predicted["upper_95"].to_numpy(),
                "sigma": (predicted["upper_95"] - predicted["lower_95"]).to_numpy() / (2 * Z_975),
            }
        )
        ahead[list(DEMAND_COLUMNS)] = ahead[list(DEMAND_COLUMNS)].clip(lower=0.0)
        frames.append(past.assign(is_forecast=False).assign(category=category))
        frames.append(ahead.assign(is_forecast=True).assign(category=category))
        if progress is not None:
            progress(str(category))
    columns = ["category", "week_start", *DEMAND_COLUMNS, "is_forecast", "sigma"]
    if not frames:
        return pd.DataFrame(columns=columns)
    out = pd.concat(frames, ignore_index=True)[columns]
    out["is_forecast"] = out["is_forecast"].astype(bool)
    return out


def category_backtest(history: pd.DataFrame, horizon: int, origins: int = 4) -> pd.DataFrame:
    """Rolling-origin backtest per category (origins ``horizon`` weeks apart): mean MAPE/sMAPE
    of the model and of the (seasonal) naive baseline. Empty when the history is too short."""
    rows = {}
    for category, frame in history.groupby("category", sort=True):
        series = frame.set_index("week_start")["units"].asfreq("W-MON")
        season = season_for(len(series))
        if len(series) < min_periods(season) + origins * horizon:
            continue
        scores = backtest(series, horizon, origins, horizon, season, freq="W-MON")
        rows[category] = scores.mean(numeric_only=True)
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis("category")


def lead_time_demand(forecasts: pd.DataFrame, weeks: int) -> pd.DataFrame:
    """Per category, over the first ``weeks`` forecast weeks: expected units (``demand``) and the
    variance of that total (``variance``, weekly errors taken as independent)."""
    ahead = forecasts[forecasts["is_forecast"]].sort_values(["category", "week_start"])
    window = ahead.groupby("category").head(weeks)
    short = window.groupby("category").size()
    if (short < weeks).any():
        raise ValueError(f"the forecast covers fewer than {weeks} weeks")
    return (
        window.assign(variance=window["sigma"] ** 2)
        .groupby("category")[["units", "variance"]]
        .sum()
        .rename(columns={"units": "demand"})
    )


def demand_shares(recent: pd.DataFrame) -> pd.DataFrame:
    """Each product's share of its category's units in ``recent`` (product_id, category, units)."""
    totals = recent.groupby("category")["units"].transform("sum").astype(float)
    share = np.divide(
        recent["units"].astype(float), totals, out=np.zeros(len(recent)), where=totals > 0
    )
    return recent[["product_id", "category"]].assign(share=share)


def reorder_suggestions(
    stock: pd.DataFrame,
    shares: pd.DataFrame,
    category_demand: pd.DataFrame,
    lead_time_weeks: int,
    service_level: float = 0.95,
) -> pd.DataFrame:
    """Products whose stock does not cover lead-time demand plus safety stock.

    ``stock``: product_id, category, on_hand, allocated, inbound (other columns are kept);
    ``shares``: product_id, share (see :func:`demand_shares`); ``category_demand``: from
    :func:`lead_time_demand`. With share s, category lead-time demand D and variance V:
    demand = s*D, its variance s^2*V + s(1-s)*D (category error plus allocation noise),
    safety = z(service_level) * sd, and suggested_qty = ceil(demand + safety - (on_hand -
    allocated) - inbound). Only rows with suggested_qty > 0 are returned.
    """
    if not 0.5 <= service_level < 1:
        raise ValueError("service_level must be in [0.5, 1)")
    z = float(norm.ppf(service_level))
    plan = stock.merge(shares[["product_id", "share"]], on="product_id", how="left")
    plan["share"] = plan["share"].fillna(0.0)
    cat = category_demand.reindex(plan["category"]).fillna(0.0)
    total, variance = cat["demand"].to_numpy(), cat["variance"].to_numpy()
    s = plan["share"].to_numpy()
    demand = s * total
    sd = np.sqrt(s**2 * variance + s * (1 - s) * total)
    position = (plan["on_hand"] - plan["allocated"] + plan["inbound"]).to_numpy(dtype=float)
    gap = np.round(demand + z * sd - position, 6)  # round off float noise before ceil
    plan["lead_time_weeks"] = lead_time_weeks
    plan["service_level"] = service_level
    plan["lead_time_demand"] = demand
    plan["safety_stock"] = z * sd
    plan["weeks_of_cover"] = np.divide(
        position * lead_time_weeks, demand, out=np.full(len(plan), np.nan), where=demand > 0
    )
    plan["suggested_qty"] = np.maximum(np.ceil(gap), 0).astype(np.int64)
    out = plan[plan["suggested_qty"] > 0].copy()
    out["reason"] = [_reason(row, lead_time_weeks) for row in out.to_dict("records")]
    return out.sort_values(["suggested_qty", "product_id"], ascending=[False, True]).reset_index(
        drop=True
    )


def _reason(row: Mapping[Hashable, Any], weeks: int) -> str:
    available = int(row["on_hand"]) - int(row["allocated"])
    inbound = int(row["inbound"])
    have = "out of stock" if available <= 0 else f"{available} available"
    if inbound:
        have += f" + {inbound} inbound"
    text = (
        f"{have} < {weeks}-week demand {row['lead_time_demand']:.1f} "
        f"+ safety stock {row['safety_stock']:.1f}"
    )
    reorder_point = row.get("reorder_point")
    if reorder_point is not None and not pd.isna(reorder_point) and available < reorder_point:
        text += "; below the reorder point"
    return text
