"""DuckDB and PostgreSQL give the same value for every KPI, breakdown and mart row."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from globalcart.engines import Warehouse
from globalcart.semantic import compute, list_kpis
from globalcart.semantic.registry import load_registry

pytestmark = pytest.mark.postgres
MARCH = (dt.date(2024, 3, 1), dt.date(2024, 3, 31))


def _norm(value: Any) -> Any:
    if isinstance(value, Decimal | int) and not isinstance(value, bool):
        return float(value)
    return value


def _rows(warehouse: Warehouse, sql: str) -> list[tuple[Any, ...]]:
    return sorted(
        (tuple(_norm(v) for v in row) for row in warehouse.query(sql)),
        key=lambda row: tuple(str(v) for v in row),
    )


@pytest.mark.parametrize("kpi", [k.name for k in list_kpis()])
def test_kpi_identical_on_both_engines(
    kpi_duckdb: Warehouse, kpi_postgres: Warehouse, kpi: str
) -> None:
    definition = load_registry().kpi(kpi)
    requests: list[dict[str, Any]] = [{}]
    if definition.kind == "metric":
        requests += [{"by": dim} for dim in definition.dimensions]
        requests += [{"grain": "week", "compare": "previous_year"}]
    for options in requests:
        span = MARCH if definition.kind == "metric" else (None, None)
        duck = compute(kpi_duckdb, kpi, *span, **options).rows
        pg = compute(kpi_postgres, kpi, *span, **options).rows
        normalised = [
            [{k: _norm(v) for k, v in row.items()} for row in rows] for rows in (duck, pg)
        ]
        assert normalised[0] == normalised[1], (kpi, options)


def test_marts_and_views_identical(kpi_duckdb: Warehouse, kpi_postgres: Warehouse) -> None:
    names = [
        str(row[0])
        for row in kpi_duckdb.query(
            "select table_name from information_schema.tables where table_schema = 'marts' "
            "order by 1"
        )
    ]
    pg_names = [
        str(row[0])
        for row in kpi_postgres.query(
            "select table_name from information_schema.tables where table_schema = 'marts' "
            "order by 1"
        )
    ]
    assert names == pg_names
    assert {"mart_exec_daily_kpis", "vw_revenue_leakage", "kpi_net_revenue"} <= set(names)
    for name in names:
        sql = f"select * from marts.{name}"
        assert _rows(kpi_duckdb, sql) == _rows(kpi_postgres, sql), name
