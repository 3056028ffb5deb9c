"""KPI availability: every relation a KPI reads declares its inputs, and a KPI is unavailable
exactly when one of its inputs has no row (a hand-built warehouse on both engines)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pandas as pd
from typer.testing import CliRunner

from globalcart.cli import app
from globalcart.importers import ImportBatch
from globalcart.importers.fx import daily_rates
from globalcart.importers.landing import report_frame
from globalcart.semantic.availability import INPUTS, KPI_INPUTS, kpi_inputs, relations
from globalcart.semantic.query import compute
from globalcart.semantic.registry import load_registry
from tests.importers.conftest import import_into


def test_every_kpi_relation_declares_its_inputs() -> None:
    registry = load_registry()
    for kpi in registry.kpis:
        assert relations(kpi), kpi.name
        assert set(kpi_inputs(kpi)) <= set(INPUTS), kpi.name
    assert set(KPI_INPUTS) <= {kpi.name for kpi in registry.kpis}


def _one_order_store() -> ImportBatch:
    """Two paid orders of one customer, nothing else."""
    orders = pd.DataFrame(
        {
            "order_id": [1, 2],
            "customer_id": [7, 7],
            "order_ts": ["2024-01-02 10:00:00", "2024-01-03 10:00:00"],
            "status": "paid",
            "channel": "web",
            "currency": "USD",
            "gross_amount": [10.0, 20.0],
            "discount_amount": 0.0,
            "tax_amount": 0.0,
            "shipping_fee": 0.0,
            "net_amount": [10.0, 20.0],
            "updated_at": ["2024-01-02 10:00:00", "2024-01-03 10:00:00"],
        }
    )
    items = orders[["order_id", "updated_at"]].assign(
        line_no=1, product_id=1, qty=1, unit_list_price=[10.0, 20.0],
        unit_sell_price=[10.0, 20.0], line_discount=0.0, line_tax=0.0,
    )  # fmt: skip
    products = pd.DataFrame(
        {
            "product_id": [1],
            "sku": ["A"],
            "is_active": [True],
            "updated_at": ["2024-01-01 00:00:00"],
        }
    )
    tables = {
        "fx_rates": daily_rates(dt.date(2024, 1, 1), dt.date(2024, 1, 3)),
        "products": products,
        "orders": orders,
        "order_items": items,
    }
    report = report_frame("hand-made", range(1, 3), "order_item")
    return ImportBatch("hand-made", [], tables, report)


def test_missing_inputs_make_kpis_unavailable_not_zero(warehouse_url: str, tmp_path: Path) -> None:
    warehouse = import_into(warehouse_url, _one_order_store(), tmp_path / "landing")
    try:
        start, end = dt.date(2024, 1, 1), dt.date(2024, 1, 3)
        revenue = compute(warehouse, "gross_revenue", start, end, compare="previous_period")
        assert revenue.available and revenue.unavailable_reason is None
        assert revenue.rows[0]["value"] == 30
        sessions = compute(warehouse, "sessions", start, end, compare="previous_period")
        assert not sessions.available
        assert sessions.rows == [
            {"value": None, "previous_value": None, "change": None, "change_pct": None}
        ]
        assert sessions.unavailable_reason == (
            "unavailable: the warehouse has no sessions and funnel events (clickstream)"
        )
        daily = compute(warehouse, "shipping_cost", start, end, grain="day")
        assert [row["value"] for row in daily.rows] == [None, None, None]
        assert not compute(warehouse, "gross_profit", start, end).available  # no unit costs
        table = compute(warehouse, "inventory_alerts")
        assert not table.available and table.rows == []
        assert compute(warehouse, "cohort_retention").available
    finally:
        warehouse.close()
    args = ["kpis", "sessions", "gross_revenue", "--start", "2024-01-01", "--end", "2024-01-03"]
    done = CliRunner().invoke(app, [*args, "--format", "json", "--database", warehouse_url])
    assert done.exit_code == 0, done.output
    shown = {kpi["kpi"]: kpi for kpi in json.loads(done.output)["kpis"]}
    assert shown["gross_revenue"]["available"] and not shown["sessions"]["available"]
    assert "clickstream" in shown["sessions"]["unavailable_reason"]
    done = CliRunner().invoke(app, [*args, "--database", warehouse_url])
    assert done.exit_code == 0
    assert "no sessions and funnel events" in " ".join(done.output.split())
