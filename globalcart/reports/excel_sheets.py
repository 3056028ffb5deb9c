"""The workbook's detail sheets: cohort retention, funnel and leakage, top products and
inventory alerts (tables with native charts and conditional formats)."""

from __future__ import annotations

from typing import Any

from xlsxwriter.workbook import Workbook

from globalcart.reports.commentary import is_good
from globalcart.reports.data import STAGES, KpiLine, ReportData
from globalcart.reports.excel_style import (
    ACCENT,
    BAD,
    GOOD,
    NAVY,
    Column,
    Styles,
    heading,
    table,
    write_cell,
)

HEADER_ROW = 3
COHORT_MONTHS = 13  # month 0 (the acquisition month) to month 12
COHORTS_SHEET = "Cohorts"
FUNNEL_SHEET = "Funnel & leakage"
PRODUCTS_SHEET = "Top products"
INVENTORY_SHEET = "Inventory alerts"
GRIDLINES = {"visible": True, "line": {"color": "#D9D9D9"}}


def cohorts_sheet(book: Workbook, styles: Styles, data: ReportData) -> None:
    """Cohort × month-number retention matrix with a colour scale (blank: not yet observed)."""
    ws = book.add_worksheet(COHORTS_SHEET)
    heading(ws, styles, "Monthly cohort retention",
            "Share of each acquisition cohort (month of the first revenue order) with a revenue "
            "order in month N after it (KPI cohort_retention)")  # fmt: skip
    sizes: dict[Any, int] = {}
    cells: dict[tuple[Any, int], float | None] = {}
    for row in data.cohorts:
        sizes[row["cohort_month"]] = row["cohort_customers"]
        cells[(row["cohort_month"], row["month_number"])] = row["retention_rate"]
    ws.write_string(HEADER_ROW, 0, "Cohort", styles.header)
    ws.write_string(HEADER_ROW, 1, "Customers", styles.header)
    for number in range(COHORT_MONTHS):
        ws.write_string(HEADER_ROW, number + 2, f"Month {number}", styles.header)
    ws.set_column(0, 0, 12)
    ws.set_column(1, 1, 11)
    ws.set_column(2, COHORT_MONTHS + 1, 9)
    rate = styles.number("percent")
    cohorts = sorted(sizes)
    for line, cohort in enumerate(cohorts, start=HEADER_ROW + 1):
        write_cell(ws, line, 0, cohort, styles.number("month"))
        write_cell(ws, line, 1, sizes[cohort], styles.number("integer"))
        for number in range(COHORT_MONTHS):
            write_cell(ws, line, number + 2, cells.get((cohort, number)), rate)
    last = HEADER_ROW + max(len(cohorts), 1)
    ws.autofilter(HEADER_ROW, 0, last, COHORT_MONTHS + 1)
    ws.freeze_panes(HEADER_ROW + 1, 2)
    ws.conditional_format(HEADER_ROW + 1, 3, last, COHORT_MONTHS + 1, {
        "type": "3_color_scale", "min_color": "#F8696B", "mid_color": "#FFEB84",
        "max_color": "#63BE7B"})  # fmt: skip
    ws.write_string(last + 2, 0, "Month 0 is the acquisition month (always 100 %); blank cells "
                    "are months that have not ended yet.", styles.subtitle)  # fmt: skip


def write_kpi_line(ws: Any, styles: Styles, row: int, line: KpiLine) -> None:
    """Label, value, previous value, change and change % (coloured by the KPI's direction)."""
    good = is_good(line)
    colour = None if good is None else GOOD if good else BAD
    fmt = line.kpi.format
    ws.write_string(row, 0, line.kpi.label, styles.text)
    write_cell(ws, row, 1, line.value, styles.number(fmt))
    write_cell(ws, row, 2, line.previous, styles.number(fmt))
    write_cell(ws, row, 3, line.change, styles.number(fmt, colour, signed=True))
    write_cell(ws, row, 4, line.change_pct, styles.number("percent", colour, signed=True))


