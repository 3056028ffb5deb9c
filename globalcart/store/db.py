"""The operational store: a thin wrapper over a warehouse connection for the ``app`` schema.

DuckDB allows concurrent readers but reports a conflict when two transactions update the same
row, so on DuckDB every write transaction of the store is serialised by a process-wide lock (one
process owns a DuckDB file anyway). PostgreSQL relies on row locks and conditional updates.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from typing import Any

from globalcart.engines import Warehouse, WarehouseError
from globalcart.engines.base import Params
from globalcart.store.results import BuildCache


class StoreError(Exception):
    """A store operation was refused; ``kind`` says why (``not_found``, ``conflict``…)."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message


def utcnow() -> dt.datetime:
    """The current UTC time as a naive timestamp (the warehouse stores UTC without zone)."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def new_id() -> str:
    """A random identifier (32 hex characters)."""
    return uuid.uuid4().hex


def is_unique_violation(exc: BaseException) -> bool:
    """Whether ``exc`` (a ``WarehouseError``) reports a primary-key or unique conflict."""
    text = str(exc).lower()
    return "duplicate key" in text or "unique constraint" in text


class TtlCache:
    """Values remembered for ``seconds`` (at most ``max_entries``; thread-safe)."""

    def __init__(self, seconds: float, max_entries: int = 10_000) -> None:
        self.seconds, self.max_entries = seconds, max_entries
        self._entries: dict[str, tuple[float, object]] = {}
        self._lock = threading.Lock()

    def get(self, key: str) -> object | None:
        entry = self._entries.get(key)
        if entry is None or entry[0] <= time.monotonic():
            return None
        return entry[1]

    def put(self, key: str, value: object) -> None:
        with self._lock:
            if len(self._entries) >= self.max_entries:
                self._entries.clear()
            self._entries[key] = (time.monotonic() + self.seconds, value)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


class Store:
    """The ``app`` schema of one database, shared by every request of the process."""

    def __init__(self, warehouse: Warehouse) -> None:
        self.warehouse = warehouse
        self.dialect = warehouse.dialect
        self._lock = threading.RLock() if warehouse.dialect == "duckdb" else None
        self.results = BuildCache(warehouse)
        self.api_keys = TtlCache(seconds=2.0)
        self._tx = threading.local()  # depth of this thread's write() and its deferred writes

    @contextmanager
    def write(self) -> Iterator[None]:
        """A write transaction (serialised on DuckDB); a nested one joins the outer one. The
        statements given to :meth:`defer` run at its end, just before the commit."""
        state = self._tx
        depth: int = getattr(state, "depth", 0)
        if depth:
            state.depth = depth + 1
            try:
                yield
            finally:
                state.depth = depth
            return
        state.depth, state.deferred = 1, []
        try:
            with self._lock or nullcontext(), self.warehouse.transaction():
                yield
                self._flush(state.deferred)
        finally:
            state.depth, state.deferred = 0, []

    def defer(self, sql: str, params: Params = None) -> None:
        """Run a write that nothing in the transaction reads back at the end of it, with the
        other deferred ones: on PostgreSQL in ONE statement (each a data-modifying CTE), which
        saves a round trip per statement. Only inside :meth:`write`."""
        if not getattr(self._tx, "depth", 0):
            raise RuntimeError("Store.defer() outside a write transaction")
        self._tx.deferred.append((sql, params))

    def _flush(self, deferred: list[tuple[str, Params]]) -> None:
        if self.dialect != "postgres" or len(deferred) < 2:
            for sql, params in deferred:
                self.warehouse.execute(sql, params)
            return
        # every CTE runs exactly once, whether or not the final statement reads it
        *first, (last_sql, _) = deferred
        ctes = ", ".join(f"deferred_{n} as ({sql})" for n, (sql, _) in enumerate(first))
        values = [value for _, params in deferred for value in (params or ())]
        self.warehouse.execute(f"with {ctes} {last_sql}", values)

    def query(self, sql: str, params: Params = None) -> list[tuple[Any, ...]]:
        return self.warehouse.query(sql, params)

    def one(self, sql: str, params: Params = None) -> tuple[Any, ...] | None:
        rows = self.warehouse.query(sql, params)
        return rows[0] if rows else None

    def execute(self, sql: str, params: Params = None) -> None:
        self.warehouse.execute(sql, params)

    def ping(self) -> bool:
        """Whether the database answers and the ``app`` schema is migrated."""
        try:
            return bool(self.warehouse.table_exists("app.schema_migrations"))
        except WarehouseError:
            return False
