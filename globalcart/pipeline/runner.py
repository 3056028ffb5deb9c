"""Build the warehouse: run the selected models in one transaction, then quality checks.

Incremental (default): only models whose landing sources received files since the last
successful build (``ops.watermarks``), whose SQL changed, or that do not exist yet are rebuilt;
the ``staging.chk_*`` models only append the new landing rows (see ``incremental.py``). Every
model is deterministic over its inputs, so an incremental build ends in exactly the state a
``--full`` build gives. A failure rolls the whole build back: the previous state stays intact.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from globalcart.engines.base import Warehouse, WarehouseError, insert_rows
from globalcart.pipeline import scopes
from globalcart.pipeline.checks import CheckResult, Rewritten, record_results, run_checks
from globalcart.pipeline.incremental import (
    append_chk,
    changed_table,
    landing_of,
    loaded_files_filter,
    merge_declaration,
    merge_key,
    merge_model,
    merge_stg,
)
from globalcart.pipeline.indexes import (
    create_indexes,
    merge_columns,
    merge_unique,
    proven_unique,
)
from globalcart.pipeline.models import Model, discover
from globalcart.pipeline.planning import Step, plan, stored_marks
from globalcart.pipeline.quarantine import sync_quarantine
from globalcart.pipeline.rewrite import diffs_used, old_table, rows_table
from globalcart.pipeline.runs import finish_run, start_run
from globalcart.pipeline.tuning import configure_build
from globalcart.pipeline.vacuum import vacuum_tables
from globalcart.pipeline.validation import chk_sql, load_rules

Progress = Callable[[str, int, int], None]


@dataclass
class ModelResult:
    name: str
    status: str  # built (fully) | appended | merged | failed
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
    phase_ms: dict[str, int] = field(default_factory=dict)  # plan, scopes, views, checks, …


class BuildError(WarehouseError):
    """The build failed and was rolled back; ``result`` tells which model or check failed."""

    def __init__(self, message: str, result: BuildResult) -> None:
        super().__init__(message)
        self.result = result


def _save_marks(warehouse: Warehouse, marks: dict[str, str], stored: dict[str, str]) -> None:
    """Write the watermarks that changed (``stored``: those read when the build was planned)."""
    changed = [(name, value) for name, value in marks.items() if stored.get(name) != value]
    if changed:  # a few hundred marks at most: one statement each
        placeholders = ", ".join("?" for _ in changed)
        names = [name for name, _ in changed]
        warehouse.execute(f"delete from ops.watermarks where name in ({placeholders})", names)
    insert_rows(warehouse, "ops.watermarks", changed, "(?, ?, current_timestamp)")


def _redefined(marks: dict[str, str], stored: dict[str, str]) -> bool:
    """Whether the SQL of some model changed since the last build (its columns may have)."""
    return any(
        stored.get(name) != value for name, value in marks.items() if name.startswith("model:")
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
    """Replace the contents of ``model.name`` (keeping the table, so views on it survive, unless
    its columns or their types changed)."""
    if warehouse.dialect == "duckdb":  # DuckDB binds views late: replacing keeps them working
        return warehouse.execute(f"create or replace table {model.name} as {model.sql}")
    if model.name in existing:
        shape = warehouse.column_types_of(model.sql)
        if shape == warehouse.column_types_of(f"select * from {model.name}"):
            listed = ", ".join(name for name, _ in shape)
            warehouse.execute(f"delete from {model.name}")
            rows = warehouse.execute(
                f"insert into {model.name} ({listed}) select {listed} from ({model.sql}\n) as q"
            )
            create_indexes(warehouse, model)  # those declared since the table was created
            return rows
        warehouse.execute(f"drop table {model.name} cascade")
    rows = warehouse.execute(f"create table {model.name} as {model.sql}")
    create_indexes(warehouse, model)
    return rows


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
    existing: dict[str, list[str]] = {}
    try:
        with warehouse.transaction():
            if warehouse.dialect == "postgres":
                configure_build(warehouse, full)
            # planned under the lock: the marks of a build that just finished are visible
            with _phase(result, "plan"):
                existing, stored = catalog(warehouse), stored_marks(warehouse)
                steps, marks = plan(warehouse, full, existing, stored)
            result.skipped = len(discover(warehouse.dialect)) - len(steps)
            prepared, changed = False, dict[str, Rewritten]()
            # merges write only the rows that differ where a unique key allows (see rewrite.py)
            proven = proven_unique(warehouse) if any(step.merge for step in steps) else set()
            diffed = _diffed(steps)
            for index, step in enumerate(steps):
                model = step.model
                if landing_of(model.name) is None and not prepared:
                    with _phase(result, "scopes"):
                        _prepare_merges(warehouse, steps)
                    prepared = True
                if progress is not None:
                    progress(model.name, index, len(steps))
                current = ModelResult(model.name, "failed")
                started = time.perf_counter()
                keep_old = model.name in diffed
                current.rows = _execute(warehouse, step, existing, changed, proven, keep_old)
                if warehouse.dialect == "postgres":  # statistics for the models built on it
                    # (even after a small append: new keys outside the histogram would be
                    # estimated at one row, and the next merge would pick nested loops)
                    warehouse.execute(f"analyze {model.name}")
                current.duration_ms = int((time.perf_counter() - started) * 1000)
                current.status = step.mode
                result.models.append(current)
                current = None
                if fail_after == model.name:
                    raise WarehouseError(f"simulated failure after {model.name}")
            # --- semantic layer hook (issue 4): KPI/vw_* views in marts, after the marts ---
            from globalcart.semantic.views import apply_views

            with _phase(result, "views"):
                # a model replaced with other columns breaks (DuckDB) or drops (PostgreSQL)
                # the views on it; merges and rebuilds with the same SQL keep them valid
                apply_views(warehouse, changed=full or _redefined(marks, stored))
            # --- end semantic layer hook ---
            built = {step.model.name for step in steps}
            since = {s.model.name: s.append_since for s in steps if s.append_since is not None}
            with _phase(result, "quarantine"):
                result.quarantined = sync_quarantine(warehouse, run_id, built, since)
            with _phase(result, "checks"):
                result.checks = run_checks(warehouse, built, changed, proven_unique(warehouse))
            scopes.cleanup(
                warehouse,
                [changed_table(step.model) for step in steps]
                + [
                    table(step.model.name)
                    for step in steps
                    if step.merge
                    for table in (rows_table, old_table)
                ],
            )
            failed = [
                c for c in result.checks if c.status == "fail" and c.check.severity == "error"
            ]
            if failed:
                names = ", ".join(f"{c.check.name} ({c.failures} rows)" for c in failed)
                raise WarehouseError(f"error-severity checks failed: {names}")
            _save_marks(warehouse, marks, stored)
            committing = time.perf_counter()
        result.phase_ms["commit"] = int((time.perf_counter() - committing) * 1000)
    except (WarehouseError, ValueError, OSError) as exc:
        if current is not None:
            current.error = str(exc)[:2000]
            result.models.append(current)
        result.status, result.error = "failed", str(exc)
        _record(warehouse, result)
        raise BuildError(f"build {run_id} failed and was rolled back: {exc}", result) from exc
    result.status = "success"
    _record(warehouse, result)
    # a full build rewrites every table, a first build creates them: vacuumed now, they are
    # read without writing every page again (incremental builds leave theirs to autovacuum)
    written = [model.name for model in result.models if full or model.name not in existing]
    if written and warehouse.dialect == "postgres":
        with _phase(result, "vacuum"):
            vacuum_tables(warehouse, written)
    return result


def _execute(
    warehouse: Warehouse,
    step: Step,
    existing: dict[str, list[str]],
    changed: dict[str, Rewritten],
    proven: set[tuple[str, tuple[str, ...]]],
    keep_old: bool,
) -> int:
    """Build one model the way its step says; returns the rows of the table, or for an append
    or a merge the rows it wrote. A merge records the rows it rewrote in ``changed`` (for the
    checks); ``proven``: the unique columns of each model that a unique index proves;
    ``keep_old``: a later merge reads the model's diff."""
    model = step.model
    # an append or a merge only runs on an existing table of unchanged SQL: its columns are
    # the catalog's (no planning of the model's SQL just to name them)
    if step.append_since is not None:
        columns = existing[model.name]
        return append_chk(warehouse, model.name, step.append_since, step.append_until, columns)
    if step.merge:
        declaration, columns = merge_declaration(model), existing[model.name]
        unique = merge_unique(model, proven)
        if declaration is not None:
            merged = merge_model(
                warehouse, model, declaration, columns, unique, keep_old, frozenset(changed)
            )
        else:
            stg_key = merge_key(model) or []
            merged = merge_stg(warehouse, model, stg_key, columns, unique, keep_old)
        key = tuple(merge_columns(model))
        changed[model.name] = Rewritten(merged.predicate, key, rows_table(model.name))
        return merged.rows
    if (table := landing_of(model.name)) is not None:
        # only the files the plan saw: one loaded meanwhile waits for the next build
        rules = load_rules()[table]
        sql = chk_sql(rules, warehouse.dialect, loaded_files_filter(table, -1, step.append_until))
        return materialize(warehouse, dataclasses.replace(model, sql=sql), existing)
    return materialize(warehouse, model, existing)


