"""``globalcart kpis`` and ``globalcart snapshot``: KPIs from the registry, rendered with Rich."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, cast

import typer
from rich.table import Table

from globalcart.cli.app import DatabaseOption, console, fail, open_warehouse
from globalcart.engines import Warehouse, WarehouseError
from globalcart.semantic.query import Compare, KpiQueryError, KpiResult, compute, list_kpis
from globalcart.semantic.registry import Grain, Kpi, RegistryError, load_registry
from globalcart.semantic.snapshots import SnapshotError, diff, labels, take_snapshot


class Format(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


class CompareOption(StrEnum):
    previous_period = "previous_period"
    previous_year = "previous_year"
    none = "none"


class GrainOption(StrEnum):
    day = "day"
    week = "week"
    month = "month"


def format_value(value: Any, fmt: str) -> str:
    """Human form of a KPI value for its registry format."""
    if value is None:
        return "–"
    if isinstance(value, dt.date):
        return value.isoformat()
    if not isinstance(value, int | float):
        return str(value)
    if fmt == "currency":
        return f"${value:,.2f}" if value >= 0 else f"-${-value:,.2f}"
    if fmt == "percent":
        return f"{100 * value:.2f} %"
    if fmt == "integer":
        return f"{value:,.0f}"
    if fmt == "days":
        return f"{value:,.1f} d"
    if isinstance(value, int):
        return f"{value:,}"
    return f"{value:,.2f}" if abs(value) >= 100 else f"{value:.4g}"


def _change_text(row: dict[str, Any], kpi: Kpi) -> str:
    change, pct = row.get("change"), row.get("change_pct")
    if change is None:
        return "–"
    if kpi.format == "percent":
        text = f"{100 * change:+.2f} pp"
    else:
        text = f"{pct:+.1%}" if pct is not None else f"{change:+,.2f}"
    good = change > 0 if kpi.direction == "higher_is_better" else change < 0
    colour = "white" if kpi.direction == "neutral" or change == 0 else "green" if good else "red"
    return f"[{colour}]{text}[/]"


def _metric_table(results: list[KpiResult], by: str | None, grain: str | None) -> Table:
    first = results[0]
    title = f"KPIs {first.start} → {first.end}"
    if first.compare:
        title += f" vs {first.previous_start} → {first.previous_end} ({first.compare})"
    table = Table(title=title)
    table.add_column("KPI")
    if grain:
        table.add_column(grain)
    if by:
        table.add_column(by)
    table.add_column("value", justify="right")
    if first.compare:
        table.add_column("previous", justify="right")
        table.add_column("change", justify="right")
    unavailable = [r for r in results if not r.available]
    if unavailable:
        table.caption = "; ".join(f"{r.kpi.label} – {r.unavailable_reason}" for r in unavailable)
    for result in results:
        kpi = result.kpi
        for row in result.rows:
            cells = [kpi.label]
            if grain:
                cells.append(format_value(row.get("period"), "date"))
            if by:
                cells.append(str(row.get(by)))
            cells.append(format_value(row["value"], kpi.format))
            if first.compare:
                cells.append(format_value(row.get("previous_value"), kpi.format))
                cells.append(_change_text(row, kpi))
            table.add_row(*cells)
    return table


def _data_table(result: KpiResult) -> Table:
    table = Table(title=f"{result.kpi.label} ({result.kpi.view})")
    for column in result.columns:
        table.add_column(column)
    for row in result.rows:
        table.add_row(*(format_value(row[c], "number") for c in result.columns))
    if not result.rows:
        table.caption = "no rows" if result.available else result.unavailable_reason
    return table


def _jsonable(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


def _as_json(results: list[KpiResult]) -> str:
    payload = [
        {
            "kpi": r.kpi.name,
            "label": r.kpi.label,
            "kind": r.kpi.kind,
            "unit": r.kpi.unit,
            "start": _jsonable(r.start),
            "end": _jsonable(r.end),
            "grain": r.grain,
            "by": r.by,
            "compare": r.compare,
            "previous_start": _jsonable(r.previous_start),
            "previous_end": _jsonable(r.previous_end),
            "available": r.available,
            "unavailable_reason": r.unavailable_reason,
            "rows": [{k: _jsonable(v) for k, v in row.items()} for row in r.rows],
        }
        for r in results
    ]
    return json.dumps({"kpis": payload}, indent=2)


def _as_csv(results: list[KpiResult]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    if any(r.kpi.kind == "table" for r in results):
        if len(results) != 1:
            raise fail("CSV of a table KPI is one KPI at a time")
        writer.writerow(results[0].columns)
        for row in results[0].rows:
            writer.writerow([_jsonable(row[c]) for c in results[0].columns])
        return buffer.getvalue()
    header = ["kpi", "start", "end", "period", "dimension", "dimension_value", "value"]
    header += ["previous_value", "change", "change_pct"]
    writer.writerow(header)
    for r in results:
        for row in r.rows:
            writer.writerow(
                [
                    r.kpi.name,
                    r.start,
                    r.end,
                    _jsonable(row.get("period")),
                    r.by or "",
                    row.get(r.by) if r.by else "",
                    row["value"],
                    row.get("previous_value"),
                    row.get("change"),
                    row.get("change_pct"),
                ]
            )
    return buffer.getvalue()


def _parse_date(value: str | None, option: str) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise fail(f"{option} must be a date YYYY-MM-DD, got {value!r}") from None


def _select(names: list[str], by: str | None) -> list[Kpi]:
    registry = load_registry()
    if names:
        try:
            return [registry.kpi(name) for name in names]
        except RegistryError as exc:
            raise fail(str(exc)) from None
    chosen = [k for k in registry.kpis if k.kind == "metric" and (by is None or by in k.dimensions)]
    if not chosen:
        raise fail(f"no KPI can be broken down by {by!r}")
    return chosen


def kpis_command(
    names: Annotated[
        list[str] | None, typer.Argument(help="KPI names (default: all metrics).")
    ] = None,
    start: Annotated[str | None, typer.Option(help="First day (YYYY-MM-DD).")] = None,
    end: Annotated[str | None, typer.Option(help="Last day (default: last day with data).")] = None,
    by: Annotated[str | None, typer.Option("--by", help="Breakdown dimension.")] = None,
    grain: Annotated[GrainOption | None, typer.Option(help="Series by day/week/month.")] = None,
    compare: Annotated[
        CompareOption, typer.Option(help="Period-over-period comparison.")
    ] = CompareOption.previous_period,
    output: Annotated[Format, typer.Option("--format", help="Output format.")] = Format.table,
    limit: Annotated[int | None, typer.Option(help="At most this many rows per KPI.")] = None,
    list_only: Annotated[bool, typer.Option("--list", help="List the KPIs and exit.")] = False,
    database: DatabaseOption = None,
) -> None:
    """Print KPIs from the registry for a date range, with period-over-period change."""
    if list_only:
        _print_catalogue(list_kpis())
        return
    first, last = _parse_date(start, "--start"), _parse_date(end, "--end")
    kpis = _select(names or [], by)
    mode: Compare | None = None if compare == CompareOption.none else cast(Compare, compare.value)
    grain_value: Grain | None = grain.value if grain else None
    results: list[KpiResult] = []
    with open_warehouse(database) as warehouse:
        for kpi in kpis:
            is_metric = kpi.kind == "metric"
            try:
                results.append(
                    compute(
                        warehouse,
                        kpi.name,
                        first,
                        last,
                        by=by,
                        grain=grain_value,
                        compare=mode if is_metric else None,
                        limit=limit,
                    )
                )
            except (KpiQueryError, WarehouseError) as exc:
                raise fail(str(exc)) from None
    if output == Format.json:
        typer.echo(_as_json(results))
    elif output == Format.csv:
        typer.echo(_as_csv(results), nl=False)
    else:
        metrics = [r for r in results if r.kpi.kind == "metric"]
        if metrics:
            console.print(_metric_table(metrics, by, grain_value))
        for result in results:
            if result.kpi.kind == "table":
                console.print(_data_table(result))


def _print_catalogue(kpis: list[Kpi]) -> None:
    table = Table(title="KPI registry")
    for column in ("name", "label", "group", "kind", "unit", "breakdowns"):
        table.add_column(column)
    for kpi in kpis:
        dims = ", ".join(kpi.dimensions)
        table.add_row(kpi.name, kpi.label, kpi.group, kpi.kind, kpi.unit, dims)
    console.print(table)


def snapshot_command(
    label: Annotated[str | None, typer.Argument(help="Label to store the snapshot under.")] = None,
    diff_labels: Annotated[
        tuple[str, str] | None,
        typer.Option("--diff", help="Compare two snapshots: --diff BEFORE AFTER."),
    ] = None,
    replace: Annotated[bool, typer.Option(help="Overwrite an existing label.")] = False,
    list_only: Annotated[bool, typer.Option("--list", help="List stored snapshots.")] = False,
    database: DatabaseOption = None,
) -> None:
    """Store the headline KPIs under LABEL in ops.kpi_snapshots, or --diff two snapshots."""
    if not list_only and (label is None) == (diff_labels is None):
        raise fail("give a LABEL to store a snapshot, or --diff BEFORE AFTER (or --list)")
    with open_warehouse(database) as warehouse:
        try:
            if list_only:
                table = Table(title="KPI snapshots")
                for column in ("label", "taken at (UTC)", "KPIs"):
                    table.add_column(column)
                for name, taken, count in labels(warehouse):
                    table.add_row(name, f"{taken:%Y-%m-%d %H:%M:%S}", str(count))
                console.print(table)
            elif diff_labels is not None:
                _print_diff(warehouse, *diff_labels)
            elif label is not None:
                values = take_snapshot(warehouse, label, replace=replace)
                console.print(f"[green]Stored snapshot[/] {label!r} ({len(values)} headline KPIs).")
        except (SnapshotError, KpiQueryError, WarehouseError) as exc:
            raise fail(str(exc)) from None


def _print_diff(warehouse: Warehouse, before: str, after: str) -> None:
    formats = {kpi.name: kpi for kpi in load_registry().kpis}
    table = Table(title=f"KPI snapshot {before} → {after}")
    for column in ("KPI", before, after, "change"):
        table.add_column(column, justify="left" if column == "KPI" else "right")
    for item in diff(warehouse, before, after):
        kpi = formats.get(item.kpi)
        fmt = kpi.format if kpi else "number"
        row = {"change": item.change, "change_pct": item.change_pct}
        change = _change_text(row, kpi) if kpi else str(item.change)
        table.add_row(
            item.label, format_value(item.before, fmt), format_value(item.after, fmt), change
        )
    console.print(table)


def docs_kpis_command(
    out: Annotated[str, typer.Option(help="File to write ('-' for standard output).")] = "-",
) -> None:
    """Write the KPI catalogue as Markdown (docs/kpi_definitions.md)."""
    from globalcart.semantic.docs import kpi_markdown

    try:
        text = kpi_markdown()
    except RegistryError as exc:
        raise fail(str(exc)) from None
    if out == "-":
        typer.echo(text, nl=False)
    else:
        Path(out).write_text(text, encoding="utf-8")
