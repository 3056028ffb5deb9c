"""Shared pieces of the analytics and admin routes: the analytics caller, tables of rows
(JSON or ``?format=csv`` with the same content), and KPI queries through the registry."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Sequence
from decimal import Decimal
from typing import Annotated, Any, Literal

from fastapi import Depends, Query, Request
from fastapi.responses import Response
from pydantic import AfterValidator, BaseModel, Field
from starlette.concurrency import run_in_threadpool

from globalcart.api.deps import (
    AuthPrincipal,
    Principal,
    StoreDep,
    caller,
    security_event,
    signed_in,
)
from globalcart.api.problems import ProblemError
from globalcart.engines import Warehouse
from globalcart.semantic import Compare, Grain, KpiQueryError, compute
from globalcart.semantic.query import NOT_BUILT, require_built, resolve_range
from globalcart.semantic.registry import RegistryError, load_registry
from globalcart.store import Store

ANALYTICS_SCOPE = "analytics:read"
ANALYTICS_ROLES = frozenset({"analyst", "admin"})
Cell = bool | int | float | str | dt.date | dt.datetime | None
Format = Literal["json", "csv"]
CSV_MEDIA_TYPE = "text/csv; charset=utf-8"


def analytics_allowed(principal: Principal) -> bool:
    """An analyst or admin: a browser session, or an API key of theirs with the
    ``analytics:read`` (or ``admin``) scope. A customer's key is refused whatever its scopes."""
    allowed = principal.user.role in ANALYTICS_ROLES
    if principal.via == "api_key":  # the key's scope and its owner's role must both allow it
        allowed = allowed and bool({ANALYTICS_SCOPE, "admin"} & principal.scopes)
    return allowed


async def _analyst(request: Request) -> Principal:
    # no sub-dependencies: resolving them costs more than the check on every analytics request
    principal = signed_in(await caller(request))
    if analytics_allowed(principal):
        return principal
    store: Store = request.app.state.store
    return await run_in_threadpool(require_analytics, principal, store, request)


def require_analytics(principal: AuthPrincipal, store: StoreDep, request: Request) -> Principal:
    """The caller if :func:`analytics_allowed`, else a 403 (recorded in the audit log)."""
    if not analytics_allowed(principal):
        security_event(store, request, "analytics_access_denied", principal.user)
        raise ProblemError(
            403,
            "this route needs an analyst or admin session, or an API key with the "
            f"{ANALYTICS_SCOPE} scope",
            kind="forbidden",
        )
    return principal


Analyst = Annotated[Principal, Depends(_analyst)]
FormatQuery = Annotated[
    Format, Query(alias="format", description="json (default) or csv (the same rows)")
]
FIRST_DAY, LAST_DAY = dt.date(1900, 1, 1), dt.date(2199, 12, 31)
MAX_PERIODS = 1000


def _bounded(day: dt.date | None) -> dt.date | None:
    if day is not None and not FIRST_DAY <= day <= LAST_DAY:
        raise ValueError(f"dates must lie between {FIRST_DAY} and {LAST_DAY}")
    return day


StartQuery = Annotated[
    dt.date | None, AfterValidator(_bounded), Query(description="First day (inclusive).")
]
EndQuery = Annotated[
    dt.date | None, AfterValidator(_bounded), Query(description="Last day (inclusive).")
]
GrainQuery = Annotated[Grain | None, Query(description="Group the range by day, week or month.")]
CompareQuery = Annotated[
    Compare | None, Query(description="Add previous_value, change and change_pct.")
]
ByQuery = Annotated[
    str | None,
    Query(max_length=40, pattern=r"^[a-z_]+$", description="Breakdown dimension.",
          examples=["country", "channel", "segment"]),
]  # fmt: skip


class Table(BaseModel):
    """Rows of a KPI query; ``?format=csv`` returns the same ``columns`` and ``rows``."""

    title: str
    kpis: list[str] = Field(description="Registry KPIs the numbers come from.")
    start: dt.date | None = None
    end: dt.date | None = None
    grain: str | None = None
    by: str | None = None
    compare: str | None = None
    previous_start: dt.date | None = None
    previous_end: dt.date | None = None
    columns: list[str]
    rows: list[dict[str, Cell]]


class Page(Table):
    """A page of rows: ``total`` rows match, ``limit`` from ``offset`` are returned."""

    total: int
    limit: int
    offset: int


CSV_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/csv": {"schema": {"type": "string"}}}}
}


def plain(value: Any) -> Cell:
    """A database value as a JSON cell (decimals become floats or ints)."""
    if isinstance(value, Decimal):
        exponent = value.as_tuple().exponent
        return int(value) if isinstance(exponent, int) and exponent >= 0 else float(value)
    if isinstance(value, bool | int | float | str | dt.date | dt.datetime) or value is None:
        return value
    return str(value)


