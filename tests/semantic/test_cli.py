"""``globalcart kpis``, ``globalcart snapshot`` and ``globalcart docs kpis``."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from globalcart.cli import app
from globalcart.engines import connect
from globalcart.semantic.docs import kpi_markdown
from tests.semantic.kpi_data import load_and_build

runner = CliRunner()
MARCH = ["--start", "2024-03-01", "--end", "2024-03-31"]


@pytest.fixture(scope="module")
def url(tmp_path_factory: pytest.TempPathFactory) -> str:
    tmp = tmp_path_factory.mktemp("kpi_cli")
    database = f"duckdb:///{tmp}/cli.duckdb"
    warehouse = connect(database)
    load_and_build(warehouse, tmp)
    warehouse.close()
    return database


def _run(url: str, *args: str) -> str:
    result = runner.invoke(app, [*args, "--database", url], env={"COLUMNS": "240"})
    assert result.exit_code == 0, result.output
    return result.output


def test_kpis_table_with_comparison(url: str) -> None:
    out = _run(url, "kpis", "net_revenue", "conversion_rate", "--start", "2024-03-11",
               "--end", "2024-03-20")  # fmt: skip
    assert "Net revenue" in out and "$10.00" in out and "$70.00" in out and "-85.7%" in out
    assert "previous_period" in out


def test_kpis_json_and_csv(url: str) -> None:
    data = json.loads(_run(url, "kpis", "net_revenue", "--by", "channel", *MARCH, "--format",
                           "json", "--compare", "none"))  # fmt: skip
    rows = data["kpis"][0]["rows"]
    assert {row["channel"]: row["value"] for row in rows} == {
        "web": 70, "marketplace": 10, "mobile_app": 0
    }  # fmt: skip
    text = _run(url, "kpis", "aov", "--grain", "week", *MARCH, "--format", "csv")
    table = list(csv.DictReader(io.StringIO(text)))
    assert [row["period"] for row in table][:2] == ["2024-02-26", "2024-03-04"]
    assert float(table[0]["value"]) == 9.0  # week 1: orders 1 and 2, net 18 + 0
    one = _run(url, "kpis", "top_products", "--format", "csv")
    assert one.splitlines()[0].startswith("rank,product_id,product")


def test_kpis_all_metrics_and_tables(url: str) -> None:
    out = _run(url, "kpis", *MARCH)
    assert "Marketing ROI" in out and "Gross margin" in out
    out = _run(url, "kpis", "inventory_alerts", "abc_analysis")
    assert "Lamp" in out and "NJ-1" in out
    out = _run(url, "kpis", "--list")
    assert "payment_failure_rate" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["kpis", "nope"], "unknown KPI 'nope'"),
        (["kpis", "net_revenue", "--by", "carrier"], "cannot be broken down by 'carrier'"),
        (["kpis", "--start", "2024-02-30"], "--start must be a date"),
        (["kpis", "--start", "2024-03-10", "--end", "2024-03-01"], "is after end"),
        (["kpis", "top_products", "--by", "country"], "is a table KPI"),
        (["snapshot"], "give a LABEL"),
        (["snapshot", "--diff", "x", "y"], "no snapshot 'x'"),
    ],
)
def test_bad_input_is_a_clear_error(url: str, args: list[str], message: str) -> None:
    result = runner.invoke(app, [*args, "--database", url])
    assert result.exit_code == 2, result.output
    assert message in " ".join(result.output.split())
    assert "Traceback" not in result.output


def test_snapshot_store_list_and_diff(url: str) -> None:
    assert "Stored snapshot" in _run(url, "snapshot", "before")
    again = runner.invoke(app, ["snapshot", "before", "--database", url])
    assert again.exit_code == 2 and "exists" in again.output
    warehouse = connect(url)
    try:  # simulate a refresh that changes the numbers
        warehouse.execute(
            "update ops.kpi_snapshots set value = value / 2 where label = 'before' "
            "and kpi = 'net_revenue'"
        )
    finally:
        warehouse.close()
    _run(url, "snapshot", "after")
    assert "before" in _run(url, "snapshot", "--list")
    out = _run(url, "snapshot", "--diff", "before", "after")
    assert "Net revenue" in out and "$40.00" in out and "$80.00" in out and "+100.0%" in out
    _run(url, "snapshot", "before", "--replace")


def test_docs_kpis_command(tmp_path: Path) -> None:
    out = tmp_path / "kpis.md"
    result = runner.invoke(app, ["docs", "kpis", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8") == kpi_markdown()


def test_unbuilt_warehouse_is_a_clear_error(tmp_path: Path) -> None:
    empty = f"duckdb:///{tmp_path}/empty.duckdb"
    for args in (["kpis"], ["kpis", "top_products"], ["snapshot", "first"]):
        result = runner.invoke(app, [*args, "--database", empty])
        assert result.exit_code == 2, result.output
        assert "not built yet" in result.output and "Traceback" not in result.output
