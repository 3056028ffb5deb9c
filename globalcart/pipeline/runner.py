"""Build the warehouse: run the selected models in one transaction, then quality checks.

Incremental (default): only models whose landing sources received files since the last
successful build (``ops.watermarks``), whose SQL changed, or that do not exist yet are rebuilt;
the ``staging.chk_*`` models only append the new landing rows (see ``incremental.py``). Every
model is deterministic over its inputs, so an incremental build ends in exactly the state a
``--full`` build gives. A failure rolls the whole build back: the previous state stays intact.
"""

from __future__ import annotations

import dataclasses
import hashlib
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from globalcart.engines.base import Warehouse, WarehouseError, insert_rows
from globalcart.pipeline import scopes
from globalcart.pipeline.checks import CheckResult, Rewritten, record_results, run_checks
from globalcart.pipeline.incremental import (
    MARK_PREFIX,
    append_chk,
    changed_table,
    delta_tables,
    landing_of,
    loaded_files_filter,
    loaded_until,
    merge_declaration,
    merge_key,
    merge_model,
    merge_stg,
)
from globalcart.pipeline.indexes import create_indexes, merge_columns, proven_unique
from globalcart.pipeline.models import (
    Model,
    discover,
    ordered,
    upstream_models,
    upstream_sources,
)
from globalcart.pipeline.quarantine import sync_quarantine
from globalcart.pipeline.runs import finish_run, start_run
from globalcart.pipeline.vacuum import vacuum_tables
from globalcart.pipeline.validation import chk_sql, load_rules

Progress = Callable[[str, int, int], None]
POSTGRES_BUILD_WORK_MEM = "256MB"
# SSD-like random reads in incremental builds: their key lookups then use the merge-key indexes
# instead of scanning (PostgreSQL's default of 4 assumes spinning disks)
POSTGRES_BUILD_RANDOM_PAGE_COST = 1.1
POSTGRES_JIT_OPTIMIZE_COST = 10_000_000  # default 500,000


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
        warehouse.execute(f"create or replace table {model.name} as {model.sql}")
        return warehouse.row_count(model.name)
    if model.name in existing:
        shape = warehouse.column_types_of(model.sql)
        if shape == warehouse.column_types_of(f"select * from {model.name}"):
            listed = ", ".join(name for name, _ in shape)
            warehouse.execute(f"delete from {model.name}")
            warehouse.execute(
                f"insert into {model.name} ({listed}) select {listed} from ({model.sql}\n) as q"
            )
            create_indexes(warehouse, model)  # those declared since the table was created
            return warehouse.row_count(model.name)
        warehouse.execute(f"drop table {model.name} cascade")
    warehouse.execute(f"create table {model.name} as {model.sql}")
    create_indexes(warehouse, model)
    return warehouse.row_count(model.name)


@dataclass(frozen=True)
class Step:
    """A model to build: fully, by appending new landing rows (``append_since``, chk models)
    or by merging the touched keys (``merge``, stg models)."""

    model: Model
    append_since: int | None = None
    append_until: int = 0  # files loaded by later runs wait for the next build
    merge: bool = False

    @property
    def mode(self) -> str:
        return "appended" if self.append_since is not None else "merged" if self.merge else "built"


