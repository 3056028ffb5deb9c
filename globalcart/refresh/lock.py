"""One refresh at a time per warehouse: a second one skips instead of queueing.

DuckDB allows one process per database file, so a lock in the process is enough. PostgreSQL
workers may run in several processes: a session-level advisory lock, taken with a try-lock on a
connection of its own and held for the whole refresh (the build's transaction-scoped lock only
serialises builds, and would make a second worker wait instead of skipping). The session ends,
and the lock with it, when the refresh ends or its process dies.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg

from globalcart.engines.base import Warehouse, WarehouseError

REFRESH_LOCK_KEY = 7462315
_LOCKS: dict[str, threading.Lock] = {}
_LOCKS_GUARD = threading.Lock()


def _process_lock(url: str) -> threading.Lock:
    with _LOCKS_GUARD:
        return _LOCKS.setdefault(url, threading.Lock())


@contextmanager
def refresh_lock(warehouse: Warehouse) -> Iterator[bool]:
    """Yields whether this caller holds the refresh lock (False: another refresh runs)."""
    if warehouse.dialect == "duckdb":
        lock = _process_lock(warehouse.url)
        if not lock.acquire(blocking=False):
            yield False
            return
        try:
            yield True
        finally:
            lock.release()
        return
    try:
        conn = psycopg.connect(warehouse.url, autocommit=True, connect_timeout=5)
    except psycopg.Error as exc:
        raise WarehouseError(f"cannot take the refresh lock: {exc}") from exc
    with conn:
        row = conn.execute("select pg_try_advisory_lock(%s)", [REFRESH_LOCK_KEY]).fetchone()
        held = bool(row and row[0])
        try:
            yield held
        finally:
            if held:
                conn.execute("select pg_advisory_unlock(%s)", [REFRESH_LOCK_KEY])
