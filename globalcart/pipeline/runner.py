"""Build the warehouse: run the selected models in one transaction, then quality checks.

Incremental (default): only models whose landing sources received files since the last
successful build (``ops.watermarks``), whose SQL changed, or that do not exist yet are rebuilt;
every model is deterministic over its inputs, so an incremental build ends in exactly the state
a ``--full`` build gives. A failure rolls the whole build back: the previous state stays intact.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from globalcart.engines.base import Warehouse, WarehouseError
from globalcart.pipeline.checks import CheckResult, record_results, run_checks
from globalcart.pipeline.models import Model, discover, ordered, upstream_sources
from globalcart.pipeline.quarantine import sync_quarantine
from globalcart.pipeline.runs import finish_run, start_run

Progress = Callable[[str, int, int], None]


@dataclass
class ModelResult:
    name: str
    status: str  # built | failed
    rows: int = 0
    duration_ms: int = 0
    error: str | None = None


@dataclass
class BuildResult:
    run_id: int
    mode: str
    status: str = "running"
    models: list[ModelResult] = field(default_factory=list)
    checks: list[CheckResult] = field(default_factory=list)
    quarantined: int = 0
    skipped: int = 0
    error: str | None = None


class BuildError(WarehouseError):
    """The build failed and was rolled back; ``result`` tells which model or check failed."""

    def __init__(self, message: str, result: BuildResult) -> None:
        super().__init__(message)
        self.result = result


def _sql_hash(model: Model) -> str:
    return hashlib.sha256(model.sql.encode("utf-8")).hexdigest()[:16]


def source_marks(warehouse: Warehouse) -> dict[str, str]:
    """Current watermark of each landing table: files loaded and the latest load run."""
    rows = warehouse.query(
        "select table_name, count(*), max(load_run_id) from ops.loaded_files group by table_name"
    )
    return {f"landing.{name}": f"{count}:{last}" for name, count, last in rows}


def stored_marks(warehouse: Warehouse) -> dict[str, str]:
    return {
        name: value for name, value in warehouse.query("select name, value from ops.watermarks")
    }


def _save_marks(warehouse: Warehouse, marks: dict[str, str]) -> None:
    for name, value in marks.items():
        warehouse.execute("delete from ops.watermarks where name = ?", [name])
        warehouse.execute(
            "insert into ops.watermarks values (?, ?, current_timestamp)", [name, value]
        )


def catalog(warehouse: Warehouse) -> dict[str, list[str]]:
    """Columns of every table in the model schemas (one information_schema query)."""
    rows = warehouse.query(
        "select table_schema, table_name, column_name from information_schema.columns "
        "where table_schema in ('staging', 'dw', 'marts') "
        "order by table_schema, table_name, ordinal_position"
    )
    tables: dict[str, list[str]] = {}
    for schema, name, column in rows:
        tables.setdefault(f"{schema}.{name}", []).append(str(column))
    return tables


def materialize(warehouse: Warehouse, model: Model, existing: dict[str, list[str]]) -> int:
    """Replace the contents of ``model.name`` (keeping the table, so views on it survive)."""
    if model.name in existing:
        columns = warehouse.columns_of(model.sql)
        if existing[model.name] == columns:
            listed = ", ".join(columns)
            warehouse.execute(f"delete from {model.name}")
            warehouse.execute(
                f"insert into {model.name} ({listed}) select {listed} from ({model.sql}) as q"
            )
            return warehouse.row_count(model.name)
        cascade = " cascade" if warehouse.dialect == "postgres" else ""
        warehouse.execute(f"drop table {model.name}{cascade}")
    warehouse.execute(f"create table {model.name} as {model.sql}")
    return warehouse.row_count(model.name)


def plan(
    warehouse: Warehouse, full: bool, existing: dict[str, list[str]]
) -> tuple[list[Model], dict[str, str]]:
    """The models to build, and the watermarks to store once they are built."""
    models = discover(warehouse.dialect)
    sources = upstream_sources(models)
    marks = source_marks(warehouse)
    marks.update({f"model:{name}": _sql_hash(model) for name, model in models.items()})
    previous = stored_marks(warehouse)
    changed = {name for name, value in marks.items() if previous.get(name) != value}
    selected: list[Model] = []
    for model in ordered(models):
        stale = (
            full
            or f"model:{model.name}" in changed
            or bool(sources[model.name] & changed)
            or any(ref in {m.name for m in selected} for ref in model.references)
            or model.name not in existing
        )
        if stale:
            selected.append(model)
    return selected, marks


def build(
    warehouse: Warehouse,
    full: bool = False,
    *,
    progress: Progress | None = None,
    fail_after: str | None = None,
) -> BuildResult:
    """Run a build; raises ``BuildError`` (after rolling back) when a model or check fails.

    ``fail_after`` names a model after which to simulate a crash (tests of atomicity).
    """
    mode = "full" if full else "incremental"
    run_id = start_run(warehouse, "build", mode)
    result = BuildResult(run_id=run_id, mode=mode)
    current: ModelResult | None = None
    try:
        existing = catalog(warehouse)
        selected, marks = plan(warehouse, full, existing)
        result.skipped = len(discover(warehouse.dialect)) - len(selected)
        with warehouse.transaction():
            for index, model in enumerate(selected):
                if progress is not None:
                    progress(model.name, index, len(selected))
                current = ModelResult(model.name, "failed")
                started = time.perf_counter()
                current.rows = materialize(warehouse, model, existing)
                current.duration_ms = int((time.perf_counter() - started) * 1000)
                current.status = "built"
                result.models.append(current)
                current = None
                if fail_after == model.name:
                    raise WarehouseError(f"simulated failure after {model.name}")
            built = {model.name for model in selected}
            result.quarantined = sync_quarantine(warehouse, run_id, built)
            result.checks = run_checks(warehouse, built)
            failed = [
                c for c in result.checks if c.status == "fail" and c.check.severity == "error"
            ]
            if failed:
                names = ", ".join(f"{c.check.name} ({c.failures} rows)" for c in failed)
                raise WarehouseError(f"error-severity checks failed: {names}")
            _save_marks(warehouse, marks)
    except WarehouseError as exc:
        if current is not None:
            current.error = str(exc)[:2000]
            result.models.append(current)
        result.status, result.error = "failed", str(exc)
        _record(warehouse, result)
        raise BuildError(f"build {run_id} failed and was rolled back: {exc}", result) from exc
    result.status = "success"
    _record(warehouse, result)
    return result


def _record(warehouse: Warehouse, result: BuildResult) -> None:
    with warehouse.transaction():
        _record_rows(warehouse, result)


def _record_rows(warehouse: Warehouse, result: BuildResult) -> None:
    for model in result.models:
        warehouse.execute(
            "insert into ops.model_runs values (?, ?, ?, ?, ?, ?)",
            [result.run_id, model.name, model.status, model.rows, model.duration_ms, model.error],
        )
    record_results(warehouse, result.run_id, result.checks)
    finish_run(
        warehouse,
        result.run_id,
        result.status,
        models_built=sum(1 for m in result.models if m.status == "built"),
        rows_quarantined=result.quarantined,
        error=result.error[:2000] if result.error else None,
    )
