"""Admin dashboard panels that no KPI route answers: RFM segment sizes, the churn-risk list and
the revenue forecast with prediction intervals (``/api/admin/insights/…``, admins only)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

import pandas as pd
from fastapi import APIRouter, Query, Request

from globalcart.analytics.forecast import FORECAST_COLUMNS, forecast
from globalcart.api.deps import StoreDep
from globalcart.api.problems import ProblemError
from globalcart.api.routes.admin import Admin
from globalcart.api.routes.admin_common import fetch
from globalcart.api.routes.kpi_tables import (
    CSV_RESPONSES,
    Cell,
    FormatQuery,
    Table,
    ensure_built,
    respond,
)

router = APIRouter(prefix="/api/admin/insights", tags=["admin"])
SEGMENTS = "marts.mart_customer_segments"
TABLE: dict[str, Any] = {"response_model": Table, "responses": CSV_RESPONSES}
HISTORY_DAYS = 90
FIT_DAYS = 365


def _table(title: str, rows: list[dict[str, Cell]], columns: list[str]) -> Table:
    return Table(title=title, kpis=[], columns=columns, rows=rows)


@router.get("/rfm-segments", **TABLE)
def rfm_segments(_: Admin, store: StoreDep, fmt: FormatQuery = "json") -> Any:
    """Customers, revenue and average recency per RFM segment (largest first)."""
    ensure_built(store.warehouse, SEGMENTS)
    rows = fetch(
        store.warehouse,
        "select rfm_segment as segment, count(*) as customers, "
        "sum(monetary_usd) as net_revenue_usd, avg(recency_days) as avg_recency_days, "
        f"avg(frequency) as avg_orders from {SEGMENTS} group by rfm_segment "
        "order by customers desc, segment",
        [],
    )
    columns = ["segment", "customers", "net_revenue_usd", "avg_recency_days", "avg_orders"]
    return respond(_table("RFM segments", rows, columns), fmt, "rfm_segments")


@router.get("/churn-risk", **TABLE)
def churn_risk(
    _: Admin,
    store: StoreDep,
    limit: Annotated[int, Query(ge=1, le=500)] = 20,
    fmt: FormatQuery = "json",
) -> Any:
    """Active (not yet churned) customers most at risk: the churn model's score when it has
    run (``globalcart analytics churn``), else the longest time since the last order."""
    ensure_built(store.warehouse, SEGMENTS)
    rows = fetch(
        store.warehouse,
        "select s.customer_id, c.email, s.rfm_segment, s.last_order_date, s.recency_days, "
        "s.frequency as orders, s.monetary_usd as net_revenue_usd, s.churn_score "
        f"from {SEGMENTS} as s left join dw.dim_customer as c "
        "on c.customer_id = s.customer_id and c.is_current "
        "where not s.is_churned "
        "order by s.churn_score desc nulls last, s.recency_days desc, s.customer_id limit ?",
        [limit],
    )
    columns = ["customer_id", "email", "rfm_segment", "last_order_date", "recency_days",
               "orders", "net_revenue_usd", "churn_score"]  # fmt: skip
    return respond(_table("Churn risk", rows, columns), fmt, "churn_risk")


def _daily_revenue(store: StoreDep) -> pd.Series:
    """Net revenue (USD) per day over the last FIT_DAYS days with revenue orders."""
    rows = store.warehouse.query(
        "select order_date, sum(net_revenue_usd) from dw.fct_orders where is_revenue "
        "and order_date > (select max(order_date) from dw.fct_orders where is_revenue) "
        f"- {FIT_DAYS} group by order_date order by order_date"
    )
    index = pd.DatetimeIndex([pd.Timestamp(day) for day, _ in rows], name="date")
    return pd.Series([float(value) for _, value in rows], index=index, dtype=float)


def _last_build(store: StoreDep) -> int:
    if not store.warehouse.table_exists("ops.runs"):
        return 0
    row = store.warehouse.query(
        "select max(run_id) from ops.runs where kind = 'build' and status = 'success'"
    )
    return int(row[0][0] or 0) if row else 0


@router.get("/forecast", **TABLE)
def revenue_forecast(
    _: Admin,
    store: StoreDep,
    request: Request,
    horizon: Annotated[int, Query(ge=7, le=90, description="Days to forecast.")] = 28,
    fmt: FormatQuery = "json",
) -> Any:
    """Daily net revenue of the last 90 days and the next ``horizon`` days' forecast with
    80 % and 95 % prediction intervals (damped-trend ETS with weekly seasonality, fitted on the
    last year; kept until the next build)."""
    ensure_built(store.warehouse, "dw.fct_orders")
    cache: dict[tuple[int, int], list[dict[str, Cell]]] | None = getattr(
        request.app.state, "web_forecasts", None
    )
    if cache is None:
        cache = request.app.state.web_forecasts = {}
    key = (_last_build(store), horizon)
    if key not in cache:
        cache.clear()  # only the latest build's forecasts are kept
        cache[key] = _forecast_rows(store, horizon)
    columns = ["date", "actual", *FORECAST_COLUMNS]
    return respond(_table("Net revenue forecast", cache[key], columns), fmt, "revenue_forecast")


def _forecast_rows(store: StoreDep, horizon: int) -> list[dict[str, Cell]]:
    daily = _daily_revenue(store)
    if daily.empty:
        raise ProblemError(409, "no revenue orders to forecast from yet", kind="no-data")
    try:
        predicted = forecast(daily, horizon)
    except ValueError as exc:
        raise ProblemError(409, f"cannot forecast: {exc}", kind="no-data") from None
    history = daily.resample("D").sum().tail(HISTORY_DAYS)
    rows: list[dict[str, Cell]] = [
        {"date": _day(day), "actual": round(float(value), 2)} for day, value in history.items()
    ]
    for day, values in predicted.iterrows():
        cells = {c: round(max(float(values[c]), 0.0), 2) for c in FORECAST_COLUMNS}
        rows.append({"date": _day(day), "actual": None, **cells})
    return rows


def _day(value: Any) -> dt.date:
    return pd.Timestamp(value).date()
