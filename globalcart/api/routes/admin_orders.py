"""Admin orders monitor over ``marts.vw_admin_order_summary``: search, filters, sort,
pagination and an audited CSV export; one order's detail with its timeline."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request
from pydantic import BaseModel

from globalcart.api.deps import StoreDep
from globalcart.api.problems import ProblemError
from globalcart.api.routes.admin import Admin
from globalcart.api.routes.admin_common import (
    PageLimit,
    PageOffset,
    Text,
    Where,
    audit_admin,
    fetch,
    like,
    order_by,
    page,
)
from globalcart.api.routes.kpi_tables import (
    CSV_RESPONSES,
    Cell,
    FormatQuery,
    Page,
    ensure_built,
    respond,
)
from globalcart.store.addresses import COLUMNS as ADDRESS_COLUMNS
from globalcart.store.addresses import address_of

router = APIRouter(prefix="/api/admin", tags=["admin"])
SOURCE = "marts.vw_admin_order_summary"
SORTS = (
    "order_ts",
    "order_id",
    "gross_amount_usd",
    "net_revenue_usd",
    "order_profit_usd",
    "status",
    "country",
    "email",
)
Status = Literal["created", "paid", "fulfilled", "shipped", "delivered", "returned", "cancelled"]
Amount = Annotated[Decimal | None, Query(ge=0, le=100_000_000, description="Gross (USD).")]
OrderId = Annotated[str, Path(max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]


class TimelineEvent(BaseModel):
    at: dt.datetime | dt.date
    event: str
    detail: str | None


class ShipTo(BaseModel):
    """Where the order went: the storefront's full address for orders placed in the shop, the
    ship-to city of the warehouse (``dw.dim_geo``) for other sources."""

    source: Literal["storefront", "warehouse"]
    name: str | None = None
    line1: str | None = None
    line2: str | None = None
    city: str | None
    postal_code: str | None = None
    country: str | None
    country_name: str | None
    region: str | None = None


class OrderDetailOut(BaseModel):
    order: dict[str, Cell]
    ship_to: ShipTo | None = None
    lines: list[dict[str, Cell]]
    payments: list[dict[str, Cell]]
    timeline: list[TimelineEvent]


def _filters(
    q: str | None,
    status: str | None,
    country: str | None,
    customer_id: str | None,
    start: dt.date | None,
    end: dt.date | None,
    min_amount: Decimal | None,
    max_amount: Decimal | None,
    loss_making: bool | None,
) -> Where:
    where = Where()
    if q:
        where.add(
            "(cast(order_id as varchar) = ? or cast(customer_id as varchar) = ? "
            "or lower(email) like ? escape '\\' or lower(full_name) like ? escape '\\')",
            q,
            q,
            like(q),
            like(q),
        )
    where.maybe("status = ?", status)
    where.maybe("lower(country) = ?", country.lower() if country else None)
    where.maybe("cast(customer_id as varchar) = ?", customer_id)
    where.dates("order_date", start, end)
    if min_amount is not None and max_amount is not None and min_amount > max_amount:
        raise ProblemError(422, "min_amount is above max_amount", kind="validation-error")
    where.maybe("gross_amount_usd >= ?", min_amount)
    where.maybe("gross_amount_usd <= ?", max_amount)
    where.maybe("is_loss_making = ?", loss_making)
    return where


@router.get("/orders", response_model=Page, responses=CSV_RESPONSES)
def orders(
    admin: Admin,
    store: StoreDep,
    request: Request,
    q: Annotated[
        str | None,
        Query(max_length=100, description="Order id, customer id, e-mail or name (part)."),
    ] = None,
    status: Status | None = None,
    country: Text = None,
    customer_id: Text = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
    min_amount: Amount = None,
    max_amount: Amount = None,
    loss_making: bool | None = None,
    sort: Annotated[str, Query(max_length=40)] = "-order_ts",
    limit: PageLimit = 50,
    offset: PageOffset = 0,
    fmt: FormatQuery = "json",
) -> Any:
    """Orders, newest first by default; ``?format=csv`` exports the same page (audited)."""
    where = _filters(
        q, status, country, customer_id, start, end, min_amount, max_amount, loss_making
    )
    order = order_by(sort, SORTS, "order_id")
    result = page(store.warehouse, "Orders", SOURCE, where, order, limit, offset)
    if fmt == "csv":
        audit_admin(
            store,
            request,
            admin,
            "orders_export",
            rows=len(result.rows),
            query=str(request.url.query)[:500],
        )
    return respond(result, fmt, "orders")


def _timeline(store: StoreDep, order_id: str, order: dict[str, Cell]) -> list[dict[str, Cell]]:
    """What happened to the order, oldest first: placed, payments, shipment, returns."""
    events: list[dict[str, Cell]] = [
        {"at": order["order_ts"], "event": "order_placed", "detail": order["status"]}
    ]
    params = [order_id]
    for row in fetch(
        store.warehouse,
        "select created_at, captured_at, status, method, "
        "failure_reason from dw.fct_payments where cast(order_id as varchar) = ? "
        "order by attempt_no",
        params,
    ):
        reason = f" ({row['failure_reason']})" if row["failure_reason"] else ""
        # a captured attempt shows as attempted, then captured (not captured twice)
        status = "attempted" if row["status"] == "captured" else row["status"]
        events.append(
            {
                "at": row["created_at"],
                "event": f"payment_{status}",
                "detail": f"{row['method']}{reason}",
            }
        )
        if row["captured_at"] and row["status"] != "failed":
            events.append(
                {"at": row["captured_at"], "event": "payment_captured", "detail": row["method"]}
            )
    for row in fetch(
        store.warehouse,
        "select shipped_at, delivered_at, carrier, is_late "
        "from dw.fct_shipments where cast(order_id as varchar) = ?",
        params,
    ):
        events.append({"at": row["shipped_at"], "event": "shipped", "detail": row["carrier"]})
        if row["delivered_at"]:
            late = " (late)" if row["is_late"] else ""
            events.append(
                {
                    "at": row["delivered_at"],
                    "event": "delivered",
                    "detail": f"{row['carrier']}{late}",
                }
            )
    for row in fetch(
        store.warehouse,
        "select requested_at, received_at, refunded_at, reason, "
        "refund_amount_usd from dw.fct_returns where cast(order_id as varchar) = ?",
        params,
    ):
        for column, event in (
            ("requested_at", "return_requested"),
            ("received_at", "return_received"),
            ("refunded_at", "refunded"),
        ):
            if row[column]:
                detail = row["reason"] if event != "refunded" else f"{row['refund_amount_usd']} USD"
                events.append({"at": row[column], "event": event, "detail": detail})
    dated = [event for event in events if event["at"] is not None]
    return sorted(dated, key=lambda event: str(event["at"]))


def _ship_to(store: StoreDep, order_id: str) -> ShipTo | None:
    """The storefront address of an order ingested from the shop (``ops.app_ids`` maps the
    warehouse id back), else the warehouse's ship-to geo."""
    if store.warehouse.table_exists("app.orders") and order_id.isdigit():
        rows = fetch(
            store.warehouse,
            f"select {', '.join(f'a.{c}' for c in ADDRESS_COLUMNS)} from ops.app_ids as i "
            "inner join app.orders as a on a.order_id = i.app_id "
            "where i.kind = 'order' and i.warehouse_id = ?",
            [int(order_id)],
        )
        address = address_of(rows[0]) if rows else None
        if address is not None:
            return ShipTo(source="storefront", **address)
    geos = fetch(
        store.warehouse,
        "select g.city, g.country_code, g.country, g.region from dw.fct_orders as o "
        "inner join dw.dim_geo as g on g.geo_sk = o.ship_to_geo_sk "
        "where cast(o.order_id as varchar) = ? and g.geo_id is not null",
        [order_id],
    )
    if not geos:
        return None
    geo = geos[0]
    return ShipTo(source="warehouse", city=str(geo["city"]), country=_text(geo["country_code"]),
                  country_name=_text(geo["country"]), region=_text(geo["region"]))  # fmt: skip


