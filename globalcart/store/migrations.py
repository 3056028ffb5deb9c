"""Migrations of the operational ``app`` schema, recorded in ``app.schema_migrations``.

They are kept apart from the warehouse migrations (``ops.schema_migrations``): the storefront is
a source for the warehouse, never part of it.
"""

from __future__ import annotations

from collections.abc import Callable

from globalcart.engines import Warehouse
from globalcart.engines.base import Dialect

MONEY = "decimal(12, 2)"

_TABLES = [
    """create table if not exists app.users (
        user_id varchar primary key, email varchar not null unique, password_hash varchar,
        role varchar not null check (role in ('customer', 'analyst', 'admin')),
        full_name varchar, is_active boolean not null, created_at timestamp not null,
        updated_at timestamp not null)""",
    """create table if not exists app.sessions (
        session_hash varchar primary key, user_id varchar not null, csrf_token varchar not null,
        created_at timestamp not null, last_seen_at timestamp not null,
        expires_at timestamp not null, revoked_at timestamp, ip varchar, user_agent varchar)""",
    """create table if not exists app.api_keys (
        key_id varchar primary key, key_hash varchar not null unique, prefix varchar not null,
        name varchar not null, user_id varchar not null, scopes varchar not null,
        created_at timestamp not null, last_used_at timestamp, revoked_at timestamp)""",
    """create table if not exists app.otp_codes (
        otp_id varchar primary key, user_id varchar not null, code_hash varchar not null,
        created_at timestamp not null, expires_at timestamp not null,
        attempts integer not null, consumed_at timestamp)""",
    """create table if not exists app.outbox (
        message_id varchar primary key, to_email varchar not null, subject varchar not null,
        body varchar not null, created_at timestamp not null, sent_at timestamp)""",
    """create table if not exists app.audit_log (
        audit_id varchar primary key, occurred_at timestamp not null, actor_user_id varchar,
        actor_email varchar, action varchar not null, target varchar, outcome varchar not null,
        ip varchar, request_id varchar, detail varchar)""",
    f"""create table if not exists app.products (
        product_id bigint primary key, sku varchar not null, product_name varchar not null,
        category_l1 varchar, category_l2 varchar, brand varchar, list_price {MONEY} not null,
        currency varchar not null, is_active boolean not null, updated_at timestamp not null)""",
    """create table if not exists app.inventory (
        product_id bigint primary key, on_hand integer not null, reserved integer not null,
        updated_at timestamp not null,
        check (on_hand >= 0 and reserved >= 0 and reserved <= on_hand))""",
    """create table if not exists app.carts (
        cart_id varchar primary key, user_id varchar not null unique,
        created_at timestamp not null, updated_at timestamp not null)""",
    """create table if not exists app.cart_lines (
        line_id varchar primary key, cart_id varchar not null, product_id bigint not null,
        qty integer not null check (qty > 0), added_at timestamp not null,
        unique (cart_id, product_id))""",
    f"""create table if not exists app.orders (
        order_id varchar primary key, user_id varchar not null, status varchar not null,
        currency varchar not null, gross_amount {MONEY} not null,
        discount_amount {MONEY} not null, tax_amount {MONEY} not null,
        shipping_fee {MONEY} not null, net_amount {MONEY} not null,
        cancel_reason varchar, created_at timestamp not null, updated_at timestamp not null)""",
    f"""create table if not exists app.order_lines (
        order_id varchar not null, line_no integer not null, product_id bigint not null,
        qty integer not null check (qty > 0), unit_price {MONEY} not null,
        line_amount {MONEY} not null, primary key (order_id, line_no))""",
    f"""create table if not exists app.payments (
        payment_id varchar primary key, order_id varchar not null, attempt_no integer not null,
        method varchar not null, provider varchar not null, status varchar not null,
        amount {MONEY} not null, currency varchar not null, failure_reason varchar,
        created_at timestamp not null, captured_at timestamp, updated_at timestamp not null)""",
    """create table if not exists app.returns (
        return_id varchar primary key, order_id varchar not null, line_no integer not null,
        product_id bigint not null, qty integer not null, reason varchar not null,
        status varchar not null, requested_at timestamp not null,
        unique (order_id, line_no))""",
    """create table if not exists app.idempotency_keys (
        user_id varchar not null, idem_key varchar not null, request_hash varchar not null,
        status_code integer, response_body varchar, created_at timestamp not null,
        primary key (user_id, idem_key))""",
    """create table if not exists app.events (
        event_id varchar primary key, session_id varchar not null, user_id varchar,
        stage varchar not null, product_id bigint, order_id varchar, failure_reason varchar,
        client_ts timestamp, event_ts timestamp not null)""",
    "create index if not exists orders_user_idx on app.orders (user_id)",
    "create index if not exists events_ts_idx on app.events (event_ts)",
]

