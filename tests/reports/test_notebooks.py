"""Every notebook in notebooks/ runs as a script against a tiny built warehouse (DuckDB; the
notebooks only read through the package API, which the engine tests cover on both engines)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.reports.conftest import Built

NOTEBOOKS = sorted((Path(__file__).resolve().parents[2] / "notebooks").glob("[0-9]*.py"))


def test_there_is_a_notebook_per_topic() -> None:
    names = " ".join(path.stem for path in NOTEBOOKS)
    for topic in ("eda_outliers", "rfm", "cohorts", "forecasting"):
        assert topic in names
    for path in NOTEBOOKS:
        assert "# %%" in path.read_text(encoding="utf-8")  # percent format


@pytest.mark.parametrize("built", ["duckdb"], indirect=True)
@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda path: path.stem)
def test_notebook_runs_as_a_script(built: Built, notebook: Path, tmp_path: Path) -> None:
    # DuckDB lets one process open the file: the notebook gets a checkpointed copy
    built.warehouse.execute("checkpoint")
    copy = tmp_path / "warehouse.duckdb"
    shutil.copyfile(built.url.removeprefix("duckdb:///"), copy)
    env = {**os.environ, "GLOBALCART_DATABASE_URL": f"duckdb:///{copy}",
           "GLOBALCART_DATA_DIR": str(tmp_path)}  # fmt: skip
    result = subprocess.run([sys.executable, str(notebook)], env=env, capture_output=True,
                            text=True, timeout=300, check=False)  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.strip()
    assert list((tmp_path / "notebooks").rglob("*.png"))  # it saved its figures
