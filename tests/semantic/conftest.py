"""KPI fixtures: the hand-made store built once per engine (PostgreSQL in its own database)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from globalcart.engines import Warehouse, connect
from tests.postgres_db import temporary_database
from tests.semantic.kpi_data import load_and_build


@pytest.fixture(scope="session")
def kpi_postgres_url() -> Iterator[str]:
    """A PostgreSQL database of its own for the KPI tests (dropped at the end)."""
    yield from temporary_database("globalcart_kpi", "PostgreSQL KPI tests")


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
