"""Data checks declared in ``sql/<layer>/_checks.yml`` beside the models.

Format (per model, per column or ``_model`` for table-level expressions)::

    stg_orders:
      order_id: [not_null, unique]
      status:
        - accepted_values: {values: [created, paid]}
      customer_id:
        - relationships: {to: staging.stg_customers, field: customer_id, severity: warn}
      gross_amount:
        - range: {min: 0}
      _model:
        - expression: {sql: "discount_amount <= gross_amount", severity: warn}

Severity ``error`` (default) fails the build; ``warn`` is reported only.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from globalcart.engines.base import Warehouse, WarehouseError, insert_rows
from globalcart.pipeline.models import LAYERS, SQL_DIR
from globalcart.pipeline.yaml_files import read_yaml

CHECK_TYPES = ("not_null", "unique", "accepted_values", "relationships", "range", "expression")


@dataclass(frozen=True)
class Check:
    name: str
    model: str
    column: str | None
    type: str
    severity: str
    args: tuple[tuple[str, Any], ...] = ()

    @property
    def failing_sql(self) -> str:
        """A query returning the failing row count over the whole model."""
        return failing_sql(self, None)


@dataclass(frozen=True)
class CheckResult:
    check: Check
    failures: int

    @property
    def status(self) -> str:
        return "pass" if self.failures == 0 else "fail"


def _literal(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    return "'" + str(value).replace("'", "''") + "'"


@dataclass(frozen=True)
class Rewritten:
    """The rows a merge rewrote: ``predicate`` selects them in the model, ``key`` is the merge
    key, ``rows`` a temp table holding a copy of them (read instead of the model)."""

    predicate: str
    key: tuple[str, ...]
    rows: str | None = None


# Checks a row fails on its own: one query per model counts them all in one pass
ROW_CHECKS = ("not_null", "accepted_values", "range", "expression")


def failing_sql(check: Check, rewritten: Rewritten | None) -> str:
    """A query counting the failing rows; after a merge only the rewritten rows, or for
    ``unique`` the values they hold, are checked: the rest passed when they were written. A
    unique set of columns containing the merge key can only repeat among rewritten rows."""
    model, col, kind, args = check.model, check.column or "", check.type, dict(check.args)
    changed = rewritten.predicate if rewritten else None
    if kind in ROW_CHECKS:
        return f"select count(*) from {_rows(model, rewritten)} where {_failing_row(check)}"
    if kind == "unique":
        names = list(args.get("columns") or [col])
        columns = ", ".join(names)
        source = model
        if rewritten is None:
            among = ""
        elif set(rewritten.key) <= set(names):
            source, among = (rewritten.rows, "") if rewritten.rows else (model, f" where {changed}")
        else:
            among = f" where ({columns}) in (select {columns} from {_rows(model, rewritten)})"
        if not args.get("columns"):
            return f"select count({col}) - count(distinct {col}) from {source}{among}"
        return (
            f"select count(*) from (select {columns} from {source}{among} "
            f"group by {columns} having count(*) > 1) as d"
        )
    # relationships: an anti-join of its own (inside a batch it would probe row by row)
    target, field = args["to"], args["field"]
    if rewritten is None:
        source = model
    else:
        source = rewritten.rows or f"(select * from {model} where {changed})"
    return (
        f"select count(*) from {source} as c where c.{col} is not null and not exists "
        f"(select 1 from {target} as p where p.{field} = c.{col})"
    )


def row_checks_sql(checks: list[Check], rewritten: Rewritten | None) -> str:
    """One query counting the failing rows of each of ``checks`` (row checks of one model)."""
    counts = ", ".join(f"count(*) filter (where {_failing_row(check)})" for check in checks)
    return f"select {counts} from {_rows(checks[0].model, rewritten)}"


def _rows(model: str, rewritten: Rewritten | None) -> str:
    if rewritten is None:
        return model
    if rewritten.rows:
        return f"{rewritten.rows} as gc_rows"
    return f"(select * from {model} where {rewritten.predicate}) as gc_rows"


def _failing_row(check: Check) -> str:
    """The condition a row failing a row check meets."""
    col, kind, args = check.column or "", check.type, dict(check.args)
    if kind == "not_null":
        return f"{col} is null"
    if kind == "accepted_values":
        values = ", ".join(_literal(value) for value in args["values"])
        return f"{col} is not null and {col} not in ({values})"
    if kind == "range":
        bounds = []
        if "min" in args:
            bounds.append(f"{col} < {_literal(args['min'])}")
        if "max" in args:
            bounds.append(f"{col} > {_literal(args['max'])}")
        return " or ".join(bounds) or "false"
    return f"not ({args['sql']})"


def _parse(model: str, column: str | None, spec: Any, origin: Path) -> Check:
    kind, args = (spec, {}) if isinstance(spec, str) else next(iter(dict(spec).items()))
    args = dict(args or {})
    if kind not in CHECK_TYPES:
        raise WarehouseError(f"{origin}: {model}: unknown check {kind!r} (known: {CHECK_TYPES})")
    severity = str(args.pop("severity", "error"))
    if severity not in ("error", "warn"):
        raise WarehouseError(f"{origin}: {model}: severity must be error or warn")
    target = column or "_model"
    name = f"{model}.{target}.{kind}"
    if kind == "expression":
        name += f"[{args.get('name') or args['sql']}]"
    elif kind == "unique" and args.get("columns"):
        name = f"{model}.{'+'.join(args['columns'])}.unique"
    frozen = tuple(
        sorted(
            (key, tuple(value) if isinstance(value, list) else value) for key, value in args.items()
        )
    )
    return Check(name, model, column, kind, severity, frozen)


def load_checks(sql_dir: Path = SQL_DIR) -> list[Check]:
    """Every declared check, from each layer's ``_checks.yml``."""
    checks: list[Check] = []
    for layer, schema in LAYERS.items():
        path = sql_dir / layer / "_checks.yml"
        if not path.exists():
            continue
        for table, columns in read_yaml(path).items():
            model = f"{schema}.{table}"
            for column, specs in (columns or {}).items():
                for spec in specs or []:
                    checks.append(_parse(model, None if column == "_model" else column, spec, path))
    return checks


