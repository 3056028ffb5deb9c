"""``globalcart import online-retail | cdnow | csv``: real store data → landing → warehouse."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from globalcart.cli.app import DatabaseOption, console, fail, open_warehouse
from globalcart.cli.warehouse import _build_summary, _fail_build, _run_build, _run_load
from globalcart.config import get_settings
from globalcart.engines import WarehouseError
from globalcart.pipeline.runner import BuildError

if TYPE_CHECKING:
    from globalcart.engines import Warehouse
    from globalcart.importers import ImportBatch

import_app = typer.Typer(
    help="Import a real store's history (order exports, public data sets) into the warehouse.",
    no_args_is_help=True,
)

OutOption = Annotated[
    Path | None,
    typer.Option(
        "--out", help="Folder for the landing files (default: <data dir>/imports/<source>)."
    ),
]
NoBuildOption = Annotated[
    bool, typer.Option("--no-build", help="Stop after loading (do not run the build).")
]
FxOption = Annotated[
    float | None,
    typer.Option(
        "--fx-rate",
        min=0.000001,
        help="Constant USD per GBP for every day (default: built-in yearly averages).",
    ),
]


def _target(out: Path | None, source: str) -> Path:
    """The landing folder; an existing one is replaced only if an earlier import wrote it."""
    target = out or get_settings().data_dir / "imports" / source
    if target.exists() and any(target.iterdir()):
        manifest = target / "manifest.json"
        try:
            written_by = json.loads(manifest.read_text()).get("source", "")
        except (OSError, ValueError):
            written_by = ""
        if not str(written_by).startswith("import:"):
            raise fail(f"{target} is not empty and not an import folder: choose another --out")
    return target


def _report_table(summary: dict[str, int]) -> Table:
    table = Table(title="Source rows by disposition")
    table.add_column("disposition: reason")
    table.add_column("rows", justify="right")
    for label, count in summary.items():
        table.add_row(label, f"{count:,}")
    table.add_row("[bold]total", f"[bold]{sum(summary.values()):,}")
    return table


def _run(
    source: str,
    read: Callable[[], ImportBatch],
    out: Path | None,
    no_build: bool,
    database: str | None,
) -> None:
    """Read the source, write its landing folder, load it and (unless ``no_build``) build."""
    from globalcart.importers import SourceError, write_batch
    from globalcart.importers.fx import FxError

    target = _target(out, source)
    try:
        with console.status(f"Reading {source} …"):
            batch = read()
            write_batch(batch, target, overwrite=True)
    except (SourceError, FxError, OSError) as exc:
        raise fail(str(exc)) from None
    console.print(_report_table(batch.summary()))
    console.print(f"[green]Wrote[/] landing files and import_report.parquet to {target}")
    with open_warehouse(database) as warehouse:
        try:
            _run_load(warehouse, target)
            if no_build:
                return
            result = _run_build(warehouse, full=False)
        except BuildError as exc:
            raise _fail_build(exc) from None
        except (WarehouseError, OSError, ValueError) as exc:
            raise fail(str(exc)) from None
        _build_summary(result)
        _print_unavailable(warehouse)


def _print_unavailable(warehouse: Warehouse) -> None:
    from globalcart.semantic.availability import availability
    from globalcart.semantic.registry import load_registry

    missing = {
        name: status.reason
        for name, status in availability(warehouse, load_registry()).items()
        if not status.available
    }
    if missing:
        table = Table(title="KPIs unavailable for this data (their inputs are missing)")
        table.add_column("KPI")
        table.add_column("why")
        for name, reason in missing.items():
            table.add_row(name, reason or "")
        console.print(table)


@import_app.command("online-retail")
def online_retail_command(
    paths: Annotated[
        list[Path],
        typer.Argument(help="UCI Online Retail / Online Retail II files (.parquet, .csv, .xlsx)."),
    ],
    fx_rate: FxOption = None,
    out: OutOption = None,
    no_build: NoBuildOption = False,
    database: DatabaseOption = None,
) -> None:
    """Import the UCI "Online Retail" (and "Online Retail II") transaction logs.

    Invoices become orders, "C" invoices returns of the customer's earlier purchase, postage
    lines shipping fees; duplicates, adjustments, fees and stock corrections are listed with a
    reason in the import report. Several files are de-duplicated on the days they overlap.
    """
    from globalcart.importers import import_online_retail

    _run("online-retail", lambda: import_online_retail(paths, fx_rate), out, no_build, database)


@import_app.command("cdnow")
def cdnow_command(
    path: Annotated[Path, typer.Argument(help="CDNOW purchase log (CDNOW_master.txt).")],
    out: OutOption = None,
    no_build: NoBuildOption = False,
    database: DatabaseOption = None,
) -> None:
    """Import the CDNOW purchase log: one order per purchase line (USD)."""
    from globalcart.importers import import_cdnow

    _run("cdnow", lambda: import_cdnow(path), out, no_build, database)


@import_app.command("csv")
def csv_command(
    paths: Annotated[list[Path], typer.Argument(help="Order-line CSV export files.")],
    mapping: Annotated[
        Path,
        typer.Option(
            "--mapping", help="Mapping file (YAML), e.g. examples/mappings/shopify_orders.yml."
        ),
    ],
    out: OutOption = None,
    no_build: NoBuildOption = False,
    database: DatabaseOption = None,
) -> None:
    """Import any store's order export (Shopify, WooCommerce, …) with a column mapping file."""
    from globalcart.importers import SourceError, import_csv, load_mapping

    try:
        spec = load_mapping(mapping)
    except SourceError as exc:
        raise fail(str(exc)) from None
    _run(f"csv-{spec.name}", lambda: import_csv(paths, spec), out, no_build, database)
