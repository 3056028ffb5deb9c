"""How fresh the warehouse is, per source: the storefront tables and the landing tables.

For a storefront table the last event is its latest change time; an event is pending while it
is newer than the ingest watermark. For a landing table the last event is its latest loaded
file; a file is pending until a successful build has taken it. ``lag_seconds`` is how long the
oldest pending event has waited (0 when nothing is pending).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from globalcart.engines.base import Warehouse
from globalcart.pipeline.app_mapping import WATCHED
from globalcart.pipeline.app_source import app_schema_exists
from globalcart.pipeline.planning import stored_marks
from globalcart.refresh.core import RUN_KIND
from globalcart.refresh.worker import WorkerState


@dataclass
class SourceFreshness:
    source: str
    kind: str  # storefront | landing
    last_event_at: dt.datetime | None
    pending: bool
    lag_seconds: float
    last_refresh_at: dt.datetime | None


@dataclass
class Freshness:
    checked_at: dt.datetime
    last_refresh: dict[str, Any] | None
    last_successful_refresh_at: dt.datetime | None
    last_build_at: dt.datetime | None
    worker: dict[str, Any] | None
    sources: list[SourceFreshness] = field(default_factory=list)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def _lag(now: dt.datetime, oldest_pending: dt.datetime | None) -> float:
    if oldest_pending is None:
        return 0.0
    return round(max(0.0, (now - oldest_pending).total_seconds()), 3)


def _storefront(warehouse: Warehouse, now: dt.datetime, built: dt.datetime | None) -> list[Any]:
    marks = stored_marks(warehouse)
    sources = []
    for watched in WATCHED:
        mark = marks.get(watched.table)
        since = dt.datetime.fromisoformat(mark) if mark else dt.datetime(1900, 1, 1)
        last, oldest = warehouse.query(
            f"select max({watched.column}), min(case when {watched.column} > ? "
            f"then {watched.column} end) from {watched.table}",
            [since],
        )[0]
        sources.append(
            SourceFreshness(
                watched.table, "storefront", last, oldest is not None, _lag(now, oldest), built
            )
        )
    return sources


def _landing(warehouse: Warehouse, now: dt.datetime, built: dt.datetime | None) -> list[Any]:
    marks = stored_marks(warehouse)
    rows = warehouse.query(
        "select table_name, max(loaded_at) from ops.loaded_files group by table_name order by 1"
    )
    sources = []
    for table, last in rows:
        mark = marks.get(f"landing.{table}")
        taken = int(mark.split(":")[1]) if mark and mark.split(":")[1].isdigit() else -1
        oldest = warehouse.query(
            "select min(loaded_at) from ops.loaded_files where table_name = ? and load_run_id > ?",
            [table, taken],
        )[0][0]
        sources.append(
            SourceFreshness(
                f"landing.{table}", "landing", last, oldest is not None, _lag(now, oldest), built
            )
        )
    return sources


def _worker(state: WorkerState | None) -> dict[str, Any] | None:
    if state is None:
        return None
    return {
        "interval_seconds": state.interval,
        "last_checked_at": state.last_checked_at,
        "consecutive_failures": state.failures,
        "last_error": state.last_error,
        "next_attempt_at": state.next_attempt_at,
    }


def freshness(warehouse: Warehouse, worker: WorkerState | None = None) -> Freshness:
    """The freshness report (``worker``: the in-process refresh loop, when there is one)."""
    now = _now()
    last = warehouse.query(
        "select run_id, status, started_at, finished_at, error from ops.runs where kind = ? "
        "order by run_id desc limit 1",
        [RUN_KIND],
    )
    success = warehouse.query(
        "select max(finished_at) from ops.runs where kind = ? and status = 'success'", [RUN_KIND]
    )[0][0]
    built = warehouse.query(
        "select max(finished_at) from ops.runs where kind = 'build' and status = 'success'"
    )[0][0]
    keys = ("run_id", "status", "started_at", "finished_at", "error")
    report = Freshness(
        checked_at=now,
        last_refresh=dict(zip(keys, last[0], strict=True)) if last else None,
        last_successful_refresh_at=success,
        last_build_at=built,
        worker=_worker(worker),
    )
    if app_schema_exists(warehouse) and warehouse.table_exists("app.shipments"):
        report.sources += _storefront(warehouse, now, built)
    report.sources += _landing(warehouse, now, built)
    return report
