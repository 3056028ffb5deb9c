"""One refresh cycle: storefront rows and watched landing batches into the warehouse and KPIs.

``refresh_once`` ingests the storefront rows changed since the last ingest, loads the new
batches of the watched folder, runs the incremental build (one transaction: a failure leaves
the previous state visible) and keeps headline-KPI snapshots before and after it in
``ops.kpi_snapshots``. With nothing new it writes nothing: no run, no build, no snapshot.
Refreshes never overlap (``lock.refresh_lock``): a second one returns ``skipped``.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from globalcart.engines.base import Warehouse, WarehouseError
from globalcart.pipeline.app_source import app_schema_exists, app_tables, ingest_app
from globalcart.pipeline.planning import source_marks, stored_marks
from globalcart.pipeline.runner import build
from globalcart.pipeline.runs import finish_run, start_run
from globalcart.refresh.lock import refresh_lock
from globalcart.refresh.watch import load_pending
from globalcart.semantic.snapshots import SnapshotError, take_snapshot

log = logging.getLogger("globalcart.refresh")
RUN_KIND = "refresh"


class RefreshError(WarehouseError):
    """A refresh failed; everything it built was rolled back (loaded landing rows stay)."""


@dataclass
class RefreshResult:
    """``status``: ``success`` (built), ``idle`` (nothing new) or ``skipped`` (another refresh
    was running)."""

    status: str
    run_id: int | None = None
    build_run_id: int | None = None
    app_rows: int = 0
    files_loaded: int = 0
    batches: list[str] = field(default_factory=list)
    before_label: str | None = None
    after_label: str | None = None
    snapshot_error: str | None = None
    duration_ms: int = 0
    phase_ms: dict[str, int] = field(default_factory=dict)


@contextmanager
def _phase(result: RefreshResult, name: str) -> Iterator[None]:
    started = time.perf_counter()
    try:
        yield
    finally:
        result.phase_ms[name] = int((time.perf_counter() - started) * 1000)


def build_pending(warehouse: Warehouse) -> bool:
    """Whether landing holds files that no successful build has taken yet."""
    stored = stored_marks(warehouse)
    return any(stored.get(name) != value for name, value in source_marks(warehouse).items())


def refresh_once(
    warehouse: Warehouse, *, watch_dir: Path | None = None, snapshots: bool = True
) -> RefreshResult:
    """Run one refresh; raises ``RefreshError`` (recorded in ``ops.runs``) when it fails."""
    started = time.perf_counter()
    with refresh_lock(warehouse) as held:
        if not held:
            return RefreshResult("skipped")
        result = RefreshResult("idle")
        try:
            _collect(warehouse, watch_dir, result)
            if not build_pending(warehouse):
                return result
            result.status = "success"
            result.run_id = start_run(warehouse, RUN_KIND, "incremental")
            _build_with_snapshots(warehouse, result, snapshots)
        except (WarehouseError, ValueError, OSError) as exc:
            _record_failure(warehouse, result, exc)
            raise RefreshError(f"refresh failed: {exc}") from exc
        result.duration_ms = int((time.perf_counter() - started) * 1000)
        _record_success(warehouse, result)
    return result


def _collect(warehouse: Warehouse, watch_dir: Path | None, result: RefreshResult) -> None:
    with _phase(result, "ingest"):
        tables = app_tables(warehouse)
        if app_schema_exists(warehouse, tables):
            result.app_rows = ingest_app(warehouse, tables=tables).total
    if watch_dir is not None:
        with _phase(result, "load"):
            for load in load_pending(warehouse, watch_dir):
                result.files_loaded += len(load.files) - load.files_skipped
                result.batches.append(str(load.batch_id or ""))


def _build_with_snapshots(warehouse: Warehouse, result: RefreshResult, snapshots: bool) -> None:
    assert result.run_id is not None
    if snapshots:
        with _phase(result, "snapshot_before"):
            result.before_label = _before_snapshot(warehouse, f"refresh-{result.run_id}-before")
    with _phase(result, "build"):
        result.build_run_id = build(warehouse).run_id
    if snapshots:
        label = f"refresh-{result.run_id}-after"
        with _phase(result, "snapshot_after"):
            try:
                take_snapshot(warehouse, label, replace=True)
                result.after_label = label
            except SnapshotError as exc:  # the build is committed: report, do not fail
                result.snapshot_error = str(exc)
                log.warning("refresh %s: no KPI snapshot after the build: %s", result.run_id, exc)


def _before_snapshot(warehouse: Warehouse, label: str) -> str | None:
    """The KPIs before the build: the previous refresh's "after" snapshot when no build has
    finished since (copied, cheap), else computed now; None when nothing is built yet."""
    previous = warehouse.query(
        "select r.after_label, r.build_run_id from ops.refresh_runs as r "
        "where r.after_label is not null order by r.run_id desc limit 1"
    )
    latest = warehouse.query(
        "select max(run_id) from ops.runs where kind = 'build' and status = 'success'"
    )[0][0]
    if previous and latest is not None and previous[0][1] == latest:
        with warehouse.transaction():
            warehouse.execute("delete from ops.kpi_snapshots where label = ?", [label])
            warehouse.execute(
                "insert into ops.kpi_snapshots (label, kpi, value, start_date, end_date, "
                "taken_at) select ?, kpi, value, start_date, end_date, taken_at "
                "from ops.kpi_snapshots where label = ?",
                [label, previous[0][0]],
            )
        return label
    try:
        take_snapshot(warehouse, label, replace=True)
    except SnapshotError:  # not built yet: there is no "before"
        return None
    return label


def _record_success(warehouse: Warehouse, result: RefreshResult) -> None:
    if result.run_id is None:
        return
    with warehouse.transaction():
        warehouse.execute(
            "insert into ops.refresh_runs (run_id, build_run_id, app_rows, files_loaded, "
            "before_label, after_label, duration_ms) values (?, ?, ?, ?, ?, ?, ?)",
            [
                result.run_id,
                result.build_run_id,
                result.app_rows,
                result.files_loaded,
                result.before_label,
                result.after_label,
                result.duration_ms,
            ],
        )
        finish_run(warehouse, result.run_id, "success", error=result.snapshot_error)
    log.info(
        "refresh %s: %d storefront rows, %d files, build %s in %d ms",
        result.run_id,
        result.app_rows,
        result.files_loaded,
        result.build_run_id,
        result.duration_ms,
    )


def _record_failure(warehouse: Warehouse, result: RefreshResult, exc: BaseException) -> None:
    result.status = "failed"
    try:
        run_id = result.run_id or start_run(warehouse, RUN_KIND, "incremental")
        finish_run(warehouse, run_id, "failed", error=str(exc)[:2000])
        result.run_id = run_id
    except WarehouseError as record_error:  # the database itself may be what failed
        log.error("refresh failed and could not be recorded: %s", record_error)
