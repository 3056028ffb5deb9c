"""Create the registry's views in ``marts`` (called by the build after the marts are built)."""

from __future__ import annotations

import hashlib

from globalcart.engines.base import Warehouse, WarehouseError
from globalcart.semantic.registry import Registry, RegistryError, compile_views, load_registry

MARK = "semantic:views"
PREFIXES = ("vw_", "kpi_")


def _digest(statements: list[tuple[str, str]]) -> str:
    text = "\n;\n".join(f"{name}\n{sql}" for name, sql in statements)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def existing_views(warehouse: Warehouse) -> list[str]:
    rows = warehouse.query(
        "select table_name from information_schema.views where table_schema = 'marts'"
    )
    return sorted(str(row[0]) for row in rows if str(row[0]).startswith(PREFIXES))


def apply_views(
    warehouse: Warehouse, *, changed: bool = True, registry: Registry | None = None
) -> int:
    """(Re)create every registry view; returns how many were created.

    Skipped (returns 0) when nothing was rebuilt (``changed`` false), the registry is unchanged
    since the last time and every view exists. Runs inside the caller's transaction.
    """
    try:
        registry = registry or load_registry()
    except RegistryError as exc:
        raise WarehouseError(str(exc)) from exc
    statements = compile_views(registry)
    digest = _digest(statements)
    present = existing_views(warehouse)
    wanted = sorted(name.split(".", 1)[1] for name, _ in statements)
    stored = warehouse.query("select value from ops.watermarks where name = ?", [MARK])
    if not changed and present == wanted and stored and stored[0][0] == digest:
        return 0
    cascade = " cascade" if warehouse.dialect == "postgres" else ""
    # drop kpi_* before vw_* (kpi views read vw views); DuckDB has no view dependencies
    for name in sorted(present, key=lambda n: (not n.startswith("kpi_"), n)):
        warehouse.execute(f"drop view if exists marts.{name}{cascade}")
    for name, sql in statements:
        try:
            warehouse.execute(f"create view {name} as\n{sql}")
        except WarehouseError as exc:
            raise WarehouseError(f"cannot create KPI view {name}: {exc}") from exc
    warehouse.execute("delete from ops.watermarks where name = ?", [MARK])
    warehouse.execute("insert into ops.watermarks values (?, ?, current_timestamp)", [MARK, digest])
    return len(statements)
