"""PostgreSQL engine: psycopg 3 with a connection pool; bulk loads through COPY (CSV from Arrow)."""

from __future__ import annotations

import io
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
import pyarrow as pa
import pyarrow.csv as pa_csv
from psycopg_pool import ConnectionPool

from globalcart.engines.base import (
    Dialect,
    Params,
    WarehouseConnectionError,
    WarehouseError,
    check_identifier,
    split_name,
)

COPY_BATCH_ROWS = 100_000


def _configure(conn: psycopg.Connection[Any]) -> None:
    conn.execute("set timezone to 'UTC'")


def _placeholders(sql: str, params: Params) -> str:
    """Translate the engine-neutral ``?`` placeholders to psycopg's ``%s``."""
    if params is None:
        return sql
    return sql.replace("%", "%%").replace("?", "%s")


class PostgresWarehouse:
    """A PostgreSQL database reached through a small connection pool."""

    dialect: Dialect = "postgres"

    def __init__(self, url: str, max_size: int = 4, connect_timeout: int = 5) -> None:
        self.url = url
        try:
            with psycopg.connect(url, connect_timeout=connect_timeout) as probe:
                probe.execute("select 1")
        except psycopg.Error as exc:
            message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise WarehouseConnectionError(f"cannot connect to PostgreSQL: {message}") from exc
        self._pool = ConnectionPool(
            url,
            min_size=1,
            max_size=max_size,
            kwargs={"autocommit": True, "connect_timeout": connect_timeout},
            configure=_configure,
            open=True,
        )
        self._local = threading.local()

    @contextmanager
    def _connection(self) -> Iterator[psycopg.Connection[Any]]:
        conn: psycopg.Connection[Any] | None = getattr(self._local, "conn", None)
        if conn is not None:
            yield conn
            return
        with self._pool.connection() as pooled:
            yield pooled

    def _fetch(
        self, sql: str, params: Params, fetch: bool
    ) -> tuple[list[str], list[tuple[Any, ...]], int]:
        """Column names, rows (when ``fetch``) and the rows changed."""
        with self._connection() as conn:
            try:
                cursor = conn.execute(_placeholders(sql, params), params)
                changed = max(cursor.rowcount, 0) if cursor.description is None else 0
                if not fetch or cursor.description is None:
                    return [], [], changed
                names = [column.name for column in cursor.description]
                return names, cursor.fetchall(), changed
            except psycopg.Error as exc:
                raise WarehouseError(str(exc).strip()) from exc

    def execute(self, sql: str, params: Params = None) -> int:
        return self._fetch(sql, params, fetch=False)[2]

    def query(self, sql: str, params: Params = None) -> list[tuple[Any, ...]]:
        return self._fetch(sql, params, fetch=True)[1]

    def query_arrow(self, sql: str, params: Params = None) -> pa.Table:
        names, rows, _ = self._fetch(sql, params, fetch=True)
        columns = list(zip(*rows, strict=True)) if rows else [() for _ in names]
        return pa.table(
            {name: pa.array(list(values)) for name, values in zip(names, columns, strict=True)}
        )

    def columns_of(self, sql: str) -> list[str]:
        return [name for name, _ in self.column_types_of(sql)]

    def column_types_of(self, sql: str) -> list[tuple[str, str]]:
        with self._connection() as conn:
            try:
                cursor = conn.execute(f"select * from ({sql}\n) as q limit 0")
            except psycopg.Error as exc:
                raise WarehouseError(str(exc).strip()) from exc
            return [(column.name, str(column.type_code)) for column in cursor.description or []]

    @contextmanager
    def transaction(self) -> Iterator[None]:
        if getattr(self._local, "conn", None) is not None:
            yield
            return
        with self._pool.connection() as conn:
            self._local.conn = conn
            try:
                with conn.transaction():
                    yield
            except psycopg.Error as exc:
                raise WarehouseError(str(exc).strip()) from exc
            finally:
                self._local.conn = None

    def load_arrow(self, table: str, data: pa.Table) -> int:
        check_identifier(table)
        columns = ", ".join(f'"{name}"' for name in data.column_names)
        statement = f"copy {table} ({columns}) from stdin (format csv)"
        options = pa_csv.WriteOptions(include_header=False)
        with self._connection() as conn:
            try:
                with conn.cursor() as cursor, cursor.copy(statement) as copy:
                    for batch in data.to_batches(max_chunksize=COPY_BATCH_ROWS):
                        buffer = io.BytesIO()
                        pa_csv.write_csv(batch, buffer, options)
                        copy.write(buffer.getvalue())
            except psycopg.Error as exc:
                raise WarehouseError(f"COPY into {table} failed: {str(exc).strip()}") from exc
        return int(data.num_rows)

    def table_exists(self, table: str) -> bool:
        schema, name = split_name(table)
        rows = self.query(
            "select count(*) from information_schema.tables where table_schema = ? "
            "and table_name = ?",
            [schema or "public", name],
        )
        return bool(rows[0][0])

    def row_count(self, table: str) -> int:
        check_identifier(table)
        return int(self.query(f"select count(*) from {table}")[0][0])

    def close(self) -> None:
        self._pool.close()
