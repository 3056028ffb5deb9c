"""The BI marts on the hand-made store (values by hand; RFM cross-checked with analytics.rfm)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
import pytest

from globalcart.analytics.rfm import rfm_table
from globalcart.engines import Warehouse


def _rows(warehouse: Warehouse, sql: str) -> list[dict[str, Any]]:
    table = warehouse.query_arrow(sql)
    return [dict(row) for row in table.to_pylist()]


def test_exec_daily_kpis(kpi_warehouse: Warehouse) -> None:
    day = _rows(
        kpi_warehouse, "select * from marts.mart_exec_daily_kpis where day = date '2024-03-01'"
    )[0]
    expected = {
        "orders": 1, "units": 2, "customers": 1, "new_customers": 1, "gross_revenue_usd": 20,
        "discounts_usd": 2, "refunds_usd": 0, "net_revenue_usd": 18, "cogs_usd": 8,
        "gross_profit_usd": 10, "sessions": 1, "order_sessions": 1, "payment_attempts": 2,
        "failed_payments": 1, "marketing_spend_usd": 20, "aov_usd": 18.0,
        "conversion_rate": 1.0, "payment_failure_rate": 0.5,
    }  # fmt: skip
    assert {key: float(day[key]) for key in expected} == pytest.approx(expected)
    assert float(day["gross_margin"]) == pytest.approx(10 / 18)
    totals = kpi_warehouse.query(
        "select count(*), sum(orders), sum(net_revenue_usd), sum(sessions), "
        "sum(marketing_spend_usd) from marts.mart_exec_daily_kpis"
    )[0]
    assert [float(v) for v in totals] == [20, 4, 80, 6, 100]  # 1 to 20 March (dw.dim_date)


def test_finance_profitability(kpi_warehouse: Warehouse) -> None:
    rows = _rows(
        kpi_warehouse,
        "select category, brand, orders, units, refunds_usd, net_revenue_usd, cogs_usd, "
        "gross_profit_usd from marts.mart_finance_profitability where month = date '2024-03-01'",
    )
    got = {(r["category"], r["brand"]): [float(v) for v in list(r.values())[2:]] for r in rows}
    assert got == {
        ("Home", "Acme"): [2, 3, 0, 28, 12, 16],  # Mug: orders 1 and 5
        ("Home", "Lumo"): [2, 2, 75, 36, 60, -24],  # Lamp: order 2 refunded, order 4
        ("Media", "Readr"): [1, 2, 0, 16, 4, 12],  # Book on order 4 (order 3 cancelled)
    }


def test_funnel_conversion(kpi_warehouse: Warehouse) -> None:
    row = _rows(
        kpi_warehouse,
        "select * from marts.mart_funnel_conversion where day = date '2024-03-02' "
        "and traffic_source = 'organic' and device = 'mobile'",
    )[0]
    assert (row["sessions"], row["cart_sessions"], row["order_sessions"]) == (2, 2, 1)
    assert (row["abandoned_cart_sessions"], row["conversion_rate"]) == (1, 0.5)
    total = kpi_warehouse.query("select sum(sessions) from marts.mart_funnel_conversion")
    assert float(total[0][0]) == 6


def test_product_performance(kpi_warehouse: Warehouse) -> None:
    rows = _rows(kpi_warehouse, "select * from marts.mart_product_performance")
    by_name = {r["product_name"]: r for r in rows}
    lamp = by_name["Lamp"]
    assert float(lamp["net_revenue_usd"]) == 36 and float(lamp["gross_profit_usd"]) == -24
    assert (lamp["returns"], lamp["return_rate"], lamp["view_sessions"]) == (1, 0.5, 2)
    assert (lamp["on_hand"], lamp["available"], lamp["alert_centers"]) == (3, 2, 1)
    ranks = {name: (r["revenue_rank"], r["abc_class"]) for name, r in by_name.items()}
    assert ranks == {"Lamp": (1, "A"), "Mug": (2, "A"), "Book": (3, "B")}


def test_customer_segments_match_analytics_rfm(kpi_warehouse: Warehouse) -> None:
    rows = _rows(kpi_warehouse, "select * from marts.mart_customer_segments")
    got = {r["customer_id"]: r for r in rows}
    # by hand: recency 10/18/0 days, frequency 2/1/1, monetary 70/0/10 as of 20 March
    assert {c: got[c]["rfm_segment"] for c in got} == {
        1: "At Risk", 2: "Lost", 3: "Potential Loyalist"
    }  # fmt: skip
    assert {c: got[c]["rfm_cell"] for c in got} == {1: "244", 2: "111", 3: "412"}
    assert all(r["as_of_date"] == dt.date(2024, 3, 20) and not r["is_churned"] for r in rows)
    orders = kpi_warehouse.query_arrow(
        "select customer_id, order_ts, cast(net_revenue_usd as double precision) as amount "
        "from dw.fct_orders where is_revenue"
    ).to_pandas()
    reference = rfm_table(orders, as_of=pd.Timestamp("2024-03-20"))
    for customer, row in reference.iterrows():
        mart = got[int(customer)]
        assert (mart["r_score"], mart["f_score"], mart["m_score"]) == (
            row["r_score"], row["f_score"], row["m_score"]
        )  # fmt: skip
        assert mart["rfm_segment"] == row["segment"]


def test_admin_order_summary(kpi_warehouse: Warehouse) -> None:
    rows = _rows(kpi_warehouse, "select * from marts.vw_admin_order_summary")
    got = {r["order_id"]: r for r in rows}
    assert sorted(got) == [1, 2, 3, 4, 5]
    one, two, three = got[1], got[2], got[3]
    assert (one["payment_attempts"], one["failed_payment_attempts"]) == (2, 1)
    assert (one["payment_status"], one["email"], float(one["order_profit_usd"])) == (
        "captured", "ann@example.com", 10.5
    )  # fmt: skip
    assert two["is_late"] and two["has_return"] and two["is_loss_making"]
    assert float(two["order_profit_usd"]) == -37.5
    assert (three["payment_status"], three["is_revenue"]) == ("failed", False)
    assert got[4]["is_discount_heavy"] and not got[4]["is_late"]
