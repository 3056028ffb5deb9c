"""``globalcart generate``: write a synthetic store's landing files."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from globalcart.cli.app import console, fail
from globalcart.contract import TABLES
from globalcart.generator import SCALES, GenerateParams, ParameterError, generate
from globalcart.generator.params import DEFAULT_BAD_RATE, DEFAULT_END_DATE, DEFAULT_INCREMENTAL_DAYS


def _parse_date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a date in YYYY-MM-DD form") from None


def generate_command(
    scale: Annotated[str, typer.Option(help=f"Store size: {', '.join(SCALES)}.")] = "tiny",
    orders: Annotated[
        int | None,
        typer.Option(
            help="Number of orders (default: the scale's, or 1 % of it with --incremental)."
        ),
    ] = None,
    seed: Annotated[
        int, typer.Option(help="Random seed; same parameters and seed ⇒ identical files.")
    ] = 42,
    end_date: Annotated[
        str, typer.Option("--end-date", help="Last day of the simulated period (YYYY-MM-DD).")
    ] = DEFAULT_END_DATE.isoformat(),
    days: Annotated[
        int | None,
        typer.Option(
            help="Length of the period in days (default: the scale's, 7 with --incremental)."
        ),
    ] = None,
    out: Annotated[Path, typer.Option(help="Output folder for the landing files.")] = Path(
        "data/landing"
    ),
    file_format: Annotated[str, typer.Option("--format", help="parquet or csv.")] = "parquet",
    bad_rate: Annotated[
        float,
        typer.Option(
            "--bad-rate", help="Share of dirty rows (duplicates, bad records); 0 for none."
        ),
    ] = DEFAULT_BAD_RATE,
    incremental: Annotated[
        bool, typer.Option("--incremental", help="Continue the run in --from with a new batch.")
    ] = False,
    from_dir: Annotated[
        Path | None,
        typer.Option("--from", help="Folder of the previous batch (with --incremental)."),
    ] = None,
    overwrite: Annotated[bool, typer.Option(help="Replace a non-empty output folder.")] = False,
) -> None:
    """Generate a realistic synthetic store as landing files plus manifest.json."""
    if incremental and from_dir is None:
        raise fail("--incremental needs --from DIR (the folder of the previous batch)")
    if from_dir is not None and not incremental:
        raise fail("--from is only used with --incremental")
    if scale not in SCALES:
        raise fail(f"unknown scale {scale!r}; choose one of {', '.join(SCALES)}")
    if incremental and orders is None:
        orders = max(1, SCALES[scale].orders // 100)
    if incremental and days is None:
        days = DEFAULT_INCREMENTAL_DAYS
    params = GenerateParams(
        scale=scale,  # type: ignore[arg-type]
        orders=orders,
        seed=seed,
        end_date=_parse_date(end_date),
        days=days,
        out=out,
        file_format=file_format,  # type: ignore[arg-type]
        bad_rate=bad_rate,
    )
    try:
        params.validate()
        manifest = _run_with_progress(params, overwrite, from_dir)
    except (ParameterError, OSError, ValueError) as exc:
        raise fail(str(exc)) from None
    _print_summary(manifest, out)


def _run_with_progress(
    params: GenerateParams, overwrite: bool, from_dir: Path | None
) -> dict[str, Any]:
    columns = (
        TextColumn("[bold]{task.description:<20}"),
        BarColumn(),
        TextColumn("{task.fields[rows]:>12,} rows"),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console, transient=False) as progress:
        tasks = {t.name: progress.add_task(t.name, total=1, rows=0) for t in TABLES}

        def report(table: str, rows: int) -> None:
            task = tasks[table]
            done = progress.tasks[task].fields["rows"] + rows
            progress.update(task, completed=1, rows=done)

        manifest = generate(params, progress=report, overwrite=overwrite, from_dir=from_dir)
        for task in tasks.values():
            progress.update(task, completed=1)
    return manifest


def _print_summary(manifest: dict[str, Any], out: Path) -> None:
    table = Table(
        title=f"{manifest['batch_id']} → {out}  ({manifest['window']['start'][:10]} … "
        f"{manifest['window']['end'][:10]})"
    )
    table.add_column("table")
    table.add_column("rows", justify="right")
    table.add_column("anomalies injected")
    for name, info in manifest["tables"].items():
        kinds = manifest["anomalies"].get(name, {})
        table.add_row(
            name, f"{info['rows']:,}", ", ".join(f"{k}={v}" for k, v in sorted(kinds.items()))
        )
    console.print(table)
    console.print(f"Manifest: {out / 'manifest.json'}", soft_wrap=True)
