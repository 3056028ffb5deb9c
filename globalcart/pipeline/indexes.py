"""PostgreSQL indexes of the models, and the unique checks their building proves.

A model's merge key gets an index, so an incremental build looks its rows up instead of
scanning; a chk model's source file, failing rows and the key its stg model merges by too; and
the columns a model declares with ``-- incremental: index=<col>[,<col>…]`` (``a+b``: one index
over both; rows whose first column is null are left out), because other models' merges read it
by them.
When an error-severity ``unique`` check's columns start with the merge key, that index is built
unique over the check's columns instead: the sort that builds it proves the check, which then
needs no query (a unique check over 12 M rows costs seconds). A merged model's other
error-severity unique checks (``payment_id`` of a model merged by order) get a unique index of
their own, for the same reason. If the rows are not unique, the
plain index is built and the check runs and fails as before; a later merge that writes a
duplicate fails the build on the index, as the failing error-severity check would have.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from globalcart.engines.base import Warehouse, WarehouseError
from globalcart.pipeline.checks import Check, load_checks, unique_columns
from globalcart.pipeline.incremental import key_columns, landing_of, merge_declaration, merge_key
from globalcart.pipeline.models import SQL_DIR, Model
from globalcart.pipeline.rewrite import UniqueKey

_INDEX_DECLARATION = re.compile(r"^--\s*incremental:\s*index=([\w,+]+)\s*$", re.MULTILINE)
# A composite unique index must treat nulls as equal, as the check's ``group by`` does
# (``nulls not distinct``, PostgreSQL 15)
NULLS_NOT_DISTINCT_VERSION = 150000


@dataclass(frozen=True)
class Index:
    suffix: str
    columns: str  # the parenthesised column list, with a ``where`` clause if partial
    unique: bool = False


def merge_columns(model: Model) -> list[str]:
    """The columns a merge of ``model`` deletes and reads by (none if it never merges)."""
    declaration = merge_declaration(model)
    if declaration is not None:
        return key_columns(declaration)
    return [column for column, _ in merge_key(model) or []]


def chk_lookup_columns(model: Model) -> list[str]:
    """The chk columns a merge of the chk model's stg model reads it by (see ``merge_stg``)."""
    table = landing_of(model.name)
    path = SQL_DIR / "staging" / f"stg_{table}.sql"
    if table is None or not path.exists():
        return []
    stg = Model(f"staging.stg_{table}", "staging", path.read_text(encoding="utf-8"), frozenset())
    return [chk_column for _, chk_column in merge_key(stg) or []]


def _error_unique_columns(model: Model, checks: list[Check]) -> list[tuple[str, ...]]:
    """The columns of each error-severity unique check of ``model``."""
    return [
        unique_columns(check)
        for check in checks
        if check.model == model.name and check.type == "unique" and check.severity == "error"
    ]


def unique_index_columns(model: Model, checks: list[Check]) -> tuple[str, ...] | None:
    """The columns of an error-severity unique check of ``model`` that start with its merge key."""
    key = tuple(merge_columns(model))
    for columns in _error_unique_columns(model, checks):
        if key and columns[: len(key)] == key:
            return columns
    return None


def merge_unique(model: Model, proven: set[tuple[str, tuple[str, ...]]]) -> UniqueKey | None:
    """The ``unique_index_columns`` of ``model`` when a unique index proves them (PostgreSQL;
    on DuckDB, with no indexes, writing only the rows that differ took longer than rewriting
    them all)."""
    columns = unique_index_columns(model, load_checks())
    return UniqueKey(columns, proven=True) if columns and (model.name, columns) in proven else None


def other_unique_columns(model: Model, checks: list[Check]) -> list[tuple[str, ...]]:
    """The columns of the other error-severity unique checks of a merged ``model``."""
    if not merge_columns(model):
        return []
    covered = unique_index_columns(model, checks)
    return [columns for columns in _error_unique_columns(model, checks) if columns != covered]


def model_indexes(model: Model, checks: list[Check] | None = None) -> list[Index]:
    """The indexes of a model (see the module docstring)."""
    indexes = []
    checks = load_checks() if checks is None else checks
    key = merge_columns(model)
    unique = unique_index_columns(model, checks)
    if unique:
        indexes.append(Index("merge_key", f"({', '.join(unique)})", unique=True))
    elif key:
        indexes.append(Index("merge_key", f"({', '.join(key)})"))
    for columns in other_unique_columns(model, checks):
        indexes.append(Index(f"unique_{'_'.join(columns)}", f"({', '.join(columns)})", True))
    for found in _INDEX_DECLARATION.findall(model.sql):
        for columns in (item.split("+") for item in found.split(",") if item):
            # lookups join on the first column, which never matches a null: rows without it
            # stay out of the index (a third of the clickstream has no product)
            listed = f"({', '.join(columns)}) where {columns[0]} is not null"
            indexes.append(Index(f"by_{'_'.join(columns)}", listed))
    if landing_of(model.name) is not None:
        if lookup := chk_lookup_columns(model):
            indexes.append(Index("by_key", f"({', '.join(lookup)})"))
        indexes.append(Index("source_file", "(source_file)"))
        indexes.append(Index("failed", "(dq_rule) where dq_rule is not null"))
    return indexes


def create_indexes(warehouse: Warehouse, model: Model) -> None:
    """Create the indexes a model table lacks (PostgreSQL)."""
    version = server_version(warehouse)
    for index in model_indexes(model):
        name, target = f"{model.table}_{index.suffix}", f"{model.name} {index.columns}"
        composite = "," in index.columns
        if index.unique and (not composite or version >= NULLS_NOT_DISTINCT_VERSION):
            nulls = " nulls not distinct" if composite else ""
            warehouse.execute("savepoint gc_unique_index")
            try:
                warehouse.execute(f"create unique index if not exists {name} on {target}{nulls}")
                warehouse.execute("release savepoint gc_unique_index")
                continue
            except WarehouseError:  # duplicates: the check will report them
                warehouse.execute("rollback to savepoint gc_unique_index")
        warehouse.execute(f"create index if not exists {name} on {target}")


def server_version(warehouse: Warehouse) -> int:
    return int(warehouse.query("show server_version_num")[0][0])


def proven_unique(warehouse: Warehouse) -> set[tuple[str, tuple[str, ...]]]:
    """``(model, columns)`` of the unique checks that a valid unique index of the model
    already guarantees (one column: nulls distinct, as ``count(distinct)``; several: nulls
    not distinct, as ``group by``)."""
    if warehouse.dialect != "postgres" or server_version(warehouse) < NULLS_NOT_DISTINCT_VERSION:
        return set()
    rows = warehouse.query(
        "select n.nspname || '.' || c.relname, i.indnullsnotdistinct, "
        "array_agg(a.attname::varchar order by k.ord) "
        "from pg_index as i "
        "join pg_class as c on c.oid = i.indrelid "
        "join pg_namespace as n on n.oid = c.relnamespace "
        "cross join lateral unnest(i.indkey) with ordinality as k(attnum, ord) "
        "join pg_attribute as a on a.attrelid = c.oid and a.attnum = k.attnum "
        "where i.indisunique and i.indisvalid and i.indpred is null and i.indexprs is null "
        "and n.nspname in ('staging', 'dw', 'marts') "
        "group by i.indexrelid, n.nspname, c.relname, i.indnullsnotdistinct"
    )
    return {
        (str(model), tuple(columns))
        for model, nulls_not_distinct, columns in rows
        if bool(nulls_not_distinct) == (len(columns) > 1)
    }
