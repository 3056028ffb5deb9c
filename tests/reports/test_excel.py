"""The Excel report: its numbers equal the API's for the same period (both engines), its
layout (charts, frozen headers, filters) and a clean conversion by LibreOffice."""

from __future__ import annotations

import datetime as dt
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from globalcart.cli import app
from globalcart.reports.data import collect, months_before
from globalcart.reports.excel import write_workbook
from tests.api.warehouse_env import unique
from tests.reports.conftest import Built, artifacts, require_tool
from tests.reports.workbook import sheets, table

START, END = dt.date(2026, 4, 1), dt.date(2026, 5, 15)
TREND_START = months_before(END, 11)
runner = CliRunner()


@pytest.fixture(scope="module")
def workbook(built: Built, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("xlsx") / "report.xlsx"
    result = runner.invoke(app, ["report", "excel", "--start", str(START), "--end", str(END),
                                 "--out", str(out), "--database", built.url])  # fmt: skip
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture(scope="module")
def cells(workbook: Path) -> dict[str, list[list[Any]]]:
    return sheets(workbook)


@pytest.fixture(scope="module")
def api(built: Built) -> TestClient:
    return built.env.signed_in(unique("report"), "admin")


def _get(api: TestClient, path: str, **params: Any) -> list[dict[str, Any]]:
    response = api.get(path, params=params)
    assert response.status_code == 200, response.text
    rows: list[dict[str, Any]] = response.json()["rows"]
    return rows


def _day(value: Any) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(value)


def test_kpi_summary_equals_the_api(cells: dict[str, Any], api: TestClient) -> None:
    sheet = {row["Registry name"]: row for row in table(cells["KPI summary"])}
    expected = _get(api, "/kpi/summary", start=START, end=END, compare="previous_period")
    assert sheet.keys() == {row["kpi"] for row in expected}
    for row in expected:
        mine = sheet[row["kpi"]]
        assert mine["KPI"] == row["label"]
        assert mine["Value"] == pytest.approx(row["value"], rel=1e-9), row["kpi"]
        assert mine["Previous period"] == pytest.approx(row["previous_value"], rel=1e-9)
        assert mine["Change %"] == pytest.approx(row["change_pct"], rel=1e-9)
        assert mine["Definition"]  # from the registry


@pytest.mark.parametrize(
    ("sheet", "path", "by", "kpi"),
    [
        ("By country", "/kpi/revenue", "country", "net_revenue"),
        ("By channel", "/kpi/revenue", "channel", "net_revenue"),
        ("By segment", "/kpi/revenue", "segment", "net_revenue"),
        ("By category", "/demand/by-category", "category", "item_net_revenue"),
    ],
)
def test_monthly_pivots_equal_the_api(
    cells: dict[str, Any], api: TestClient, sheet: str, path: str, by: str, kpi: str
) -> None:
    params: dict[str, Any] = {"start": TREND_START, "end": END, "grain": "month"}
    if path == "/kpi/revenue":
        params["by"] = by
    expected = {(row[by], _day(row["period"])): row[kpi] for row in _get(api, path, **params)}
    rows = table(cells[sheet])
    months = [key for key in rows[0] if isinstance(key, dt.date)]
    assert months[0] == TREND_START and len(months) == 12
    got = {(row[by.capitalize()], month): row[month] for row in rows[:-1] for month in months}
    assert rows[-1][by.capitalize()] == "Total"
    assert {key for key, value in got.items() if value} == {
        key for key, value in expected.items() if value
    }
    for key, value in expected.items():
        assert got[key] == pytest.approx(value, rel=1e-9), key
    assert sum(expected.values()) > 0


def test_trend_equals_the_api(cells: dict[str, Any], api: TestClient) -> None:
    expected = _get(api, "/kpi/revenue", start=TREND_START, end=END, grain="month")
    rows = table(cells["Trend"])
    assert [row["Month"] for row in rows] == [_day(row["period"]) for row in expected]
    for mine, row in zip(rows, expected, strict=True):
        assert mine["Net revenue"] == pytest.approx(row["net_revenue"], rel=1e-9)
        assert mine["Orders"] == row["orders"]
        assert mine["Average order value"] == pytest.approx(row["aov"], rel=1e-9)


def test_cohort_matrix_equals_the_api(cells: dict[str, Any], api: TestClient) -> None:
    expected = _get(api, "/cohorts/retention", start=TREND_START, end=END)
    rows = table(cells["Cohorts"])
    got = {(row["Cohort"], int(key.split()[1])): value for row in rows
           for key, value in row.items() if str(key).startswith("Month ")}  # fmt: skip
    assert len(rows) == len({row["cohort_month"] for row in expected}) > 3
    for row in expected:
        key = (_day(row["cohort_month"]), row["month_number"])
        if row["retention_rate"] is None:
            assert got[key] is None
        else:
            assert got[key] == pytest.approx(row["retention_rate"], rel=1e-9), key


def test_funnel_and_leakage_equal_the_api(cells: dict[str, Any], api: TestClient) -> None:
    rows = cells["Funnel & leakage"]
    stages = {row["Stage"]: row for row in table(rows)}
    funnel = _get(api, "/api/admin/funnel/summary", start=START, end=END)[0]
    assert stages["Sessions"]["Sessions"] == funnel["sessions"]
    assert stages["Added to cart"]["Sessions"] == funnel["cart_sessions"]
    assert stages["Placed an order"]["Sessions"] == funnel["order_sessions"]
    labels = {row[0]: row for row in rows if row and isinstance(row[0], str)}
    for name in ("conversion_rate", "payment_failure_loss", "cart_abandonment_loss",
                 "refund_leakage", "net_revenue_after_leakage"):  # fmt: skip
        response = api.get(
            f"/api/kpis/{name}", params={"start": START, "end": END, "compare": "previous_period"}
        )
        body = response.json()
        row = body["rows"][0]
        mine = labels[body["title"]]
        assert mine[1] == pytest.approx(row["value"], rel=1e-9), name
        assert mine[2] == pytest.approx(row["previous_value"], rel=1e-9), name


def test_top_products_and_inventory_alerts_equal_the_api(
    cells: dict[str, Any], api: TestClient
) -> None:
    products = table(cells["Top products"])
    expected = _get(api, "/api/admin/finance/top-products", start=START, end=END, limit=20)
    assert [row["Product"] for row in products] == [row["product"] for row in expected]
    for mine, row in zip(products, expected, strict=True):
        assert mine["Net revenue"] == pytest.approx(row["item_net_revenue"], rel=1e-9)
        assert mine["Units"] == row["units_sold"]
        assert mine["Gross margin"] == pytest.approx(row["gross_margin"], rel=1e-9)
    sheet = table(cells["Inventory alerts"])
    alerts = {(r["Product id"], r["Fulfillment center"]): r for r in sheet}
    expected_alerts = _get(api, "/inventory/alerts", limit=1000)
    assert alerts.keys() == {(r["product_id"], r["fulfillment_center"]) for r in expected_alerts}
    for row in expected_alerts:
        mine = alerts[(row["product_id"], row["fulfillment_center"])]
        assert mine["Available"] == row["available"]
        assert mine["Days of cover"] == pytest.approx(row["days_of_cover"], rel=1e-9)


def test_cover_names_the_period_and_freshness(cells: dict[str, Any]) -> None:
    cover = {row[0]: row[1] for row in cells["Cover"] if row and row[0]}
    assert cover["Period"] == "01 Apr 2026 – 15 May 2026"
    assert cover["Compared with"] == "15 Feb 2026 – 31 Mar 2026"
    assert cover["  last order in the warehouse (UTC)"] is not None
    assert cover["  last successful build (UTC)"] is not None


def test_workbook_has_native_charts_frozen_headers_and_filters(workbook: Path) -> None:
    with zipfile.ZipFile(workbook) as archive:
        names = archive.namelist()
        sheet_xml = {n: archive.read(n).decode() for n in names if n.startswith("xl/worksheets/s")}
    charts = [n for n in names if n.startswith("xl/charts/chart")]
    assert len(charts) >= 8 and not [n for n in names if n.startswith("xl/media/")]
    frozen = [n for n, xml in sheet_xml.items() if 'state="frozen"' in xml]
    filtered = [n for n, xml in sheet_xml.items() if "<autoFilter" in xml]
    assert len(frozen) == len(filtered) == len(sheet_xml) - 1  # every sheet but the cover
    assert any("colorScale" in xml for xml in sheet_xml.values())
    assert all("<col " in xml for xml in sheet_xml.values())  # column widths
    with zipfile.ZipFile(workbook) as archive:
        styles = archive.read("xl/styles.xml").decode()
    for number_format in ("&quot;$&quot;#,##0.00", "0.0%", "#,##0", "mmm yyyy"):
        assert f'formatCode="{number_format}"' in styles


@pytest.mark.parametrize("built", ["duckdb"], indirect=True)  # the layout is engine-free
def test_libreoffice_converts_the_workbook(workbook: Path, tmp_path: Path) -> None:
    office = require_tool("libreoffice")
    out = artifacts("excel")
    pdf = out / "report.pdf"
    pdf.unlink(missing_ok=True)
    profile = f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}"  # no shared lock
    result = subprocess.run(
        [office, profile, "--headless", "--convert-to", "pdf", "--outdir", str(out),
         str(workbook)],
        capture_output=True, text=True, timeout=180, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert pdf.exists() and pdf.stat().st_size > 10_000, result.stdout + result.stderr
    assert pdf.read_bytes().startswith(b"%PDF")


def test_write_workbook_on_the_default_period(built: Built, tmp_path: Path) -> None:
    data = collect(built.warehouse)
    assert (data.end - data.start).days == 29  # the API's default: the last 30 days with data
    path = write_workbook(data, tmp_path / "default.xlsx")
    assert table(sheets(path)["KPI summary"])[0]["Registry name"] == "net_revenue"
