"""Fixtures for the analytics and admin API tests: the KPI golden store (tests/semantic),
loaded and built once per engine and module, served by an app over the same database.

Import the fixtures into a test module: ``from tests.api.warehouse_env import built_env, ...``.
Tests must not change the warehouse; users are created with unique e-mails.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from globalcart.api.app import create_app
from globalcart.api.security import new_api_key, token_hash
from globalcart.config import Settings
from globalcart.engines import connect
from globalcart.store import Store, migrate_app
from globalcart.store.auth import create_api_key
from tests.api.conftest import Env
from tests.postgres_db import temporary_database
from tests.semantic.kpi_data import load_and_build


def _postgres_database() -> Iterator[str]:
    yield from temporary_database("globalcart_api", "PostgreSQL API tests")


@pytest.fixture(
    scope="module", params=["duckdb", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def built_env(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Env]:
    """An API over the built KPI golden warehouse, on each engine."""
    tmp = tmp_path_factory.mktemp("api_wh")
    databases = _postgres_database() if request.param == "postgres" else None
    url = next(databases) if databases else f"duckdb:///{tmp}/warehouse.duckdb"
    warehouse = connect(url)
    load_and_build(warehouse, tmp)
    migrate_app(warehouse)
    store = Store(warehouse)
    yield Env(store, create_app(Settings(database_url=url), store=store))
    warehouse.close()
    if databases:
        next(databases, None)


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}@example.com"


def bearer(env: Env, role: str, scopes: list[str]) -> TestClient:
    """A client sending a fresh API key (of a new user with ``role``) holding ``scopes``."""
    key, prefix = new_api_key()
    owner = env.user(unique(role), role)
    create_api_key(env.store, owner.user_id, "test", scopes, token_hash(key), prefix)
    client = env.client()
    client.headers["Authorization"] = f"Bearer {key}"
    return client