_PG_APPEND_ONLY = [
    """create or replace function app.audit_log_append_only() returns trigger
    language plpgsql as $$
    begin
      raise exception 'app.audit_log is append-only';
    end $$""",
    "drop trigger if exists audit_log_append_only on app.audit_log",
    """create trigger audit_log_append_only before update or delete on app.audit_log
    for each row execute function app.audit_log_append_only()""",
]


def _v1(dialect: Dialect) -> list[str]:
    return _TABLES + (_PG_APPEND_ONLY if dialect == "postgres" else [])


def _v2(dialect: Dialect) -> list[str]:
    return [
        """create table if not exists app.rate_limits (
            bucket varchar primary key, window_start double precision not null,
            hits integer not null)"""
    ]


def _v3(dialect: Dialect) -> list[str]:
    """Deliveries and refunds (so returns can change net revenue), and the indexes the
    warehouse ingest scans by (change times, an order's or a visit's events)."""
    del dialect
    columns = ("received_at timestamp", f"refund_amount {MONEY}", "refunded_at timestamp")
    return [
        f"""create table if not exists app.shipments (
            shipment_id varchar primary key, order_id varchar not null unique,
            carrier varchar not null, status varchar not null, shipping_cost {MONEY} not null,
            shipped_at timestamp not null, delivered_at timestamp,
            created_at timestamp not null, updated_at timestamp not null)""",
        *(f"alter table app.returns add column if not exists {column}" for column in columns),
        # the default stamps returns requested by code that does not set it
        "alter table app.returns add column if not exists updated_at timestamp "
        "default current_timestamp",
        "update app.returns set updated_at = requested_at",
        "create index if not exists events_session_idx on app.events (session_id)",
        "create index if not exists events_order_idx on app.events (order_id)",
        "create index if not exists users_updated_idx on app.users (updated_at)",
        "create index if not exists orders_updated_idx on app.orders (updated_at)",
        "create index if not exists payments_updated_idx on app.payments (updated_at)",
        "create index if not exists returns_updated_idx on app.returns (updated_at)",
        "create index if not exists shipments_updated_idx on app.shipments (updated_at)",
    ]


def _v4(dialect: Dialect) -> list[str]:
    """The shipping address of an order (null for orders placed without one) and the text of
    a search event (kept in the storefront only: the warehouse contract has no such column)."""
    del dialect
    columns = ("name", "line1", "line2", "city", "postal_code", "country")
    return [
        *(f"alter table app.orders add column if not exists ship_{c} varchar" for c in columns),
        "alter table app.events add column if not exists query varchar",
    ]


def _v5(dialect: Dialect) -> list[str]:
    """Each customer's address book entry: the shipping address of their latest checkout."""
    del dialect
    return [
        """create table if not exists app.addresses (
        user_id varchar primary key, name varchar not null, line1 varchar not null,
        line2 varchar, city varchar not null, postal_code varchar not null,
        country varchar not null, updated_at timestamp not null)"""
    ]


APP_MIGRATIONS: tuple[tuple[int, str, Callable[[Dialect], list[str]]], ...] = (
    (1, "operational store: users, auth, catalog, carts, orders, events", _v1),
    (2, "rate-limit counters shared by every worker", _v2),
    (3, "deliveries, refunds and the indexes of the warehouse ingest", _v3),
    (4, "shipping addresses of orders, query text of search events", _v4),
    (5, "address book: each customer's latest shipping address", _v5),
)


def migrate_app(warehouse: Warehouse) -> list[int]:
    """Create or upgrade the ``app`` schema; returns the versions applied."""
    applied: list[int] = []
    with warehouse.transaction():
        if warehouse.dialect == "postgres":
            warehouse.execute("select pg_advisory_xact_lock(7462314)")
        warehouse.execute("create schema if not exists app")
        warehouse.execute(
            "create table if not exists app.schema_migrations (version integer primary key, "
            "name varchar not null, applied_at timestamp not null)"
        )
        done = {int(r[0]) for r in warehouse.query("select version from app.schema_migrations")}
        for version, name, statements in APP_MIGRATIONS:
            if version in done:
                continue
            for statement in statements(warehouse.dialect):
                warehouse.execute(statement)
            warehouse.execute(
                "insert into app.schema_migrations values (?, ?, current_timestamp)",
                [version, name],
            )
            applied.append(version)
    return applied
