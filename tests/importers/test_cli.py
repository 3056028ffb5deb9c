"""``globalcart import``: clear errors for bad input, --no-build, --out safety, a full run."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from globalcart.cli import app
from globalcart.engines import connect
from tests.importers.conftest import DATA, dataset

ROOT = Path(__file__).resolve().parents[2]
SHOPIFY = ROOT / "examples" / "mappings" / "shopify_orders.yml"
runner = CliRunner()


def _invoke(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["import", *args])
    assert "Traceback" not in result.output
    return result.exit_code, result.output


def _mapping(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "mapping.yml"
    path.write_text(SHOPIFY.read_text() + text)
    return path


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ("channel: [not, text]\n", "invalid mapping"),
        ("status_values: {paid: shipped_twice}\n", "unknown statuses"),
        ("fx_rates: {}\n", "no FX rate for EUR"),
        ("status_values: {pending: created}\n", "status values without a mapping: refunded"),
    ],
)
def test_bad_mappings_fail_clearly(tmp_path: Path, extra: str, message: str) -> None:
    code, output = _invoke(
        "csv", "--mapping", str(_mapping(tmp_path, extra)), str(DATA / "shopify_orders.csv"),
        "--out", str(tmp_path / "out"), "--database", f"duckdb:///{tmp_path}/wh.duckdb",
    )  # fmt: skip
    assert code != 0
    assert message in " ".join(output.split())


def test_missing_columns_and_files_fail_clearly(tmp_path: Path) -> None:
    wrong = tmp_path / "orders.csv"
    wrong.write_text("Name,Email\n#1,a@b.c\n")
    code, output = _invoke(
        "csv", "--mapping", str(SHOPIFY), str(wrong), "--out", str(tmp_path / "o")
    )
    assert code != 0 and "are missing" in output and "Lineitem quantity" in output
    code, output = _invoke("cdnow", str(tmp_path / "nope.txt"), "--out", str(tmp_path / "o"))
    assert code != 0 and "does not exist" in output


def test_out_must_be_an_import_folder(tmp_path: Path) -> None:
    (tmp_path / "keep.txt").write_text("mine")
    code, output = _invoke(
        "csv", "--mapping", str(SHOPIFY), str(DATA / "shopify_orders.csv"), "--out", str(tmp_path)
    )
    assert code != 0 and "not an import folder" in " ".join(output.split())
    assert (tmp_path / "keep.txt").read_text() == "mine"


def test_no_build_stops_after_the_load(tmp_path: Path) -> None:
    url = f"duckdb:///{tmp_path}/wh.duckdb"
    code, output = _invoke(
        "csv", "--mapping", str(SHOPIFY), str(DATA / "shopify_orders.csv"),
        "--out", str(tmp_path / "out"), "--database", url, "--no-build",
    )  # fmt: skip
    assert code == 0, output
    assert "Loaded" in output and "Build" not in output
    warehouse = connect(url)
    try:
        assert warehouse.row_count("landing.order_items") == 7
        assert not warehouse.table_exists("dw.fct_orders")
    finally:
        warehouse.close()


def test_cdnow_sample_end_to_end(tmp_path: Path) -> None:
    sample = dataset("cdnow/CDNOW_sample.txt")
    url = f"duckdb:///{tmp_path}/wh.duckdb"
    code, output = _invoke("cdnow", str(sample), "--out", str(tmp_path / "out"), "--database", url)
    assert code == 0, output
    assert "order_item" in output and "KPIs unavailable" in output
    code, output = _invoke("cdnow", str(sample), "--out", str(tmp_path / "out"), "--database", url)
    assert code == 0 and "0 rows" in output  # the same file again: nothing new to load
