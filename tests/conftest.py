"""Shared fixtures: an engine-parametrised ``warehouse`` (DuckDB file, PostgreSQL database)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from globalcart.engines import Warehouse, connect
from globalcart.engines.migrations import SCHEMAS
from tests.postgres_db import temporary_database

TESTS = Path(__file__).resolve().parent
# Folders whose conftest builds data for the whole session (a generated store, a served site,
# reports): under pytest-xdist their tests share one worker, so it is built once.
SESSION_DATA_FOLDERS = frozenset({"generator", "semantic", "web", "reports"})


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Group tests for ``pytest -n N --dist loadgroup`` (``make test``): a module's tests, which
    share module fixtures, run on one worker, and so does each folder of SESSION_DATA_FOLDERS."""
    for item in items:
        parts = item.path.resolve().relative_to(TESTS).parts
        group = parts[0] if parts[0] in SESSION_DATA_FOLDERS else "/".join(parts)
        item.add_marker(pytest.mark.xdist_group(group))


def pytest_configure(config: pytest.Config) -> None:
    """The CLI's messages and tables wrap at the terminal's width, which its consoles take when
    imported (80 columns in pytest-xdist's workers): tests read them at a fixed, wide one."""
    os.environ["COLUMNS"] = "200"


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A freshly created PostgreSQL database for this test session (dropped at the end)."""
    yield from temporary_database("globalcart_test")


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
