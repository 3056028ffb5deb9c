"""Fixtures of the importer tests: the real data sets and a built warehouse per engine.

The data sets live in ``../shared/datasets/`` beside the checkout (CI always has them); a test
that needs a missing one skips with the reason. PostgreSQL gets a throw-away database per module.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest

from globalcart.engines import Warehouse, connect
from globalcart.importers import ImportBatch, write_batch
from globalcart.pipeline.load import load_landing
from globalcart.pipeline.runner import build
from tests.postgres_db import temporary_database

DATASETS = Path(__file__).resolve().parents[2].parent / "shared" / "datasets"
DATA = Path(__file__).resolve().parent / "data"


def dataset(relative: str) -> Path:
    """A data set file, or skip the test with the reason."""
    path = DATASETS / relative
    if not path.is_file():
        pytest.skip(f"data set {relative} not found under {DATASETS} (CI provides it)")
    return path


@pytest.fixture(
    scope="module", params=["duckdb", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def engine_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """An empty warehouse per engine, shared by the tests of one module."""
    if request.param == "duckdb":
        yield f"duckdb:///{tmp_path_factory.mktemp('import_wh')}/warehouse.duckdb"
    else:
        yield from temporary_database("globalcart_import", "PostgreSQL importer tests")


def import_into(url: str, batch: ImportBatch, out: Path) -> Warehouse:
    """Write the batch as a landing folder, load and build it: the normal pipeline path."""
    write_batch(batch, out, overwrite=True)
    warehouse = connect(url)
    load_landing(warehouse, out)
    build(warehouse)
    return warehouse


def raw_query(sql: str) -> list[tuple[Any, ...]]:
    """Run SQL on the raw files with an in-memory DuckDB (independent of the importers)."""
    with duckdb.connect() as con:
        return con.execute(sql).fetchall()


def scalar(warehouse: Warehouse, sql: str) -> object:
    return warehouse.query(sql)[0][0]


def number(warehouse: Warehouse, sql: str) -> float:
    """A single numeric result as a float (Decimal on one engine, float on the other)."""
    value = scalar(warehouse, sql)
    return float(str(value))
