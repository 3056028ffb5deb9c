"""Writing a merge: the recomputed rows of the changed keys replace the table's rows of those keys.

The recomputed rows go to a temporary table first (``gc_rows_<schema>_<table>``), which the
build's checks then read instead of looking the rewritten rows up in the model again. When an
error-severity unique check of the model starts with the merge key and its columns are unique
among the old rows of the changed keys (a unique index proves it on PostgreSQL; without the
proof a query checks it), only the rows that differ are written: the old rows of the changed
keys that are not among the new ones are deleted, and the new rows that are not among the old
ones inserted. A customer's new order renumbers the customer's orders from this one on, and most
of those numbers stay the same: unchanged rows are neither deleted nor written again (with their
index entries and write-ahead log). Either way the table ends with exactly the recomputed rows
for the changed keys.

The old rows of the changed keys stay in ``gc_old_<schema>_<table>`` too when a later model's
``changed`` query reads ``diff.<schema>.<table>``: the rows this merge changed, old and new
versions (empty when the model was not built). ``fct_orders`` so recomputes the orders whose
customer order number or next-order date really moved, not every order that might have.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from globalcart.engines.base import Warehouse
from globalcart.pipeline.scopes import analyze_temp

_DIFF_REF = re.compile(r"\bdiff\.(\w+)\.(\w+)\b(?:\s+as\s+(\w+))?")


@dataclass(frozen=True)
class UniqueKey:
    """An error-severity unique check's columns, starting with the merge key; ``proven``: a
    unique index guarantees them (otherwise the old rows of the changed keys are checked)."""

    columns: tuple[str, ...]
    proven: bool


def rows_table(model_name: str) -> str:
    """The temp table holding the rows a merge of ``model_name`` wrote for its changed keys."""
    return "gc_rows_" + model_name.replace(".", "_")


def old_table(model_name: str) -> str:
    """The temp table holding the rows of ``model_name``'s changed keys before its merge."""
    return "gc_old_" + model_name.replace(".", "_")


def diffs_used(sql: str) -> set[str]:
    """The models whose ``diff.<schema>.<table>`` ``sql`` reads."""
    return {f"{schema}.{table}" for schema, table, _ in _DIFF_REF.findall(sql)}


def resolve_diffs(sql: str, merged: frozenset[str]) -> str:
    """``sql`` with each ``diff.<model>`` replaced by the rows its merge changed (``merged``: the
    models merged so far; any other was not built and changed nothing)."""

    def rows(match: re.Match[str]) -> str:
        name, alias = f"{match.group(1)}.{match.group(2)}", match.group(3) or match.group(2)
        if name not in merged:
            return f"(select * from {name} where 1 = 0) as {alias}"
        old, new = old_table(name), rows_table(name)
        return (
            f"(select * from (select * from {old} except select * from {new}) as gc_gone "
            f"union all select * from (select * from {new} except select * from {old}) as gc_new"
            f") as {alias}"
        )

    return _DIFF_REF.sub(rows, sql)


def rewrite(
    warehouse: Warehouse,
    model_name: str,
    columns: list[str],
    changed: str,
    recomputed: str,
    unique: UniqueKey | None,
    keep_old: bool = False,
) -> int:
    """Replace the rows of ``model_name`` matching the filter ``changed`` (which names the
    table unqualified, without an alias) with the rows of the query ``recomputed`` (which has
    ``columns``); returns the rows inserted. With ``unique`` only the rows that differ are
    written; ``keep_old``: keep the old rows of the changed keys (for ``diff.<model>``)."""
    rows, old, listed = rows_table(model_name), old_table(model_name), ", ".join(columns)
    warehouse.execute(f"drop table if exists {rows}")
    warehouse.execute(f"create temp table {rows} as select {listed} from ({recomputed}\n) as q")
    analyze_temp(warehouse, rows)
    if unique or keep_old:
        warehouse.execute(f"drop table if exists {old}")
        warehouse.execute(
            f"create temp table {old} as select {listed} from {model_name} where {changed}"
        )
        analyze_temp(warehouse, old)
    if unique and not unique.proven and _repeats(warehouse, old, unique.columns):
        unique = None  # not unique after all (a check added since): rewrite every row
    if not unique:
        warehouse.execute(f"delete from {model_name} where {changed}")
        return warehouse.execute(f"insert into {model_name} ({listed}) select {listed} from {rows}")
    # the old rows are unique: deleting the changed keys' rows whose unique columns a stale row
    # holds removes exactly the stale ones (the first column, a merge key column, is never null
    # here; the others may be). A new row repeating a kept row's unique columns is inserted
    # beside it, and the unique index or the unique check on the new rows fails the build.
    table = model_name.rsplit(".", 1)[-1]
    same = " and ".join(
        f"s.{c} = {table}.{c}" if at == 0 else f"s.{c} is not distinct from {table}.{c}"
        for at, c in enumerate(unique.columns)
    )
    stale = f"select {listed} from {old} except select {listed} from {rows}"
    warehouse.execute(
        f"delete from {model_name} where {changed} "
        f"and exists (select 1 from ({stale}) as s where {same})"
    )
    return warehouse.execute(
        f"insert into {model_name} ({listed}) select {listed} from {rows} "
        f"except all select {listed} from {old}"
    )


def _repeats(warehouse: Warehouse, table: str, columns: tuple[str, ...]) -> bool:
    """Whether two rows of ``table`` hold the same ``columns`` (nulls equal)."""
    listed = ", ".join(columns)
    groups = f"select {listed} from {table} group by {listed} having count(*) > 1"
    sql = f"select count(*) from ({groups}) as d"
    return bool(warehouse.query(sql)[0][0])
