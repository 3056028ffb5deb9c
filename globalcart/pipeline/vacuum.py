"""Vacuum the tables a full (or first) PostgreSQL build wrote, on two connections at once.

Vacuuming now sets their hint bits and visibility maps, instead of the first reads of each table
(the next incremental build's, the API's), which would otherwise write every page again.
Incremental builds change few pages and leave them to autovacuum. A vacuum of fresh tables is
a sequential pass that keeps one core busy, so the tables are split in two halves of about the
same size, each vacuumed on its own pooled connection.
"""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor

from globalcart.engines.base import Warehouse, WarehouseError, check_identifier

log = logging.getLogger(__name__)

VACUUM_CONNECTIONS = 2


def balanced_groups(sizes: dict[str, int], groups: int) -> list[list[str]]:
    """Tables split into at most ``groups`` non-empty groups of similar total size (largest
    first, each into the group with the least so far)."""
    totals, members = [0] * groups, [list[str]() for _ in range(groups)]
    for table in sorted(sizes, key=lambda name: (-sizes[name], name)):
        smallest = totals.index(min(totals))
        totals[smallest] += sizes[table]
        members[smallest].append(table)
    return [group for group in members if group]


def table_sizes(warehouse: Warehouse, tables: list[str]) -> dict[str, int]:
    """Bytes of each table's heap (a table not found, dropped meanwhile say, counts as 0)."""
    if not tables:
        return {}
    listed = ", ".join(f"('{check_identifier(table)}')" for table in tables)
    rows = warehouse.query(
        f"select t.name, coalesce(pg_relation_size(to_regclass(t.name)), 0) "
        f"from (values {listed}) as t(name)"
    )
    return {str(name): int(size) for name, size in rows}


def vacuum_tables(warehouse: Warehouse, tables: list[str]) -> None:
    """Vacuum ``tables``, a failure only logged: the build stands.

    ``skip_locked``: inside a caller's transaction that still holds the tables, the other
    connections skip them instead of waiting for a commit that waits for them.
    """
    groups = balanced_groups(table_sizes(warehouse, tables), VACUUM_CONNECTIONS)
    if not groups:
        return
    statements = [f"vacuum (skip_locked) {', '.join(group)}" for group in groups]
    with ThreadPoolExecutor(max_workers=len(statements)) as pool:
        futures = [pool.submit(warehouse.execute, statement) for statement in statements]
        for future in futures:
            try:
                future.result()
            except WarehouseError as exc:
                log.warning("vacuum after the build failed: %s", exc)
