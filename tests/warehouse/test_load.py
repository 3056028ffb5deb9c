"""Loading landing files: append with source_file, once per file checksum, Parquet and CSV."""

from __future__ import annotations

from pathlib import Path

import pytest
from golden import BATCH1, write_batch

from globalcart.engines import Warehouse
from globalcart.pipeline.load import LandingError, load_landing


@pytest.mark.parametrize("fmt", ["parquet", "csv"])
def test_load_is_idempotent(warehouse: Warehouse, tmp_path: Path, fmt: str) -> None:
    landing = write_batch(tmp_path / "b1", 1, fmt)
    first = load_landing(warehouse, landing)
    assert first.files_skipped == 0
    assert warehouse.row_count("landing.orders") == len(BATCH1["orders"]) + 1
    assert warehouse.row_count("landing.geo") == 3
    again = load_landing(warehouse, landing)
    assert again.rows_loaded == 0
    assert again.files_skipped == len(first.files)
    assert warehouse.row_count("landing.orders") == len(BATCH1["orders"]) + 1
    sources = warehouse.query("select distinct source_file from landing.orders")
    assert sources == [(f"golden-1/orders.{fmt}",)]
    # nulls and empty strings survive the trip (malformed dates are kept verbatim)
    assert warehouse.query("select count(*) from landing.orders where order_id is null") == [(1,)]
    assert warehouse.query(
        "select count(*) from landing.orders where order_ts = '31/12/2024 10:00'"
    ) == [(1,)]
    ingested = warehouse.query("select min(ingested_at) from landing.geo")[0][0]
    assert str(ingested).startswith("2024-01-10 00:00:00")


def test_missing_directory_and_corrupt_file(warehouse: Warehouse, tmp_path: Path) -> None:
    with pytest.raises(LandingError, match="does not exist"):
        load_landing(warehouse, tmp_path / "nope")
    (tmp_path / "empty").mkdir()
    with pytest.raises(LandingError, match="no landing files"):
        load_landing(warehouse, tmp_path / "empty")
    landing = write_batch(tmp_path / "b1", 1)
    (landing / "geo.parquet").write_bytes(b"garbage")
    with pytest.raises(LandingError, match="checksum"):
        load_landing(warehouse, landing)
    assert warehouse.query("select status from ops.runs where kind = 'load'") == [("failed",)]