@contextmanager
def _phase(result: BuildResult, name: str) -> Iterator[None]:
    started = time.perf_counter()
    try:
        yield
    finally:
        result.phase_ms[name] = int((time.perf_counter() - started) * 1000)


def _diffed(steps: list[Step]) -> set[str]:
    """The models whose ``diff.<model>`` a merge of this build reads."""
    found: set[str] = set()
    for step in steps:
        declaration = merge_declaration(step.model) if step.merge else None
        if declaration is not None:
            found |= diffs_used(declaration["changed"])
    return found


def _prepare_merges(warehouse: Warehouse, steps: list[Step]) -> None:
    """Empty deltas for the landing tables not appended, and the scopes the merges read; all
    before the first model other than a chk append changes."""
    appended = {str(landing_of(step.model.name)) for step in steps if step.append_since is not None}
    queries = []
    for step in steps:
        declaration = merge_declaration(step.model) if step.merge else None
        if declaration is not None:
            queries.append(declaration["changed"])
    if queries:
        scopes.prepare(warehouse, appended, queries)


def _record(warehouse: Warehouse, result: BuildResult) -> None:
    with warehouse.transaction():
        _record_rows(warehouse, result)


def _record_rows(warehouse: Warehouse, result: BuildResult) -> None:
    rows = [
        (result.run_id, model.name, model.status, model.rows, model.duration_ms, model.error)
        for model in result.models
    ]
    insert_rows(warehouse, "ops.model_runs", rows)
    record_results(warehouse, result.run_id, result.checks)
    finish_run(
        warehouse,
        result.run_id,
        result.status,
        models_built=sum(1 for m in result.models if m.status != "failed"),
        rows_quarantined=result.quarantined,
        error=result.error[:2000] if result.error else None,
    )
