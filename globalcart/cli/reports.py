"""``globalcart report excel|pdf``, ``globalcart export`` and ``globalcart docs bi``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn

from globalcart.cli.app import DatabaseOption, console, fail, open_warehouse
from globalcart.cli.kpis import _parse_date as parse_date
from globalcart.engines import Warehouse, WarehouseError
from globalcart.reports.data import ReportData, collect
from globalcart.reports.export import ExportError, check_mart, read_mart, write
from globalcart.semantic import KpiQueryError

report_app = typer.Typer(
    help="Management reports from the KPI registry: an Excel workbook or a PDF briefing.",
    no_args_is_help=True,
)
STEPS = 6  # collect()'s five sections and the writing of the file

StartOption = Annotated[
    str | None, typer.Option(help="First day (YYYY-MM-DD; default: 29 days before --end).")
]
EndOption = Annotated[
    str | None, typer.Option(help="Last day (YYYY-MM-DD; default: the last day with data).")
]


class ExportFormatOption(StrEnum):
    csv = "csv"
    parquet = "parquet"


def _output(out: Path, suffix: str) -> Path:
    if out.suffix.lower() != suffix:
        raise fail(f"--out must end in {suffix}, got {out}")
    if not out.parent.exists():
        raise fail(f"the folder {out.parent} does not exist")
    return out


def _report(
    database: str | None,
    start: str | None,
    end: str | None,
    out: Path,
    write_file: Callable[[ReportData, Path], Path],
) -> None:
    first, last = parse_date(start, "--start"), parse_date(end, "--end")
    columns = (SpinnerColumn(), TextColumn("{task.description}"), BarColumn())
    with open_warehouse(database) as warehouse, Progress(*columns, console=console) as bar:
        task = bar.add_task("reading KPIs", total=STEPS)

        def step(what: str) -> None:
            bar.update(task, description=f"reading {what}", advance=1)

        data = _collect(warehouse, first, last, step)
        bar.update(task, description=f"writing {out.name}")
        write_file(data, out)
        bar.update(task, advance=1)
    console.print(f"[green]Wrote[/] {out} ({data.start} – {data.end}, compared with "
                  f"{data.previous_start} – {data.previous_end}).")  # fmt: skip


def _collect(
    warehouse: Warehouse,
    start: dt.date | None,
    end: dt.date | None,
    step: Callable[[str], None],
) -> ReportData:
    try:
        return collect(warehouse, start, end, progress=step)
    except (KpiQueryError, WarehouseError) as exc:
        raise fail(str(exc)) from None


@report_app.command("excel")
def excel_command(
    out: Annotated[Path, typer.Option("--out", help="Workbook to write (.xlsx).")],
    start: StartOption = None,
    end: EndOption = None,
    database: DatabaseOption = None,
) -> None:
    """Management workbook: cover, KPI summary with definitions, monthly pivots by category,
    country, channel and segment, cohort retention, funnel and leakage, top products,
    inventory alerts, with native Excel charts."""
    from globalcart.reports.excel import write_workbook

    _report(database, start, end, _output(out, ".xlsx"), write_workbook)


@report_app.command("pdf")
def pdf_command(
    out: Annotated[Path, typer.Option("--out", help="PDF to write (.pdf).")],
    start: StartOption = None,
    end: EndOption = None,
    database: DatabaseOption = None,
) -> None:
    """A four-page briefing: headline KPIs and commentary, revenue and AOV trend with a
    forecast, funnel, leakage and cohort retention, inventory alerts."""
    from globalcart.reports.pdf import write_pdf

    _report(database, start, end, _output(out, ".pdf"), write_pdf)


def export_command(
    mart: Annotated[str, typer.Argument(help="BI mart to export (e.g. mart_orders_core).")],
    out: Annotated[Path, typer.Option("--out", help="File to write.")],
    fmt: Annotated[
        ExportFormatOption, typer.Option("--format", help="csv or parquet.")
    ] = ExportFormatOption.csv,
    database: DatabaseOption = None,
) -> None:
    """Export a whole BI mart (marts.mart_*) as CSV or Parquet, like the admin API's
    /api/admin/export/{mart}."""
    try:
        check_mart(mart)  # before opening (and perhaps creating) a warehouse
    except ExportError as exc:
        raise fail(str(exc)) from None
    if not out.parent.exists():
        raise fail(f"the folder {out.parent} does not exist")
    with open_warehouse(database) as warehouse:
        try:
            data = read_mart(warehouse, mart)
        except ExportError as exc:
            raise fail(str(exc)) from None
    write(data, fmt.value, out)
    console.print(f"[green]Exported[/] marts.{mart}: {data.num_rows:,} rows → {out}")


def docs_bi_command(
    out: Annotated[str, typer.Option(help="File to write ('-' for standard output).")] = "-",
) -> None:
    """Write the BI integration guide (docs/bi.md): connecting Power BI, Tableau and Metabase,
    the marts to import and the DAX measure of every KPI."""
    from globalcart.reports.bi_docs import bi_markdown
    from globalcart.semantic import RegistryError

    try:
        text = bi_markdown()
    except (RegistryError, ValueError) as exc:
        raise fail(str(exc)) from None
    if out == "-":
        typer.echo(text, nl=False)
    else:
        Path(out).write_text(text, encoding="utf-8")
