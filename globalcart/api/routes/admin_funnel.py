"""Admin KPI snapshots, funnel and finance views. KPI numbers come from the registry
(``semantic.compute``); lists of orders and customers from the marts."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query

from globalcart.api.deps import StoreDep
from globalcart.api.problems import ProblemError
from globalcart.api.routes.admin import Admin
from globalcart.api.routes.admin_common import PageLimit, PageOffset, Where, fetch, page
from globalcart.api.routes.kpi_tables import (
    CSV_RESPONSES,
    CompareQuery,
    EndQuery,
    FormatQuery,
    GrainQuery,
    StartQuery,
    Table,
    ensure_built,
    kpi_rows,
    merged,
    respond,
)
from globalcart.semantic import snapshots
from globalcart.semantic.registry import load_registry

router = APIRouter(prefix="/api/admin", tags=["admin"])
TABLE: dict[str, Any] = {"response_model": Table, "responses": CSV_RESPONSES}
FUNNEL = ("sessions", "conversion_rate", "cart_abandonment_rate", "checkout_abandonment_rate")
STAGES = ("sessions", "product_view_sessions", "cart_sessions", "checkout_sessions",
          "payment_sessions", "payment_failed_sessions", "order_sessions")  # fmt: skip
FINANCE = ("net_revenue", "gross_revenue", "discounts", "refunds", "cogs", "gross_profit",
           "gross_margin", "shipping_cost", "gateway_fees", "order_profit",
           "loss_making_order_rate")  # fmt: skip
PRODUCTS = ("item_net_revenue", "gross_profit", "gross_margin", "units_sold")
Top = Annotated[int, Query(ge=1, le=100, description="1-100 rows.")]


@router.get("/kpis/snapshots", **TABLE)
def kpi_snapshots(_: Admin, store: StoreDep, fmt: FormatQuery = "json") -> Any:
    """Stored KPI snapshots (``globalcart kpis snapshot``), oldest first."""
    labels = snapshots.labels(store.warehouse)
    rows: list[dict[str, Any]] = [
        {"label": label, "taken_at": taken, "kpis": count} for label, taken, count in labels
    ]
    table = Table(title="KPI snapshots", kpis=[], columns=["label", "taken_at", "kpis"], rows=rows)
    return respond(table, fmt, "kpi_snapshots")


@router.get("/kpis/latest", **TABLE)
def kpi_latest(
    _: Admin,
    store: StoreDep,
    label: Annotated[str | None, Query(max_length=100)] = None,
    fmt: FormatQuery = "json",
) -> Any:
    """The headline KPIs of the latest snapshot (or of ``label``)."""
    known = snapshots.labels(store.warehouse)
    if label is None and known:
        label = known[-1][0]
    if label is None or label not in {name for name, _, _ in known}:
        detail = f"no KPI snapshot {label!r}" if label else "no KPI snapshot yet"
        raise ProblemError(404, f"{detail}: run globalcart kpis snapshot", kind="not-found")
    rows = fetch(
        store.warehouse,
        "select kpi, value, start_date, end_date, taken_at from ops.kpi_snapshots where label = ?",
        [label],
    )
    order = {name: index for index, name in enumerate(snapshots.HEADLINE)}
    labels = {kpi.name: kpi.label for kpi in load_registry().kpis}
    rows.sort(key=lambda row: (order.get(str(row["kpi"]), len(order)), str(row["kpi"])))
    for row in rows:
        row["label"] = labels.get(str(row["kpi"]))
    columns = ["kpi", "label", "value", "start_date", "end_date", "taken_at"]
    out = [{column: row.get(column) for column in columns} for row in rows]
    table = Table(title=label, kpis=sorted(labels.keys() & {str(r["kpi"]) for r in rows}),
                  columns=columns, rows=out)  # fmt: skip
    return respond(table, fmt, f"kpi_snapshot_{label}")


@router.get("/funnel/summary", **TABLE)
def funnel_summary(
    _: Admin, store: StoreDep, start: StartQuery = None, end: EndQuery = None,
    compare: CompareQuery = None, fmt: FormatQuery = "json",
) -> Any:  # fmt: skip
    """Session funnel over the range: sessions reaching each stage, conversion, abandonment."""
    table = merged(store.warehouse, "Funnel", FUNNEL, start, end, compare=compare)
    assert table.start is not None and table.end is not None
    sums = ", ".join(f"coalesce(sum({stage}), 0) as {stage}" for stage in STAGES[1:])
    stages = fetch(store.warehouse, f"select {sums} from marts.vw_funnel_daily_metrics "
                   "where day >= ? and day <= ?", [table.start, table.end])[0]  # fmt: skip
    row = {**table.rows[0], **stages}
    columns = [*table.columns, *STAGES[1:]]
    return respond(table.model_copy(update={"columns": columns, "rows": [row]}), fmt, "funnel")


@router.get("/funnel/daily", **TABLE)
def funnel_daily(
    _: Admin, store: StoreDep, start: StartQuery = None, end: EndQuery = None,
    fmt: FormatQuery = "json",
) -> Any:  # fmt: skip
    """The daily session funnel (``marts.vw_funnel_daily_metrics``); default: 30 days."""
    series, _rows = kpi_rows(store.warehouse, "sessions", start, end)  # resolves the range
    view = "marts.vw_funnel_daily_metrics"
    ensure_built(store.warehouse, view)
    where = Where()
    where.dates("day", series.start, series.end)
    rows = fetch(store.warehouse, f"select * from {view}{where.sql} order by day", where.params)
    columns = list(rows[0]) if rows else store.warehouse.columns_of(f"select * from {view}")
    table = Table(title="Daily funnel", kpis=list(FUNNEL), start=series.start, end=series.end,
                  grain="day", columns=columns, rows=rows)  # fmt: skip
    return respond(table, fmt, "funnel_daily")


@router.get("/funnel/product-leakage", **TABLE)
def funnel_product_leakage(
    _: Admin, store: StoreDep, limit: Top = 20, fmt: FormatQuery = "json"
) -> Any:
    """Products whose cart sessions most often end without buying them."""
    result, rows = kpi_rows(store.warehouse, "product_leakage", None, None)
    rows.sort(
        key=lambda r: (-float(str(r.get("leaked_cart_sessions") or 0)), str(r.get("product")))
    )
    table = Table(title="Product leakage", kpis=["product_leakage"], columns=result.columns,
                  rows=rows[:limit])  # fmt: skip
    return respond(table, fmt, "product_leakage")


@router.get("/funnel/payment-failures", **TABLE)
def funnel_payment_failures(
    _: Admin, store: StoreDep, start: StartQuery = None, end: EndQuery = None,
    by: Literal["payment_provider", "payment_method", "country"] = "payment_provider",
    compare: CompareQuery = None, fmt: FormatQuery = "json",
) -> Any:  # fmt: skip
    """Payment failure rate per provider, method or country."""
    table = merged(store.warehouse, "Payment failures", ["payment_failure_rate"], start, end,
                   by=by, compare=compare)  # fmt: skip
    return respond(table, fmt, "payment_failures")


@router.get("/finance/summary", **TABLE)
def finance_summary(
    _: Admin, store: StoreDep, start: StartQuery = None, end: EndQuery = None,
    grain: GrainQuery = None, compare: CompareQuery = None, fmt: FormatQuery = "json",
) -> Any:  # fmt: skip
    """Revenue, costs, profit and margin over the range (optionally per period)."""
    table = merged(store.warehouse, "Finance", FINANCE, start, end, grain=grain, compare=compare)
    return respond(table, fmt, "finance_summary")


@router.get("/finance/loss-orders", **TABLE)
def finance_loss_orders(
    _: Admin, store: StoreDep, start: dt.date | None = None, end: dt.date | None = None,
    limit: PageLimit = 50, offset: PageOffset = 0, fmt: FormatQuery = "json",
) -> Any:  # fmt: skip
    """Revenue orders that lost money (profit < 0), worst first."""
    where = Where()
    where.add("is_loss_making = ?", True)
    where.dates("order_date", start, end)
    order = " order by order_profit_usd asc, order_id"
    columns = ("order_id, order_date, status, email, country, channel, gross_amount_usd, "
               "discount_amount_usd, net_revenue_usd, cogs_usd, shipping_cost_usd, "
               "gateway_fee_usd, order_profit_usd, is_discount_heavy")  # fmt: skip
    result = page(store.warehouse, "Loss-making orders", "marts.vw_admin_order_summary", where,
                  order, limit, offset, columns)  # fmt: skip
    return respond(result, fmt, "loss_orders")


@router.get("/finance/top-products", **TABLE)
def finance_top_products(
    _: Admin, store: StoreDep, start: StartQuery = None, end: EndQuery = None,
    limit: Top = 10, fmt: FormatQuery = "json",
) -> Any:  # fmt: skip
    """Products ranked by net revenue, with gross profit, margin and units."""
    table = merged(store.warehouse, "Top products", PRODUCTS, start, end, by="product",
                   limit=limit)  # fmt: skip
    return respond(table, fmt, "finance_top_products")


@router.get("/finance/top-customers", **TABLE)
def finance_top_customers(_: Admin, store: StoreDep, limit: Top = 10,
                          fmt: FormatQuery = "json") -> Any:  # fmt: skip
    """Customers ranked by net revenue to date (``marts.mart_customer_segments``)."""
    source = "marts.mart_customer_segments"
    ensure_built(store.warehouse, source)
    rows = fetch(
        store.warehouse,
        "select s.customer_id, c.email, c.full_name, s.customer_segment, s.country, "
        "s.frequency as orders, s.monetary_usd as net_revenue_usd, s.rfm_segment, s.is_churned "
        f"from {source} as s left join dw.dim_customer as c "
        "on c.customer_id = s.customer_id and c.is_current "
        "order by s.monetary_usd desc, s.customer_id limit ?",
        [limit],
    )
    columns = list(rows[0]) if rows else ["customer_id"]
    table = Table(title="Top customers", kpis=[], columns=columns, rows=rows)
    return respond(table, fmt, "top_customers")
