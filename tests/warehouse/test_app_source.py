"""The storefront as a source: orders placed through the API reach the facts and the KPIs.

Each test builds the KPI golden warehouse (March 2024; products 10 Mug $10, 20 Lamp $50,
30 Book $8), seeds the shop's catalog from ``dw.dim_product`` and drives the storefront API.
"""

from __future__ import annotations

import datetime as dt
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from snapshot import fast_snapshot
from typer.testing import CliRunner

from globalcart.cli import app as cli
from globalcart.engines import Warehouse
from globalcart.generator.anomalies import BAD_ID_BASE
from globalcart.pipeline.app_mapping import APP_ID_BASE
from globalcart.pipeline.app_source import AppSourceError, ingest_app
from globalcart.pipeline.runner import build
from globalcart.store.carts import add_item
from globalcart.store.fulfilment import deliver_order
from globalcart.store.orders import reserve_order, settle_payment
from globalcart.store.users import create_user
from tests.api.conftest import PASSWORD, Env
from tests.refresh.storefront import kpi, storefront_env
from tests.refresh.storefront import wh as _wh


@pytest.fixture
def env(warehouse_url: str, tmp_path: Path) -> Iterator[Env]:
    """A built golden warehouse with the storefront over the same database."""
    yield from storefront_env(warehouse_url, tmp_path, on_hand=20)


def _shopper(env: Env) -> TestClient:
    """A client signed up through the API (a new customer), with its CSRF header."""
    client = env.client()
    email = f"shopper-{uuid.uuid4().hex[:8]}@example.com"
    response = client.post("/api/auth/signup", json={"email": email, "password": PASSWORD})
    assert response.status_code == 201, response.text
    client.headers["X-CSRF-Token"] = response.json()["csrf_token"]
    return client


def _checkout(client: TestClient, items: dict[int, int], simulate: str = "success") -> Any:
    for product_id, qty in items.items():
        added = client.post("/api/customer/cart/items", json={"product_id": product_id, "qty": qty})
        assert added.status_code == 200, added.text
    return client.post(
        "/api/customer/checkout",
        json={"simulate": simulate},
        headers={"Idempotency-Key": f"key-{uuid.uuid4().hex}"},
    )


def _refresh(env: Env) -> None:
    ingest_app(_wh(env))
    build(_wh(env))


def _warehouse_id(env: Env, kind: str, app_id: str) -> int:
    rows = _wh(env).query(
        "select warehouse_id from ops.app_ids where kind = ? and app_id = ?", [kind, app_id]
    )
    return int(rows[0][0])


def _fact(env: Env, order_id: int) -> tuple[Any, ...]:
    rows = _wh(env).query(
        "select status, gross_amount_usd, net_revenue_usd, units, customer_sk, session_id "
        "from dw.fct_orders where order_id = ?",
        [order_id],
    )
    assert len(rows) == 1
    return rows[0]


def test_order_reaches_facts_and_kpis(env: Env) -> None:
    orders_before, revenue_before = kpi(env, "orders"), kpi(env, "net_revenue")
    client = _shopper(env)
    session = f"visit-{uuid.uuid4().hex[:12]}"
    browse = [
        {"stage": "VIEW_PRODUCT", "product_id": 20},
        {"stage": "ADD_TO_CART", "product_id": 20},
    ]
    events = client.post("/api/events", json={"session_id": session, "events": browse})
    assert events.status_code == 202, events.text
    placed = _checkout(client, {20: 2, 10: 1})
    assert placed.status_code == 201, placed.text
    app_order = placed.json()["order_id"]
    done = [{"stage": "ORDER_PLACED", "order_id": app_order}]
    client.post("/api/events", json={"session_id": session, "events": done})

    _refresh(env)

    order_id = _warehouse_id(env, "order", app_order)
    assert order_id > APP_ID_BASE > BAD_ID_BASE
    status, gross, net, units, customer_sk, session_id = _fact(env, order_id)
    assert (status, gross, net, units) == ("paid", 110, 110, 3)
    assert session_id == _warehouse_id(env, "session", session)
    lines = _wh(env).query(
        "select product_id, qty, line_gross_usd, product_sk from dw.fct_order_items "
        "where order_id = ? order by line_no",
        [order_id],
    )
    assert sorted(lines) == [(10, 1, 10, 10001), (20, 2, 100, 20001)]
    member = _wh(env).query(
        "select email, is_inferred from dw.dim_customer where customer_sk = ?", [customer_sk]
    )
    assert member[0][0].startswith("shopper-") and member[0][1] is False
    visit = _wh(env).query(
        "select customer_sk, has_add_to_cart, has_order from dw.fct_sessions where session_id = ?",
        [session_id],
    )
    assert visit == [(customer_sk, 1, 1)]
    assert kpi(env, "orders") == orders_before + 1
    assert kpi(env, "net_revenue") == revenue_before + 110
    assert _wh(env).query("select count(*) from quality.quarantine")[0][0] == 0


