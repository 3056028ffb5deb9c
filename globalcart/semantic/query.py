"""Compute KPIs from the registry: a date range, an optional grain and breakdown, and an
optional period-over-period comparison. This is the API every consumer uses.

Metrics are aggregated over their source view for the range (ratios are ratios of sums,
never averages of daily ratios). Table KPIs return their view's rows, filtered by their
date column when they have one.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal

from globalcart.engines.base import Warehouse, WarehouseError
from globalcart.semantic.availability import check_kpi
from globalcart.semantic.registry import GRAINS, Grain, Kpi, Registry, load_registry

Compare = Literal["previous_period", "previous_year"]
COMPARES: tuple[Compare, ...] = ("previous_period", "previous_year")
DEFAULT_DAYS = 30
MAX_LIMIT = 10_000


class KpiQueryError(ValueError):
    """A KPI request the registry cannot answer (unknown KPI, breakdown, grain, dates…)."""


@dataclass
class KpiResult:
    """The rows of one KPI for a range; metric rows have ``value`` (and comparison fields)."""

    kpi: Kpi
    start: dt.date | None
    end: dt.date | None
    columns: list[str]
    rows: list[dict[str, Any]] = field(default_factory=list)
    grain: Grain | None = None
    by: str | None = None
    compare: Compare | None = None
    previous_start: dt.date | None = None
    previous_end: dt.date | None = None
    # False when the warehouse lacks the KPI's inputs (e.g. no sessions for an imported order
    # log): values are then None, never 0, and ``unavailable_reason`` says what is missing.
    available: bool = True
    unavailable_reason: str | None = None


def list_kpis(registry: Registry | None = None) -> list[Kpi]:
    """Every KPI of the registry, in registry order."""
    return list((registry or load_registry()).kpis)


def _plain(value: Any) -> Any:
    """Decimals become ints (whole-number sums) or floats (JSON-friendly); others are kept."""
    if isinstance(value, Decimal):
        exponent = value.as_tuple().exponent
        return int(value) if isinstance(exponent, int) and exponent >= 0 else float(value)
    return value


def shift_year(day: dt.date, years: int = -1) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def previous_range(start: dt.date, end: dt.date, compare: Compare) -> tuple[dt.date, dt.date]:
    """The comparison range: the same number of days just before, or one year earlier."""
    if compare == "previous_year":
        return shift_year(start), shift_year(end)
    days = (end - start).days + 1
    previous_end = start - dt.timedelta(days=1)
    return previous_end - dt.timedelta(days=days - 1), previous_end


def period_start(day: dt.date, grain: Grain) -> dt.date:
    if grain == "week":
        return day - dt.timedelta(days=day.weekday())
    if grain == "month":
        return day.replace(day=1)
    return day


def periods(start: dt.date, end: dt.date, grain: Grain) -> list[dt.date]:
    """Start of every period of ``grain`` overlapping [start, end]."""
    result: list[dt.date] = []
    current = period_start(start, grain)
    while current <= end:
        result.append(current)
        if grain == "day":
            current += dt.timedelta(days=1)
        elif grain == "week":
            current += dt.timedelta(days=7)
        else:
            current = (current.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return result


NOT_BUILT = "the warehouse is not built yet: run globalcart pipeline (or load and build)"


def require_built(warehouse: Warehouse, view: str = "marts.kpi_net_revenue") -> None:
    """Raise a clear ``KpiQueryError`` when the warehouse or the KPI views do not exist."""
    if not warehouse.table_exists("dw.dim_date") or not warehouse.table_exists(view):
        raise KpiQueryError(NOT_BUILT)


def data_end(warehouse: Warehouse) -> dt.date | None:
    """The last day the warehouse has data for (``dw.dim_date``)."""
    require_built(warehouse)
    rows = warehouse.query("select max(date_day) from dw.dim_date")
    value = rows[0][0] if rows else None
    return value if isinstance(value, dt.date) else None


def resolve_range(
    warehouse: Warehouse, start: dt.date | None, end: dt.date | None
) -> tuple[dt.date, dt.date]:
    """Default: the last ``DEFAULT_DAYS`` days with data (ending at ``end`` when given)."""
    if end is None:
        end = data_end(warehouse) or dt.datetime.now(dt.UTC).date()
    if start is None:
        start = end - dt.timedelta(days=DEFAULT_DAYS - 1)
    if start > end:
        raise KpiQueryError(f"start {start} is after end {end}")
    return start, end


def _check_request(kpi: Kpi, by: str | None, grain: Grain | None, compare: str | None) -> None:
    if kpi.kind == "table":
        if by is not None or grain is not None or compare is not None:
            raise KpiQueryError(
                f"{kpi.name} is a table KPI: it has no breakdown, grain or comparison "
                "(its columns already break it down)"
            )
        return
    if by is not None and by not in kpi.dimensions:
        offered = ", ".join(kpi.dimensions) or "none"
        raise KpiQueryError(f"{kpi.name} cannot be broken down by {by!r} (allowed: {offered})")
    if grain is not None and grain not in kpi.grains:
        raise KpiQueryError(f"{kpi.name} has no grain {grain!r} (allowed: {', '.join(kpi.grains)})")
    if compare is not None and compare not in COMPARES:
        raise KpiQueryError(f"unknown comparison {compare!r} (use {' or '.join(COMPARES)})")


def metric_sql(
    kpi: Kpi, registry: Registry, by: str | None, grain: Grain | None
) -> tuple[str, list[str]]:
    """The aggregate query of a metric (two ``?`` parameters: start, end) and its columns."""
    assert kpi.source is not None
    date = registry.view(kpi.source).date_column
    keys: list[tuple[str, str]] = []
    if grain is not None:
        expr = date if grain == "day" else f"cast(date_trunc('{grain}', {date}) as date)"
        keys.append(("period", str(expr)))
    if by is not None:
        keys.append((by, by))
    selected = [f"{expr} as {name}" for name, expr in keys] + [f"{kpi.value_sql()} as value"]
    where = f"{date} >= ? and {date} <= ?"
    if kpi.filter:
        where += f" and ({kpi.filter.strip()})"
    sql = f"select {', '.join(selected)} from marts.{kpi.source} where {where}"
    if keys:
        positions = ", ".join(str(i + 1) for i in range(len(keys)))
        sql += f" group by {positions} order by {positions}"
    return sql, [name for name, _ in keys] + ["value"]


def _run(
    warehouse: Warehouse, sql: str, params: list[Any], columns: list[str]
) -> list[dict[str, Any]]:
    try:
        rows = warehouse.query(sql, params)
    except WarehouseError as exc:
        raise KpiQueryError(f"KPI query failed (is the warehouse built?): {exc}") from exc
    return [{name: _plain(value) for name, value in zip(columns, row, strict=True)} for row in rows]


def _key(
    row: dict[str, Any], by: str | None, grain: Grain | None, ordinals: dict[dt.date, int]
) -> Any:
    ordinal = ordinals.get(row["period"]) if grain is not None else None
    return (ordinal, row.get(by) if by else None)


def _compare(
    current: list[dict[str, Any]],
    previous: list[dict[str, Any]],
    by: str | None,
    grain: Grain | None,
    spans: tuple[list[dt.date], list[dt.date]],
) -> None:
    """Add previous_value, change and change_pct to ``current`` (matched by period and key)."""
    now, then = ({day: i for i, day in enumerate(span)} for span in spans)
    before = {_key(row, by, grain, then): row["value"] for row in previous}
    for row in current:
        old = before.get(_key(row, by, grain, now))
        value = row["value"]
        row["previous_value"] = old
        row["change"] = value - old if value is not None and old is not None else None
        row["change_pct"] = (
            (value - old) / abs(old) if value is not None and old not in (None, 0) else None
        )


def _shape(
    rows: list[dict[str, Any]],
    kpi: Kpi,
    by: str | None,
    grain: Grain | None,
    start: dt.date,
    end: dt.date,
    available: bool = True,
) -> list[dict[str, Any]]:
    """One total row, or one row per period (empty periods filled), or a ranking."""
    # a sum over no rows is 0, unless the KPI's inputs are missing altogether
    empty = None if kpi.denominator is not None or not available else 0
    if by is None and grain is None:
        value = rows[0]["value"] if rows else None
        return [{"value": empty if value is None else value}]
    if by is None and grain is not None:
        found = {row["period"]: row["value"] for row in rows}
        return [{"period": p, "value": found.get(p, empty)} for p in periods(start, end, grain)]
    if grain is None:  # a ranking: largest first
        key = by or "value"
        rows.sort(key=lambda r: (r["value"] is None, -(r["value"] or 0), str(r.get(key))))
    return rows


def compute(
    warehouse: Warehouse,
    name: str,
    start: dt.date | None = None,
    end: dt.date | None = None,
    *,
    by: str | None = None,
    grain: Grain | None = None,
    compare: Compare | None = None,
    limit: int | None = None,
    registry: Registry | None = None,
) -> KpiResult:
    """One KPI for [start, end] (inclusive; default: the last 30 days with data).

    Raises ``KpiQueryError`` (a ``ValueError``) for requests the KPI does not support.
    """
    registry = registry or load_registry()
    try:
        kpi = registry.kpi(name)
    except ValueError as exc:
        raise KpiQueryError(str(exc)) from exc
    _check_request(kpi, by, grain, compare)
    if limit is not None and not 1 <= limit <= MAX_LIMIT:
        raise KpiQueryError(f"limit must be between 1 and {MAX_LIMIT}")
    if kpi.kind == "table":
        table = _table(warehouse, kpi, start, end, limit)
        return _mark(warehouse, table)
    if grain is not None and grain not in GRAINS:
        raise KpiQueryError(f"unknown grain {grain!r}")
    start, end = resolve_range(warehouse, start, end)
    sql, columns = metric_sql(kpi, registry, by, grain)
    result = _mark(
        warehouse, KpiResult(kpi, start, end, columns, grain=grain, by=by, compare=compare)
    )
    ok = result.available
    rows = _run(warehouse, sql, [start, end], columns) if ok else []
    result.rows = rows = _shape(rows, kpi, by, grain, start, end, ok)
    if compare is not None:
        p_start, p_end = previous_range(start, end, compare)
        previous = _run(warehouse, sql, [p_start, p_end], columns) if ok else []
        previous = _shape(previous, kpi, by, grain, p_start, p_end, ok)
        spans = (periods(start, end, grain), periods(p_start, p_end, grain)) if grain else ([], [])
        _compare(rows, previous, by, grain, spans)
        result.columns += ["previous_value", "change", "change_pct"]
        result.previous_start, result.previous_end = p_start, p_end
    if limit is not None:
        result.rows = result.rows[:limit]
    return result


def _mark(warehouse: Warehouse, result: KpiResult) -> KpiResult:
    """Set ``available`` (an unavailable table KPI has no rows)."""
    status = check_kpi(warehouse, result.kpi)
    if not status.available:
        result.available, result.unavailable_reason = False, status.reason
        if result.kpi.kind == "table":
            result.rows = []
    return result


def _table(
    warehouse: Warehouse,
    kpi: Kpi,
    start: dt.date | None,
    end: dt.date | None,
    limit: int | None,
) -> KpiResult:
    if start is not None and end is not None and start > end:
        raise KpiQueryError(f"start {start} is after end {end}")
    params: list[Any] = []
    where = ""
    if kpi.date_column is not None:
        if start is not None:
            where += f" and {kpi.date_column} >= ?"
            params.append(period_start(start, kpi.date_grain))
        if end is not None:
            where += f" and {kpi.date_column} <= ?"
            params.append(end)
    sql = f"select * from {kpi.view} where 1 = 1{where} order by 1, 2"
    if limit is not None:
        sql += f" limit {int(limit)}"
    require_built(warehouse, kpi.view)
    columns = warehouse.columns_of(f"select * from {kpi.view}")
    rows = _run(warehouse, sql, params, columns)
    return KpiResult(kpi, start, end, columns, rows)
