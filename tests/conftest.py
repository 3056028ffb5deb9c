"""Shared fixtures: an engine-parametrised ``warehouse`` (DuckDB file, PostgreSQL database)."""

from __future__ import annotations

import os
import uuid
import warnings
from collections.abc import Iterator
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest

from globalcart.engines import Warehouse, connect
from globalcart.engines.migrations import SCHEMAS

PG_ENV = "GLOBALCART_TEST_DATABASE_URL"
REQUIRE_ENV = "GLOBALCART_REQUIRE_POSTGRES"


def _with_database(url: str, database: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{database}", parts.query, parts.fragment))


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A freshly created PostgreSQL database for this test session (dropped at the end)."""
    base = os.environ.get(PG_ENV)
    required = os.environ.get(REQUIRE_ENV) == "1"
    if not base:
        message = (
            f"PostgreSQL tests SKIPPED: set {PG_ENV} (e.g. postgresql://postgres@127.0.0.1/test)"
        )
        if required:
            pytest.fail(f"{REQUIRE_ENV}=1 but {PG_ENV} is not set")
        warnings.warn(message, stacklevel=1)
        pytest.skip(message)
    name = f"globalcart_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    try:
        with psycopg.connect(base, autocommit=True, connect_timeout=5) as admin:
            admin.execute(f'create database "{name}"')
    except psycopg.Error as exc:
        if required:
            pytest.fail(f"PostgreSQL at {PG_ENV} is required but unreachable: {exc}")
        pytest.skip(f"PostgreSQL tests SKIPPED: {PG_ENV} unreachable: {exc}")
    yield _with_database(base, name)
    with psycopg.connect(base, autocommit=True) as admin:
        admin.execute(f'drop database if exists "{name}" with (force)')


def _reset_postgres(url: str) -> None:
    with psycopg.connect(url, autocommit=True) as conn:
        for schema in (*SCHEMAS, "app"):
            conn.execute(f"drop schema if exists {schema} cascade")


@pytest.fixture
def fresh_postgres_url(postgres_url: str) -> str:
    """The session's PostgreSQL database, emptied of every warehouse schema."""
    _reset_postgres(postgres_url)
    return postgres_url


@pytest.fixture(params=["duckdb", pytest.param("postgres", marks=pytest.mark.postgres)])
def warehouse_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    """URL of an empty warehouse on each engine."""
    if request.param == "duckdb":
        return f"duckdb:///{tmp_path_factory.mktemp('wh')}/warehouse.duckdb"
    url: str = request.getfixturevalue("postgres_url")
    _reset_postgres(url)
    return url


@pytest.fixture
def warehouse(warehouse_url: str) -> Iterator[Warehouse]:
    """A migrated, empty warehouse on each engine."""
    wh = connect(warehouse_url)
    yield wh
    wh.close()
