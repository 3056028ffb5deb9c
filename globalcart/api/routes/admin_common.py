"""Helpers of the read-only admin routes over the warehouse: filtered, sorted, paginated
selects with bound parameters (never user text in SQL), audited exports."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import Query, Request

from globalcart.api.deps import Principal, client_ip
from globalcart.api.problems import ProblemError
from globalcart.api.routes.kpi_tables import Cell, Page, ensure_built, plain
from globalcart.engines import Warehouse, WarehouseError
from globalcart.store import Store
from globalcart.store.users import audit

PageLimit = Annotated[int, Query(ge=1, le=10_000, description="Rows per page (1-10,000).")]
PageOffset = Annotated[int, Query(ge=0, le=10_000_000, description="Rows to skip.")]
Text = Annotated[str | None, Query(max_length=100)]


def audit_admin(
    store: Store, request: Request, admin: Principal, action: str, **detail: Any
) -> None:
    """Append an admin action (exports, PII reads) to the audit log."""
    audit(
        store,
        action,
        actor=admin.user,
        target=f"{request.method} {request.url.path}",
        ip=client_ip(request),
        request_id=getattr(request.state, "request_id", None),
        detail=detail or None,
    )


def like(text: str) -> str:
    """A case-insensitive ``like`` pattern for ``text`` (its wildcards escaped with ``\\``)."""
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


@dataclass
class Where:
    """``and``-ed conditions with their bound parameters."""

    parts: list[str] = field(default_factory=list)
    params: list[Any] = field(default_factory=list)

    def add(self, sql: str, *params: Any) -> None:
        self.parts.append(sql)
        self.params.extend(params)

    def maybe(self, sql: str, value: Any) -> None:
        if value is not None:
            self.add(sql, value)

    def dates(self, column: str, start: dt.date | None, end: dt.date | None) -> None:
        if start is not None and end is not None and start > end:
            raise ProblemError(422, f"start {start} is after end {end}", kind="validation-error")
        self.maybe(f"{column} >= ?", start)
        self.maybe(f"{column} <= ?", end)

    @property
    def sql(self) -> str:
        return f" where {' and '.join(self.parts)}" if self.parts else ""


def order_by(sort: str, allowed: tuple[str, ...], tiebreak: str) -> str:
    """``col`` or ``-col`` (descending) from ``allowed`` as an ``order by`` clause."""
    column = sort.removeprefix("-")
    if column not in allowed:
        options = ", ".join(allowed)
        raise ProblemError(
            422, f"cannot sort by {sort!r} (use {options}, '-' first for descending)",
            kind="validation-error",
        )  # fmt: skip
    direction = "desc" if sort.startswith("-") else "asc"
    return f" order by {column} {direction}, {tiebreak}"


def fetch(warehouse: Warehouse, sql: str, params: list[Any]) -> list[dict[str, Cell]]:
    """Rows as dictionaries of JSON cells."""
    try:
        table = warehouse.query_arrow(sql, params)
    except WarehouseError as exc:
        raise ProblemError(
            409, f"the warehouse cannot answer: {exc}", kind="warehouse-error"
        ) from None
    return [{c: plain(v) for c, v in row.items()} for row in table.to_pylist()]


def page(
    warehouse: Warehouse,
    title: str,
    source: str,
    where: Where,
    order: str,
    limit: int,
    offset: int,
    columns: str = "*",
    check: str | None = None,
) -> Page:
    """One page of ``select columns from source where … order …`` and the total count
    (after checking that the warehouse is built and ``check``, default ``source``, exists)."""
    if check != "":  # "": the caller has checked that ``source`` exists
        ensure_built(warehouse, check or source)
    total_rows = warehouse.query(f"select count(*) from {source}{where.sql}", where.params)
    sql = f"select {columns} from {source}{where.sql}{order} limit ? offset ?"
    rows = fetch(warehouse, sql, [*where.params, limit, offset])
    names = list(rows[0]) if rows else warehouse.columns_of(f"select {columns} from {source}")
    return Page(
        title=title, kpis=[], columns=names, rows=rows, total=int(total_rows[0][0]),
        limit=limit, offset=offset,
    )  # fmt: skip
