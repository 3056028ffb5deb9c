"""``globalcart load | ingest-app | build | pipeline | status``: the warehouse commands."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from globalcart.cli.app import DatabaseOption, console, fail, open_warehouse
from globalcart.config import get_settings
from globalcart.engines import Warehouse, WarehouseError
from globalcart.pipeline.app_source import (
    DEFAULT_OVERLAP,
    AppIngestResult,
    app_schema_exists,
    ingest_app,
)
from globalcart.pipeline.load import LoadResult, load_landing
from globalcart.pipeline.runner import BuildError, BuildResult, build


def _run_load(warehouse: Warehouse, landing: Path) -> LoadResult:
    with console.status(f"Loading {landing} …"):
        result = load_landing(warehouse, landing)
    console.print(
        f"[green]Loaded[/] {result.rows_loaded:,} rows from "
        f"{len(result.files) - result.files_skipped} files "
        f"({result.files_skipped} already loaded, skipped)."
    )
    return result


WithAppOption = Annotated[
    bool | None,
    typer.Option(
        "--with-app/--no-app",
        help="First ingest new storefront rows (app.*); by default when the app schema exists.",
    ),
]


def _run_ingest(
    warehouse: Warehouse, with_app: bool | None, overlap: float | None = None
) -> AppIngestResult | None:
    """Ingest the storefront unless refused (``--no-app``) or absent (default)."""
    if with_app is False or (with_app is None and not app_schema_exists(warehouse)):
        return None
    window = DEFAULT_OVERLAP if overlap is None else dt.timedelta(seconds=overlap)
    with console.status("Ingesting new storefront rows (app.*) …"):
        result = ingest_app(warehouse, overlap=window)
    if result.run_id is None:
        console.print("[green]Storefront[/]: nothing new since the last ingest.")
    else:
        counts = ", ".join(f"{table} {rows:,}" for table, rows in result.rows.items() if rows)
        console.print(
            f"[green]Storefront[/]: {result.total:,} new or changed rows in load run "
            f"{result.run_id} ({counts})."
        )
    return result


def _run_build(warehouse: Warehouse, full: bool) -> BuildResult:
    columns = (
        TextColumn("[bold]{task.description:<34}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console, transient=True) as progress:
        task = progress.add_task("planning", total=None)

        def report(model: str, index: int, total: int) -> None:
            progress.update(task, description=model, completed=index, total=total)

        result = build(warehouse, full=full, progress=report)
    return result


def _build_summary(result: BuildResult) -> None:
    appended = sum(1 for model in result.models if model.status == "appended")
    merged = sum(1 for model in result.models if model.status == "merged")
    console.print(
        f"[green]Build {result.run_id} ({result.mode})[/]: {len(result.models)} models built "
        f"({appended} appended, {merged} merged by key, the rest in full), "
        f"{result.skipped} up to date, {result.quarantined:,} rows newly quarantined."
    )
    warned = [c for c in result.checks if c.status == "fail"]
    if warned:
        table = Table(title="Checks with failures (severity warn)")
        for column in ("check", "failing rows"):
            table.add_column(column)
        for check in warned:
            table.add_row(check.check.name, f"{check.failures:,}")
        console.print(table)


def _fail_build(exc: BuildError) -> typer.Exit:
    return fail(str(exc), code=1)


def load_command(
    landing: Annotated[
        Path, typer.Option("--landing", help="Landing folder (with manifest.json).")
    ],
    database: DatabaseOption = None,
) -> None:
    """Append new landing files to landing.* (files already loaded are skipped by checksum)."""
    with open_warehouse(database) as warehouse:
        try:
            _run_load(warehouse, landing)
        except (WarehouseError, OSError, ValueError) as exc:
            raise fail(str(exc)) from None


def ingest_app_command(
    overlap: Annotated[
        float,
        typer.Option(
            min=0,
            help="Seconds before the watermark to rescan, so late-committing rows are not lost.",
        ),
    ] = DEFAULT_OVERLAP.total_seconds(),
    database: DatabaseOption = None,
) -> None:
    """Append new and changed storefront rows (app.*) to landing.* (then run `build`)."""
    with open_warehouse(database) as warehouse:
        try:
            _run_ingest(warehouse, True, overlap)
        except WarehouseError as exc:
            raise fail(str(exc)) from None


def build_command(
    full: Annotated[bool, typer.Option("--full", help="Rebuild every model from landing.")] = False,
    with_app: WithAppOption = None,
    database: DatabaseOption = None,
) -> None:
    """Run the SQL models (incremental from watermarks by default) and the quality checks."""
    with open_warehouse(database) as warehouse:
        try:
            _run_ingest(warehouse, with_app)
            result = _run_build(warehouse, full)
        except BuildError as exc:
            raise _fail_build(exc) from None
        except (WarehouseError, OSError, ValueError) as exc:
            raise fail(str(exc)) from None
        _build_summary(result)


def pipeline_command(
    scale: Annotated[str, typer.Option(help="Store size: tiny, small, medium, large.")] = "tiny",
    seed: Annotated[int, typer.Option(help="Random seed of the generator.")] = 42,
    landing: Annotated[
        Path | None, typer.Option("--landing", help="Where to write the landing files.")
    ] = None,
    with_app: WithAppOption = None,
    database: DatabaseOption = None,
) -> None:
    """Generate a synthetic store, load it and build the warehouse, with a summary."""
    from globalcart.generator import SCALES, GenerateParams, ParameterError, generate

    if scale not in SCALES:
        raise fail(f"unknown scale {scale!r}; choose one of {', '.join(SCALES)}")
    out = landing or get_settings().data_dir / "landing"
    durations: dict[str, float] = {}
    with open_warehouse(database) as warehouse:
        started = time.perf_counter()
        try:
            with console.status(f"Generating the {scale} store into {out} …"):
                params = GenerateParams(scale=scale, seed=seed, out=out)  # type: ignore[arg-type]
                generate(params, overwrite=True)
        except (ParameterError, OSError, ValueError) as exc:
            raise fail(f"generation failed: {exc}") from None
        durations["generate"] = time.perf_counter() - started
        try:
            started = time.perf_counter()
            _run_load(warehouse, out)
            durations["load"] = time.perf_counter() - started
            started = time.perf_counter()
            if _run_ingest(warehouse, with_app) is not None:
                durations["ingest storefront"] = time.perf_counter() - started
            started = time.perf_counter()
            result = _run_build(warehouse, full=False)
            durations["build"] = time.perf_counter() - started
        except BuildError as exc:
            raise _fail_build(exc) from None
        except (WarehouseError, OSError, ValueError) as exc:
            raise fail(str(exc)) from None
        _build_summary(result)
        _print_rows(warehouse)
        _print_quarantine(warehouse)
        steps = Table(title="Durations")
        steps.add_column("step")
        steps.add_column("seconds", justify="right")
        for step, seconds in durations.items():
            steps.add_row(step, f"{seconds:.1f}")
        console.print(steps)


def status_command(database: DatabaseOption = None) -> None:
    """Show the last runs, watermarks, row counts and quarantine totals."""
    with open_warehouse(database) as warehouse:
        runs = warehouse.query(
            "select run_id, kind, mode, status, started_at, finished_at, models_built, "
            "rows_quarantined, error from ops.runs order by run_id desc limit 10"
        )
        table = Table(title="Last runs")
        for column in ("run", "kind", "mode", "status", "started (UTC)", "seconds", "models",
                       "quarantined", "error"):  # fmt: skip
            table.add_column(column)
        for run_id, kind, mode, state, start, end, models, quarantined, error in runs:
            seconds = f"{(end - start).total_seconds():.1f}" if end and start else ""
            colour = {"success": "green", "failed": "red"}.get(state, "yellow")
            started = f"{start:%Y-%m-%d %H:%M:%S}"
            state_text = f"[{colour}]{state}[/]"
            table.add_row(
                str(run_id), kind, mode or "", state_text, started,
                seconds, _text(models), _text(quarantined), (error or "")[:80],
            )  # fmt: skip
        console.print(table)
        marks = Table(title="Watermarks (landing: files:last load run; app: latest change seen)")
        marks.add_column("source")
        marks.add_column("value")
        for name, value in warehouse.query(
            "select name, value from ops.watermarks where name like 'landing.%' "
            "or name like 'app.%' order by name"
        ):
            marks.add_row(name, value)
        console.print(marks)
        _print_rows(warehouse)
        _print_quarantine(warehouse)


def _text(value: Any) -> str:
    return "" if value is None else f"{value:,}"


def _print_rows(warehouse: Warehouse) -> None:
    names = warehouse.query(
        "select table_schema, table_name from information_schema.tables "
        "where table_schema in ('dw', 'marts') order by 1, 2"
    )
    table = Table(title="Warehouse tables")
    table.add_column("table")
    table.add_column("rows", justify="right")
    for schema, name in names:
        table.add_row(f"{schema}.{name}", f"{warehouse.row_count(f'{schema}.{name}'):,}")
    console.print(table)


def _print_quarantine(warehouse: Warehouse) -> None:
    rows = warehouse.query(
        "select table_name, rule, count(*) from quality.quarantine group by 1, 2 order by 1, 2"
    )
    table = Table(title="Quarantined rows per rule")
    for column in ("table", "rule", "rows"):
        table.add_column(column)
    for name, rule, count in rows:
        table.add_row(name, rule, f"{count:,}")
    console.print(table if rows else "[green]No quarantined rows.[/]")