def _text(value: Cell) -> str | None:
    return None if value is None else str(value)


@router.get("/orders/{order_id}")
def order_detail(order_id: OrderId, admin: Admin, store: StoreDep) -> OrderDetailOut:
    """One order: its summary, ship-to address, lines (with the product's name), payment
    attempts and timeline."""
    ensure_built(store.warehouse, SOURCE)
    found = fetch(
        store.warehouse, f"select * from {SOURCE} where cast(order_id as varchar) = ?", [order_id]
    )
    if not found:
        raise ProblemError(404, f"order {order_id} not found in the warehouse", kind="not-found")
    lines = fetch(
        store.warehouse,
        "select i.line_no, i.product_id, p.product_name, p.sku, i.qty, i.unit_sell_price, "
        "i.line_gross_usd, i.line_discount_usd, i.cogs_usd from dw.fct_order_items as i "
        "left join dw.dim_product as p on p.product_sk = i.product_sk "
        "where cast(i.order_id as varchar) = ? order by i.line_no",
        [order_id],
    )
    payments = fetch(
        store.warehouse,
        "select payment_id, attempt_no, method, provider, status, "
        "failure_reason, amount_usd, created_at from dw.fct_payments "
        "where cast(order_id as varchar) = ? order by attempt_no",
        [order_id],
    )
    timeline = [TimelineEvent.model_validate(e) for e in _timeline(store, order_id, found[0])]
    return OrderDetailOut(
        order=found[0],
        ship_to=_ship_to(store, order_id),
        lines=lines,
        payments=payments,
        timeline=timeline,
    )