def _csv_cell(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return str(value)


def to_csv(columns: Sequence[str], rows: Sequence[dict[str, Cell]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_csv_cell(row.get(column)) for column in columns])
    return out.getvalue()


def respond(table: Table, fmt: Format, filename: str) -> Response:
    """The table as JSON, or as a CSV attachment with the same columns and rows."""
    if fmt == "json":
        return Response(table.model_dump_json(), media_type="application/json")
    return Response(
        to_csv(table.columns, table.rows),
        media_type=CSV_MEDIA_TYPE,
        headers={"Content-Disposition": f'attachment; filename="{filename}.csv"'},
    )


def not_built() -> ProblemError:
    return ProblemError(409, NOT_BUILT, kind="warehouse-not-built")


def ensure_built(warehouse: Warehouse, view: str = "marts.kpi_net_revenue") -> None:
    """A clear 409 problem (never a 5xx) when the warehouse has not been built yet."""
    try:
        require_built(warehouse, view)
    except KpiQueryError:
        raise not_built() from None


def known_kpi(name: str) -> None:
    try:
        load_registry().kpi(name)
    except RegistryError as exc:
        raise ProblemError(404, str(exc), kind="unknown-kpi") from None


def kpi_rows(
    warehouse: Warehouse,
    name: str,
    start: dt.date | None,
    end: dt.date | None,
    **options: Any,
) -> tuple[Any, list[dict[str, Cell]]]:
    """``compute`` with its errors as problems: the result and its rows as cells."""
    known_kpi(name)
    ensure_built(warehouse)
    try:
        if options.get("grain"):
            start, end = _short_enough(warehouse, start, end, options["grain"])
        result = compute(warehouse, name, start, end, **options)
    except KpiQueryError as exc:
        raise ProblemError(422, str(exc), kind="invalid-kpi-query") from None
    rows = [{key: plain(value) for key, value in row.items()} for row in result.rows]
    return result, rows


def _short_enough(
    warehouse: Warehouse, start: dt.date | None, end: dt.date | None, grain: Grain
) -> tuple[dt.date, dt.date]:
    """The resolved range, refused when it holds more than ``MAX_PERIODS`` periods of ``grain``
    (every period is a row, and a row per day over centuries is a denial of service)."""
    start, end = resolve_range(warehouse, start, end)
    days = (end - start).days + 1
    count = {"day": days, "week": days // 7 + 1}.get(
        grain, (end.year - start.year) * 12 + end.month - start.month + 1
    )
    if count > MAX_PERIODS:
        raise KpiQueryError(
            f"{start} to {end} holds {count} periods of a {grain}; at most {MAX_PERIODS} per "
            "request: choose a shorter range or a coarser grain"
        )
    return start, end


def merged(
    warehouse: Warehouse,
    title: str,
    names: Sequence[str],
    start: dt.date | None,
    end: dt.date | None,
    *,
    grain: Grain | None = None,
    by: str | None = None,
    compare: Compare | None = None,
    limit: int | None = None,
) -> Table:
    """Several metrics side by side: one column per KPI (plus ``<kpi>_previous``,
    ``<kpi>_change`` and ``<kpi>_change_pct`` when comparing), rows keyed by period and/or
    breakdown; the first KPI sets the row order (and the ``limit``)."""
    keys = [key for key, used in (("period", grain), (by or "", by)) if used]
    table: dict[tuple[Cell, ...], dict[str, Cell]] = {}
    columns = list(keys)
    first: Any = None
    for index, name in enumerate(names):
        result, rows = kpi_rows(
            warehouse, name, start, end, grain=grain, by=by, compare=compare,
            limit=limit if index == 0 else None,
        )  # fmt: skip
        first = first or result
        suffixes = [("value", name)]
        if compare:
            suffixes += [(f, f"{name}_{f.replace('_value', '')}") for f in ("previous_value",
                         "change", "change_pct")]  # fmt: skip
        columns += [column for _, column in suffixes]
        for row in rows:
            key = tuple(row.get(k) for k in keys)
            if key not in table:
                if index:
                    continue  # outside the first KPI's rows (e.g. beyond its limit)
                table[key] = {k: row.get(k) for k in keys}
            table[key].update({column: row.get(field) for field, column in suffixes})
    out = [{column: row.get(column) for column in columns} for row in table.values()]
    return Table(
        title=title, kpis=list(names), start=first.start, end=first.end, grain=grain, by=by,
        compare=compare, previous_start=first.previous_start, previous_end=first.previous_end,
        columns=columns, rows=out,
    )  # fmt: skip
