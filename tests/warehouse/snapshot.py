"""Engine-neutral snapshots of warehouse tables: row counts and content checksums."""

from __future__ import annotations

import datetime as dt
import hashlib
from decimal import Decimal
from typing import Any

from globalcart.engines import Warehouse

BUILT_SCHEMAS = ("staging", "dw", "marts")


def normalise(value: Any) -> str:
    """A text form that is identical for equal values from DuckDB and PostgreSQL."""
    if value is None:
        return "∅"
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, Decimal | int):
        number = Decimal(value)
        if number == number.to_integral_value():
            return str(int(number))
        return str(number.normalize())
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value)


def tables(warehouse: Warehouse, schemas: tuple[str, ...] = BUILT_SCHEMAS) -> list[str]:
    listed = ", ".join(f"'{schema}'" for schema in schemas)
    rows = warehouse.query(
        f"select table_schema, table_name from information_schema.tables "
        f"where table_schema in ({listed}) order by 1, 2"
    )
    return [f"{schema}.{name}" for schema, name in rows]


def table_rows(warehouse: Warehouse, table: str, exclude: tuple[str, ...] = ()) -> list[str]:
    schema, name = table.split(".")
    columns = [
        row[0]
        for row in warehouse.query(
            "select column_name from information_schema.columns where table_schema = ? "
            "and table_name = ? order by ordinal_position",
            [schema, name],
        )
        if row[0] not in exclude
    ]
    rows = warehouse.query(f"select {', '.join(columns)} from {table}")
    return sorted("|".join(normalise(value) for value in row) for row in rows)


def snapshot(
    warehouse: Warehouse,
    schemas: tuple[str, ...] = BUILT_SCHEMAS,
    exclude: tuple[str, ...] = (),
    skip: tuple[str, ...] = (),
) -> dict[str, tuple[int, str]]:
    """table -> (row count, sha256 of its sorted normalised rows)."""
    result = {}
    for table in tables(warehouse, schemas):
        if table.split(".")[1].startswith(skip) and skip:
            continue
        rows = table_rows(warehouse, table, exclude)
        digest = hashlib.sha256("\n".join(rows).encode("utf-8")).hexdigest()
        result[table] = (len(rows), digest)
    return result


def fast_snapshot(
    warehouse: Warehouse, schemas: tuple[str, ...] = BUILT_SCHEMAS
) -> dict[str, tuple[int, int]]:
    """table -> (row count, order-independent row hash sum), computed in SQL (same engine only)."""
    if warehouse.dialect == "duckdb":
        digest = "coalesce(sum(hash(t)), 0)"
    else:
        digest = "coalesce(sum(('x' || substr(md5(t::text), 1, 15))::bit(60)::bigint), 0)"
    result = {}
    for table in tables(warehouse, schemas):
        count, total = warehouse.query(f"select count(*), {digest} from {table} as t")[0]
        result[table] = (int(count), int(total))
    return result
