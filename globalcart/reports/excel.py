"""The management workbook (xlsxwriter): cover, KPI summary, monthly trend and pivots; the
other sheets are in :mod:`globalcart.reports.excel_sheets`."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from xlsxwriter.workbook import Workbook

from globalcart.reports.commentary import commentary
from globalcart.reports.data import ReportData
from globalcart.reports.excel_sheets import (
    cohorts_sheet,
    funnel_sheet,
    inventory_sheet,
    products_sheet,
    write_kpi_line,
)
from globalcart.reports.excel_style import (
    ACCENT,
    PALETTE,
    Column,
    Styles,
    heading,
    page_setup,
    table,
    write_cell,
)

SUMMARY_SHEET = "KPI summary"
TREND_SHEET = "Trend"
PIVOT_SHEETS = {
    "category": "By category",
    "country": "By country",
    "channel": "By channel",
    "segment": "By segment",
}
CHART_SERIES = 8
COVER_CHARS = 100  # width of the cover's text column, in characters
DEFINITION_CHARS = 80  # column width in characters; longer definitions wrap onto more lines
HEADER_ROW = 3  # tables start below the title, the subtitle and a blank row


def _period(data: ReportData) -> str:
    return f"{data.start:%d %b %Y} – {data.end:%d %b %Y}"


def _cover(book: Workbook, styles: Styles, data: ReportData) -> None:
    ws = book.add_worksheet("Cover")
    ws.hide_gridlines(2)
    page_setup(ws)
    ws.set_column(0, 0, 36)
    ws.set_column(1, 1, COVER_CHARS)
    ws.write_string(0, 0, "GlobalCart management report", styles.title)
    ws.set_row(0, 30)
    fresh = data.freshness
    facts: list[tuple[str, Any, str]] = [
        ("Period", _period(data), "text"),
        ("Compared with", f"{data.previous_start:%d %b %Y} – {data.previous_end:%d %b %Y}", "text"),
        ("Trend and cohorts from", data.trend_start, "date"),
        ("Generated (UTC)", data.generated_at.replace(tzinfo=None), "datetime"),
        ("Data freshness", "", "text"),
        ("  last successful build (UTC)", fresh.get("last_build"), "datetime"),
        ("  last order in the warehouse (UTC)", fresh.get("last_order"), "datetime"),
        ("  latest inventory snapshot", fresh.get("last_inventory_snapshot"), "date"),
    ]
    datetime_format = book.add_format({"num_format": "yyyy-mm-dd hh:mm", "align": "left"})
    date_format = book.add_format({"num_format": "yyyy-mm-dd", "align": "left"})
    formats = {"text": styles.text, "date": date_format, "datetime": datetime_format}
    for row, (label, value, kind) in enumerate(facts, start=2):
        ws.write_string(row, 0, label, styles.label)
        write_cell(ws, row, 1, value if value != "" else None, formats[kind])
    row = len(facts) + 3
    ws.write_string(row, 0, "Highlights", styles.label)
    for offset, sentence in enumerate(commentary(data), start=1):
        ws.write_string(row + offset, 1, sentence, styles.wrap)
        ws.set_row(row + offset, 15 * math.ceil(len(sentence) / COVER_CHARS))
    row += len(commentary(data)) + 2
    ws.write_string(row, 0, "Sheets", styles.label)
    sheets = [SUMMARY_SHEET, TREND_SHEET, *PIVOT_SHEETS.values(), "Cohorts",
              "Funnel & leakage", "Top products", "Inventory alerts"]  # fmt: skip
    for offset, name in enumerate(sheets, start=1):
        ws.write_url(row + offset, 1, f"internal:'{name}'!A1", string=name)
    note = (
        "Every number comes from the KPI registry (globalcart/semantic/kpis.yml), the same "
        "definitions the API and the dashboard use; amounts are USD at the order day's FX rate."
    )
    ws.write_string(row + len(sheets) + 2, 1, note, styles.subtitle)


def _summary(book: Workbook, styles: Styles, data: ReportData) -> None:
    ws = book.add_worksheet(SUMMARY_SHEET)
    heading(ws, styles, "KPI summary", f"{_period(data)} compared with the previous period")
    columns = [
        Column("KPI", "label", width=30), Column("Value", "value", width=16),
        Column("Previous period", "previous", width=16),
        Column("Change (points for rates)", "change", width=16),
        Column("Change %", "change_pct", width=11), Column("Unit", "unit", width=8),
        Column("Definition", "definition", "wrap", width=DEFINITION_CHARS),
        Column("Registry name", "kpi", width=24),
    ]  # fmt: skip
    table(ws, styles, HEADER_ROW, columns, [])
    for row, line in enumerate(data.summary, start=HEADER_ROW + 1):
        write_kpi_line(ws, styles, row, line)
        ws.write_string(row, 5, line.kpi.unit, styles.text)
        definition = " ".join(line.kpi.description.split())
        ws.write_string(row, 6, definition, styles.wrap)
        ws.set_row(row, 15 * math.ceil(len(definition) / DEFINITION_CHARS))
        ws.write_string(row, 7, line.kpi.name, styles.text)
    ws.autofilter(HEADER_ROW, 0, HEADER_ROW + len(data.summary), len(columns) - 1)


def _trend(book: Workbook, styles: Styles, data: ReportData) -> None:
    ws = book.add_worksheet(TREND_SHEET)
    heading(ws, styles, "Monthly trend", f"Net revenue, orders and AOV from {data.trend_start}"
            " (the last month may be partial)")  # fmt: skip
    columns = [Column("Month", "period", "month", 12), Column("Net revenue", "net_revenue",
               "currency", 16), Column("Orders", "orders", "integer", 10),
               Column("Average order value", "aov", "currency", 18)]  # fmt: skip
    last = table(ws, styles, HEADER_ROW, columns, data.monthly)
    chart = book.add_chart({"type": "column"})
    chart.add_series({
        "name": [TREND_SHEET, HEADER_ROW, 1], "categories": [TREND_SHEET, HEADER_ROW + 1, 0,
        last, 0], "values": [TREND_SHEET, HEADER_ROW + 1, 1, last, 1],
        "fill": {"color": ACCENT}, "gap": 60,
    })  # fmt: skip
    line = book.add_chart({"type": "line"})
    line.add_series({
        "name": [TREND_SHEET, HEADER_ROW, 3], "categories": [TREND_SHEET, HEADER_ROW + 1, 0,
        last, 0], "values": [TREND_SHEET, HEADER_ROW + 1, 3, last, 3], "y2_axis": True,
        "line": {"color": "#ED7D31", "width": 2.25}, "marker": {"type": "circle"},
    })  # fmt: skip
    chart.combine(line)
    chart.set_title({"name": "Net revenue and average order value"})
    chart.set_x_axis({"num_format": "mmm yy", "date_axis": False})
    chart.set_y_axis(
        {
            "name": "Net revenue (USD)",
            "num_format": '"$"#,##0',
            "major_gridlines": {"visible": True, "line": {"color": "#D9D9D9"}},
        }
    )
    line.set_y2_axis({"name": "AOV (USD)", "num_format": '"$"#,##0'})
    chart.set_legend({"position": "bottom"})
    ws.insert_chart(HEADER_ROW, len(columns) + 1, chart, {"x_scale": 1.6, "y_scale": 1.3})


def _pivot(book: Workbook, styles: Styles, data: ReportData, by: str, name: str) -> None:
    ws = book.add_worksheet(name)
    kpi = data.pivot_kpis[by]
    heading(ws, styles, f"{kpi.label} by {by} and month",
            f"KPI {kpi.name}: {' '.join(kpi.description.split())}")  # fmt: skip
    months = data.months
    totals: dict[str, float] = {}
    cells: dict[tuple[str, Any], float] = {}
    for item in data.pivots[by]:
        key = str(item[by])
        cells[(key, item["period"])] = item["value"] or 0.0
        totals[key] = totals.get(key, 0.0) + (item["value"] or 0.0)
    keys = sorted(totals, key=lambda k: (-totals[k], k))
    ws.write_string(HEADER_ROW, 0, by.capitalize(), styles.header)
    ws.set_column(0, 0, 24)
    for col, month in enumerate(months, start=1):
        ws.write_datetime(HEADER_ROW, col, month, styles.month_header)
    total_col = len(months) + 1
    ws.write_string(HEADER_ROW, total_col, "Total", styles.header)
    ws.set_column(1, total_col, 13)
    money = styles.number("currency")
    for row, key in enumerate(keys, start=HEADER_ROW + 1):
        ws.write_string(row, 0, key, styles.text)
        for col, month in enumerate(months, start=1):
            ws.write_number(row, col, cells.get((key, month), 0.0), money)
        ws.write_number(row, total_col, totals[key], styles.total)
    last = HEADER_ROW + max(len(keys), 1)
    ws.write_string(last + 1, 0, "Total", styles.total_label)
    for col, month in enumerate(months, start=1):
        ws.write_number(last + 1, col, sum(cells.get((k, month), 0.0) for k in keys),
                        styles.total)  # fmt: skip
    ws.write_number(last + 1, total_col, sum(totals.values()), styles.total)
    ws.autofilter(HEADER_ROW, 0, last, total_col)
    ws.freeze_panes(HEADER_ROW + 1, 1)
    chart = book.add_chart({"type": "column", "subtype": "stacked"})
    for index in range(min(len(keys), CHART_SERIES)):
        row = HEADER_ROW + 1 + index
        chart.add_series({
            "name": [name, row, 0], "categories": [name, HEADER_ROW, 1, HEADER_ROW,
            len(months)], "values": [name, row, 1, row, len(months)],
            "fill": {"color": PALETTE[index % len(PALETTE)]}, "gap": 50,
        })  # fmt: skip
    shown = "" if len(keys) <= CHART_SERIES else f" (top {CHART_SERIES})"
    chart.set_title({"name": f"{kpi.label} by {by}{shown}"})
    chart.set_y_axis(
        {
            "num_format": '"$"#,##0',
            "major_gridlines": {"visible": True, "line": {"color": "#D9D9D9"}},
        }
    )
    chart.set_x_axis({"num_format": "mmm yy"})
    chart.set_legend({"position": "right"})
    ws.insert_chart(last + 3, 0, chart, {"x_scale": 2.2, "y_scale": 1.3})


def write_workbook(data: ReportData, path: Path) -> Path:
    """Write the management workbook for ``data`` to ``path``."""
    book = Workbook(str(path), {"remove_timezone": True})
    book.set_properties(
        {
            "title": f"GlobalCart management report {_period(data)}",
            "author": "GlobalCart",
            "comments": "Generated from the KPI registry",
        }
    )
    styles = Styles(book)
    _cover(book, styles, data)
    _summary(book, styles, data)
    _trend(book, styles, data)
    for by, name in PIVOT_SHEETS.items():
        _pivot(book, styles, data, by, name)
    cohorts_sheet(book, styles, data)
    funnel_sheet(book, styles, data)
    products_sheet(book, styles, data)
    inventory_sheet(book, styles, data)
    book.close()
    return path
