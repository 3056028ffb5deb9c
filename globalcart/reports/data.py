"""Everything a management report shows, read once from the KPI registry and its views.

The numbers are the API's: the same :func:`globalcart.semantic.compute` calls (headline KPIs
like ``/kpi/summary``, monthly breakdowns like ``/kpi/revenue?grain=month&by=…``, top products
like ``/api/admin/finance/top-products``) and the same registry views (funnel stages like
``/api/admin/funnel/summary``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from globalcart.engines import Warehouse
from globalcart.semantic import Kpi, compute, load_registry
from globalcart.semantic.query import previous_range, require_built, resolve_range
from globalcart.semantic.snapshots import HEADLINE

Row = dict[str, Any]
Progress = Callable[[str], None]
TREND_MONTHS = 12
FORECAST_HISTORY_DAYS = 182
PIVOTS: tuple[tuple[str, str], ...] = (  # (dimension, KPI): category lives on order lines
    ("category", "item_net_revenue"),
    ("country", "net_revenue"),
    ("channel", "net_revenue"),
    ("segment", "net_revenue"),
)
STAGES: tuple[tuple[str, str], ...] = (
    ("sessions", "Sessions"),
    ("product_view_sessions", "Viewed a product"),
    ("cart_sessions", "Added to cart"),
    ("checkout_sessions", "Started checkout"),
    ("payment_sessions", "Attempted payment"),
    ("order_sessions", "Placed an order"),
)
FUNNEL_RATES = (
    "conversion_rate",
    "cart_abandonment_rate",
    "checkout_abandonment_rate",
    "payment_failure_rate",
)
LEAKAGE = ("refund_leakage", "payment_failure_loss", "cart_abandonment_loss")
PRODUCT_KPIS = ("item_net_revenue", "units_sold", "gross_profit", "gross_margin")
TOP_PRODUCTS = 20


@dataclass
class KpiLine:
    """One KPI over the period and the previous period."""

    kpi: Kpi
    value: float | None
    previous: float | None
    change: float | None
    change_pct: float | None


@dataclass
class ReportData:
    """The period, its comparison period, data freshness and every section's rows."""

    start: dt.date
    end: dt.date
    previous_start: dt.date
    previous_end: dt.date
    trend_start: dt.date
    generated_at: dt.datetime
    freshness: dict[str, Any]
    summary: list[KpiLine]
    pivots: dict[str, list[Row]]
    pivot_kpis: dict[str, Kpi]
    monthly: list[Row]
    daily_revenue: list[Row]
    cohorts: list[Row]
    funnel: dict[str, tuple[int, int]]
    funnel_rates: list[KpiLine]
    leakage: list[KpiLine]
    leakage_total: KpiLine
    top_products: list[Row]
    inventory_alerts: list[Row]
    movers: dict[str, list[Row]] = field(default_factory=dict)

    @property
    def months(self) -> list[dt.date]:
        return [row["period"] for row in self.monthly]


