"""Order-value and daily-revenue anomalies: robust z-score (median/MAD) and IQR fences.

robust z = 0.6745 * (x - median) / MAD (Iglewicz & Hoaglin); when MAD is 0 the mean absolute
deviation is used instead (z = (x - median) / (1.2533 * meanAD)); when both are 0 every z is 0.
IQR fences are Q1 - k * IQR and Q3 + k * IQR. A row is an anomaly when either rule fires; its
``reason`` says which rule fired, in which direction and against what threshold.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

FLAG_COLUMNS = ("robust_z", "iqr_low", "iqr_high", "z_flag", "iqr_flag", "is_anomaly", "reason")


def robust_z(values: pd.Series) -> pd.Series:
    """Robust z-scores of ``values`` (see module docstring)."""
    x = values.astype(float)
    median = float(x.median())
    deviation = (x - median).abs()
    mad = float(deviation.median())
    if mad > 0:
        z = 0.6745 * (x - median) / mad
    else:
        mean_ad = float(deviation.mean())
        z = (x - median) / (1.2533 * mean_ad) if mean_ad > 0 else x * 0.0
    return z.rename("robust_z")


def iqr_fences(values: pd.Series, k: float = 1.5) -> tuple[float, float]:
    """(lower, upper) Tukey fences."""
    q1, q3 = (float(v) for v in values.astype(float).quantile([0.25, 0.75]))
    return q1 - k * (q3 - q1), q3 + k * (q3 - q1)


def _flag_group(
    x: pd.Series, what: str, z_threshold: float, iqr_k: float, context: str
) -> pd.DataFrame:
    z = robust_z(x)
    low, high = iqr_fences(x, iqr_k)
    median = float(x.median())
    z_flag = z.abs() > z_threshold
    iqr_flag = (x < low) | (x > high)
    reasons = []
    for value, z_i, zf, qf in zip(x, z, z_flag, iqr_flag, strict=True):
        parts = []
        if zf:
            side = "above" if z_i > 0 else "below"
            parts.append(
                f"{what} {value:,.2f} is {abs(z_i):.1f} robust SDs {side} the median "
                f"{median:,.2f}{context} (threshold {z_threshold:g})"
            )
        if qf:
            fence = (
                f"above the upper IQR fence {high:,.2f}"
                if value > high
                else (f"below the lower IQR fence {low:,.2f}")
            )
            parts.append(f"{what} {value:,.2f} is {fence}{context} (k={iqr_k:g})")
        reasons.append("; ".join(parts))
    return pd.DataFrame(
        {
            "robust_z": z,
            "iqr_low": low,
            "iqr_high": high,
            "z_flag": z_flag,
            "iqr_flag": iqr_flag,
            "is_anomaly": z_flag | iqr_flag,
            "reason": reasons,
        },
        index=x.index,
    )


def flag_order_values(
    orders: pd.DataFrame,
    value_col: str = "amount",
    z_threshold: float = 3.5,
    iqr_k: float = 1.5,
) -> pd.DataFrame:
    """``orders`` plus the FLAG_COLUMNS, one row per order."""
    if value_col not in orders.columns:
        raise ValueError(f"orders lack column {value_col!r}")
    values = orders[value_col]
    if values.isna().any():
        raise ValueError(f"{value_col!r} has missing values")
    flags = _flag_group(values, "order value", z_threshold, iqr_k, "")
    return pd.concat([orders, flags], axis=1)


def daily_revenue(
    transactions: pd.DataFrame, datetime_col: str = "order_ts", value_col: str = "amount"
) -> pd.Series:
    """Revenue per calendar day; days without orders inside the range count as 0."""
    missing = {datetime_col, value_col} - set(transactions.columns)
    if missing:
        raise ValueError(f"transactions lack columns: {sorted(missing)}")
    days = pd.to_datetime(transactions[datetime_col]).dt.normalize()
    series = pd.Series(transactions[value_col].astype(float).to_numpy(), index=days.to_numpy())
    return series.sort_index().resample("D").sum().rename("revenue").rename_axis("date")


def flag_daily_revenue(
    transactions: pd.DataFrame,
    datetime_col: str = "order_ts",
    value_col: str = "amount",
    z_threshold: float = 3.5,
    iqr_k: float = 1.5,
    by_weekday: bool = False,
) -> pd.DataFrame:
    """Daily revenue with FLAG_COLUMNS; ``by_weekday`` compares each day with its own weekday."""
    revenue = daily_revenue(transactions, datetime_col, value_col)
    if not by_weekday:
        flags = _flag_group(revenue, "daily revenue", z_threshold, iqr_k, "")
    else:
        index = pd.DatetimeIndex(revenue.index)
        parts = [
            _flag_group(
                revenue[np.asarray(index.day_of_week == dow)],
                "daily revenue",
                z_threshold,
                iqr_k,
                f" of {name}s",
            )
            for dow, name in enumerate(
                ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
            )
            if (index.day_of_week == dow).any()
        ]
        flags = pd.concat(parts).sort_index()
    return pd.concat([revenue, flags], axis=1)