def run_checks(
    warehouse: Warehouse,
    models: set[str],
    changed: dict[str, Rewritten] | None = None,
    proven: set[tuple[str, tuple[str, ...]]] | None = None,
) -> list[CheckResult]:
    """Run the checks of ``models``; returns every result (the caller decides what fails).

    ``changed`` maps a merged model to the rows the merge rewrote; ``proven`` lists the
    ``(model, columns)`` whose uniqueness a unique index already guarantees.
    """
    checks = [check for check in load_checks() if check.model in models]
    failures: dict[int, int] = {}
    row_checks: dict[str, list[int]] = {}
    for at, check in enumerate(checks):
        if check.type == "unique" and (check.model, unique_columns(check)) in (proven or set()):
            failures[at] = 0
        elif check.type in ROW_CHECKS:
            row_checks.setdefault(check.model, []).append(at)
        else:
            sql = failing_sql(check, (changed or {}).get(check.model))
            failures[at] = int(warehouse.query(sql)[0][0])
    for model, positions in row_checks.items():
        sql = row_checks_sql([checks[at] for at in positions], (changed or {}).get(model))
        counts = warehouse.query(sql)[0]
        failures.update({at: int(count or 0) for at, count in zip(positions, counts, strict=True)})
    return [CheckResult(check, failures[at]) for at, check in enumerate(checks)]


def unique_columns(check: Check) -> tuple[str, ...]:
    """The columns a ``unique`` check covers."""
    return tuple(dict(check.args).get("columns") or [check.column or ""])


def record_results(warehouse: Warehouse, run_id: int, results: list[CheckResult]) -> None:
    rows = [
        (
            run_id,
            result.check.name,
            result.check.model,
            result.check.column,
            result.check.type,
            result.check.severity,
            result.status,
            result.failures,
        )
        for result in results
    ]
    row_sql = "(?, ?, ?, ?, ?, ?, ?, ?, current_timestamp)"
    insert_rows(warehouse, "quality.check_results", rows, row_sql)
