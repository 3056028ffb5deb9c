"""Headline-KPI snapshots in ``ops.kpi_snapshots``: store them under a label, diff two labels
(e.g. before/after an incremental refresh)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from globalcart.engines.base import Warehouse, WarehouseError
from globalcart.semantic.query import NOT_BUILT, KpiQueryError, compute
from globalcart.semantic.registry import Registry, load_registry

HEADLINE = (
    "net_revenue",
    "gross_revenue",
    "orders",
    "aov",
    "units",
    "refunds",
    "active_customers",
    "new_customers",
    "conversion_rate",
    "cart_abandonment_rate",
    "payment_failure_rate",
    "gross_margin",
    "return_rate",
    "marketing_spend",
    "roas",
)
TABLE_SQL = """create table if not exists ops.kpi_snapshots (
    label varchar not null, kpi varchar not null, value double precision,
    start_date date, end_date date, taken_at timestamp not null, primary key (label, kpi))"""


class SnapshotError(ValueError):
    """A snapshot request that cannot be honoured (label taken, unknown label…)."""


@dataclass(frozen=True)
class SnapshotDiff:
    kpi: str
    label: str
    before: float | None
    after: float | None

    @property
    def change(self) -> float | None:
        if self.before is None or self.after is None:
            return None
        return self.after - self.before

    @property
    def change_pct(self) -> float | None:
        change = self.change
        if change is None or not self.before:
            return None
        return change / abs(self.before)


def ensure_table(warehouse: Warehouse) -> None:
    warehouse.execute("create schema if not exists ops")
    warehouse.execute(TABLE_SQL)


def full_range(warehouse: Warehouse) -> tuple[dt.date, dt.date]:
    if not warehouse.table_exists("dw.dim_date"):
        raise SnapshotError(NOT_BUILT)
    rows = warehouse.query("select min(date_day), max(date_day) from dw.dim_date")
    first, last = rows[0] if rows else (None, None)
    if not isinstance(first, dt.date) or not isinstance(last, dt.date):
        raise SnapshotError("the warehouse has no data yet: run globalcart pipeline or build")
    return first, last


def labels(warehouse: Warehouse) -> list[tuple[str, Any, int]]:
    """``(label, taken_at, KPIs)`` of every snapshot, oldest first."""
    ensure_table(warehouse)
    rows = warehouse.query(
        "select label, max(taken_at), count(*) from ops.kpi_snapshots "
        "group by label order by max(taken_at), label"
    )
    return [(str(label), taken, int(count)) for label, taken, count in rows]


def take_snapshot(
    warehouse: Warehouse,
    label: str,
    *,
    replace: bool = False,
    registry: Registry | None = None,
) -> dict[str, float | None]:
    """Store the headline KPIs over the warehouse's whole date range under ``label``."""
    label = label.strip()
    if not label or len(label) > 100:
        raise SnapshotError("a snapshot label is 1 to 100 characters")
    registry = registry or load_registry()
    ensure_table(warehouse)
    taken = warehouse.query("select count(*) from ops.kpi_snapshots where label = ?", [label])
    if taken[0][0] and not replace:
        raise SnapshotError(f"snapshot {label!r} exists (use --replace to overwrite it)")
    start, end = full_range(warehouse)
    values: dict[str, float | None] = {}
    for name in HEADLINE:
        try:
            value = compute(warehouse, name, start, end, registry=registry).rows[0]["value"]
        except KpiQueryError as exc:
            raise SnapshotError(str(exc)) from exc
        values[name] = None if value is None else float(value)
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    try:
        with warehouse.transaction():
            warehouse.execute("delete from ops.kpi_snapshots where label = ?", [label])
            for name, value in values.items():
                warehouse.execute(
                    "insert into ops.kpi_snapshots values (?, ?, ?, ?, ?, ?)",
                    [label, name, value, start, end, now],
                )
    except WarehouseError as exc:
        raise SnapshotError(f"cannot store snapshot {label!r}: {exc}") from exc
    return values


def _values(warehouse: Warehouse, label: str) -> dict[str, float | None]:
    rows = warehouse.query("select kpi, value from ops.kpi_snapshots where label = ?", [label])
    if not rows:
        known = ", ".join(name for name, _, _ in labels(warehouse)) or "none yet"
        raise SnapshotError(f"no snapshot {label!r} (snapshots: {known})")
    return {str(kpi): None if value is None else float(value) for kpi, value in rows}


def diff(warehouse: Warehouse, before: str, after: str) -> list[SnapshotDiff]:
    """Headline KPIs of snapshot ``before`` next to ``after`` (registry order)."""
    ensure_table(warehouse)
    old, new = _values(warehouse, before), _values(warehouse, after)
    order = [name for name in HEADLINE if name in old or name in new]
    order += sorted((old.keys() | new.keys()) - set(order))
    registry = load_registry()
    labels_of = {kpi.name: kpi.label for kpi in registry.kpis}
    return [
        SnapshotDiff(name, labels_of.get(name, name), old.get(name), new.get(name))
        for name in order
    ]