def _comparison(ws: Any, styles: Styles, top: int, lines: list[KpiLine], title: str) -> int:
    """A KPI block under a header row at ``top``; returns its last row."""
    headers = (title, "This period", "Previous period", "Change", "Change %")
    for offset, header in enumerate(headers):
        ws.write_string(top, offset, header, styles.header)
    for row, line in enumerate(lines, start=top + 1):
        write_kpi_line(ws, styles, row, line)
    return top + len(lines)


def funnel_sheet(book: Workbook, styles: Styles, data: ReportData) -> None:
    """Session funnel stages (this and the previous period), funnel rates and revenue leakage."""
    ws = book.add_worksheet(FUNNEL_SHEET)
    heading(ws, styles, "Funnel and revenue leakage",
            "Sessions reaching each stage (session based: a stage counts once per session) and "
            "what leaks out of revenue")  # fmt: skip
    sessions = data.funnel["sessions"][0] or 0
    rows: list[dict[str, Any]] = []
    previous_stage: int | None = None
    for stage, label in STAGES:
        now, before = data.funnel[stage]
        rows.append({
            "stage": label, "now": now, "before": before,
            "change_pct": (now - before) / before if before else None,
            "step": now / previous_stage if previous_stage else None,
            "overall": now / sessions if sessions else None,
        })  # fmt: skip
        previous_stage = now
    columns = [Column("Stage", "stage", width=34), Column("Sessions", "now", "integer", 16),
               Column("Previous period", "before", "integer", 16),
               Column("Change %", "change_pct", "percent", 14),
               Column("From previous stage", "step", "percent", 14),
               Column("From sessions", "overall", "percent", 12)]  # fmt: skip
    last = table(ws, styles, HEADER_ROW, columns, rows)
    chart = book.add_chart({"type": "bar"})
    chart.add_series({
        "name": [FUNNEL_SHEET, HEADER_ROW, 1],
        "categories": [FUNNEL_SHEET, HEADER_ROW + 1, 0, last, 0],
        "values": [FUNNEL_SHEET, HEADER_ROW + 1, 1, last, 1],
        "fill": {"color": ACCENT}, "gap": 40,
        "data_labels": {"value": True, "num_format": "#,##0"},
    })  # fmt: skip
    chart.set_title({"name": "Session funnel"})
    chart.set_y_axis({"reverse": True})
    chart.set_x_axis({"num_format": "#,##0", "major_gridlines": GRIDLINES})
    chart.set_legend({"none": True})
    ws.insert_chart(HEADER_ROW, len(columns) + 1, chart, {"x_scale": 1.3, "y_scale": 1.1})
    top = last + 2
    top = _comparison(ws, styles, top, data.funnel_rates, "Funnel rates") + 2
    leak_top = top
    top = _comparison(ws, styles, top, [*data.leakage, data.leakage_total], "Revenue leakage")
    ws.write_string(top + 1, 0, "Refunds are already deducted from net revenue; the cart-"
                    "abandonment loss is an upper-bound estimate (see the KPI definitions).",
                    styles.subtitle)  # fmt: skip
    leak = book.add_chart({"type": "column"})
    leak.add_series({
        "name": [FUNNEL_SHEET, leak_top, 1],
        "categories": [FUNNEL_SHEET, leak_top + 1, 0, leak_top + len(data.leakage), 0],
        "values": [FUNNEL_SHEET, leak_top + 1, 1, leak_top + len(data.leakage), 1],
        "fill": {"color": "#ED7D31"},
    })  # fmt: skip
    leak.add_series({
        "name": [FUNNEL_SHEET, leak_top, 2],
        "categories": [FUNNEL_SHEET, leak_top + 1, 0, leak_top + len(data.leakage), 0],
        "values": [FUNNEL_SHEET, leak_top + 1, 2, leak_top + len(data.leakage), 2],
        "fill": {"color": "#BFBFBF"},
    })  # fmt: skip
    leak.set_title({"name": "Revenue leakage by source"})
    leak.set_y_axis({"num_format": '"$"#,##0', "major_gridlines": GRIDLINES})
    leak.set_legend({"position": "bottom"})
    below_funnel = HEADER_ROW + 18  # the funnel chart is about 17 rows high
    ws.insert_chart(below_funnel, len(columns) + 1, leak, {"x_scale": 1.3, "y_scale": 1.1})


