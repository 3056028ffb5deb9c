"""Incremental builds of the staging layer.

A ``staging.chk_*`` row depends only on its landing row and on the reference sets (FX
currencies, products), which only grow. So an incremental build appends the rows of files
loaded since the model's watermark, and re-evaluates the rows that failed a reference rule (the
reference may have arrived since). The keys touched go to a temporary ``gc_delta_<table>``.

A ``stg_*`` model whose file declares ``-- incremental: key=<col>[,<col>…]`` (``stg_col=chk_col``
when renamed) and that reads only its chk model is merged: the rows of the touched keys are
deleted and recomputed from all chk rows of those keys. Both give exactly what a full rebuild
gives, because every output row depends only on the chk rows of its key.
"""

from __future__ import annotations

import functools
import re
from typing import NamedTuple

from globalcart.engines.base import Warehouse
from globalcart.pipeline.models import Model
from globalcart.pipeline.rewrite import UniqueKey, resolve_diffs, rewrite
from globalcart.pipeline.scopes import analyze_temp, delta_columns, deltas_used, resolve
from globalcart.pipeline.validation import (
    TableRules,
    chk_sql,
    has_reference_rules,
    load_rules,
    typed_on_landing,
)

MARK_PREFIX = "rows:"
_KEY_DECLARATION = re.compile(r"^--\s*incremental:\s*key=([\w,=]+)\s*$", re.MULTILINE)
_DECLARATION = re.compile(r"^--\s*incremental:\s*(\w+)=(.+?)\s*$", re.MULTILINE)


def landing_of(model_name: str) -> str | None:
    """``staging.chk_orders`` -> ``orders`` (None for other models)."""
    prefix = "staging.chk_"
    return model_name.removeprefix(prefix) if model_name.startswith(prefix) else None


def loaded_until(warehouse: Warehouse) -> dict[str, int]:
    """Per landing table, the latest load run whose files are in landing."""
    rows = warehouse.query("select table_name, max(load_run_id) from ops.loaded_files group by 1")
    return {str(name): int(last) for name, last in rows}


def loaded_files_filter(table: str, since: int, until: int) -> str:
    """A filter on landing rows ``l``: from files loaded by runs ``since`` < run <= ``until``."""
    return (
        f"l.source_file in (select source_file from ops.loaded_files "
        f"where table_name = '{table}' and load_run_id > {int(since)} "
        f"and load_run_id <= {int(until)})"
    )


def files_loaded(warehouse: Warehouse, table: str, since: int, until: int) -> list[str]:
    """The files of ``table`` loaded by runs ``since`` < run <= ``until``."""
    rows = warehouse.query(
        f"select source_file from ops.loaded_files where table_name = '{table}' "
        f"and load_run_id > {int(since)} and load_run_id <= {int(until)} order by source_file"
    )
    return [str(row[0]) for row in rows]


def files_filter(files: list[str]) -> str:
    """A filter on rows ``l`` from ``files``, as literals: both engines then skip the other
    files' rows (DuckDB by row-group statistics, PostgreSQL by the source_file index)."""
    if not files:
        return "1 = 0"
    quoted = ", ".join("'" + name.replace("'", "''") + "'" for name in files)
    return f"l.source_file in ({quoted})"


