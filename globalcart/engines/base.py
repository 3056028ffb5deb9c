"""The ``Warehouse`` protocol every engine implements, and small shared helpers."""

from __future__ import annotations

import re
from collections.abc import Sequence
from contextlib import AbstractContextManager
from typing import Any, Literal, Protocol, runtime_checkable

import pyarrow as pa

Dialect = Literal["duckdb", "postgres"]
Params = Sequence[Any] | None

_IDENT = re.compile(r"^[a-z_][a-z0-9_]*(\.[a-z_][a-z0-9_]*)?$")


class WarehouseError(Exception):
    """A warehouse operation failed in a way the user can act on."""


class WarehouseConnectionError(WarehouseError):
    """The database URL is wrong or the database is unreachable."""


@runtime_checkable
class Warehouse(Protocol):
    """A connection to the warehouse database.

    SQL parameters use ``?`` placeholders on every engine. Statements run in autocommit mode
    unless they are issued inside ``transaction()`` (on the same thread), which commits on
    success and rolls back on any exception. Nested ``transaction()`` blocks join the outer one.
    """

    dialect: Dialect
    url: str

    def execute(self, sql: str, params: Params = None) -> int:
        """Run one statement; returns the rows it inserted, updated or deleted (0 for others)."""

    def query(self, sql: str, params: Params = None) -> list[tuple[Any, ...]]:
        """Run a query and return its rows as tuples."""

    def query_arrow(self, sql: str, params: Params = None) -> pa.Table:
        """Run a query and return its result as an Arrow table."""

    def columns_of(self, sql: str) -> list[str]:
        """Column names a query would return (without running it fully)."""

    def column_types_of(self, sql: str) -> list[tuple[str, str]]:
        """Column names and the engine's type of each (its name or id) a query would return."""

    def transaction(self) -> AbstractContextManager[None]:
        """A transaction on this thread: commit on success, roll back on error."""

    def load_arrow(self, table: str, data: pa.Table) -> int:
        """Bulk-append an Arrow table (columns matched by name) into ``table``; rows loaded."""

    def table_exists(self, table: str) -> bool:
        """Whether ``schema.table`` exists (as a table or view)."""

    def row_count(self, table: str) -> int:
        """Number of rows of ``schema.table``."""

    def close(self) -> None:
        """Release the connection(s)."""


def check_identifier(name: str) -> str:
    """Validate a lower-case ``name`` or ``schema.name`` identifier and return it."""
    if not _IDENT.match(name):
        raise WarehouseError(f"invalid identifier {name!r}")
    return name


def split_name(table: str) -> tuple[str, str]:
    """``schema.table`` -> (schema, table); a bare name is in schema ``main``/``public``."""
    check_identifier(table)
    schema, _, name = table.rpartition(".")
    return schema, name


def insert_rows(
    warehouse: Warehouse, table: str, rows: Sequence[Sequence[Any]], row_sql: str | None = None
) -> None:
    """Insert ``rows`` into ``table`` with few statements (one per 500 rows): bookkeeping of a
    build wrote hundreds of one-row inserts. ``row_sql`` is one row's values, ``(?, ?)`` by
    default."""
    if not rows:
        return
    row_sql = row_sql or "(" + ", ".join("?" for _ in rows[0]) + ")"
    for start in range(0, len(rows), 500):
        chunk = rows[start : start + 500]
        params = [value for row in chunk for value in row]
        warehouse.execute(f"insert into {table} values {', '.join([row_sql] * len(chunk))}", params)
