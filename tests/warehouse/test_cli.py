"""The warehouse commands: happy path and clear errors without tracebacks."""

from __future__ import annotations

from pathlib import Path

from golden import write_batch
from typer.testing import CliRunner

from globalcart.cli import app

runner = CliRunner()


def test_load_build_status(tmp_path: Path) -> None:
    url = f"duckdb:///{tmp_path}/wh.duckdb"
    landing = write_batch(tmp_path / "b1", 1)
    result = runner.invoke(app, ["load", "--landing", str(landing), "--database", url])
    assert result.exit_code == 0, result.output
    assert "Loaded" in result.output
    result = runner.invoke(app, ["build", "--database", url])
    assert result.exit_code == 0, result.output
    assert "models built" in result.output
    result = runner.invoke(app, ["build", "--full", "--database", url])
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["status", "--database", url])
    assert result.exit_code == 0, result.output
    assert "dw.fct_orders" in result.output and "missing_key" in result.output


def test_errors_are_clear(tmp_path: Path) -> None:
    bad_url = runner.invoke(app, ["build", "--database", "mysql://localhost/x"])
    assert bad_url.exit_code == 2
    assert "unsupported database URL" in bad_url.output
    assert "Traceback" not in bad_url.output
    missing = runner.invoke(
        app,
        ["load", "--landing", str(tmp_path / "nope"), "--database", f"duckdb:///{tmp_path}/w.db"],
    )
    assert missing.exit_code == 2
    assert "does not exist" in missing.output
