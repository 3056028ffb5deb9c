"""The PDF briefing: a few A4 landscape pages of matplotlib charts and generated commentary."""

from __future__ import annotations

import datetime as dt
import textwrap
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # no display: reports are rendered in servers and CI

import matplotlib.pyplot as plt
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from globalcart.reports import charts
from globalcart.reports.commentary import change_text, commentary, format_value, is_good
from globalcart.reports.data import KpiLine, ReportData

PAGE = (11.69, 8.27)  # A4 landscape, inches
TILES = ("net_revenue", "orders", "aov", "active_customers", "conversion_rate",
         "gross_margin", "return_rate", "refunds")  # fmt: skip
GOOD, BAD, NEUTRAL = "#2E7D32", "#C62828", "#595959"


def _page(data: ReportData, title: str, number: int) -> Figure:
    fig = plt.figure(figsize=PAGE)
    fig.patch.set_facecolor("white")
    fig.add_artist(Rectangle((0, 0.93), 1, 0.07, transform=fig.transFigure, color=charts.NAVY,
                             zorder=0))  # fmt: skip
    fig.text(0.04, 0.955, title, fontsize=17, color="white", fontweight="bold", va="center")
    period = f"{data.start:%d %b %Y} – {data.end:%d %b %Y}"
    fig.text(0.96, 0.955, period, fontsize=11, color="white", ha="right", va="center")
    footer = (
        f"GlobalCart management briefing · generated {data.generated_at:%Y-%m-%d %H:%M} UTC · "
        "numbers from the KPI registry (docs/kpi_definitions.md)"
    )
    fig.text(0.04, 0.02, footer, fontsize=7, color=NEUTRAL)
    fig.text(0.96, 0.02, f"page {number}", fontsize=7, color=NEUTRAL, ha="right")
    return fig


def _tile(fig: Figure, x: float, y: float, line: KpiLine) -> None:
    box = fig.add_axes((x, y, 0.215, 0.15))
    box.set_xticks([])
    box.set_yticks([])
    box.set_facecolor("#F3F6FA")
    for spine in box.spines.values():
        spine.set_visible(False)
    good = is_good(line)
    colour = NEUTRAL if good is None else GOOD if good else BAD
    box.text(0.06, 0.78, line.kpi.label, fontsize=10, color=NEUTRAL, transform=box.transAxes)
    box.text(0.06, 0.4, format_value(line.value, line.kpi.format), fontsize=20,
             fontweight="bold", color=charts.NAVY, transform=box.transAxes)  # fmt: skip
    arrow = "▲" if (line.change or 0) > 0 else "▼" if (line.change or 0) < 0 else "■"
    box.text(0.06, 0.12, f"{arrow} {change_text(line)} vs "
             f"{format_value(line.previous, line.kpi.format)}", fontsize=9, color=colour,
             transform=box.transAxes)  # fmt: skip


def _summary_page(data: ReportData) -> Figure:
    fig = _page(data, "Management briefing", 1)
    lines = {line.kpi.name: line for line in data.summary}
    for index, name in enumerate(TILES):
        column, row = index % 4, index // 4
        _tile(fig, 0.04 + column * 0.235, 0.72 - row * 0.17, lines[name])
    compared = f"{data.previous_start:%d %b} – {data.previous_end:%d %b %Y}"
    fig.text(0.04, 0.49, f"Highlights (compared with {compared})", fontsize=13,
             fontweight="bold", color=charts.NAVY)  # fmt: skip
    y = 0.445
    for sentence in commentary(data):
        wrapped = textwrap.wrap(sentence, 150)
        fig.text(0.05, y, "•", fontsize=10, color=charts.BLUE, va="top", linespacing=1.4)
        fig.text(0.065, y, "\n".join(wrapped), fontsize=10, color="#202020", va="top",
                 linespacing=1.4)  # fmt: skip
        y -= 0.028 * len(wrapped) + 0.016
    fresh = data.freshness
    fig.text(0.04, 0.07, _freshness_text(fresh), fontsize=8, color=NEUTRAL)
    return fig


def _freshness_text(fresh: dict[str, object]) -> str:
    def show(value: object) -> str:
        if isinstance(value, dt.datetime):
            return f"{value:%Y-%m-%d %H:%M} UTC"
        return str(value) if value is not None else "n/a"

    return (
        f"Data freshness — last build: {show(fresh.get('last_build'))}; last order: "
        f"{show(fresh.get('last_order'))}; latest inventory snapshot: "
        f"{show(fresh.get('last_inventory_snapshot'))}."
    )


def _trend_page(data: ReportData) -> Figure:
    fig = _page(data, "Revenue trend and outlook", 2)
    grid = fig.add_gridspec(2, 1, left=0.07, right=0.93, top=0.86, bottom=0.09, hspace=0.38)
    charts.revenue_trend(fig.add_subplot(grid[0]), data)
    charts.forecast_chart(fig.add_subplot(grid[1]), data)
    return fig


def _customers_page(data: ReportData) -> Figure:
    fig = _page(data, "Funnel, leakage and retention", 3)
    grid = fig.add_gridspec(2, 2, left=0.13, right=0.97, top=0.86, bottom=0.08, hspace=0.42,
                            wspace=0.45, height_ratios=[1, 1.15])  # fmt: skip
    charts.funnel_chart(fig.add_subplot(grid[0, 0]), data)
    charts.leakage_chart(fig.add_subplot(grid[0, 1]), data)
    charts.retention_heatmap(fig.add_subplot(grid[1, :]), data)
    return fig


def _inventory_page(data: ReportData) -> Figure:
    fig = _page(data, "Inventory alerts", 4)
    alerts = data.inventory_alerts
    urgent = sum(1 for row in alerts if (row["days_of_cover"] or 0) < 7)
    snapshot = alerts[0]["snapshot_date"] if alerts else data.freshness.get(
        "last_inventory_snapshot")  # fmt: skip
    summary = (
        f"{len(alerts):,} product × fulfillment-center rows are below their reorder point at the "
        f"{snapshot} snapshot; {urgent:,} have less than a week of cover at the last 28 days' "
        "sales (or no recent sales). The full list is in the Excel report."
    )
    fig.text(0.04, 0.875, "\n".join(textwrap.wrap(summary, 140)), fontsize=10, va="top",
             color="#202020", linespacing=1.4)  # fmt: skip
    shown = min(max(len(alerts), 4), charts.ALERT_ROWS)
    height = 0.36 * shown / charts.ALERT_ROWS
    charts.alerts_chart(fig.add_axes((0.3, 0.77 - height, 0.64, height)), data)
    charts.alerts_table(fig.add_axes((0.04, 0.06, 0.92, 0.72 - height - 0.1)), data)
    return fig


def write_pdf(data: ReportData, path: Path) -> Path:
    """Write the briefing for ``data`` to ``path``."""
    pages = (_summary_page, _trend_page, _customers_page, _inventory_page)
    # "$" is money, not mathtext, in every label
    with plt.rc_context({"text.parse_math": False}), PdfPages(path) as pdf:
        info = pdf.infodict()
        info["Title"] = f"GlobalCart management briefing {data.start} – {data.end}"
        info["Author"] = "GlobalCart"
        for build in pages:
            fig = build(data)
            pdf.savefig(fig)
            plt.close(fig)
    return path
