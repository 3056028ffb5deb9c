"""DuckDB engine: one database connection per process, one cursor per thread."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from globalcart.engines.base import (
    Dialect,
    Params,
    WarehouseConnectionError,
    WarehouseError,
    check_identifier,
    split_name,
)


class DuckDBWarehouse:
    """A DuckDB database file (or ``:memory:``)."""

    dialect: Dialect = "duckdb"

    def __init__(self, path: str, url: str | None = None) -> None:
        self.url = url or f"duckdb:///{path}"
        try:
            if path != ":memory:":
                Path(path).parent.mkdir(parents=True, exist_ok=True)
            self._conn = duckdb.connect(path)
        except (duckdb.Error, OSError) as exc:
            raise WarehouseConnectionError(f"cannot open DuckDB database {path!r}: {exc}") from exc
        self._conn.execute("set timezone = 'UTC'")
        self._conn.execute("set enable_progress_bar = false")
        # A build's commit is durable through the write-ahead log; folding the log into the
        # file (a checkpoint, seconds for a big build) waits until the log holds 1 GB or the
        # database closes, instead of running inside every commit.
        self._conn.execute("set checkpoint_threshold = '1GB'")
        self._local = threading.local()

    def _cursor(self) -> duckdb.DuckDBPyConnection:
        cursor: duckdb.DuckDBPyConnection | None = getattr(self._local, "cursor", None)
        if cursor is None:
            cursor = self._conn.cursor()
            self._local.cursor = cursor
            self._local.depth = 0
        return cursor

    def _run(self, sql: str, params: Params) -> duckdb.DuckDBPyConnection:
        cursor = self._cursor()
        try:
            return cursor.execute(sql, list(params) if params is not None else None)
        except duckdb.Error as exc:
            raise WarehouseError(str(exc)) from exc

    def execute(self, sql: str, params: Params = None) -> int:
        cursor = self._run(sql, params)
        if cursor.description and cursor.description[0][0] == "Count":  # insert/update/delete
            row = cursor.fetchone()
            return int(row[0]) if row else 0
        return 0

    def query(self, sql: str, params: Params = None) -> list[tuple[Any, ...]]:
        return self._run(sql, params).fetchall()

    def query_arrow(self, sql: str, params: Params = None) -> pa.Table:
        cursor = self._cursor()
        try:
            relation = cursor.sql(sql, params=list(params) if params is not None else None)
            result: pa.Table = relation.to_arrow_table()
        except duckdb.Error as exc:
            raise WarehouseError(str(exc)) from exc
        return result

    def columns_of(self, sql: str) -> list[str]:
        return [name for name, _ in self.column_types_of(sql)]

    def column_types_of(self, sql: str) -> list[tuple[str, str]]:
        description = self._run(f"select * from ({sql}\n) as q limit 0", None).description
        return [(str(column[0]), str(column[1])) for column in description or []]

    @contextmanager
    def transaction(self) -> Iterator[None]:
        cursor = self._cursor()
        depth: int = self._local.depth
        if depth > 0:
            self._local.depth = depth + 1
            try:
                yield
            finally:
                self._local.depth = depth
            return
        cursor.begin()
        self._local.depth = 1
        try:
            yield
        except BaseException:
            cursor.rollback()
            raise
        else:
            try:
                cursor.commit()
            except duckdb.Error as exc:
                raise WarehouseError(f"commit failed: {exc}") from exc
        finally:
            self._local.depth = 0

    def load_arrow(self, table: str, data: pa.Table) -> int:
        check_identifier(table)
        cursor = self._cursor()
        columns = ", ".join(f'"{name}"' for name in data.column_names)
        view = f"_gc_load_{threading.get_ident()}"
        cursor.register(view, data)
        try:
            self._run(f"insert into {table} ({columns}) select {columns} from {view}", None)
        finally:
            cursor.unregister(view)
        return int(data.num_rows)

    def table_exists(self, table: str) -> bool:
        schema, name = split_name(table)
        rows = self.query(
            "select count(*) from information_schema.tables where table_schema = ? "
            "and table_name = ?",
            [schema or "main", name],
        )
        return bool(rows[0][0])

    def row_count(self, table: str) -> int:
        check_identifier(table)
        return int(self.query(f"select count(*) from {table}")[0][0])

    def close(self) -> None:
        try:
            self._conn.close()
        except duckdb.Error as exc:  # pragma: no cover - closing a broken connection
            raise WarehouseError(str(exc)) from exc
