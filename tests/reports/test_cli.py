"""``globalcart report``: clear errors for bad input and an unbuilt warehouse, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from globalcart.cli import app
from tests.reports.conftest import Built

runner = CliRunner()


def _error(*args: str) -> str:
    result = runner.invoke(app, list(args), terminal_width=400)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    return " ".join(result.output.split())


@pytest.mark.parametrize("kind", ["excel", "pdf"])
def test_bad_input_is_a_clear_error(kind: str, tmp_path: Path) -> None:
    suffix = ".xlsx" if kind == "excel" else ".pdf"
    out = str(tmp_path / f"r{suffix}")
    database = f"duckdb:///{tmp_path}/empty.duckdb"
    assert "must end in" in _error("report", kind, "--out", str(tmp_path / "r.txt"))
    assert "does not exist" in _error("report", kind, "--out", str(tmp_path / "no" / f"r{suffix}"))
    assert "must be a date" in _error("report", kind, "--out", out, "--start", "May 1",
                                      "--database", database)  # fmt: skip
    assert "not built yet" in _error("report", kind, "--out", out, "--database", database)
    assert not Path(out).exists()


@pytest.mark.parametrize("built", ["duckdb"], indirect=True)
def test_start_after_end_is_refused(built: Built, tmp_path: Path) -> None:
    output = _error("report", "excel", "--out", str(tmp_path / "r.xlsx"), "--start",
                    "2026-05-02", "--end", "2026-05-01", "--database", built.url)  # fmt: skip
    assert "start 2026-05-02 is after end 2026-05-01" in output