def months_before(day: dt.date, months: int) -> dt.date:
    """The first day of the month ``months`` calendar months before ``day``'s month."""
    index = day.year * 12 + day.month - 1 - months
    return dt.date(index // 12, index % 12 + 1, 1)


def kpi_line(warehouse: Warehouse, name: str, start: dt.date, end: dt.date) -> KpiLine:
    """A metric over [start, end] compared with the previous period (``compute``'s numbers)."""
    result = compute(warehouse, name, start, end, compare="previous_period")
    row = result.rows[0]
    return KpiLine(
        result.kpi, row["value"], row["previous_value"], row["change"], row["change_pct"]
    )


def _freshness(warehouse: Warehouse) -> dict[str, Any]:
    def scalar(sql: str) -> Any:
        rows = warehouse.query(sql)
        return rows[0][0] if rows else None

    return {
        "last_build": scalar(
            "select max(finished_at) from ops.runs where kind = 'build' and status = 'success'"
        )
        if warehouse.table_exists("ops.runs")
        else None,
        "last_order": scalar("select max(order_ts) from dw.fct_orders"),
        "last_inventory_snapshot": scalar("select max(snapshot_date) from dw.fct_inventory_daily"),
    }


def _pivot(warehouse: Warehouse, kpi: str, by: str, start: dt.date, end: dt.date) -> list[Row]:
    rows = compute(warehouse, kpi, start, end, grain="month", by=by).rows
    return [{"period": row["period"], by: row[by], "value": row["value"]} for row in rows]


def _movers(warehouse: Warehouse, data: ReportData) -> dict[str, list[Row]]:
    """Net revenue by country and by category, compared with the previous period."""
    out: dict[str, list[Row]] = {}
    for by, kpi in (("country", "net_revenue"), ("category", "item_net_revenue")):
        result = compute(warehouse, kpi, data.start, data.end, by=by, compare="previous_period")
        out[by] = result.rows
    return out


def _funnel(warehouse: Warehouse, data: ReportData) -> dict[str, tuple[int, int]]:
    sums = ", ".join(f"coalesce(sum({stage}), 0)" for stage, _ in STAGES)
    sql = f"select {sums} from marts.vw_funnel_daily_metrics where day >= ? and day <= ?"
    now = warehouse.query(sql, [data.start, data.end])[0]
    before = warehouse.query(sql, [data.previous_start, data.previous_end])[0]
    return {stage: (int(now[i]), int(before[i])) for i, (stage, _) in enumerate(STAGES)}


def _top_products(warehouse: Warehouse, start: dt.date, end: dt.date) -> list[Row]:
    """Products ranked by net revenue with their units, gross profit and margin."""
    first, *others = PRODUCT_KPIS
    ranked = compute(warehouse, first, start, end, by="product", limit=TOP_PRODUCTS).rows
    rows = {row["product"]: {"product": row["product"], first: row["value"]} for row in ranked}
    for name in others:
        for row in compute(warehouse, name, start, end, by="product").rows:
            if row["product"] in rows:
                rows[row["product"]][name] = row["value"]
    return list(rows.values())


def _alerts(warehouse: Warehouse) -> list[Row]:
    rows = compute(warehouse, "inventory_alerts").rows
    return sorted(
        rows,
        key=lambda r: (r["days_of_cover"] is None, r["days_of_cover"] or 0, r["available"]),
    )


def collect(
    warehouse: Warehouse,
    start: dt.date | None = None,
    end: dt.date | None = None,
    progress: Progress | None = None,
) -> ReportData:
    """Read every section of a report for [start, end] (default: the API's, the last 30 days
    with data); trends and cohorts cover the ``TREND_MONTHS`` months up to ``end``."""
    step = progress or (lambda _: None)
    require_built(warehouse)
    start, end = resolve_range(warehouse, start, end)
    previous_start, previous_end = previous_range(start, end, "previous_period")
    trend_start = months_before(end, TREND_MONTHS - 1)
    registry = load_registry()
    step("headline KPIs")
    summary = [kpi_line(warehouse, name, start, end) for name in HEADLINE]
    step("monthly breakdowns")
    pivots = {by: _pivot(warehouse, kpi, by, trend_start, end) for by, kpi in PIVOTS}
    net = compute(warehouse, "net_revenue", trend_start, end, grain="month").rows
    aov = compute(warehouse, "aov", trend_start, end, grain="month").rows
    orders = compute(warehouse, "orders", trend_start, end, grain="month").rows
    monthly = [
        {"period": n["period"], "net_revenue": n["value"], "orders": o["value"], "aov": a["value"]}
        for n, o, a in zip(net, orders, aov, strict=True)
    ]
    history_start = end - dt.timedelta(days=FORECAST_HISTORY_DAYS - 1)
    daily = compute(warehouse, "net_revenue", history_start, end, grain="day").rows
    step("cohorts")
    cohorts = compute(warehouse, "cohort_retention", trend_start, end).rows
    data = ReportData(
        start=start, end=end, previous_start=previous_start, previous_end=previous_end,
        trend_start=trend_start, generated_at=dt.datetime.now(dt.UTC).replace(microsecond=0),
        freshness=_freshness(warehouse), summary=summary, pivots=pivots,
        pivot_kpis={by: registry.kpi(kpi) for by, kpi in PIVOTS}, monthly=monthly,
        daily_revenue=daily, cohorts=cohorts, funnel={}, funnel_rates=[], leakage=[],
        leakage_total=kpi_line(warehouse, "net_revenue_after_leakage", start, end),
        top_products=[], inventory_alerts=[],
    )  # fmt: skip
    step("funnel and leakage")
    data.funnel = _funnel(warehouse, data)
    data.funnel_rates = [kpi_line(warehouse, name, start, end) for name in FUNNEL_RATES]
    data.leakage = [kpi_line(warehouse, name, start, end) for name in LEAKAGE]
    step("products and inventory")
    data.top_products = _top_products(warehouse, start, end)
    data.inventory_alerts = _alerts(warehouse)
    data.movers = _movers(warehouse, data)
    return data