def plan(
    warehouse: Warehouse, full: bool, existing: dict[str, list[str]], previous: dict[str, str]
) -> tuple[list[Step], dict[str, str]]:
    """The models to build, and the watermarks to store once they are built (``previous``:
    the stored ones)."""
    models = discover(warehouse.dialect)
    sources = upstream_sources(models)
    upstream = upstream_models(models)
    marks = source_marks(warehouse)
    marks.update({f"model:{name}": _sql_hash(model) for name, model in models.items()})
    loaded = loaded_until(warehouse)
    for name in models:
        table = landing_of(name)
        if table is not None:
            marks[f"{MARK_PREFIX}{name}"] = str(loaded.get(table, -1))
    changed = {name for name, value in marks.items() if previous.get(name) != value}
    steps: list[Step] = []
    for model in ordered(models):
        built = {step.model.name for step in steps}
        stale = (
            full
            or f"model:{model.name}" in changed
            or bool(sources[model.name] & changed)
            or any(ref in built for ref in model.references)
            or model.name not in existing
        )
        if not stale:
            continue
        since = previous.get(f"{MARK_PREFIX}{model.name}")
        appendable = (
            not full
            and landing_of(model.name) is not None
            and model.name in existing
            and f"model:{model.name}" not in changed
            and since is not None
        )
        until = int(marks.get(f"{MARK_PREFIX}{model.name}", -1))
        if appendable and since is not None:
            steps.append(Step(model, append_since=int(since), append_until=until))
            continue
        declaration = merge_declaration(model)
        untouched = not full and model.name in existing and f"model:{model.name}" not in changed
        if declaration is None:
            chk = model.name.replace("staging.stg_", "staging.chk_", 1)
            mergeable = (
                untouched
                and merge_key(model) is not None
                and model.references & models.keys() == {chk}
                and any(step.model.name == chk and step.append_since is not None for step in steps)
            )
        else:
            full_chk = {
                step.model.name for step in steps if step.model.name.startswith("staging.chk_")
            } - {step.model.name for step in steps if step.append_since is not None}
            mergeable = (
                untouched
                and not any(f"model:{name}" in changed for name in upstream[model.name])
                and not any(f"staging.chk_{t}" in full_chk for t in delta_tables(declaration))
                and all(
                    f"staging.chk_{source.removeprefix('landing.')}" not in full_chk
                    for source in sources[model.name]
                )
            )
        steps.append(Step(model, append_until=until, merge=mergeable))
    return steps, marks


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
            if warehouse.dialect == "postgres":  # one build at a time per database
                warehouse.execute("select pg_advisory_xact_lock(7462314)")
                # sorts and hashes of the big models stay in memory instead of spilling
                warehouse.execute(f"set local work_mem = '{POSTGRES_BUILD_WORK_MEM}'")
                if not full:  # a full build reads whole tables: hash joins stay cheaper
                    cost = POSTGRES_BUILD_RANDOM_PAGE_COST
                    warehouse.execute(f"set local random_page_cost = {cost}")
                    warehouse.execute("set local default_statistics_target = 10")
                    # compiled expressions pay off, but optimising and inlining the compiled
                    # code took 0.7 s of a 1.9 s mart; an incremental build's queries are small
                    for setting in ("jit_optimize_above_cost", "jit_inline_above_cost"):
                        warehouse.execute(f"set local {setting} = {POSTGRES_JIT_OPTIMIZE_COST}")
            # planned under the lock: the marks of a build that just finished are visible
            with _phase(result, "plan"):
                existing, stored = catalog(warehouse), stored_marks(warehouse)
                steps, marks = plan(warehouse, full, existing, stored)
            result.skipped = len(discover(warehouse.dialect)) - len(steps)
            prepared, changed = False, dict[str, Rewritten]()
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
                current.rows = _execute(warehouse, step, existing, changed)
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
            scopes.cleanup(warehouse, [changed_table(step.model) for step in steps])
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
) -> int:
    """Build one model the way its step says; returns the rows of the table, or for an append
    or a merge the rows it wrote. A merge records the predicate selecting the rows it rewrote
    in ``changed`` (for the checks)."""
    model = step.model
    # an append or a merge only runs on an existing table of unchanged SQL: its columns are
    # the catalog's (no planning of the model's SQL just to name them)
    if step.append_since is not None:
        columns = existing[model.name]
        return append_chk(warehouse, model.name, step.append_since, step.append_until, columns)
    if step.merge:
        declaration, columns = merge_declaration(model), existing[model.name]
        if declaration is not None:
            merged = merge_model(warehouse, model, declaration, columns)
        else:
            merged = merge_stg(warehouse, model, merge_key(model) or [], columns)
        changed[model.name] = Rewritten(merged.predicate, tuple(merge_columns(model)))
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
