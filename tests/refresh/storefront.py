"""The KPI golden warehouse (March 2024; products 10 Mug $10, 20 Lamp $50, 30 Book $8), built,
with the storefront over the same database and its catalog seeded from ``dw.dim_product``;
customers buying through the API, and what the tests read back."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from globalcart.api.app import create_app
from globalcart.config import Settings
from globalcart.engines import Warehouse, connect
from globalcart.semantic.query import compute
from globalcart.store import Store, migrate_app
from globalcart.store.catalog import seed_catalog
from tests.api.conftest import PASSWORD, Env
from tests.api.warehouse_env import bearer
from tests.semantic.kpi_data import load_and_build


def storefront_env(warehouse_url: str, tmp_path: Path, on_hand: int) -> Iterator[Env]:
    """Yields the environment (for a fixture); closes the warehouse afterwards."""
    warehouse = connect(warehouse_url)
    load_and_build(warehouse, tmp_path)
    migrate_app(warehouse)
    store = Store(warehouse)
    assert seed_catalog(store, None, on_hand=on_hand) == 3
    yield Env(store, create_app(Settings(database_url=warehouse_url), store=store))
    warehouse.close()


def wh(env: Env) -> Warehouse:
    return env.store.warehouse


def admin_client(env: Env) -> TestClient:
    """A client with an admin API key (scope admin)."""
    return bearer(env, "admin", ["admin"])


@dataclass
class Buyer:
    """A customer signed up through the API."""

    client: TestClient

    @classmethod
    def sign_up(cls, env: Env) -> Buyer:
        client = env.client()
        email = f"buyer-{uuid.uuid4().hex[:10]}@example.com"
        answer = client.post("/api/auth/signup", json={"email": email, "password": PASSWORD})
        assert answer.status_code == 201, answer.text
        client.headers["X-CSRF-Token"] = answer.json()["csrf_token"]
        return cls(client)

    def buy(self, basket: dict[int, int], simulate: str = "success") -> Any:
        for product_id, qty in basket.items():
            answer = self.client.post(
                "/api/customer/cart/items", json={"product_id": product_id, "qty": qty}
            )
            assert answer.status_code == 200, answer.text
        return self.client.post(
            "/api/customer/checkout",
            json={"simulate": simulate},
            headers={"Idempotency-Key": f"refresh-{uuid.uuid4().hex}"},
        )

    def order(self, basket: dict[int, int]) -> str:
        placed = self.buy(basket)
        assert placed.status_code == 201, placed.text
        return str(placed.json()["order_id"])


def recent_days() -> tuple[dt.date, dt.date]:
    """Yesterday to tomorrow (UTC): the day of anything a test places now, even near midnight."""
    today = dt.datetime.now(dt.UTC).date()
    return today - dt.timedelta(days=1), today + dt.timedelta(days=1)


def is_recent(day: dt.date) -> bool:
    first, last = recent_days()
    return first <= day <= last


def kpi(env: Env, name: str, day: dt.date | None = None) -> Decimal:
    """A KPI's value on ``day``, or over ``recent_days()`` without one."""
    start, end = (day, day) if day else recent_days()
    value = compute(wh(env), name, start, end).rows[0]["value"]
    return Decimal(str(value or 0))


def fact_order(env: Env, app_order: str) -> tuple[Any, ...] | None:
    rows = wh(env).query(
        "select o.status, o.gross_amount_usd, o.refund_amount_usd, o.net_revenue_usd, "
        "o.order_date from dw.fct_orders as o inner join ops.app_ids as i "
        "on i.kind = 'order' and i.warehouse_id = o.order_id where i.app_id = ?",
        [app_order],
    )
    return rows[0] if rows else None


def counts(warehouse: Warehouse) -> tuple[int, int, int]:
    """Runs, KPI snapshot rows and landing orders: what a refresh with nothing new must keep."""
    return (
        warehouse.row_count("ops.runs"),
        warehouse.row_count("ops.kpi_snapshots")
        if warehouse.table_exists("ops.kpi_snapshots")
        else 0,
        warehouse.row_count("landing.orders"),
    )
