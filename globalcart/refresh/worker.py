"""The refresh loop: ``refresh_once`` every few seconds, with exponential backoff on failure.

Used in a background thread of ``globalcart serve`` (DuckDB: same process, same warehouse) and
in the foreground by ``globalcart refresh --watch`` (the PostgreSQL worker).
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from globalcart.config import Settings
from globalcart.engines.base import Warehouse
from globalcart.refresh.core import RefreshError, RefreshResult, refresh_once

log = logging.getLogger("globalcart.refresh")
Refresh = Callable[[], RefreshResult]


def backoff_seconds(interval: float, failures: int, cap: float) -> float:
    """Wait after ``failures`` consecutive failures: the interval doubled per failure, capped."""
    if failures <= 0:
        return interval
    return float(min(cap, max(interval, 1.0) * 2 ** min(failures, 30)))


@dataclass
class WorkerState:
    """What the loop last did (read by ``/api/admin/freshness``)."""

    interval: float
    last_checked_at: dt.datetime | None = None
    last_result: RefreshResult | None = None
    last_error: str | None = None
    failures: int = 0
    next_attempt_at: dt.datetime | None = None


class RefreshWorker:
    """Runs ``refresh`` every ``interval`` seconds until stopped."""

    def __init__(
        self,
        warehouse: Warehouse,
        interval: float,
        *,
        watch_dir: Path | None = None,
        max_backoff: float = 300.0,
        refresh: Refresh | None = None,
        on_result: Callable[[RefreshResult | None, str | None], None] | None = None,
    ) -> None:
        if interval <= 0:
            raise ValueError("the refresh interval must be positive")
        self.state = WorkerState(interval=interval)
        self.max_backoff = max_backoff
        self._refresh = refresh or (lambda: refresh_once(warehouse, watch_dir=watch_dir))
        self._on_result = on_result
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def run_cycle(self) -> float:
        """One refresh; returns the seconds until the next one: after a success counted from
        this cycle's start (the interval), after a failure from its end (the backoff)."""
        now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        self.state.last_checked_at = now
        result: RefreshResult | None = None
        error: str | None = None
        try:
            result = self._refresh()
        except RefreshError as exc:
            error = str(exc)
        except Exception as exc:  # a bug or a lost database must not end the loop
            log.exception("refresh crashed")
            error = f"{type(exc).__name__}: {exc}"
        if error is None:
            self.state.failures, self.state.last_error = 0, None
            self.state.last_result = result
        else:
            self.state.failures += 1
            self.state.last_error = error
        wait = backoff_seconds(self.state.interval, self.state.failures, self.max_backoff)
        if error is not None:
            log.warning("refresh failed (attempt %d), retrying in %.0f s: %s",
                        self.state.failures, wait, error)  # fmt: skip
        # a success schedules from the start of the cycle, a retry from its end (see ``run``)
        since = now if error is None else dt.datetime.now(dt.UTC).replace(tzinfo=None)
        self.state.next_attempt_at = since + dt.timedelta(seconds=wait)
        if self._on_result is not None:
            self._on_result(result, error)
        return wait

    def run(self, stop: threading.Event | None = None) -> None:
        """Loop until ``stop`` (or ``self.stop()``) is set.

        Refreshes start every ``interval`` seconds counted from the start of the previous one,
        not after a full interval of idling once it ended: a refresh that lasts longer than the
        interval is followed at once by the next, so a new order waits for at most the refresh
        in progress plus its own. A retry after a failure waits its whole backoff."""
        stop = stop or self._stop
        while not stop.is_set():
            started = time.monotonic()
            wait = self.run_cycle()
            if self.state.failures == 0:
                wait = max(0.0, wait - (time.monotonic() - started))
            if stop.wait(wait):
                break

    def start(self) -> None:
        """Run the loop in a daemon thread."""
        self._thread = threading.Thread(target=self.run, name="globalcart-refresh", daemon=True)
        self._thread.start()

    def stop(self, timeout: float | None = 60.0) -> None:
        """Ask the loop to end and wait for the refresh in progress (it is atomic anyway)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None


def start_background(
    settings: Settings, warehouse: Warehouse, *, owned: bool
) -> RefreshWorker | None:
    """The background refresh of ``globalcart serve``, started, or None when it is off.

    ``serve_refresh``: ``on`` always, ``off`` never, ``auto`` when the server opened the
    warehouse itself (not an embedding application or a test) and it is DuckDB — PostgreSQL
    deployments run ``globalcart refresh --watch`` as a worker of their own.
    """
    mode = settings.serve_refresh
    wanted = mode == "on" or (mode == "auto" and owned and warehouse.dialect == "duckdb")
    if not wanted or settings.refresh_seconds <= 0:
        return None
    worker = RefreshWorker(
        warehouse,
        settings.refresh_seconds,
        watch_dir=settings.watch_dir,
        max_backoff=settings.refresh_max_backoff_seconds,
    )
    worker.start()
    log.info("background refresh every %.1f s (watching %s)",
             settings.refresh_seconds, settings.watch_dir)  # fmt: skip
    return worker