def products_sheet(book: Workbook, styles: Styles, data: ReportData) -> None:
    """The period's top products by net revenue, with units, gross profit and margin."""
    ws = book.add_worksheet(PRODUCTS_SHEET)
    heading(ws, styles, "Top products",
            f"By product net revenue, {data.start} – {data.end} (KPIs item_net_revenue, "
            "units_sold, gross_profit, gross_margin)")  # fmt: skip
    rows = [{"rank": rank, **row} for rank, row in enumerate(data.top_products, start=1)]
    columns = [Column("Rank", "rank", "integer", 6), Column("Product", "product", width=40),
               Column("Net revenue", "item_net_revenue", "currency", 15),
               Column("Units", "units_sold", "integer", 9),
               Column("Gross profit", "gross_profit", "currency", 15),
               Column("Gross margin", "gross_margin", "percent", 12)]  # fmt: skip
    last = table(ws, styles, HEADER_ROW, columns, rows)
    chart = book.add_chart({"type": "bar"})
    shown = min(len(rows), 10)
    chart.add_series({
        "name": [PRODUCTS_SHEET, HEADER_ROW, 2],
        "categories": [PRODUCTS_SHEET, HEADER_ROW + 1, 1, HEADER_ROW + shown, 1],
        "values": [PRODUCTS_SHEET, HEADER_ROW + 1, 2, HEADER_ROW + shown, 2],
        "fill": {"color": NAVY}, "gap": 40,
    })  # fmt: skip
    chart.set_title({"name": f"Top {shown} products by net revenue"})
    chart.set_y_axis({"reverse": True})
    chart.set_x_axis({"num_format": '"$"#,##0', "major_gridlines": GRIDLINES})
    chart.set_legend({"none": True})
    ws.insert_chart(HEADER_ROW, len(columns) + 1, chart, {"x_scale": 1.5, "y_scale": 1.4})
    ws.conditional_format(HEADER_ROW + 1, 5, last, 5, {
        "type": "cell", "criteria": "<", "value": 0,
        "format": book.add_format({"font_color": BAD})})  # fmt: skip


def inventory_sheet(book: Workbook, styles: Styles, data: ReportData) -> None:
    """Product × fulfillment-center rows below their reorder point, least cover first."""
    ws = book.add_worksheet(INVENTORY_SHEET)
    snapshot = data.inventory_alerts[0]["snapshot_date"] if data.inventory_alerts else None
    heading(ws, styles, "Inventory alerts",
            f"Snapshot {snapshot or 'n/a'}: on hand − allocated below the reorder point "
            "(KPI inventory_alerts); days of cover = available / average daily units sold over "
            "28 days")  # fmt: skip
    columns = [Column("Product", "product", width=36), Column("Category", "category", width=16),
               Column("Fulfillment center", "fulfillment_center", width=20),
               Column("On hand", "on_hand", "integer", 10),
               Column("Allocated", "allocated", "integer", 10),
               Column("Available", "available", "integer", 10),
               Column("Reorder point", "reorder_point", "integer", 10),
               Column("Inbound", "inbound", "integer", 10),
               Column("Units sold (28 d)", "units_sold_28d", "integer", 12),
               Column("Days of cover", "days_of_cover", "days", 11),
               Column("Product id", "product_id", "integer", 10)]  # fmt: skip
    last = table(ws, styles, HEADER_ROW, columns, data.inventory_alerts)
    urgent = book.add_format({"bg_color": "#F8CBAD", "font_color": "#9C0006"})
    ws.conditional_format(HEADER_ROW + 1, 9, last, 9, {
        "type": "cell", "criteria": "<", "value": 7, "format": urgent})  # fmt: skip
