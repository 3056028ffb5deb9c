"""Planning a build: which models to build, and how (in full, by appending, by merging).

A model is stale when its landing sources received files since the last successful build
(``ops.watermarks``), its SQL changed, a model it reads is built this build, or it does not
exist yet. A stale chk model appends the new files' rows; a stale stg model declaring its key
and reading only its chk model, or a model declaring ``key``, ``restrict`` and ``changed``
(``incremental.py``), merges the touched keys, unless some SQL it depends on changed, a chk
model it reads was rebuilt in full, or a model whose ``diff.<model>`` its ``changed`` query
reads is rebuilt in full (its diff would be every row).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from globalcart.engines.base import Warehouse
from globalcart.pipeline.incremental import (
    MARK_PREFIX,
    delta_tables,
    landing_of,
    loaded_until,
    merge_declaration,
    merge_key,
)
from globalcart.pipeline.models import Model, discover, ordered, upstream_models, upstream_sources
from globalcart.pipeline.rewrite import diffs_used


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
            diffs = diffs_used(declaration["changed"])
            if not diffs <= upstream[model.name]:
                names = ", ".join(sorted(diffs - upstream[model.name]))
                raise ValueError(f"{model.name} reads the diff of {names}, which it does not read")
            rebuilt = {step.model.name for step in steps if step.mode == "built"}
            mergeable = (
                untouched
                and not diffs & rebuilt
                and not any(f"model:{name}" in changed for name in upstream[model.name])
                and not any(f"staging.chk_{t}" in full_chk for t in delta_tables(declaration))
                and all(
                    f"staging.chk_{source.removeprefix('landing.')}" not in full_chk
                    for source in sources[model.name]
                )
            )
        steps.append(Step(model, append_until=until, merge=mergeable))
    return steps, marks