def test_cancellation_updates_the_same_order(env: Env) -> None:
    client = _shopper(env)
    app_order = _checkout(client, {30: 5}).json()["order_id"]
    _refresh(env)
    order_id = _warehouse_id(env, "order", app_order)
    assert _fact(env, order_id)[:3] == ("paid", 40, 40)
    orders_with_it = kpi(env, "orders")

    assert client.post(f"/api/customer/orders/{app_order}/cancel").status_code == 200
    _refresh(env)

    assert _warehouse_id(env, "order", app_order) == order_id
    assert _fact(env, order_id)[:3] == ("cancelled", 40, 0)
    assert kpi(env, "orders") == orders_with_it - 1
    payments = _wh(env).query("select status from dw.fct_payments where order_id = ?", [order_id])
    assert payments == [("refunded",)]


def test_return_after_delivery_reaches_fct_returns(env: Env) -> None:
    client = _shopper(env)
    app_order = _checkout(client, {20: 2}).json()["order_id"]
    _refresh(env)
    deliver_order(env.store, app_order)
    body = {"line_no": 1, "qty": 1, "reason": "damaged"}
    assert client.post(f"/api/customer/orders/{app_order}/returns", json=body).status_code == 201
    _refresh(env)

    order_id = _warehouse_id(env, "order", app_order)
    assert _fact(env, order_id)[0] == "delivered"
    returns = _wh(env).query(
        "select product_id, qty, reason, status, refund_amount from dw.fct_returns "
        "where order_id = ?",
        [order_id],
    )
    assert returns == [(20, 1, "damaged", "requested", None)]


def test_failed_then_successful_payment_gives_two_payment_rows(env: Env) -> None:
    client = _shopper(env)
    declined = _checkout(client, {10: 1}, simulate="card_declined")
    assert declined.status_code == 402
    paid = client.post(
        "/api/customer/checkout", json={}, headers={"Idempotency-Key": "retry-after-decline"}
    )
    assert paid.status_code == 201, paid.text
    _refresh(env)

    rows = _wh(env).query(
        "select o.status, p.status, p.is_failed, p.failure_reason, p.amount_usd "
        "from dw.fct_payments as p inner join dw.fct_orders as o on o.order_id = p.order_id "
        "where p.order_id in (?, ?) order by p.created_at, p.payment_id",
        [
            _warehouse_id(env, "order", declined.json()["order_id"]),
            _warehouse_id(env, "order", paid.json()["order_id"]),
        ],
    )
    assert rows == [
        ("cancelled", "failed", True, "card_declined", 10),
        ("paid", "captured", False, None, 10),
    ]


def _landing_counts(warehouse: Warehouse) -> list[int]:
    tables = ("customers", "orders", "order_items", "payments", "sessions", "funnel_events")
    return [warehouse.row_count(f"landing.{table}") for table in tables]


def test_ingesting_twice_adds_nothing(env: Env) -> None:
    _checkout(_shopper(env), {10: 2})
    first = ingest_app(_wh(env))
    assert first.run_id is not None and first.rows["orders"] == 1
    build(_wh(env))
    counts, files = _landing_counts(_wh(env)), _wh(env).row_count("ops.loaded_files")

    again = ingest_app(_wh(env))

    assert again.run_id is None and again.total == 0
    assert _landing_counts(_wh(env)) == counts
    assert _wh(env).row_count("ops.loaded_files") == files
    assert build(_wh(env)).models == []


def test_incremental_after_ingest_equals_full_build(env: Env) -> None:
    first, second = _shopper(env), _shopper(env)
    session = f"visit-{uuid.uuid4().hex[:12]}"
    first.post("/api/events", json={"session_id": session, "events": [{"stage": "SEARCH"}]})
    kept = _checkout(first, {20: 1, 30: 2}).json()["order_id"]
    _refresh(env)
    cancelled = _checkout(second, {10: 3}).json()["order_id"]
    _checkout(second, {30: 1}, simulate="bank_down")
    second.post(f"/api/customer/orders/{cancelled}/cancel")
    deliver_order(env.store, kept)
    _refresh(env)
    incremental = fast_snapshot(_wh(env))

    build(_wh(env), full=True)

    assert fast_snapshot(_wh(env)) == incremental


