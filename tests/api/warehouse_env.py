"""Fixtures for the analytics and admin API tests: the KPI golden store (tests/semantic),
loaded and built once per engine and module, served by an app over the same database.

Import the fixtures into a test module: ``from tests.api.warehouse_env import built_env, ...``.
Tests must not change the warehouse; users are created with unique e-mails.
"""

from __future__ import annotations

import os
import uuid
import warnings
from collections.abc import Iterator
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest
from fastapi.testclient import TestClient

from globalcart.api.app import create_app
from globalcart.api.security import new_api_key, token_hash
from globalcart.config import Settings
from globalcart.engines import connect
from globalcart.store import Store, migrate_app
from globalcart.store.auth import create_api_key
from tests.api.conftest import Env
from tests.semantic.kpi_data import load_and_build

PG_ENV = "GLOBALCART_TEST_DATABASE_URL"
REQUIRE_ENV = "GLOBALCART_REQUIRE_POSTGRES"


def _postgres_database() -> Iterator[str]:
    base = os.environ.get(PG_ENV)
    required = os.environ.get(REQUIRE_ENV) == "1"
    if not base:
        if required:
            pytest.fail(f"{REQUIRE_ENV}=1 but {PG_ENV} is not set")
        message = f"PostgreSQL API tests SKIPPED: set {PG_ENV}"
        warnings.warn(message, stacklevel=1)
        pytest.skip(message)
    name = f"globalcart_api_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    try:
        with psycopg.connect(base, autocommit=True, connect_timeout=5) as admin:
            admin.execute(f'create database "{name}"')
    except psycopg.Error as exc:
        if required:
            pytest.fail(f"PostgreSQL at {PG_ENV} is required but unreachable: {exc}")
        pytest.skip(f"PostgreSQL API tests SKIPPED: {exc}")
    parts = urlsplit(base)
    yield urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, parts.fragment))
    with psycopg.connect(base, autocommit=True) as admin:
        admin.execute(f'drop database if exists "{name}" with (force)')


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