def append_chk(
    warehouse: Warehouse, model_name: str, since: int, until: int, columns: list[str]
) -> int:
    """Bring ``staging.chk_<table>`` (whose ``columns`` are those of its SQL) up to date with
    files loaded after run ``since``; returns the rows written (new and rechecked)."""
    table = landing_of(model_name)
    assert table is not None
    rules: TableRules = load_rules()[table]
    new_files = files_filter(files_loaded(warehouse, table, since, until))
    # new files and rechecked rows are separate statements: one filter OR-ed with the other
    # would make both engines scan every landing and chk row
    sources = [new_files]
    rechecked = ""
    if has_reference_rules(rules) and _prepare_recheck(warehouse, model_name, rules):
        keys = rules.table.key
        on_chk = " and ".join(f"r.{key} = c.{key}" for key in keys)
        warehouse.execute(
            f"delete from {model_name} as c where exists (select 1 from gc_chk_recheck as r "
            f"where r.source_file = c.source_file and {on_chk})"
        )
        on_landing = " and ".join(f"r.{key} = {typed_on_landing(key, rules)}" for key in keys)
        sources.append(
            f"l.source_file in (select source_file from gc_chk_recheck) "
            f"and exists (select 1 from gc_chk_recheck as r "
            f"where r.source_file = l.source_file and {on_landing})"
        )
        # a rechecked row still failing changes nothing downstream: only those now passing count
        key_list = ", ".join(f"l.{key}" for key in keys)
        rechecked = (
            f"l.dq_rule is null and (l.source_file, {key_list}) in "
            f"(select source_file, {', '.join(keys)} from gc_chk_recheck)"
        )
    written, listed = 0, ", ".join(columns)
    for source_filter in sources:
        sql = chk_sql(rules, warehouse.dialect, source_filter)
        written += warehouse.execute(
            f"insert into {model_name} ({listed}) select {listed} from ({sql}\n) q"
        )
    touched = ", ".join(f"l.{column}" for column in delta_columns(table))
    delta = f"select distinct {touched} from {model_name} as l where {new_files}"
    if rechecked:
        delta += f" union select {touched} from {model_name} as l where {rechecked}"
    warehouse.execute(f"drop table if exists gc_delta_{table}")
    warehouse.execute(f"create temp table gc_delta_{table} as {delta}")
    analyze_temp(warehouse, f"gc_delta_{table}")
    warehouse.execute("drop table if exists gc_chk_recheck")
    return written


def _prepare_recheck(warehouse: Warehouse, model_name: str, rules: TableRules) -> bool:
    """Fill ``gc_chk_recheck`` with the rows that failed a reference rule whose missing currency
    or product has arrived since; a row whose reference is still missing would fail the same way
    again. Returns whether there is any."""
    arrived = [
        f"(dq_rule = 'unknown_currency' and upper({column}) in (select currency "
        f"from staging.chk_fx_rates where dq_rule is null))"
        for column in rules.get("currencies")
    ]
    arrived += [
        f"(dq_rule = 'unknown_product' and {column} in (select product_id "
        f"from staging.chk_products where dq_rule is null))"
        for column in rules.get("products")
    ]
    warehouse.execute("drop table if exists gc_chk_recheck")
    warehouse.execute(
        f"create temp table gc_chk_recheck as select distinct source_file, "
        f"{', '.join(rules.table.key)} from {model_name} where {' or '.join(arrived)}"
    )
    return bool(warehouse.query("select count(*) from gc_chk_recheck")[0][0])


def merge_key(model: Model) -> list[tuple[str, str]] | None:
    """The declared ``(stg column, chk column)`` key of a mergeable stg model, if any."""
    found = _KEY_DECLARATION.search(model.sql)
    if found is None or not model.name.startswith("staging.stg_"):
        return None
    pairs = [item.split("=", 1) for item in found.group(1).split(",") if item]
    return [(pair[0], pair[-1]) for pair in pairs]


class Merged(NamedTuple):
    """What a merge rewrote: ``predicate`` selects those rows, ``rows`` counts them."""

    predicate: str
    rows: int


def merge_stg(
    warehouse: Warehouse,
    model: Model,
    key: list[tuple[str, str]],
    columns: list[str],
    unique: UniqueKey | None = None,
    keep_old: bool = False,
) -> Merged:
    """Recompute the rows of ``model`` (a table with ``columns``) for the keys in
    ``gc_delta_<table>``; ``unique``, ``keep_old``: see ``rewrite``."""
    table = model.name.removeprefix("staging.stg_")
    chk, delta = f"staging.chk_{table}", f"gc_delta_{table}"
    on_chk = " and ".join(f"gc_d.{chk_col} = gc_c.{chk_col}" for _, chk_col in key)
    restricted = (
        f"(select * from {chk} as gc_c where exists "
        f"(select 1 from {delta} as gc_d where {on_chk})) as gc_src"
    )
    sql = re.sub(rf"\b{re.escape(chk)}\b", restricted, model.sql)
    on_model = " and ".join(f"gc_d.{chk_col} = {model.table}.{stg_col}" for stg_col, chk_col in key)
    changed = f"exists (select 1 from {delta} as gc_d where {on_model})"
    rows = rewrite(warehouse, model.name, columns, changed, sql, unique, keep_old)
    stg_columns = ", ".join(stg_col for stg_col, _ in key)
    chk_columns = ", ".join(chk_col for _, chk_col in key)
    return Merged(f"({stg_columns}) in (select {chk_columns} from {delta})", rows)


