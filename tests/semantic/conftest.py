"""KPI fixtures: the hand-made store built once per engine (PostgreSQL in its own database)."""

from __future__ import annotations

import os
import uuid
import warnings
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest

from globalcart.engines import Warehouse, connect
from tests.semantic.kpi_data import load_and_build

PG_ENV = "GLOBALCART_TEST_DATABASE_URL"
REQUIRE_ENV = "GLOBALCART_REQUIRE_POSTGRES"


@pytest.fixture(scope="session")
def kpi_postgres_url() -> Iterator[str]:
    """A PostgreSQL database of its own for the KPI tests (dropped at the end)."""
    base = os.environ.get(PG_ENV)
    if not base:
        message = f"PostgreSQL KPI tests SKIPPED: set {PG_ENV}"
        if os.environ.get(REQUIRE_ENV) == "1":
            pytest.fail(f"{REQUIRE_ENV}=1 but {PG_ENV} is not set")
        warnings.warn(message, stacklevel=1)
        pytest.skip(message)
    name = f"globalcart_kpi_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    try:
        with psycopg.connect(base, autocommit=True, connect_timeout=5) as admin:
            admin.execute(f'create database "{name}"')
    except psycopg.Error as exc:
        if os.environ.get(REQUIRE_ENV) == "1":
            pytest.fail(f"PostgreSQL at {PG_ENV} is required but unreachable: {exc}")
        pytest.skip(f"PostgreSQL KPI tests SKIPPED: {exc}")
    parts = urlsplit(base)
    yield urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, parts.fragment))
    with psycopg.connect(base, autocommit=True) as admin:
        admin.execute(f'drop database if exists "{name}" with (force)')


@pytest.fixture(scope="session")
def kpi_duckdb(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Warehouse]:
    tmp = tmp_path_factory.mktemp("kpi_duck")
    warehouse = connect(f"duckdb:///{tmp}/kpi.duckdb")
    load_and_build(warehouse, Path(tmp))
    yield warehouse
    warehouse.close()


@pytest.fixture(scope="session")
def kpi_postgres(
    kpi_postgres_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Warehouse]:
    warehouse = connect(kpi_postgres_url)
    load_and_build(warehouse, tmp_path_factory.mktemp("kpi_pg"))
    yield warehouse
    warehouse.close()


@pytest.fixture(params=["duckdb", "postgres"])
def kpi_warehouse(request: pytest.FixtureRequest) -> Warehouse:
    """The hand-made store, built, on each engine (read-only: tests must not change it)."""
    name = "kpi_duckdb" if request.param == "duckdb" else "kpi_postgres"
    warehouse: Warehouse = request.getfixturevalue(name)
    return warehouse
