"""How the storefront's operational tables (``app.*``) become landing rows (the contract).

The storefront keys its rows with random text ids; the contract wants integers. Every app id gets
a stable warehouse id from ``ops.app_ids`` (per kind), allocated from ``APP_ID_BASE`` upwards so
that it never collides with generated ids (1, 2, …) or with the generator's injected bad rows
(``generator.anomalies.BAD_ID_BASE`` = 10^12 onwards). Products are not mapped: the shop's
catalog is seeded from ``dw.dim_product``, so its product ids are the warehouse's.

Extraction works on candidate sets (temporary ``gc_app_c_*`` tables): the rows of the watched
tables changed since their watermark (minus an overlap window), plus the rows they refer to.
Each landing table then gets one select over the candidates (``MAPPED``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import partial

from globalcart import contract
from globalcart.engines.base import Dialect

APP_ID_BASE = 5_000_000_000_000
APP_CHANNEL = "web"
BASE_CURRENCY = "USD"


@dataclass(frozen=True)
class Watched:
    """An app table scanned by watermark on one change-time column."""

    table: str
    column: str


WATCHED = (
    Watched("app.users", "updated_at"),
    Watched("app.orders", "updated_at"),
    Watched("app.payments", "updated_at"),
    Watched("app.shipments", "updated_at"),
    Watched("app.returns", "updated_at"),
    Watched("app.events", "event_ts"),
)

# App status columns whose values must be contract values (staging rejects anything else):
# app table -> (key column, candidate table, allowed values)
STATUSES: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "app.orders": ("order_id", "gc_app_c_orders", contract.ORDER_STATUSES),
    "app.payments": ("payment_id", "gc_app_c_payments", contract.PAYMENT_STATUSES),
    "app.shipments": ("shipment_id", "gc_app_c_shipments", contract.SHIPMENT_STATUSES),
    "app.returns": ("return_id", "gc_app_c_returns", contract.RETURN_STATUSES),
}


def ts_text(expr: str, dialect: Dialect) -> str:
    """A timestamp as contract text ('YYYY-MM-DD HH:MM:SS')."""
    if dialect == "duckdb":
        return f"strftime({expr}, '%Y-%m-%d %H:%M:%S')"
    return f"to_char({expr}, 'YYYY-MM-DD HH24:MI:SS')"


def date_text(expr: str, dialect: Dialect) -> str:
    """The date of a timestamp as contract text ('YYYY-MM-DD')."""
    if dialect == "duckdb":
        return f"strftime({expr}, '%Y-%m-%d')"
    return f"to_char({expr}, 'YYYY-MM-DD')"


def candidates(since: dict[str, dt.datetime]) -> list[tuple[str, str, list[dt.datetime]]]:
    """(temp table, select, parameters) of the candidate sets, in creation order."""
    owned = "o.order_id = e.order_id and o.user_id = e.user_id"
    return [
        (
            "gc_app_c_events",
            "select event_id, session_id, user_id, order_id, event_ts from app.events "
            "where event_ts >= ?",
            [since["app.events"]],
        ),
        (
            "gc_app_c_payments",
            "select payment_id, order_id from app.payments where updated_at >= ?",
            [since["app.payments"]],
        ),
        (
            "gc_app_c_shipments",
            "select shipment_id, order_id from app.shipments where updated_at >= ?",
            [since["app.shipments"]],
        ),
        (
            "gc_app_c_returns",
            "select return_id, order_id from app.returns where updated_at >= ?",
            [since["app.returns"]],
        ),
        (
            "gc_app_c_orders",
            "select order_id from app.orders where updated_at >= ? "
            "union select order_id from gc_app_c_payments "
            "union select order_id from gc_app_c_shipments "
            "union select order_id from gc_app_c_returns "
            f"union select o.order_id from gc_app_c_events as e inner join app.orders as o "
            f"on {owned}",
            [since["app.orders"]],
        ),
        (
            # the visit an order was placed in: the owner's first event naming the order
            "gc_app_order_sessions",
            "select order_id, session_id from (select e.order_id, e.session_id, row_number() "
            "over (partition by e.order_id order by e.event_ts, e.event_id) as rn "
            f"from app.events as e inner join app.orders as o on {owned} "
            "where e.order_id in (select order_id from gc_app_c_orders)) as first_event "
            "where rn = 1",
            [],
        ),
        (
            "gc_app_c_sessions",
            "select distinct session_id from gc_app_c_events",
            [],
        ),
        (
            "gc_app_c_users",
            "select user_id from app.users where updated_at >= ? and role = 'customer' "
            "union select o.user_id from app.orders as o "
            "where o.order_id in (select order_id from gc_app_c_orders) "
            "union select e.user_id from app.events as e where e.user_id is not null "
            "and e.session_id in (select session_id from gc_app_c_sessions)",
            [since["app.users"]],
        ),
    ]


# kind -> select of (app_id, ts) needing a warehouse id; ids are handed out in (ts, app_id) order.
# A referenced row that is missing in app still gets an id, so its referrers are never dropped.
ID_SOURCES: dict[str, str] = {
    "customer": "select c.user_id, u.created_at from gc_app_c_users as c "
    "left join app.users as u on u.user_id = c.user_id",
    "order": "select c.order_id, o.created_at from gc_app_c_orders as c "
    "left join app.orders as o on o.order_id = c.order_id",
    "payment": "select p.payment_id, p.created_at from app.payments as p "
    "inner join gc_app_c_payments as c on c.payment_id = p.payment_id",
    "shipment": "select s.shipment_id, s.created_at from app.shipments as s "
    "inner join gc_app_c_shipments as c on c.shipment_id = s.shipment_id",
    "return": "select r.return_id, r.requested_at from app.returns as r "
    "inner join gc_app_c_returns as c on c.return_id = r.return_id",
    "event": "select event_id, event_ts from gc_app_c_events",
    "session": "select session_id, event_ts from gc_app_c_events "
    "union all select session_id, cast(null as timestamp) from gc_app_order_sessions",
}


def _id(alias: str, kind: str, app_column: str, *, required: bool = True) -> str:
    join = "inner join" if required else "left join"
    return (
        f"{join} ops.app_ids as {alias} on {alias}.kind = '{kind}' "
        f"and {alias}.app_id = {app_column}"
    )


def _money(expr: str) -> str:
    return f"cast({expr} as double precision)"


def mapped(dialect: Dialect) -> dict[str, str]:
    """Landing table -> select of ``app_key`` plus the contract columns, over the candidates."""
    ts = partial(ts_text, dialect=dialect)
    no_id, no_text = "cast(null as bigint)", "cast(null as varchar)"
    return {
        "customers": f"""
            select u.user_id as app_key, c.warehouse_id as customer_id, lower(u.email) as email,
                u.full_name, {no_id} as geo_id, {no_text} as acquisition_channel,
                {no_text} as segment, {ts("u.created_at")} as created_at,
                {ts("u.updated_at")} as updated_at
            from app.users as u
            inner join gc_app_c_users as k on k.user_id = u.user_id
            {_id("c", "customer", "u.user_id")}""",
        "sessions": f"""
            with events as (
                select e.session_id, e.user_id, e.event_ts, e.event_id
                from app.events as e
                where e.session_id in (select session_id from gc_app_c_sessions)
            ),
            visitors as (
                select session_id, user_id, row_number() over (
                    partition by session_id order by event_ts, event_id) as rn
                from events where user_id is not null
            ),
            visits as (
                select session_id, min(event_ts) as started_at from events group by session_id
            )
            select v.session_id as app_key, s.warehouse_id as session_id,
                c.warehouse_id as customer_id, {ts("v.started_at")} as started_at,
                {no_text} as device, {no_text} as traffic_source, {no_id} as campaign_id,
                {no_id} as geo_id, {no_text} as landing_page
            from visits as v
            {_id("s", "session", "v.session_id")}
            left join visitors as w on w.session_id = v.session_id and w.rn = 1
            {_id("c", "customer", "w.user_id", required=False)}""",
        "funnel_events": f"""
            select e.event_id as app_key, i.warehouse_id as event_id,
                s.warehouse_id as session_id, {ts("e.event_ts")} as event_ts,
                upper(e.stage) as stage, e.product_id, o.warehouse_id as order_id,
                e.failure_reason
            from app.events as e
            inner join gc_app_c_events as k on k.event_id = e.event_id
            {_id("i", "event", "e.event_id")}
            {_id("s", "session", "e.session_id")}
            left join app.orders as a on a.order_id = e.order_id and a.user_id = e.user_id
            {_id("o", "order", "a.order_id", required=False)}""",
        "orders": f"""
            select a.order_id as app_key, o.warehouse_id as order_id,
                c.warehouse_id as customer_id, s.warehouse_id as session_id,
                {ts("a.created_at")} as order_ts, lower(a.status) as status,
                '{APP_CHANNEL}' as channel, upper(a.currency) as currency,
                {_money("a.gross_amount")} as gross_amount,
                {_money("a.discount_amount")} as discount_amount,
                {_money("a.tax_amount")} as tax_amount,
                {_money("a.shipping_fee")} as shipping_fee,
                {_money("a.net_amount")} as net_amount, {no_text} as promo_code,
                (select min(g.geo_id) from landing.geo as g
                    where upper(g.country_code) = a.ship_country
                    and lower(g.city) = lower(a.ship_city)) as ship_to_geo_id,
                {ts("a.updated_at")} as updated_at
            from app.orders as a
            inner join gc_app_c_orders as k on k.order_id = a.order_id
            {_id("o", "order", "a.order_id")}
            {_id("c", "customer", "a.user_id")}
            left join gc_app_order_sessions as v on v.order_id = a.order_id
            {_id("s", "session", "v.session_id", required=False)}""",
        "order_items": f"""
            select l.order_id || ':' || cast(l.line_no as varchar) as app_key,
                o.warehouse_id as order_id, cast(l.line_no as bigint) as line_no, l.product_id,
                cast(l.qty as bigint) as qty, {_money("l.unit_price")} as unit_list_price,
                {_money("l.unit_price")} as unit_sell_price,
                cast(0 as double precision) as line_discount,
                cast(0 as double precision) as line_tax, {ts("a.created_at")} as updated_at
            from app.order_lines as l
            inner join gc_app_c_orders as k on k.order_id = l.order_id
            inner join app.orders as a on a.order_id = l.order_id
            {_id("o", "order", "l.order_id")}""",
        "payments": f"""
            select p.payment_id as app_key, i.warehouse_id as payment_id,
                o.warehouse_id as order_id, cast(p.attempt_no as bigint) as attempt_no,
                lower(p.method) as method, lower(p.provider) as provider,
                lower(p.status) as status, {_money("p.amount")} as amount,
                upper(p.currency) as currency, cast(0 as double precision) as gateway_fee,
                p.failure_reason, {ts("p.created_at")} as created_at,
                {ts("p.captured_at")} as captured_at, {ts("p.updated_at")} as updated_at
            from app.payments as p
            inner join gc_app_c_payments as k on k.payment_id = p.payment_id
            {_id("i", "payment", "p.payment_id")}
            {_id("o", "order", "p.order_id")}""",
        "returns": f"""
            select r.return_id as app_key, i.warehouse_id as return_id,
                o.warehouse_id as order_id, cast(r.line_no as bigint) as line_no, r.product_id,
                cast(r.qty as bigint) as qty, lower(r.reason) as reason,
                {ts("r.requested_at")} as requested_at, {ts("r.received_at")} as received_at,
                {_money("r.refund_amount")} as refund_amount,
                {ts("r.refunded_at")} as refunded_at, lower(r.status) as status,
                cast(null as boolean) as restocked
            from app.returns as r
            inner join gc_app_c_returns as k on k.return_id = r.return_id
            {_id("i", "return", "r.return_id")}
            {_id("o", "order", "r.order_id")}""",
        "shipments": f"""
            select a.shipment_id as app_key, i.warehouse_id as shipment_id,
                o.warehouse_id as order_id, {no_id} as fc_id, a.carrier,
                {ts("a.shipped_at")} as shipped_at, {no_text} as promised_delivery_date,
                {ts("a.delivered_at")} as delivered_at,
                {_money("a.shipping_cost")} as shipping_cost,
                lower(a.status) as status, {ts("a.updated_at")} as updated_at
            from app.shipments as a
            inner join gc_app_c_shipments as k on k.shipment_id = a.shipment_id
            {_id("i", "shipment", "a.shipment_id")}
            {_id("o", "order", "a.order_id")}""",
        # the base currency converts at 1 on every day: the shop's days get that rate when the
        # landing data has no USD rate for them (the shop sells after the last generated day)
        "fx_rates": f"""
            with days as (
                select {date_text("a.created_at", dialect)} as day from app.orders as a
                inner join gc_app_c_orders as k on k.order_id = a.order_id
                where upper(a.currency) = '{BASE_CURRENCY}'
                union
                select {date_text("p.created_at", dialect)} from app.payments as p
                inner join gc_app_c_payments as k on k.payment_id = p.payment_id
                where upper(p.currency) = '{BASE_CURRENCY}'
            )
            select d.day as app_key, d.day as date, '{BASE_CURRENCY}' as currency,
                cast(1 as double precision) as rate_to_usd
            from days as d
            where not exists (select 1 from landing.fx_rates as f
                where f.date = d.day and upper(f.currency) = '{BASE_CURRENCY}')""",
    }
