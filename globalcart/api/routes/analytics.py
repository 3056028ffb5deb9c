"""Analytics API (read-only): the reference projects' paths and the generic KPI route.

Every number comes from the KPI registry (:func:`globalcart.semantic.compute`); the routes only
choose KPIs, ranges, grains and breakdowns. Each answers JSON or, with ``?format=csv``, the
same rows as CSV.
Answers are cached per warehouse build (see ``analytics_answers.py``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel

from globalcart.api.deps import StoreDep
from globalcart.api.problems import ProblemError
from globalcart.api.routes.analytics_answers import F, cached, cached_route
from globalcart.api.routes.kpi_tables import (
    CSV_RESPONSES,
    Analyst,
    ByQuery,
    CompareQuery,
    EndQuery,
    FormatQuery,
    GrainQuery,
    StartQuery,
    Table,
    kpi_rows,
    merged,
)
from globalcart.engines import Warehouse
from globalcart.semantic import Compare, list_kpis
from globalcart.semantic.snapshots import HEADLINE

router = APIRouter(tags=["analytics"])
TABLE: dict[str, Any] = {"response_model": Table, "responses": CSV_RESPONSES}
DAILY = ("net_revenue", "gross_revenue", "orders", "units", "aov", "new_customers", "sessions",
         "conversion_rate")  # fmt: skip
REVENUE = ("net_revenue", "gross_revenue", "discounts", "refunds", "orders", "aov")
CONVERSION = ("conversion_rate", "sessions", "cart_abandonment_rate", "checkout_abandonment_rate")
LTV_DAYS = (7, 30, 90)
DEMAND = ("item_net_revenue", "units_sold")
Limit = Annotated[int, Query(ge=1, le=1000, description="At most this many rows (1-1000).")]


def route(path: str) -> Callable[[F], F]:
    return cached_route(router, path, **TABLE)


class KpiInfo(BaseModel):
    name: str
    label: str
    description: str
    group: str
    kind: str
    unit: str
    format: str
    direction: str
    grains: list[str]
    dimensions: list[str]


def _table(warehouse: Warehouse, title: str, name: str, start: dt.date | None, end: dt.date | None,
           limit: int | None = None) -> Table:  # fmt: skip
    result, rows = kpi_rows(warehouse, name, start, end, limit=limit)
    return Table(title=title, kpis=[name], start=start, end=end, columns=result.columns, rows=rows)


@route("/metrics/daily")
def metrics_daily(
    _: Analyst, store: StoreDep, start: StartQuery = None, end: EndQuery = None,
    compare: CompareQuery = None, fmt: FormatQuery = "json",
) -> Any:  # fmt: skip
    """Headline metrics per day (default: the last 30 days with data)."""
    return cached(
        store,
        fmt,
        "metrics_daily",
        merged,
        "Daily metrics",
        DAILY,
        start,
        end,
        grain="day",
        compare=compare,
    )


def _ltv_table(
    warehouse: Warehouse, days: int, start: dt.date | None, end: dt.date | None
) -> Table:
    full = _table(warehouse, f"LTV at {days} days by cohort", "ltv_cohorts", start, end)
    keep = ["cohort_month", "customers", f"ltv_{days}d_usd"]
    rows = [{column: row.get(column) for column in keep} for row in full.rows]
    return full.model_copy(update={"columns": keep, "rows": rows})


@route("/ltv/{days}")
def ltv(
    _: Analyst, store: StoreDep,
    days: Annotated[int, Path(description="7, 30 or 90 days after the first order")],
    start: StartQuery = None, end: EndQuery = None, fmt: FormatQuery = "json",
) -> Any:  # fmt: skip
    """Average cumulative net revenue per customer of each monthly cohort after ``days``."""
    if days not in LTV_DAYS:
        raise ProblemError(422, "days must be 7, 30 or 90", kind="validation-error")
    return cached(store, fmt, f"ltv_{days}d", _ltv_table, days, start, end)


@route("/inventory/alerts")
def inventory_alerts(
    _: Analyst, store: StoreDep, limit: Limit = 100, fmt: FormatQuery = "json"
) -> Any:
    """Products below their reorder point at the latest inventory snapshot."""
    return cached(
        store,
        fmt,
        "inventory_alerts",
        _table,
        "Inventory alerts",
        "inventory_alerts",
        None,
        None,
        limit,
    )


def _summary_table(
    warehouse: Warehouse, start: dt.date | None, end: dt.date | None, compare: Compare | None
) -> Table:
    rows: list[dict[str, Any]] = []
    result: Any = None
    for name in HEADLINE:
        result, values = kpi_rows(warehouse, name, start, end, compare=compare)
        kpi = result.kpi
        rows.append({"kpi": name, "label": kpi.label, "unit": kpi.unit, **values[0]})
    columns = ["kpi", "label", "unit", "value"]
    if compare:
        columns += ["previous_value", "change", "change_pct"]
    return Table(
        title="KPI summary", kpis=list(HEADLINE), start=result.start, end=result.end,
        compare=compare, previous_start=result.previous_start, previous_end=result.previous_end,
        columns=columns, rows=[{c: row.get(c) for c in columns} for row in rows],
    )  # fmt: skip


@route("/kpi/summary")
def kpi_summary(
    _: Analyst, store: StoreDep, start: StartQuery = None, end: EndQuery = None,
    compare: CompareQuery = "previous_period", fmt: FormatQuery = "json",
) -> Any:  # fmt: skip
    """The headline KPIs over the range, compared with the previous period by default."""
    return cached(store, fmt, "kpi_summary", _summary_table, start, end, compare)


@route("/kpi/revenue")
def kpi_revenue(
    _: Analyst, store: StoreDep, start: StartQuery = None, end: EndQuery = None,
    grain: GrainQuery = "day", by: ByQuery = None, compare: CompareQuery = None,
    fmt: FormatQuery = "json",
) -> Any:  # fmt: skip
    """Revenue KPIs per period and/or breakdown (country, channel, segment…)."""
    return cached(
        store,
        fmt,
        "kpi_revenue",
        merged,
        "Revenue",
        REVENUE,
        start,
        end,
        grain=grain,
        by=by,
        compare=compare,
    )


@route("/kpi/conversion")
def kpi_conversion(
    _: Analyst, store: StoreDep, start: StartQuery = None, end: EndQuery = None,
    grain: GrainQuery = None, by: ByQuery = None, compare: CompareQuery = None,
    fmt: FormatQuery = "json",
) -> Any:  # fmt: skip
    """Session funnel conversion and abandonment, optionally per period and/or breakdown."""
    return cached(
        store,
        fmt,
        "kpi_conversion",
        merged,
        "Conversion",
        CONVERSION,
        start,
        end,
        grain=grain,
        by=by,
        compare=compare,
    )


@route("/cohorts/retention")
def cohorts_retention(
    _: Analyst, store: StoreDep, start: StartQuery = None, end: EndQuery = None,
    fmt: FormatQuery = "json",
) -> Any:  # fmt: skip
    """Monthly acquisition cohorts × month number 0-12: share of the cohort buying again."""
    return cached(
        store, fmt, "cohort_retention", _table, "Cohort retention", "cohort_retention", start, end
    )


@route("/cohorts/repeat-purchase")
def cohorts_repeat_purchase(
    _: Analyst, store: StoreDep, start: StartQuery = None, end: EndQuery = None,
    fmt: FormatQuery = "json",
) -> Any:  # fmt: skip
    """Per monthly cohort: customers, repeat customers and the repeat purchase rate."""
    return cached(
        store,
        fmt,
        "cohort_repeat_purchase",
        _table,
        "Repeat purchase",
        "repeat_purchase_rate_by_cohort",
        start,
        end,
    )


@route("/demand/growth")
def demand_growth(
    _: Analyst, store: StoreDep, start: StartQuery = None, end: EndQuery = None,
    fmt: FormatQuery = "json",
) -> Any:  # fmt: skip
    """Net revenue per month and its month-over-month growth."""
    return cached(
        store,
        fmt,
        "demand_growth",
        _table,
        "Month-over-month growth",
        "revenue_mom_growth",
        start,
        end,
    )


@route("/demand/top-products")
def demand_top_products(
    _: Analyst, store: StoreDep, start: StartQuery = None, end: EndQuery = None,
    limit: Annotated[int, Query(ge=1, le=100, description="1-100 products.")] = 10,
    compare: CompareQuery = None, fmt: FormatQuery = "json",
) -> Any:  # fmt: skip
    """Products ranked by net revenue over the range, with their units."""
    return cached(
        store,
        fmt,
        "top_products",
        merged,
        "Top products",
        DEMAND,
        start,
        end,
        by="product",
        compare=compare,
        limit=limit,
    )


@route("/demand/by-category")
def demand_by_category(
    _: Analyst, store: StoreDep, start: StartQuery = None, end: EndQuery = None,
    grain: GrainQuery = None, compare: CompareQuery = None, fmt: FormatQuery = "json",
) -> Any:  # fmt: skip
    """Net revenue and units per product category (optionally per period)."""
    return cached(
        store,
        fmt,
        "demand_by_category",
        merged,
        "Demand by category",
        DEMAND,
        start,
        end,
        grain=grain,
        by="category",
        compare=compare,
    )


@router.get("/api/kpis")
def kpi_catalogue(_: Analyst) -> list[KpiInfo]:
    """Every KPI of the registry (see docs/kpi_definitions.md)."""
    return [
        KpiInfo(
            **kpi.model_dump(include=set(KpiInfo.model_fields) - {"grains", "dimensions"}),
            grains=list(kpi.grains),
            dimensions=list(kpi.dimensions),
        )
        for kpi in list_kpis()
    ]


def _kpi_table(warehouse: Warehouse, name: str, start: dt.date | None, end: dt.date | None,
               **options: Any) -> Table:  # fmt: skip
    result, rows = kpi_rows(warehouse, name, start, end, **options)
    return Table(
        title=result.kpi.label, kpis=[name], start=result.start, end=result.end,
        grain=options["grain"], by=options["by"], compare=options["compare"],
        previous_start=result.previous_start, previous_end=result.previous_end,
        columns=result.columns, rows=rows,
    )  # fmt: skip


@route("/api/kpis/{name}")
def kpi(
    _: Analyst, store: StoreDep,
    name: Annotated[str, Path(max_length=64, pattern=r"^[a-z][a-z0-9_]*$",
                              examples=["net_revenue", "conversion_rate"])],
    start: StartQuery = None, end: EndQuery = None, by: ByQuery = None,
    compare: CompareQuery = None, grain: GrainQuery = None,
    limit: Annotated[int | None, Query(ge=1, le=10_000)] = None, fmt: FormatQuery = "json",
) -> Any:  # fmt: skip
    """One KPI of the registry over a range, with optional grain, breakdown and comparison."""
    return cached(
        store,
        fmt,
        name,
        _kpi_table,
        name,
        start,
        end,
        by=by,
        grain=grain,
        compare=compare,
        limit=limit,
    )
