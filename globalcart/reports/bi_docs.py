"""Generate ``docs/bi.md`` from the registry: connecting BI tools, what to import, and the DAX
measure of every metric KPI (a test keeps the file up to date)."""

from __future__ import annotations

from globalcart.reports.dax import dax_measure
from globalcart.reports.export import mart_names
from globalcart.semantic.docs import GROUP_TITLES
from globalcart.semantic.registry import Kpi, Registry, load_registry

DAX_FORMATS = {
    "currency": '"$"#,##0.00',
    "percent": "0.0%",
    "integer": "#,##0",
    "days": "0.0",
    "number": "#,##0.00",
}

CONNECT = """\
## Connecting

The warehouse is one database with schemas `dw` (star schema), `marts` (BI marts, KPI views)
and others. BI tools should read **`marts`** (and `dw.dim_date` as the date table).

**PostgreSQL** (`GLOBALCART_DATABASE_URL=postgresql://…`) is the server option and the simplest
for BI tools: every tool below has a native PostgreSQL connector. Give BI a read-only role:

```sql
create role bi_reader login password '…';
grant usage on schema marts, dw to bi_reader;
grant select on all tables in schema marts, dw to bi_reader;
alter default privileges in schema marts grant select on tables to bi_reader;
```

**DuckDB** (the default, `./data/globalcart.duckdb`) is a file that one process may open for
writing. Open it **read-only** from BI tools (`access_mode=read_only`), and only while no
pipeline or server is writing to it — or hand BI a copy of the file, or Parquet files written by
`globalcart export MART --format parquet --out FILE` (also `GET /api/admin/export/{mart}`).

### Power BI

- PostgreSQL: *Get Data → PostgreSQL database*; server `host:5432`, database name; *Import*
  mode (DirectQuery also works); select the tables below in schema `marts` and `dw.dim_date`.
- DuckDB: install the DuckDB ODBC driver and create a DSN with `Database=/path/globalcart.duckdb`
  and `access_mode=read_only`; then *Get Data → ODBC* and choose the DSN. Or *Get Data → Parquet*
  on exported files.
- Mark `dim_date` as the date table and relate `dim_date[date_day]` to each view's date column
  (one-to-many, single direction); then add the measures below (*Modeling → New measure*).

### Tableau

- PostgreSQL: *Connect → PostgreSQL*; server, port 5432, database; drag the tables below from
  schema `marts`; relate them to `dim_date` on the date column.
- DuckDB: put the DuckDB JDBC driver (`duckdb_jdbc.jar`) in Tableau's `Drivers` folder and use
  *Connect → Other Databases (JDBC)* with URL `jdbc:duckdb:/path/globalcart.duckdb` and the
  property `duckdb.read_only=true`. Or connect to exported Parquet files.
- Ratios must be ratios of sums: define e.g. AOV as `SUM([net_revenue_usd]) / COUNT([order_id])`
  (filtered to `is_revenue`), never as an average of daily ratios.

### Metabase

- PostgreSQL: *Admin → Databases → Add database → PostgreSQL*; host, port, database, the
  read-only user; restrict the synced schemas to `marts` and `dw`.
- DuckDB: install the community DuckDB driver (a `.jar` in Metabase's `plugins/` folder), then
  *Add database → DuckDB* with the database file path and read-only mode.
- Use *Models* over the views below and *Metrics* with the definitions of
  [kpi_definitions.md](kpi_definitions.md) (filter, formula, denominator).
"""


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def _sources(registry: Registry) -> list[str]:
    lines = [
        "## What to import",
        "",
        "**Metric sources** — the views every metric KPI aggregates (import them all to build "
        "the measures below); relate `dw.dim_date[date_day]` to the date column:",
        "",
        "| table | date column | breakdown columns | metric KPIs |",
        "|---|---|---|---|",
    ]
    for view in registry.views:
        kpis = [k.name for k in registry.kpis if k.kind == "metric" and k.source == view.name]
        if not kpis:
            continue
        dims = ", ".join(view.dimensions) or "—"
        lines.append(f"| `marts.{view.name}` | `{view.date_column}` | {dims} | {', '.join(kpis)} |")
    lines += [
        "",
        "**Table KPIs** — ready-made results (cohort matrices, rankings, alerts); import the "
        "view as it is:",
        "",
        "| table | contents |",
        "|---|---|",
    ]
    for kpi in registry.kpis:
        if kpi.kind == "table":
            lines.append(f"| `{kpi.view}` | {_cell(kpi.description)} |")
    lines += [
        "",
        "**BI marts** — wide tables refreshed by every build, for exploration and exports "
        "(contents: [kpi_definitions.md](kpi_definitions.md#bi-marts-materialised-by-every-"
        "build)): " + ", ".join(f"`marts.{name}`" for name in mart_names()) + ".",
        "",
    ]
    return lines


def _measure(kpi: Kpi) -> list[str]:
    return [
        f"// {kpi.name} ({kpi.unit}, format {DAX_FORMATS[kpi.format]}): {_cell(kpi.description)}",
        dax_measure(kpi),
        "",
    ]


def _measures(registry: Registry) -> list[str]:
    lines = [
        "## DAX measures",
        "",
        "Generated from the registry's definitions: the measure of a metric is its formula "
        "(divided by its denominator with `DIVIDE`, so a zero denominator gives a blank like "
        "SQL's `nullif`) over its source table, filtered by its filter. Bare boolean columns "
        "such as `is_revenue` become `= TRUE()`. Date slicing comes from the relationship to "
        "`dim_date`, breakdowns from the columns listed above.",
        "",
    ]
    for group, title in GROUP_TITLES.items():
        metrics = [k for k in registry.kpis if k.group == group and k.kind == "metric"]
        if not metrics:
            continue
        lines += [f"### {title}", "", "```dax"]
        for kpi in metrics:
            lines += _measure(kpi)
        lines[-1] = "```"
        lines.append("")
    return lines


def bi_markdown(registry: Registry | None = None) -> str:
    """The BI integration guide as Markdown."""
    registry = registry or load_registry()
    lines = [
        "# BI integration: Power BI, Tableau, Metabase",
        "",
        "<!-- generated from globalcart/semantic/kpis.yml: globalcart docs bi --out docs/bi.md -->",
        "",
        "Dashboards built in a BI tool must show the same numbers as the API, the admin "
        "dashboard and the Excel/PDF reports (`globalcart report excel|pdf`). They do when they "
        "read the registry's views and use the measures below: every KPI is defined once, in "
        "`globalcart/semantic/kpis.yml` ([kpi_definitions.md](kpi_definitions.md)). Amounts are "
        "USD at the order day's FX rate.",
        "",
        CONNECT,
    ]
    lines += _sources(registry)
    lines += _measures(registry)
    return "\n".join(lines).rstrip() + "\n"
