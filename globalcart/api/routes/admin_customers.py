"""Admin customer 360 and journey replay (sessions and their funnel events). Reading a
customer's profile is personal data access, so it is written to the audit log."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

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
from globalcart.engines import WarehouseError

router = APIRouter(prefix="/api/admin", tags=["admin"])
Id = Annotated[int, Path(ge=0, le=2**62)]
SEGMENTS = "marts.mart_customer_segments"
RECENT = 100


class Customer360(BaseModel):
    """Profile, RFM segment, churn flag and value to date (``clv_usd``), recent orders and
    sessions; the churn model's score and the probabilistic CLV once ``globalcart analytics
    churn`` / ``clv`` have stored them (else null)."""

    profile: dict[str, Cell]
    segment: dict[str, Cell] | None
    clv_usd: float | None
    is_churned: bool | None
    churn_score: float | None = None
    predicted_clv_usd: float | None = None
    orders: list[dict[str, Cell]]
    sessions: list[dict[str, Cell]]


class SessionEvents(BaseModel):
    """A session and its events, each with the product's name and, for storefront searches,
    the text searched (``query``)."""

    session: dict[str, Cell]
    events: list[dict[str, Cell]]


def _model_output(store: StoreDep, table: str, column: str, customer_id: int) -> float | None:
    """A per-customer number written by ``globalcart analytics`` (null when not run yet)."""
    if not store.warehouse.table_exists(table):
        return None
    try:
        rows = store.warehouse.query(
            f"select {column} from {table} where customer_id = ?", [customer_id]
        )
    except WarehouseError:
        return None  # an older or newer layout of the model output: leave it out
    value = rows[0][0] if rows else None
    return float(value) if isinstance(value, int | float | Decimal) else None


@router.get("/customers", response_model=Page, responses=CSV_RESPONSES)
def customers(
    admin: Admin, store: StoreDep, request: Request,
    q: Annotated[str | None, Query(max_length=100, description="E-mail or name (part), or id.")]
    = None,
    rfm_segment: Text = None, churned: bool | None = None,
    limit: PageLimit = 50, offset: PageOffset = 0, fmt: FormatQuery = "json",
) -> Any:  # fmt: skip
    """Customers with a revenue order, by net revenue to date; ``?format=csv`` is audited."""
    source = (
        f"(select s.customer_id, c.email, c.full_name, s.customer_segment, s.country, "
        "s.first_order_date, s.last_order_date, s.frequency as orders, "
        "s.monetary_usd as net_revenue_usd, s.rfm_cell, s.rfm_segment, s.is_churned "
        f"from {SEGMENTS} as s left join dw.dim_customer as c "
        "on c.customer_id = s.customer_id and c.is_current) as customers"
    )
    where = Where()
    if q:
        where.add("(cast(customer_id as varchar) = ? or lower(email) like ? escape '\\' "
                  "or lower(full_name) like ? escape '\\')", q, like(q), like(q))  # fmt: skip
    where.maybe("rfm_segment = ?", rfm_segment)
    where.maybe("is_churned = ?", churned)
    result = page(store.warehouse, "Customers", source, where,
                  " order by net_revenue_usd desc, customer_id", limit, offset,
                  check=SEGMENTS)  # fmt: skip
    if fmt == "csv":
        audit_admin(store, request, admin, "customers_export", rows=len(result.rows))
    return respond(result, fmt, "customers")


@router.get("/customers/{customer_id}")
def customer_360(customer_id: Id, admin: Admin, store: StoreDep, request: Request) -> Customer360:
    """Everything about one customer (audited: personal data)."""
    ensure_built(store.warehouse, SEGMENTS)
    profiles = fetch(
        store.warehouse,
        "select customer_id, email, full_name, segment, acquisition_channel, created_at, "
        "version_no, valid_from from dw.dim_customer where customer_id = ? and is_current",
        [customer_id],
    )
    if not profiles:
        raise ProblemError(404, f"customer {customer_id} not found", kind="not-found")
    segments = fetch(store.warehouse, f"select * from {SEGMENTS} where customer_id = ?",
                     [customer_id])  # fmt: skip
    segment = segments[0] if segments else None
    orders = fetch(store.warehouse, "select order_id, order_ts, status, channel, country, "
                   "gross_amount_usd, net_revenue_usd, order_profit_usd, payment_status, "
                   "has_return from marts.vw_admin_order_summary where customer_id = ? "
                   "order by order_ts desc limit ?", [customer_id, RECENT])  # fmt: skip
    sessions = fetch(store.warehouse, "select * from marts.vw_sessions_core where customer_id = ?"
                     " order by session_date desc, session_id desc limit ?",
                     [customer_id, RECENT])  # fmt: skip
    audit_admin(store, request, admin, "customer_view", customer_id=customer_id)
    monetary = segment.get("monetary_usd") if segment else None
    churned = segment.get("is_churned") if segment else None
    return Customer360(
        profile=profiles[0], segment=segment,
        clv_usd=float(monetary) if isinstance(monetary, int | float) else None,
        is_churned=bool(churned) if churned is not None else None,
        orders=orders, sessions=sessions,
        churn_score=_model_output(store, "marts.analytics_churn_scores", "churn_score",
                                  customer_id),
        predicted_clv_usd=_model_output(store, "marts.analytics_clv", "clv", customer_id),
    )  # fmt: skip


@router.get("/journeys/sessions", response_model=Page, responses=CSV_RESPONSES)
def journey_sessions(
    _: Admin, store: StoreDep,
    customer_id: Annotated[int | None, Query(ge=0, le=2**62)] = None,
    start: dt.date | None = None, end: dt.date | None = None,
    converted: bool | None = None, device: Text = None,
    limit: PageLimit = 50, offset: PageOffset = 0, fmt: FormatQuery = "json",
) -> Any:  # fmt: skip
    """Sessions, newest first, with the funnel stages they reached."""
    where = Where()
    where.maybe("customer_id = ?", customer_id)
    where.dates("session_date", start, end)
    if converted is not None:
        where.add("has_order = ?", 1 if converted else 0)
    where.maybe("device = ?", device)
    order = " order by session_date desc, session_id desc"
    result = page(store.warehouse, "Sessions", "marts.vw_sessions_core", where, order, limit,
                  offset)  # fmt: skip
    return respond(result, fmt, "sessions")


@router.get("/journeys/sessions/{session_id}")
def journey_events(session_id: Id, _: Admin, store: StoreDep) -> SessionEvents:
    """One session replayed: its attributes and its funnel events in time order."""
    ensure_built(store.warehouse, "marts.vw_sessions_core")
    found = fetch(store.warehouse, "select * from marts.vw_sessions_core where session_id = ?",
                  [session_id])  # fmt: skip
    if not found:
        raise ProblemError(404, f"session {session_id} not found", kind="not-found")
    events = fetch(store.warehouse, "select f.event_id, f.event_ts, f.stage, f.product_id, "
                   "p.product_name, f.order_id, f.failure_reason "
                   "from dw.fct_funnel_events as f left join dw.dim_product as p "
                   "on p.product_sk = f.product_sk where f.session_id = ? "
                   "order by f.event_ts, f.event_id", [session_id])  # fmt: skip
    queries = _search_queries(store, [e["event_id"] for e in events if e["stage"] == "SEARCH"])
    for event in events:
        event["query"] = queries.get(str(event["event_id"]))
    return SessionEvents(session=found[0], events=events)


def _search_queries(store: StoreDep, event_ids: list[Cell]) -> dict[str, str]:
    """What the storefront's search events of a session searched for (the warehouse contract
    does not carry the text: ``ops.app_ids`` maps the events back to ``app.events``)."""
    if not event_ids or not store.warehouse.table_exists("app.events"):
        return {}
    marks = ", ".join("?" for _ in event_ids)
    rows = store.warehouse.query(
        "select i.warehouse_id, e.query from ops.app_ids as i "
        "inner join app.events as e on e.event_id = i.app_id "
        f"where i.kind = 'event' and i.warehouse_id in ({marks}) and e.query is not null",
        [int(str(event_id)) for event_id in event_ids],
    )
    return {str(row[0]): str(row[1]) for row in rows}