def merge_declaration(model: Model) -> dict[str, str] | None:
    """``key``, ``restrict`` and ``changed`` declared by a mergeable model, if complete.

    ``changed`` is a query returning the keys whose rows may differ, given the keys touched in
    each landing table this build (``delta.<table>``) and the shared scopes (``scope.<name>``,
    see ``scopes.py``); ``restrict`` lists ``table:column`` sources to read only for those keys.
    A key of several columns is written ``a+b``, and so are its restrict columns.
    The model's author asserts that these cover every way an upstream change reaches the model
    (the incremental = full tests check it).
    """
    if model.name.startswith("staging.chk_"):
        return None
    found = {name: value for name, value in _DECLARATION.findall(model.sql)}
    if not {"key", "restrict", "changed"} <= found.keys():
        return None
    return found


def key_columns(declaration: dict[str, str]) -> list[str]:
    return declaration["key"].split("+")


def delta_tables(declaration: dict[str, str]) -> set[str]:
    return deltas_used(declaration["changed"])


def changed_table(model: Model) -> str:
    """The temp table holding the keys a merge of ``model`` rewrote (kept for its checks)."""
    return "gc_changed_" + model.name.replace(".", "_")


def in_keys(owner: str, columns: list[str], keys: str, key: list[str]) -> str:
    """A filter: the row ``owner`` (an alias or table name) has ``columns`` equal to a ``key``
    of the table ``keys``. A composite key is an ``exists``: PostgreSQL estimates a row-valued
    ``in`` as one row and then picks nested loops over thousands."""
    if len(columns) == 1:
        return f"{owner}.{columns[0]} in (select {key[0]} from {keys})"
    on = " and ".join(f"gc_k.{k} = {owner}.{c}" for c, k in zip(columns, key, strict=True))
    return f"exists (select 1 from {keys} as gc_k where {on})"


def restricted_sql(sql: str, declaration: dict[str, str], keys: str) -> str:
    """``sql`` reading each ``restrict`` source only for the keys in the table ``keys``."""
    key = key_columns(declaration)
    for item in declaration["restrict"].split(","):
        table, columns = item.strip().split(":")
        matched = in_keys("gc_c", columns.split("+"), keys, key)
        subquery = f"(select * from {table} as gc_c where {matched})"
        pattern = rf"\b{re.escape(table)}\b(\s+as\s+(\w+))?"
        sql = re.sub(pattern, functools.partial(_aliased, subquery), sql)
    return sql


def _aliased(subquery: str, match: re.Match[str]) -> str:
    return f"{subquery} as {match.group(2) or 'gc_src'}"


def merge_model(
    warehouse: Warehouse,
    model: Model,
    declaration: dict[str, str],
    columns: list[str],
    unique: UniqueKey | None = None,
    keep_old: bool = False,
    merged: frozenset[str] = frozenset(),
) -> Merged:
    """Recompute the rows of a model (a table with ``columns``) for the keys its ``changed``
    query returns; ``unique``, ``keep_old``: see ``rewrite``; ``merged``: the models merged so
    far this build (whose ``diff.<model>`` the query may read)."""
    key_names, keys = key_columns(declaration), changed_table(model)
    key = ", ".join(key_names)
    warehouse.execute(f"drop table if exists {keys}")
    # named after the key whatever the query calls its columns: an unknown name in the
    # subqueries below would silently bind to the outer row and match every row
    warehouse.execute(
        f"create temp table {keys} as select * from "
        f"({resolve_diffs(resolve(declaration['changed']), merged)}\n) as gc_k({key})"
    )
    analyze_temp(warehouse, keys)
    sql = restricted_sql(model.sql, declaration, keys)
    changed = in_keys(model.table, key_names, keys, key_names)
    recomputed = f"select * from ({sql}\n) as q where {in_keys('q', key_names, keys, key_names)}"
    rows = rewrite(warehouse, model.name, columns, changed, recomputed, unique, keep_old)
    return Merged(changed, rows)
