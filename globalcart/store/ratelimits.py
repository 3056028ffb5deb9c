"""Rate-limit counters shared by every worker process, kept in ``app.rate_limits``.

One row per limited key: a window that opens at the key's first hit and lasts ``seconds``, and
the hits counted in it. A hit is one atomic upsert (PostgreSQL row lock): it opens a new window
when the old one has passed, adds its cost while the total stays within ``count``, and
otherwise changes nothing and returns no row, which means "limited".
"""

from __future__ import annotations

import hashlib
import threading
import time

from globalcart.store.db import Store

_HIT = """
    insert into app.rate_limits as r (bucket, window_start, hits) values (?, ?, ?)
    on conflict (bucket) do update set
        hits = case when r.window_start > ? then r.hits + excluded.hits else excluded.hits end,
        window_start = case when r.window_start > ? then r.window_start
                            else excluded.window_start end
    where r.window_start <= ? or r.hits + excluded.hits <= ?
    returning hits
"""
PURGE_EVERY = 1000


class SharedCounter:
    """At most ``count`` hits per ``seconds`` for one key, across processes (same interface as
    the in-memory ``RateLimiter``)."""

    def __init__(self, store: Store, name: str, count: int, seconds: float) -> None:
        self.store, self.name, self.count, self.seconds = store, name, count, seconds
        self._hits_since_purge = 0
        self._lock = threading.Lock()

    def _bucket(self, key: str) -> str:
        return f"{self.name}:{hashlib.sha256(key.encode()).hexdigest()[:32]}"

    def hit(self, key: str, cost: int = 1) -> float | None:
        """Count a hit; returns seconds to wait when the limit is exceeded (hit not counted)."""
        if cost > self.count:
            return self.seconds
        bucket, now = self._bucket(key), time.time()
        expired = now - self.seconds
        with self.store.write():
            counted = self.store.query(
                _HIT, [bucket, now, cost, expired, expired, expired, self.count]
            )
            opened = None if counted else self.store.one(
                "select window_start from app.rate_limits where bucket = ?", [bucket]
            )  # fmt: skip
        self._maybe_purge(expired)
        if counted:
            return None
        return max(1.0, float(opened[0]) + self.seconds - now) if opened else 1.0

    def reset(self, key: str) -> None:
        with self.store.write():
            self.store.execute("delete from app.rate_limits where bucket = ?", [self._bucket(key)])

    def _maybe_purge(self, expired: float) -> None:
        """Now and then, drop this limiter's rows whose window has passed."""
        with self._lock:
            self._hits_since_purge += 1
            if self._hits_since_purge < PURGE_EVERY:
                return
            self._hits_since_purge = 0
        with self.store.write():
            self.store.execute(
                "delete from app.rate_limits where bucket like ? and window_start <= ?",
                [f"{self.name}:%", expired],
            )
