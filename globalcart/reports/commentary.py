"""Short generated commentary: the largest movers versus the previous period and the biggest
source of revenue leakage, as plain sentences."""

from __future__ import annotations

from typing import Any

from globalcart.reports.data import KpiLine, ReportData

MOVERS = 3
HEADLINE_KPIS = ("net_revenue", "orders", "aov")


def format_value(value: float | None, fmt: str) -> str:
    """A KPI value in its registry format (currency, percent, integer, days, number)."""
    if value is None:
        return "n/a"
    if fmt == "currency":
        return f"${value:,.0f}" if abs(value) >= 1000 else f"${value:,.2f}"
    if fmt == "percent":
        return f"{100 * value:.1f} %"
    if fmt == "integer":
        return f"{value:,.0f}"
    if fmt == "days":
        return f"{value:,.1f} days"
    return f"{value:,.2f}"


def change_text(line: KpiLine) -> str:
    """``+12.3 %`` (relative), or ``+0.4 pp`` for percentages."""
    if line.change is None:
        return "n/a"
    if line.kpi.format == "percent":
        return f"{100 * line.change:+.1f} pp"
    if line.change_pct is None:
        return "new"
    return f"{100 * line.change_pct:+.1f} %"


def is_good(line: KpiLine) -> bool | None:
    """Whether the change goes the KPI's preferred way (None: neutral or unchanged)."""
    if line.change is None or line.change == 0 or line.kpi.direction == "neutral":
        return None
    return (line.change > 0) == (line.kpi.direction == "higher_is_better")


def _kpi_sentence(line: KpiLine) -> str:
    verb = "rose" if (line.change or 0) > 0 else "fell"
    fmt = line.kpi.format
    return (
        f"{line.kpi.label} {verb} {change_text(line).lstrip('+-')} to "
        f"{format_value(line.value, fmt)} (previous period {format_value(line.previous, fmt)})."
    )


def kpi_movers(data: ReportData, count: int = MOVERS) -> list[KpiLine]:
    """Headline KPIs with the largest relative change (percentages: change in points / 100)."""
    moved = [line for line in data.summary if line.change]  # neither None nor 0

    def size(line: KpiLine) -> float:
        if line.kpi.format == "percent":
            return abs(line.change or 0) / max(abs(line.previous or 0), 1e-9)
        return abs(line.change_pct) if line.change_pct is not None else float("inf")

    return sorted(moved, key=lambda line: (-size(line), line.kpi.name))[:count]


def _breakdown_sentence(rows: list[dict[str, Any]], by: str, what: str) -> str | None:
    changed = [row for row in rows if row.get("change") is not None and row["change"] != 0]
    if not changed:
        return None
    up = max(changed, key=lambda row: (row["change"], str(row[by])))
    down = min(changed, key=lambda row: (row["change"], str(row[by])))
    parts = []
    if up["change"] > 0:
        parts.append(f"{up[by]} grew most (+{format_value(up['change'], 'currency')})")
    if down["change"] < 0:
        parts.append(f"{down[by]} fell most (−{format_value(-down['change'], 'currency')})")
    return f"{what}: {' and '.join(parts)}." if parts else None


def leakage_sentence(data: ReportData) -> str:
    """The largest leakage source, its amount and its share of all leakage."""
    total = sum(line.value or 0 for line in data.leakage)
    if total <= 0:
        return "No revenue leakage in the period."
    top = max(data.leakage, key=lambda line: (line.value or 0, line.kpi.name))
    share = (top.value or 0) / total
    estimate = top.kpi.name == "cart_abandonment_loss" and "estimate" not in top.kpi.label.lower()
    note = " (an upper-bound estimate)" if estimate else ""
    return (
        f"Biggest leakage source: {top.kpi.label.lower()}{note}, "
        f"{format_value(top.value, 'currency')} or {share:.0%} of "
        f"{format_value(total, 'currency')} leaked ({change_text(top)} vs previous period)."
    )


def headline(data: ReportData) -> str:
    """Net revenue, orders and average order value with their change."""
    lines = {line.kpi.name: line for line in data.summary}
    parts = [
        f"{lines[name].kpi.label.lower()} {format_value(lines[name].value, lines[name].kpi.format)}"
        f" ({change_text(lines[name])})"
        for name in HEADLINE_KPIS
    ]
    return f"In the period: {', '.join(parts)} vs the previous period."


def commentary(data: ReportData) -> list[str]:
    """A few sentences for the front page of a report."""
    movers = [line for line in kpi_movers(data, MOVERS + 3) if line.kpi.name not in HEADLINE_KPIS]
    lines = [headline(data), *(_kpi_sentence(line) for line in movers[:MOVERS])]
    for by, what in (("country", "Net revenue by country"), ("category", "By category")):
        sentence = _breakdown_sentence(data.movers.get(by, []), by, what)
        if sentence:
            lines.append(sentence)
    lines.append(leakage_sentence(data))
    return lines
