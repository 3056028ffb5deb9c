"""Scopes: shared sets of keys an incremental build must recompute (``sql/_scopes/<name>.sql``).

A scope is a query over the landing deltas of this build (``delta.<table>``: the keys of the
rows that arrived), the ``staging.chk_*`` tables and the state of the other models *before* this
build, and other scopes (``scope.<name>``). All scopes a build needs are computed once, right
after the chk models are appended and before any other model is touched, so every model sees
the same sets. A mergeable model's ``changed`` query may use them.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

from globalcart import contract
from globalcart.engines.base import Warehouse
from globalcart.pipeline.models import SQL_DIR
from globalcart.pipeline.validation import chk_sql, load_rules

SCOPES_DIR = SQL_DIR / "_scopes"
_SCOPE_REF = re.compile(r"\bscope\.(\w+)\b")
_DELTA_REF = re.compile(r"\bdelta\.(\w+)\b")


# Besides its key, a delta keeps the columns scopes look up, so they need not rescan chk tables
# (the new rows' values: an event, payment, shipment or return never moves to another parent).
DELTA_EXTRAS = {
    "orders": ("customer_id",),
    "sessions": ("customer_id",),
    "funnel_events": ("session_id",),
    "payments": ("order_id",),
    "shipments": ("order_id",),
    "returns": ("order_id",),
}


def delta_columns(table: str) -> tuple[str, ...]:
    """The columns of ``delta.<table>``: the landing key and the extras."""
    return (*contract.TABLES_BY_NAME[table].key, *DELTA_EXTRAS.get(table, ()))


class ScopeError(ValueError):
    """A ``scope.<name>`` reference names no file in ``sql/_scopes``."""


@functools.lru_cache(maxsize=64)
def scope_sql(name: str, scopes_dir: Path = SCOPES_DIR) -> str:
    path = scopes_dir / f"{name}.sql"
    if not path.exists():
        raise ScopeError(f"unknown scope {name!r}: no {path}")
    return path.read_text(encoding="utf-8").strip().rstrip(";")


def scopes_used(sql: str) -> list[str]:
    """Scopes ``sql`` reads, transitively, each after the scopes it reads itself."""
    found: list[str] = []

    def visit(text: str) -> None:
        for name in _SCOPE_REF.findall(text):
            if name not in found:
                visit(scope_sql(name))
                found.append(name)

    visit(sql)
    return found


def deltas_used(sql: str) -> set[str]:
    """Landing tables whose delta ``sql`` reads, directly or through its scopes."""
    texts = [sql, *(scope_sql(name) for name in scopes_used(sql))]
    return {table for text in texts for table in _DELTA_REF.findall(text)}


def resolve(sql: str) -> str:
    """``sql`` with ``delta.<t>`` and ``scope.<s>`` replaced by this build's temp tables."""
    sql = _DELTA_REF.sub(lambda match: f"gc_delta_{match.group(1)}", sql)
    return _SCOPE_REF.sub(lambda match: f"gc_scope_{match.group(1)}", sql)


def prepare(warehouse: Warehouse, appended: set[str], queries: list[str]) -> None:
    """Create an empty delta for every landing table not appended this build, then every scope
    the ``queries`` read (in dependency order)."""
    rules = load_rules()
    for table in contract.TABLES:
        if table.name not in appended:
            chk = f"staging.chk_{table.name}"
            if not warehouse.table_exists(chk):  # never built: its rows as the query gives them
                chk = f"({chk_sql(rules[table.name], warehouse.dialect)}\n) as q"
            warehouse.execute(f"drop table if exists gc_delta_{table.name}")
            warehouse.execute(
                f"create temp table gc_delta_{table.name} as "
                f"select {', '.join(delta_columns(table.name))} from {chk} where 1 = 0"
            )
    names: list[str] = []
    for query in queries:
        names += [name for name in scopes_used(query) if name not in names]
    for name in names:
        warehouse.execute(f"drop table if exists gc_scope_{name}")
        warehouse.execute(f"create temp table gc_scope_{name} as {resolve(scope_sql(name))}")
        analyze_temp(warehouse, f"gc_scope_{name}")


def analyze_temp(warehouse: Warehouse, table: str) -> None:
    """PostgreSQL: statistics for a key table (temp tables get none), so joins on it use the
    merge-key indexes when it is small."""
    if warehouse.dialect == "postgres":
        warehouse.execute(f"analyze {table}")


def cleanup(warehouse: Warehouse, others: list[str]) -> None:
    """Drop every delta and scope table of this build, and the ``others``."""
    for table in contract.TABLES:
        warehouse.execute(f"drop table if exists gc_delta_{table.name}")
    for path in sorted(SCOPES_DIR.glob("*.sql")):
        warehouse.execute(f"drop table if exists gc_scope_{path.stem}")
    for name in others:
        warehouse.execute(f"drop table if exists {name}")
