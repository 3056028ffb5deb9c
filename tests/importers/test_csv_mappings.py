"""``import csv`` with the shipped Shopify and WooCommerce mappings on small hand-made exports
in those platforms' shapes, on both engines: every row is imported, excluded with a reason, or
quarantined by staging; amounts, statuses, guests and currencies come out right."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from globalcart.engines import Warehouse
from globalcart.importers import ImportBatch, import_csv, load_mapping
from globalcart.semantic.query import compute
from tests.importers.conftest import DATA, import_into, number

ROOT = Path(__file__).resolve().parents[2]
MAPPINGS = ROOT / "examples" / "mappings"


def _build(url: str, name: str, out: Path) -> tuple[Warehouse, ImportBatch]:
    batch = import_csv([DATA / f"{name}.csv"], load_mapping(MAPPINGS / f"{name}.yml"))
    return import_into(url, batch, out), batch


def _quarantined(warehouse: Warehouse) -> dict[tuple[str, str], set[int]]:
    found: dict[tuple[str, str], set[int]] = {}
    for table, rule, raw in warehouse.query(
        "select table_name, rule, raw_row from quality.quarantine"
    ):
        found.setdefault((table, rule), set()).add(int(json.loads(raw)["order_id"]))
    return found


def test_shopify_export(warehouse_url: str, tmp_path: Path) -> None:
    warehouse, batch = _build(warehouse_url, "shopify_orders", tmp_path / "landing")
    try:
        report = batch.report
        assert len(report) == 9  # data rows of the file
        excluded = report[report["disposition"] == "excluded"]
        assert sorted(excluded["source_row"]) == [7, 8]
        assert "Lineitem price is not a number: ten" in set(excluded["reason"])
        # negative quantity and an unparseable date reach quarantine through staging's rules
        assert _quarantined(warehouse) == {
            ("order_items", "negative_quantity"): {1005},
            ("orders", "negative_amount"): {1005},
            ("orders", "malformed_date"): {1007},
            ("order_items", "malformed_date"): {1007},
        }
        orders = dict(
            warehouse.query("select order_id, status from dw.fct_orders order by order_id")
        )
        assert orders == {1001: "paid", 1002: "paid", 1003: "returned", 1004: "cancelled"}
        guest = warehouse.query("select customer_sk from dw.fct_orders where order_id = 1002")
        assert guest == [(-1,)]
        eur = number(warehouse, "select gross_amount_usd from dw.fct_orders where order_id = 1002")
        assert eur == pytest.approx(30 * 1.08)
        day = dt.date(2024, 3, 5), dt.date(2024, 3, 31)
        gross = compute(warehouse, "gross_revenue", *day).rows[0]["value"]
        assert gross == pytest.approx(55 + 30 * 1.08 + 15)  # 1004 is cancelled
        discounts = compute(warehouse, "discounts", *day).rows[0]["value"]
        assert discounts == pytest.approx(5.0)
        first = warehouse.query("select order_ts from dw.fct_orders where order_id = 1001")[0][0]
        assert str(first).startswith("2024-03-05 19:22:10")  # -0500 converted to UTC
        assert number(warehouse, "select count(*) from dw.fct_order_items") == 5
    finally:
        warehouse.close()


def test_woocommerce_export(warehouse_url: str, tmp_path: Path) -> None:
    warehouse, batch = _build(warehouse_url, "woocommerce_orders", tmp_path / "landing")
    try:
        assert set(batch.report["disposition"]) == {"order_item"}
        rows = warehouse.query(
            "select order_id, status, customer_id, currency, gross_amount, discount_amount, "
            "shipping_fee from dw.fct_orders order by order_id"
        )
        plain = [tuple(v if isinstance(v, str | int | None) else float(v) for v in r) for r in rows]
        assert plain == [
            (4501, "fulfilled", 12, "GBP", 30.0, 5.0, 4.95),
            (4502, "paid", None, "GBP", 21.0, 0.0, 0.0),
            (4503, "returned", 12, "GBP", 16.0, 0.0, 4.95),
            (4504, "cancelled", 13, "GBP", 8.0, 0.0, 0.0),
            (4505, "created", 14, "EUR", 7.5, 0.0, 0.0),
        ]
        first = warehouse.query("select order_ts from dw.fct_orders where order_id = 4501")
        assert str(first[0][0]).startswith("2024-06-01 09:15:00")  # Europe/London (BST) → UTC
        days = dt.date(2024, 6, 1), dt.date(2024, 6, 5)
        net = compute(warehouse, "net_revenue", *days).rows[0]["value"]
        assert net == pytest.approx((30 - 5 + 21 + 16) * 1.27)
        assert not compute(warehouse, "sessions", *days).available
    finally:
        warehouse.close()
