"""Generate ``docs/kpi_definitions.md`` from the registry (a test keeps the file up to date)."""

from __future__ import annotations

from pathlib import Path

from globalcart.semantic.registry import Kpi, Registry, load_registry

MARTS_DIR = Path(__file__).resolve().parent.parent / "sql" / "marts"

GROUP_TITLES = {
    "revenue": "Revenue",
    "customers": "Customers",
    "funnel": "Funnel (session based)",
    "leakage": "Revenue leakage",
    "profitability": "Profitability",
    "operations": "Operations",
    "inventory": "Inventory",
    "demand": "Demand",
    "marketing": "Marketing",
}


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def _kpi_section(kpi: Kpi, registry: Registry) -> list[str]:
    lines = [f"### `{kpi.name}` — {kpi.label}", "", _cell(kpi.description), ""]
    facts = [
        ("kind", kpi.kind),
        ("unit / format", f"{kpi.unit} / {kpi.format}"),
        ("direction", kpi.direction.replace("_", " ")),
        ("owner", kpi.owner),
        ("version", str(kpi.version)),
        ("view", f"`{kpi.view}`"),
    ]
    if kpi.kind == "metric":
        assert kpi.source is not None
        date = registry.view(kpi.source).date_column
        facts += [
            ("source", f"`marts.{kpi.source}` (date: `{date}`)"),
            ("grains", ", ".join(kpi.grains)),
            ("breakdowns", ", ".join(kpi.dimensions) or "—"),
        ]
        if kpi.filter:
            facts.append(("filter", f"`{_cell(kpi.filter)}`"))
        facts.append(("formula", f"`{_cell(kpi.formula)}`"))
        if kpi.denominator:
            facts.append(("denominator", f"`{_cell(kpi.denominator)}`"))
    elif kpi.date_column:
        facts.append(("date column", f"`{kpi.date_column}` ({kpi.date_grain})"))
    lines += ["| | |", "|---|---|", *(f"| {key} | {value} |" for key, value in facts), ""]
    if kpi.kind == "table":
        lines += ["```sql", kpi.formula.strip(), "```", ""]
    return lines


def _marts() -> list[str]:
    """One line per materialised mart, from the leading comment of its SQL file."""
    lines = [
        "## BI marts (materialised by every build)",
        "",
        "| table | contents |",
        "|---|---|",
    ]
    for path in sorted(MARTS_DIR.glob("mart_*.sql")):
        comment = []
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.startswith("--") or line.removeprefix("--").strip().startswith(
                "incremental:"
            ):
                break
            comment.append(line.removeprefix("--").strip())
        lines.append(f"| `marts.{path.stem}` | {_cell(' '.join(comment))} |")
    return [*lines, ""]


def kpi_markdown(registry: Registry | None = None) -> str:
    """The KPI catalogue as Markdown."""
    registry = registry or load_registry()
    lines = [
        "# KPI definitions",
        "",
        "<!-- generated from globalcart/semantic/kpis.yml: "
        "globalcart docs kpis --out docs/kpi_definitions.md -->",
        "",
        "Every number below is defined once, in `globalcart/semantic/kpis.yml`, and compiled to "
        "views in the `marts` schema by every build. A *metric* is aggregated over its source "
        "view for any date range (ratios are ratios of sums, in double precision); a *table* "
        "KPI is a view whose rows are the result. Amounts are in USD at the order day's FX rate.",
        "",
        "Query them with `globalcart kpis [--start D] [--end D] [--by DIM] "
        "[--compare previous_period|previous_year] [--format table|json|csv] [KPI…]` or "
        "`globalcart.semantic.compute(...)`.",
        "",
        "## Breakdown dimensions",
        "",
        "| dimension | meaning |",
        "|---|---|",
        *(f"| `{d.name}` | {_cell(d.description)} |" for d in registry.dimensions),
        "",
        "## Views",
        "",
        "| view | date column | dimensions | description |",
        "|---|---|---|---|",
    ]
    for view in registry.views:
        dims = ", ".join(view.dimensions) or "—"
        date = f"`{view.date_column}`" if view.date_column else "—"
        lines.append(f"| `marts.{view.name}` | {date} | {dims} | {_cell(view.description)} |")
    lines.append("")
    lines += _marts()
    for group, title in GROUP_TITLES.items():
        kpis = [k for k in registry.kpis if k.group == group]
        if not kpis:
            continue
        lines += [f"## {title}", ""]
        for kpi in kpis:
            lines += _kpi_section(kpi, registry)
    return "\n".join(lines).rstrip() + "\n"
