"""``globalcart export``: every mart as CSV and Parquet (both engines), the same bytes as the
admin API's export; clear errors for unknown marts and bad paths."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from globalcart.cli import app
from globalcart.reports.export import mart_names
from tests.api.warehouse_env import unique
from tests.reports.conftest import Built

runner = CliRunner()


def test_every_mart_model_is_exportable() -> None:
    names = mart_names()
    assert "mart_orders_core" in names and "mart_exec_daily_kpis" in names
    models = Path(__file__).resolve().parents[2] / "globalcart" / "sql" / "marts"
    assert len(names) == len(list(models.glob("mart_*.sql")))


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_export_every_mart(built: Built, tmp_path: Path, fmt: str) -> None:
    admin = built.env.signed_in(unique("export"), "admin")
    for mart in mart_names():
        out = tmp_path / f"{mart}.{fmt}"
        result = runner.invoke(app, ["export", mart, "--format", fmt, "--out", str(out),
                                     "--database", built.url])  # fmt: skip
        assert result.exit_code == 0, result.output
        rows = built.warehouse.query(f"select count(*) from marts.{mart}")[0][0]
        if fmt == "parquet":
            assert pq.read_table(out).num_rows == rows
        else:
            assert len(list(csv.DictReader(io.StringIO(out.read_text())))) == rows
        response = admin.get(f"/api/admin/export/{mart}", params={"format": fmt})
        assert response.status_code == 200
        if fmt == "csv":
            assert response.content == out.read_bytes()
        else:
            assert pq.read_table(io.BytesIO(response.content)).equals(pq.read_table(out))


def _error(*args: str) -> str:
    result = runner.invoke(app, list(args), terminal_width=400)
    assert result.exit_code == 2 and "Traceback" not in result.output
    return " ".join(result.output.split())


def test_unknown_mart_and_bad_folder_are_clear_errors(tmp_path: Path) -> None:
    output = _error("export", "mart_secret", "--out", str(tmp_path / "x.csv"))
    assert "no BI mart 'mart_secret'" in output and "mart_orders_core" in output
    missing = tmp_path / "nowhere" / "x.csv"
    assert "does not exist" in _error("export", "mart_orders_core", "--out", str(missing))
    result = runner.invoke(app, ["export", "mart_orders_core", "--format", "xlsx", "--out", "x"])
    assert result.exit_code == 2


def test_export_from_an_unbuilt_warehouse(tmp_path: Path) -> None:
    url = f"duckdb:///{tmp_path}/empty.duckdb"
    output = _error("export", "mart_orders_core", "--out", str(tmp_path / "o.csv"), "--database",
                    url)  # fmt: skip
    assert "does not exist yet: run globalcart pipeline" in output
