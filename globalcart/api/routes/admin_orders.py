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


class OrderDetailOut(BaseModel):
    order: dict[str, Cell]
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
        events.append(
            {
                "at": row["created_at"],
                "event": f"payment_{row['status']}",
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


@router.get("/orders/{order_id}")
def order_detail(order_id: OrderId, admin: Admin, store: StoreDep) -> OrderDetailOut:
    """One order: its summary, lines, payment attempts and timeline."""
    ensure_built(store.warehouse, SOURCE)
    found = fetch(
        store.warehouse, f"select * from {SOURCE} where cast(order_id as varchar) = ?", [order_id]
    )
    if not found:
        raise ProblemError(404, f"order {order_id} not found in the warehouse", kind="not-found")
    lines = fetch(
        store.warehouse,
        "select line_no, product_id, qty, unit_sell_price, "
        "line_gross_usd, line_discount_usd, cogs_usd from dw.fct_order_items "
        "where cast(order_id as varchar) = ? order by line_no",
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
    return OrderDetailOut(order=found[0], lines=lines, payments=payments, timeline=timeline)
