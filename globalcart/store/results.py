"""Results of warehouse reads, cached per warehouse build.

Analytics numbers change only when a build finishes, so a result is kept under its key for as
long as the latest finished build in ``ops.runs`` stays the same. That build id is re-read at
most once per ``check_seconds`` (default 1 s): a new build invalidates every cached result
within a second. Callers must be authorised before they ask the cache.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import TypeVar

from globalcart.engines import Warehouse, WarehouseError

T = TypeVar("T")
LATEST_BUILD_SQL = (
    "select max(run_id) from ops.runs where kind = 'build' and finished_at is not null"
)


class BuildCache:
    """A bounded LRU of results for the warehouse build it was filled under."""

    def __init__(
        self, warehouse: Warehouse, max_entries: int = 512, check_seconds: float = 1.0
    ) -> None:
        self.warehouse = warehouse
        self.max_entries = max_entries
        self.check_seconds = check_seconds
        self._entries: OrderedDict[Hashable, object] = OrderedDict()
        self._build: object = None
        self._checked_at = float("-inf")
        self._lock = threading.Lock()

    def _latest_build(self) -> object:
        """The latest finished build (re-read once per ``check_seconds``)."""
        now = time.monotonic()
        if now - self._checked_at < self.check_seconds:
            return self._build
        try:
            rows = self.warehouse.query(LATEST_BUILD_SQL)
            build: object = rows[0][0] if rows else None
        except WarehouseError:  # not built (or not migrated) yet: cache nothing
            build = None
        with self._lock:
            if build != self._build or build is None:
                self._entries.clear()
            self._build, self._checked_at = build, now
        return build

    def peek(self, key: Hashable) -> object | None:
        """The cached result of ``key`` when it is known to belong to the latest build without
        asking the database (the build was checked less than ``check_seconds`` ago), else None:
        then :meth:`get` (which may query) answers. Lets a caller on the event loop answer a
        cached result without handing it to a thread."""
        if time.monotonic() - self._checked_at >= self.check_seconds:
            return None
        with self._lock:
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
            return found

    def get(self, key: Hashable, compute: Callable[[], T]) -> T:
        """The cached result of ``key``, or ``compute()`` (kept for the rest of this build)."""
        build = self._latest_build()
        with self._lock:
            if key in self._entries:
                self._entries.move_to_end(key)
                return self._entries[key]  # type: ignore[return-value]
        result = compute()
        with self._lock:
            if build is not None and build == self._build:  # no build finished meanwhile
                self._entries[key] = result
                while len(self._entries) > self.max_entries:
                    self._entries.popitem(last=False)
        return result

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._checked_at = float("-inf")
