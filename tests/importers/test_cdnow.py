"""CDNOW purchase log on both engines (the whole file on each): row accounting, revenue, units
and customers recomputed from the raw file, and re-importing is a no-op."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from globalcart.engines import Warehouse
from globalcart.importers import ImportBatch, import_cdnow, write_batch
from globalcart.pipeline.load import load_landing
from globalcart.semantic.query import compute
from tests.importers.conftest import dataset, import_into, number, scalar


def raw_log(path: Path) -> pd.DataFrame:
    frame = pd.read_csv(path, sep=r"\s+", header=None, skiprows=1, dtype=str)
    frame = frame.iloc[:, -4:].set_axis(["customer", "day", "cds", "dollars"], axis=1)
    return frame.astype({"customer": int, "cds": int, "dollars": float})


@pytest.fixture(scope="module")
def imported(
    engine_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Path, ImportBatch, Warehouse, Path]]:
    path = dataset("cdnow/CDNOW_master.txt")
    batch = import_cdnow(path)
    out = tmp_path_factory.mktemp("landing") / "cdnow"
    warehouse = import_into(engine_url, batch, out)
    yield path, batch, warehouse, out
    warehouse.close()


def test_every_purchase_is_an_order(imported: tuple[Path, ImportBatch, Warehouse, Path]) -> None:
    path, batch, warehouse, _ = imported
    raw = raw_log(path)
    assert len(batch.report) == len(raw)
    assert set(batch.report["disposition"]) == {"order_item"}
    assert scalar(warehouse, "select count(*) from dw.fct_orders") == len(raw)
    assert scalar(warehouse, "select count(*) from quality.quarantine") == 0
    assert number(warehouse, "select sum(gross_amount) from dw.fct_orders") == pytest.approx(
        raw["dollars"].sum(), abs=0.005
    )
    assert number(warehouse, "select sum(line_gross) from dw.fct_order_items") == pytest.approx(
        raw["dollars"].sum(), abs=0.005
    )
    assert number(warehouse, "select sum(qty) from dw.fct_order_items") == raw["cds"].sum()


def test_kpis_match_the_raw_log(imported: tuple[Path, ImportBatch, Warehouse, Path]) -> None:
    path, _, warehouse, _ = imported
    raw = raw_log(path)
    start, end = dt.date(1997, 1, 1), dt.date(1998, 6, 30)
    assert compute(warehouse, "net_revenue", start, end).rows[0]["value"] == pytest.approx(
        raw["dollars"].sum(), abs=0.005
    )
    assert compute(warehouse, "orders", start, end).rows[0]["value"] == len(raw)
    assert compute(warehouse, "units", start, end).rows[0]["value"] == int(raw["cds"].sum())
    assert (
        compute(warehouse, "new_customers", start, end).rows[0]["value"]
        == raw["customer"].nunique()
    )
    first_quarter = raw.assign(day=pd.to_datetime(raw["day"])).groupby("customer")["day"].min()
    assert first_quarter.max() < pd.Timestamp("1997-04-01")  # the cohort of the data set
    assert not compute(warehouse, "conversion_rate", start, end).available


def test_reimporting_the_same_file_loads_nothing(
    imported: tuple[Path, ImportBatch, Warehouse, Path], tmp_path: Path
) -> None:
    path, _, warehouse, first = imported
    again = tmp_path / "again"
    write_batch(import_cdnow(path), again)
    assert (again / "orders.parquet").read_bytes() == (first / "orders.parquet").read_bytes()
    result = load_landing(warehouse, again)
    assert result.rows_loaded == 0
    assert result.files_skipped == len(result.files)
