"""API fixtures: an app over a fresh store on each engine, and signed-in test clients."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from globalcart.api.app import create_app
from globalcart.api.security import Limits, hash_password, new_token, token_hash
from globalcart.config import Settings
from globalcart.engines import connect
from globalcart.store import Store, migrate_app
from globalcart.store.auth import create_session
from globalcart.store.catalog import upsert_product
from globalcart.store.users import User, create_user

PASSWORD = "correct-Horse-battery-42"

PRODUCTS = [
    {"product_id": 101, "sku": "SH-RED", "product_name": "Red running shoe",
     "category_l1": "Shoes", "category_l2": "Running", "brand": "Fleet", "list_price": 89.90},
    {"product_id": 102, "sku": "SH-BLU", "product_name": "Blue trail shoe",
     "category_l1": "Shoes", "category_l2": "Trail", "brand": "Fleet", "list_price": 119.00},
    {"product_id": 201, "sku": "HT-WOOL", "product_name": "Wool hat",
     "category_l1": "Accessories", "category_l2": "Hats", "brand": "Knit", "list_price": 25.00},
    {"product_id": 202, "sku": "SC-SILK", "product_name": "Silk scarf",
     "category_l1": "Accessories", "category_l2": "Scarves", "brand": "Knit", "list_price": 45.50},
]  # fmt: skip


@cache
def password_hash() -> str:
    return hash_password(PASSWORD)


@dataclass
class Env:
    store: Store
    app: FastAPI

    def client(self) -> TestClient:
        return TestClient(self.app, raise_server_exceptions=False)

    def user(self, email: str, role: str = "customer") -> User:
        return create_user(self.store, email, password_hash(), role)

    def signed_in(self, email: str, role: str = "customer") -> TestClient:
        """A client holding a fresh browser session (and its CSRF header) of a new user."""
        user = self.user(email, role)
        token, csrf = new_token(), new_token()
        create_session(
            self.store, user.user_id, token_hash(token), csrf, dt.timedelta(hours=1), None, None
        )
        client = self.client()
        client.cookies.set("gc_session", token)
        client.headers["X-CSRF-Token"] = csrf
        return client


@pytest.fixture
def store(warehouse_url: str) -> Iterator[Store]:
    warehouse = connect(warehouse_url, migrate_schema=False)
    migrate_app(warehouse)
    store = Store(warehouse)
    for product in PRODUCTS:
        upsert_product(store, product, on_hand=10)
    yield store
    warehouse.close()


@pytest.fixture
def make_env(store: Store, warehouse_url: str) -> Callable[..., Env]:
    def make(limits: Limits | None = None, demo_mode: bool = False) -> Env:
        settings = Settings(database_url=warehouse_url, demo_mode=demo_mode)
        return Env(store, create_app(settings, store=store, limits=limits))

    return make


@pytest.fixture
def env(make_env: Callable[..., Env]) -> Env:
    return make_env()
