"""Matplotlib charts of the PDF briefing; each draws on an ``Axes`` it is given."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.colors import LinearSegmentedColormap
from matplotlib.ticker import FuncFormatter

from globalcart.analytics.forecast import forecast
from globalcart.reports.data import STAGES, ReportData

NAVY = "#1F3864"
BLUE = "#2E75B6"
ORANGE = "#ED7D31"
GREY = "#7F7F7F"
LIGHT_GREY = "#D9D9D9"
FORECAST_DAYS = 28
HISTORY_SHOWN_DAYS = 91
ALERT_ROWS = 15
RETENTION_MONTHS = 7  # month 0 and the six after it fit a page legibly
HEATMAP = LinearSegmentedColormap.from_list("retention", ["#F7FBFF", "#6BAED6", "#08306B"])


def money(value: float, _: object = None) -> str:
    """``$1.2M``, ``$45k``, ``$950`` for axis ticks and labels."""
    size = abs(value)
    if size >= 1_000_000:
        return f"${value / 1_000_000:.1f}M"
    if size >= 10_000:
        return f"${value / 1000:.0f}k"
    if size >= 1000:
        return f"${value / 1000:.1f}k"
    return f"${value:.0f}"


def _style(ax: Axes, title: str) -> None:
    ax.set_title(title, loc="left", fontsize=12, fontweight="bold", color=NAVY, pad=10)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.spines["left"].set_color(GREY)
    ax.spines["bottom"].set_color(GREY)
    ax.tick_params(colors="#404040", labelsize=8)


def revenue_trend(ax: Axes, data: ReportData) -> None:
    """Monthly net revenue (bars) and average order value (line, right axis)."""
    _style(ax, "Net revenue and average order value by month")
    labels = [f"{row['period']:%b %y}" for row in data.monthly]
    x = np.arange(len(labels))
    revenue = [row["net_revenue"] or 0 for row in data.monthly]
    ax.bar(x, revenue, color=BLUE, width=0.65, label="Net revenue")
    ax.yaxis.set_major_formatter(FuncFormatter(money))
    ax.set_xticks(x, labels)
    ax.grid(axis="y", color=LIGHT_GREY, linewidth=0.6)
    ax.set_axisbelow(True)
    right = ax.twinx()
    aov = [row["aov"] if row["aov"] is not None else np.nan for row in data.monthly]
    right.plot(x, aov, color=ORANGE, marker="o", linewidth=2, label="Average order value")
    right.yaxis.set_major_formatter(FuncFormatter(money))
    right.set_ylim(0, max([v for v in aov if v == v] or [1]) * 1.25)
    for side in ("top", "left"):
        right.spines[side].set_visible(False)
    right.tick_params(colors=ORANGE, labelsize=8)
    handles = ax.get_legend_handles_labels()[0] + right.get_legend_handles_labels()[0]
    ax.legend(handles, ["Net revenue", "Average order value (right)"], loc="upper left",
              fontsize=8, frameon=False)  # fmt: skip


def daily_series(data: ReportData) -> pd.Series:
    """Daily net revenue (the registry's ``net_revenue`` by day) as a Series."""
    index = pd.DatetimeIndex([pd.Timestamp(row["period"]) for row in data.daily_revenue])
    values = [float(row["value"] or 0) for row in data.daily_revenue]
    return pd.Series(values, index=index, name="net_revenue")


def forecast_chart(ax: Axes, data: ReportData) -> None:
    """The last quarter's daily net revenue and a 28-day forecast with 80 % / 95 % intervals."""
    _style(ax, f"Daily net revenue: next {FORECAST_DAYS} days forecast")
    series = daily_series(data)
    try:
        prediction = forecast(series, FORECAST_DAYS)
    except ValueError as exc:
        ax.text(0.5, 0.5, f"Not enough history to forecast ({exc}).", ha="center",
                va="center", transform=ax.transAxes, color=GREY)  # fmt: skip
        return
    shown = series.iloc[-HISTORY_SHOWN_DAYS:]
    ax.plot(shown.index, shown.to_numpy(), color=NAVY, linewidth=1, label="Actual")
    ax.plot(shown.index, shown.rolling(7).mean().to_numpy(), color=GREY, linewidth=1.2,
            linestyle="--", label="7-day average")  # fmt: skip
    when = prediction.index
    ax.fill_between(when, prediction["lower_95"].clip(lower=0), prediction["upper_95"],
                    color=ORANGE, alpha=0.15, linewidth=0, label="95 % interval")  # fmt: skip
    ax.fill_between(when, prediction["lower_80"].clip(lower=0), prediction["upper_80"],
                    color=ORANGE, alpha=0.3, linewidth=0, label="80 % interval")  # fmt: skip
    ax.plot(when, prediction["forecast"], color=ORANGE, linewidth=2, label="Forecast")
    ax.axvline(shown.index[-1], color=GREY, linewidth=0.8, linestyle=":")
    ax.yaxis.set_major_formatter(FuncFormatter(money))
    ax.set_ylim(bottom=0)
    ax.grid(axis="y", color=LIGHT_GREY, linewidth=0.6)
    ax.legend(loc="lower left", bbox_to_anchor=(0, 1.0), fontsize=8, frameon=False, ncol=5,
              borderaxespad=0.2)  # fmt: skip
    ax.set_title(f"Daily net revenue: next {FORECAST_DAYS} days forecast "
                 f"({money(prediction['forecast'].sum())} in total)", loc="left", fontsize=12,
                 fontweight="bold", color=NAVY, pad=24)  # fmt: skip
    ax.tick_params(axis="x", labelrotation=0)
    epoch = dt.datetime(1970, 1, 1)  # matplotlib's date numbers are days since its epoch
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{epoch + dt.timedelta(v):%d %b}"))


def funnel_chart(ax: Axes, data: ReportData) -> None:
    """Sessions reaching each stage with the share of all sessions."""
    _style(ax, "Session funnel")
    labels = [label for _, label in STAGES]
    values = [data.funnel[stage][0] for stage, _ in STAGES]
    y = np.arange(len(labels))
    colours = [NAVY, *[BLUE] * (len(labels) - 2), "#70AD47"]
    ax.barh(y, values, color=colours, height=0.6)
    ax.set_yticks(y, labels)
    ax.invert_yaxis()
    top = max(values) or 1
    ax.set_xlim(0, top * 1.35)
    for row, value in enumerate(values):
        share = value / top
        ax.text(value + top * 0.02, row, f"{value:,}  ({share:.1%})", va="center", fontsize=8)
    ax.xaxis.set_visible(False)
    ax.spines["bottom"].set_visible(False)


def leakage_chart(ax: Axes, data: ReportData) -> None:
    """Revenue leakage by source, this period against the previous one."""
    _style(ax, "Revenue leakage by source")
    labels = [line.kpi.label.replace("Estimated ", "").capitalize() for line in data.leakage]
    x = np.arange(len(labels))
    now = [line.value or 0 for line in data.leakage]
    before = [line.previous or 0 for line in data.leakage]
    ax.bar(x - 0.2, before, width=0.4, color=LIGHT_GREY, label="Previous period")
    ax.bar(x + 0.2, now, width=0.4, color=ORANGE, label="This period")
    for position, value in zip(x, now, strict=True):
        ax.text(position + 0.2, value, money(value), ha="center", va="bottom", fontsize=8)
    ax.set_xticks(x, [label.replace(" loss", "\nloss") for label in labels])
    ax.yaxis.set_major_formatter(FuncFormatter(money))
    ax.grid(axis="y", color=LIGHT_GREY, linewidth=0.6)
    ax.set_axisbelow(True)
    ax.legend(fontsize=8, frameon=False)


def retention_heatmap(ax: Axes, data: ReportData) -> None:
    """Cohort × month-number retention (months not yet ended are left blank)."""
    _style(ax, "Cohort retention: share of each cohort buying again in month N")
    cohorts = sorted({row["cohort_month"] for row in data.cohorts})
    matrix = np.full((len(cohorts), RETENTION_MONTHS - 1), np.nan)
    sizes = {}
    for row in data.cohorts:
        number = row["month_number"]
        sizes[row["cohort_month"]] = row["cohort_customers"]
        if 1 <= number < RETENTION_MONTHS and row["retention_rate"] is not None:
            matrix[cohorts.index(row["cohort_month"]), number - 1] = row["retention_rate"]
    if not cohorts:
        ax.text(0.5, 0.5, "No cohorts in the period.", ha="center", transform=ax.transAxes)
        return
    top = np.nanmax(matrix) if np.isfinite(matrix).any() else 1.0
    ax.imshow(matrix, cmap=HEATMAP, vmin=0, vmax=top, aspect="auto")
    for (i, j), value in np.ndenumerate(matrix):
        if value == value:
            colour = "white" if value > top * 0.55 else "#202020"
            ax.text(j, i, f"{value:.0%}", ha="center", va="center", fontsize=7, color=colour)
    ax.set_xticks(range(RETENTION_MONTHS - 1), [f"M{n}" for n in range(1, RETENTION_MONTHS)])
    ax.set_yticks(range(len(cohorts)), [f"{c:%b %Y} ({sizes[c]:,})" for c in cohorts])
    ax.tick_params(length=0)
    for side in ax.spines.values():
        side.set_visible(False)
    ax.set_xlabel("Months after the first order (cohort size in brackets)", fontsize=8)


def alerts_chart(ax: Axes, data: ReportData, rows: int = ALERT_ROWS) -> None:
    """The alerts with the least days of cover (available stock against the reorder point)."""
    alerts = data.inventory_alerts[:rows]
    _style(ax, f"Lowest stock cover ({len(data.inventory_alerts):,} alerts)")
    if not alerts:
        ax.text(0.5, 0.5, "No product is below its reorder point.", ha="center",
                transform=ax.transAxes)  # fmt: skip
        return
    labels = [f"{row['product'][:28]} · {row['fulfillment_center']}" for row in alerts]
    y = np.arange(len(alerts))
    available = [max(row["available"] or 0, 0) for row in alerts]
    reorder = [row["reorder_point"] or 0 for row in alerts]
    ax.barh(y, reorder, color=LIGHT_GREY, height=0.7, label="Reorder point")
    ax.barh(y, available, color="#C00000", height=0.4, label="Available (on hand − allocated)")
    ax.set_yticks(y, labels, fontsize=8)
    for row, item in enumerate(alerts):
        cover = item["days_of_cover"]
        text = "no recent sales" if cover is None else f"{cover:.1f} days of cover"
        ax.text(reorder[row] * 1.02 + 0.5, row, text, va="center", fontsize=7, color="#404040")
    ax.set_xlim(0, max(reorder) * 1.45 + 1)
    ax.set_ylim(max(len(alerts), 4) - 0.5, -0.5)
    ax.set_xlabel("units", fontsize=8)
    ax.legend(fontsize=8, frameon=False, loc="lower right", bbox_to_anchor=(1, 1), ncol=2)


def alerts_table(ax: Axes, data: ReportData, rows: int = ALERT_ROWS) -> None:
    """The same alerts as a table: stock position, recent sales and cover."""
    ax.axis("off")
    alerts = data.inventory_alerts[:rows]
    if not alerts:
        return
    header = ["Product", "Category", "Fulfillment center", "On hand", "Allocated", "Available",
              "Reorder\npoint", "Inbound", "Sold\n(28 days)", "Days of\ncover"]  # fmt: skip
    cells = [
        [row["product"][:34], row["category"], row["fulfillment_center"], f"{row['on_hand']:,}",
         f"{row['allocated']:,}", f"{row['available']:,}", f"{row['reorder_point']:,}",
         f"{row['inbound']:,}", f"{row['units_sold_28d']:,}",
         "–" if row["days_of_cover"] is None else f"{row['days_of_cover']:.1f}"]
        for row in alerts
    ]  # fmt: skip
    grid = ax.table(cellText=cells, colLabels=header, loc="upper center", cellLoc="right",
                    colLoc="center", colWidths=[0.22, 0.1, 0.13, *[0.069] * 7])  # fmt: skip
    grid.auto_set_font_size(False)
    grid.set_fontsize(7.5)
    grid.scale(1, 1.25)
    for (row, column), cell in grid.get_celld().items():
        cell.set_edgecolor(LIGHT_GREY)
        if row == 0:
            cell.set_height(cell.get_height() * 1.8)
            cell.set_facecolor(NAVY)
            cell.get_text().set_color("white")
            cell.get_text().set_fontweight("bold")
        elif column < 3:
            cell.get_text().set_horizontalalignment("left")
