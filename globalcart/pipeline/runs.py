"""Run bookkeeping in ``ops.runs``."""

from __future__ import annotations

from globalcart.engines.base import Warehouse


def start_run(warehouse: Warehouse, kind: str, mode: str | None = None) -> int:
    """Allocate a run id and record the run as running."""
    run_id = int(warehouse.query("select nextval('ops.run_id_seq')")[0][0])
    warehouse.execute(
        "insert into ops.runs (run_id, kind, mode, status, started_at) "
        "values (?, ?, ?, 'running', current_timestamp)",
        [run_id, kind, mode],
    )
    return run_id


def finish_run(
    warehouse: Warehouse,
    run_id: int,
    status: str,
    *,
    models_built: int | None = None,
    rows_quarantined: int | None = None,
    error: str | None = None,
) -> None:
    """Record the outcome of a run."""
    warehouse.execute(
        "update ops.runs set status = ?, finished_at = current_timestamp, models_built = ?, "
        "rows_quarantined = ?, error = ? where run_id = ?",
        [status, models_built, rows_quarantined, error, run_id],
    )