def _backdate(env: Env, app_order: str, to: dt.datetime) -> None:
    """Make an order look like a checkout that took its time before ``to`` and committed now."""
    with env.store.write():
        for table in ("app.orders", "app.payments"):
            env.store.execute(
                f"update {table} set updated_at = ? where order_id = ?", [to, app_order]
            )


def _place_order(env: Env, qty: int) -> str:
    user = create_user(env.store, f"late-{uuid.uuid4().hex[:8]}@example.com", None, "customer")
    add_item(env.store, user.user_id, 10, qty)
    app_order = reserve_order(env.store, user.user_id)
    settle_payment(env.store, app_order, "success")
    return app_order


@pytest.mark.parametrize("overlap_seconds", [120, 0])
def test_late_commit_inside_the_overlap_is_not_lost(env: Env, overlap_seconds: int) -> None:
    _place_order(env, 1)
    ingest_app(_wh(env))
    mark = _wh(env).query("select value from ops.watermarks where name = 'app.orders'")[0][0]
    late = _place_order(env, 2)
    _backdate(env, late, dt.datetime.fromisoformat(mark) - dt.timedelta(seconds=30))

    result = ingest_app(_wh(env), overlap=dt.timedelta(seconds=overlap_seconds))

    found = _wh(env).query("select count(*) from ops.app_ids where app_id = ?", [late])[0][0]
    if overlap_seconds:
        assert result.rows["orders"] == 1 and found == 1
    else:  # without the window the late row is missed: this is what the overlap is for
        assert result.rows["orders"] == 0 and found == 0


def test_checkouts_during_ingests_lose_nothing(env: Env) -> None:
    placed: list[str] = []
    errors: list[BaseException] = []

    def shop() -> None:
        try:
            for _ in range(4):
                placed.append(_place_order(env, 1))
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=shop) for _ in range(3)]
    for thread in threads:
        thread.start()
    while any(thread.is_alive() for thread in threads):
        ingest_app(_wh(env))
    for thread in threads:
        thread.join()
    assert not errors
    _refresh(env)

    ids = [_warehouse_id(env, "order", app_order) for app_order in placed]
    facts = _wh(env).query(
        "select count(*) from dw.fct_orders where status = 'paid' and order_id >= ?",
        [APP_ID_BASE],
    )
    assert len(set(ids)) == 12 and facts == [(12,)]


def test_unknown_status_fails_clearly_and_appends_nothing(env: Env) -> None:
    app_order = _place_order(env, 1)
    with env.store.write():
        env.store.execute(
            "update app.orders set status = 'on_hold' where order_id = ?", [app_order]
        )
    counts = _landing_counts(_wh(env))

    with pytest.raises(AppSourceError, match="'on_hold'"):
        ingest_app(_wh(env))

    assert _landing_counts(_wh(env)) == counts
    failed = _wh(env).query("select status from ops.runs where mode = 'app'")
    assert failed == [("failed",)]


def test_cli_ingest_and_build_flags(env: Env, warehouse_url: str) -> None:
    runner = CliRunner()
    _place_order(env, 1)
    skipped = runner.invoke(cli, ["build", "--no-app", "--database", warehouse_url])
    assert skipped.exit_code == 0, skipped.output
    assert "Storefront" not in skipped.output
    app_rows = "select count(*) from landing.orders where order_id >= ?"
    assert _wh(env).query(app_rows, [APP_ID_BASE]) == [(0,)]

    ingested = runner.invoke(cli, ["ingest-app", "--database", warehouse_url])
    assert ingested.exit_code == 0, ingested.output
    assert "orders 1" in ingested.output
    again = runner.invoke(cli, ["build", "--database", warehouse_url])
    assert again.exit_code == 0, again.output
    assert "nothing new" in again.output
    orders = _wh(env).query("select count(*) from dw.fct_orders where order_id >= ?", [APP_ID_BASE])
    assert orders == [(1,)]
    status = runner.invoke(cli, ["status", "--database", warehouse_url])
    assert status.exit_code == 0 and "app.orders" in status.output


def test_cli_without_app_schema_is_a_clear_error(warehouse_url: str) -> None:
    result = CliRunner().invoke(cli, ["ingest-app", "--database", warehouse_url])
    assert result.exit_code == 2
    assert "no storefront schema" in result.output and "Traceback" not in result.output
