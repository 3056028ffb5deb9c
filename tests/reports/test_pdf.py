"""The PDF briefing on both engines: four pages, rendered to PNG under test-artifacts/ (look at
them), with the generated commentary."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from globalcart.cli import app
from globalcart.reports.commentary import commentary, kpi_movers
from globalcart.reports.data import collect
from tests.reports.conftest import Built, artifacts, require_tool

runner = CliRunner()


@pytest.fixture(scope="module")
def briefing(built: Built, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("pdf") / "briefing.pdf"
    result = runner.invoke(app, ["report", "pdf", "--out", str(out), "--database", built.url])
    assert result.exit_code == 0, result.output
    return out


def test_pdf_renders_four_pages_to_png(built: Built, briefing: Path) -> None:
    assert briefing.read_bytes().startswith(b"%PDF")
    pdftoppm = require_tool("pdftoppm")
    out = artifacts("pdf", built.engine)
    for old in out.glob("page-*.png"):
        old.unlink()
    subprocess.run([pdftoppm, "-r", "80", "-png", str(briefing), str(out / "page")], check=True)
    pages = sorted(out.glob("page-*.png"))
    assert len(pages) == 4
    assert all(page.stat().st_size > 20_000 for page in pages)  # charts, not blank pages


def test_pdf_text_has_the_commentary(built: Built, briefing: Path) -> None:
    pdftotext = require_tool("pdftotext")
    text = subprocess.run([pdftotext, "-layout", str(briefing), "-"], check=True,
                          capture_output=True, text=True).stdout  # fmt: skip
    flat = " ".join(text.split())
    data = collect(built.warehouse)
    for sentence in commentary(data)[:2]:
        assert " ".join(sentence.split())[:60] in flat
    for title in ("Management briefing", "Revenue trend and outlook", "Cohort retention",
                  "Inventory alerts", "Biggest leakage source"):  # fmt: skip
        assert title in flat


def test_commentary_names_the_largest_movers_and_leakage(built: Built) -> None:
    data = collect(built.warehouse)
    movers = kpi_movers(data, 50)
    sizes = [abs(m.change_pct or 0) if m.kpi.format != "percent" else abs(m.change or 0) /
             abs(m.previous or 1) for m in movers]  # fmt: skip
    assert sizes == sorted(sizes, reverse=True)
    text = commentary(data)
    assert text[0].startswith("In the period: net revenue")
    biggest = max(data.leakage, key=lambda line: line.value or 0)
    assert biggest.kpi.label.lower() in text[-1]
