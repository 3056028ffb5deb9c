"""Monthly acquisition cohorts: retention matrix, repeat rate, N-day retention and LTV, churn rate.

Conventions (all metrics take an orders frame, one row per order):

- Observation: ``as_of`` is a date; orders up to the end of that day count (``obs_end`` = the next
  midnight, exclusive). Default: the day of the last order. Later orders are ignored.
- Anchor (day 0): a customer's first order (default), or their sign-up ``created_at`` from a
  customers frame (``anchor="signup"``; then never-buying customers belong to their cohort too).
  The cohort is the calendar month of the anchor.
- Retention at N days: share of the cohort with an order at ``0 < order_ts - anchor <= N days``
  (so the first order itself never counts as retention).
- LTV at N days: revenue of orders at ``0 <= order_ts - anchor <= N days``, summed over the cohort
  and divided by the cohort size (customers without orders count as 0).
- Censoring: an N-day value is NaN unless every cohort member's window is complete
  (``anchor + N days < obs_end``); a matrix cell for month k is NaN unless calendar month
  ``cohort + k`` has ended by ``obs_end``. Recent cohorts are never under-counted.
- Repeat purchase rate: share of the cohort with at least two orders by ``obs_end`` (to date, so
  young cohorts have had less time; ``observed_days`` says how much).
- Churn rate: among customers with an order by ``obs_end``, the share whose last order is 90 or
  more whole days before ``as_of`` (no order in the 90 days ending on ``as_of``).
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd

Anchor = Literal["first_order", "signup"]
WINDOWS = (7, 30, 90)


def _timestamps(values: pd.Series) -> pd.Series:
    ts = pd.to_datetime(values)
    if ts.dt.tz is not None:
        ts = ts.dt.tz_convert("UTC").dt.tz_localize(None)
    if ts.isna().any():
        raise ValueError(f"{values.name!r} has missing or unparseable timestamps")
    return ts


def _month_number(ts: pd.Series) -> pd.Series:
    months: pd.Series = ts.dt.year * 12 + ts.dt.month - 1
    return months


def _prepare(
    orders: pd.DataFrame,
    as_of: pd.Timestamp | str | None,
    customers: pd.DataFrame | None,
    anchor: Anchor,
    revenue_col: str,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.Timestamp]:
    """Orders (customer_id, ts, revenue, delta), customers (anchor_ts, cohort, n_orders), end."""
    missing = {"customer_id", "order_ts", revenue_col} - set(orders.columns)
    if missing:
        raise ValueError(f"orders lack columns: {sorted(missing)}")
    ts = _timestamps(orders["order_ts"])
    day = ts.max().normalize() if as_of is None else pd.Timestamp(as_of).normalize()
    obs_end = day + pd.Timedelta(days=1)
    frame = pd.DataFrame(
        {
            "customer_id": orders["customer_id"].to_numpy(),
            "ts": ts.to_numpy(),
            "revenue": orders[revenue_col].astype(np.float64).to_numpy(),
        }
    )
    frame = frame[frame["ts"] < obs_end]
    if anchor == "first_order":
        if frame.empty:
            raise ValueError("no orders on or before as_of")
        anchors = frame.groupby("customer_id")["ts"].min().rename("anchor_ts").to_frame()
    elif anchor == "signup":
        if customers is None or not {"customer_id", "created_at"} <= set(customers.columns):
            raise ValueError("anchor='signup' needs a customers frame with customer_id, created_at")
        created = _timestamps(customers["created_at"])
        anchors = pd.DataFrame({"anchor_ts": created.to_numpy()}, index=customers["customer_id"])
        anchors = anchors[anchors["anchor_ts"] < obs_end]
        anchors = anchors[~anchors.index.duplicated(keep="last")]
        unknown = set(frame["customer_id"]) - set(anchors.index)
        if unknown:
            raise ValueError(f"{len(unknown)} ordering customers have no sign-up by as_of")
        if anchors.empty:
            raise ValueError("no customers signed up on or before as_of")
    else:
        raise ValueError(f"anchor must be 'first_order' or 'signup', got {anchor!r}")
    anchors.index.name = "customer_id"
    anchors["cohort"] = _month_number(anchors["anchor_ts"])
    anchors["n_orders"] = frame.groupby("customer_id").size().reindex(anchors.index).fillna(0)
    frame = frame.join(anchors["anchor_ts"], on="customer_id")
    frame["delta"] = frame["ts"] - frame["anchor_ts"]
    if (frame["delta"] < pd.Timedelta(0)).any():
        raise ValueError("some orders precede their customer's sign-up (created_at)")
    return frame, anchors, obs_end


def _month_start(month_number: pd.Index | pd.Series) -> pd.DatetimeIndex:
    numbers = np.asarray(month_number, dtype=np.int64)
    return pd.DatetimeIndex(
        pd.to_datetime({"year": numbers // 12, "month": numbers % 12 + 1, "day": 1}),
        name="cohort_month",
    )


def retention_matrix(
    orders: pd.DataFrame,
    months: int = 12,
    as_of: pd.Timestamp | str | None = None,
    customers: pd.DataFrame | None = None,
    anchor: Anchor = "first_order",
    revenue_col: str = "net_revenue",
) -> pd.DataFrame:
    """Per cohort month: ``cohort_size`` and the shares ``month_0`` .. ``month_{months-1}``."""
    frame, anchors, obs_end = _prepare(orders, as_of, customers, anchor, revenue_col)
    frame["k"] = _month_number(frame["ts"]) - frame["customer_id"].map(anchors["cohort"])
    active = frame[frame["k"] < months].drop_duplicates(["customer_id", "k"])
    active = active.join(anchors["cohort"], on="customer_id")
    counts = active.groupby(["cohort", "k"]).size().unstack("k")
    sizes = anchors.groupby("cohort").size()
    shares = counts.reindex(index=sizes.index, columns=range(months)).fillna(0).div(sizes, axis=0)
    last_complete = _month_number(pd.Series([obs_end - pd.Timedelta(days=1)])).iloc[0]
    if obs_end.day != 1:  # the month containing as_of has not ended
        last_complete -= 1
    cohort_idx = np.asarray(sizes.index, dtype=np.int64)[:, None]
    observed = cohort_idx + np.arange(months)[None, :] <= last_complete
    values = np.where(observed, shares.to_numpy(dtype=np.float64), np.nan)
    out = pd.DataFrame(values, columns=[f"month_{k}" for k in range(months)])
    out.insert(0, "cohort_size", sizes.to_numpy(dtype=np.int64))
    out.index = _month_start(sizes.index)
    return out


def cohort_summary(
    orders: pd.DataFrame,
    as_of: pd.Timestamp | str | None = None,
    customers: pd.DataFrame | None = None,
    anchor: Anchor = "first_order",
    revenue_col: str = "net_revenue",
    windows: tuple[int, ...] = WINDOWS,
) -> pd.DataFrame:
    """Per cohort: size, observed_days, repeat_rate, retention_{N}d and ltv_{N}d for each window."""
    frame, anchors, obs_end = _prepare(orders, as_of, customers, anchor, revenue_col)
    grouped = anchors.groupby("cohort")
    out = pd.DataFrame({"cohort_size": grouped.size().astype(np.int64)})
    starts = _month_start(out.index)
    out["observed_days"] = (obs_end - starts).days.to_numpy(dtype=np.int64)
    out["repeat_rate"] = grouped["n_orders"].apply(lambda n: float((n >= 2).mean()))
    complete_until = grouped["anchor_ts"].max()
    for n_days in windows:
        span = pd.Timedelta(days=n_days)
        complete = (complete_until + span < obs_end).to_numpy()
        inside = frame[frame["delta"] <= span]
        returned = inside.loc[inside["delta"] > pd.Timedelta(0), "customer_id"].unique()
        is_retained = anchors.index.isin(returned).astype(np.float64)
        retention = pd.Series(is_retained, index=anchors.index).groupby(anchors["cohort"]).mean()
        revenue = inside.groupby("customer_id")["revenue"].sum().reindex(anchors.index).fillna(0.0)
        ltv = revenue.groupby(anchors["cohort"]).sum() / out["cohort_size"]
        out[f"retention_{n_days}d"] = np.where(complete, retention.to_numpy(), np.nan)
        out[f"ltv_{n_days}d"] = np.where(complete, ltv.to_numpy(), np.nan)
    out.index = starts
    return out


def churn_flags(
    orders: pd.DataFrame,
    as_of: pd.Timestamp | str,
    inactive_days: int = 90,
    revenue_col: str = "net_revenue",
) -> pd.DataFrame:
    """Per customer: cohort_month, last_order_ts, days_since_last_order and churned (bool)."""
    frame, anchors, obs_end = _prepare(orders, as_of, None, "first_order", revenue_col)
    last = frame.groupby("customer_id")["ts"].max()
    day = obs_end - pd.Timedelta(days=1)
    days_since = (day - last.dt.normalize()).dt.days.astype(np.int64)
    return pd.DataFrame(
        {
            "cohort_month": _month_start(anchors["cohort"].loc[last.index]).to_numpy(),
            "last_order_ts": last,
            "days_since_last_order": days_since,
            "churned": days_since >= inactive_days,
        }
    )


def churn_rate(
    orders: pd.DataFrame,
    as_of: pd.Timestamp | str,
    inactive_days: int = 90,
    revenue_col: str = "net_revenue",
) -> float:
    """Share of customers (with an order by ``as_of``) without an order in the last N days."""
    return float(churn_flags(orders, as_of, inactive_days, revenue_col)["churned"].mean())


def churn_by_cohort(
    orders: pd.DataFrame,
    as_of: pd.Timestamp | str,
    inactive_days: int = 90,
    revenue_col: str = "net_revenue",
) -> pd.DataFrame:
    """Per cohort month: customers, churned and churn_rate as of ``as_of``."""
    flags = churn_flags(orders, as_of, inactive_days, revenue_col)
    grouped = flags.groupby("cohort_month")["churned"]
    out = pd.DataFrame({"customers": grouped.size(), "churned": grouped.sum().astype(np.int64)})
    out["churn_rate"] = out["churned"] / out["customers"]
    return out
