"""Every KPI on the hand-made store (tests/semantic/kpi_data.py), expected values by hand.

Revenue orders are 1 (delivered, USD), 2 (delivered, EUR at 1.5, fully refunded), 4 (shipped)
and 5 (paid); order 3 was cancelled after a failed payment. Per order (USD):

    order  gross  disc  tax   net  cogs  ship fee  ship cost  gateway  profit
    1       20     2    1.8   18    8      5        4          0.5      10.5
    2       75     0    15     0   30      0        6          1.5     -37.5  (refund 75)
    4       66    14    5.6   52   34      0        5          0.8      12.2
    5       10     0    1     10    4      4        0          0.4       9.6
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from globalcart.engines import Warehouse
from globalcart.semantic import compute

MARCH = (dt.date(2024, 3, 1), dt.date(2024, 3, 31))
AOV = 80 / 4

EXPECTED: dict[str, float | None] = {
    # revenue
    "gross_revenue": 20 + 75 + 66 + 10,
    "discounts": 2 + 14,
    "tax": 1.8 + 15 + 5.6 + 1,
    "refunds": 75,
    "net_revenue": 18 + 0 + 52 + 10,
    "orders": 4,
    "units": 2 + 1 + 3 + 1,
    "aov": AOV,
    # customers: Ann (orders 1 and 4), Bob (2), Cat (5; her order 3 was cancelled)
    "active_customers": 3,
    "new_customers": 3,
    "repeat_customers": 1,
    "retention_7d": 0,  # Ann's second order came 9 days after her first
    "retention_30d": 1 / 3,
    "retention_90d": 1 / 3,
    "repeat_purchase_rate": 1 / 3,
    "churn_rate": 0,  # as of 2024-03-20 nobody is 90 days quiet
    "days_to_first_purchase": (10 + 6 + 19) / 3,  # sign-up to first revenue order (leap year)
    "historical_clv": 80 / 3,
    # funnel: 6 sessions; orders in 1, 2, 5; carts in 1-5; checkouts in 1, 2, 4, 5
    "sessions": 6,
    "conversion_rate": 3 / 6,
    "cart_abandonment_rate": 2 / 5,
    "checkout_abandonment_rate": 1 / 4,
    "payment_failure_rate": 2 / 6,
    # leakage
    "refund_leakage": 75,
    "payment_failure_loss": 24,  # order 3: gross 24 - discount 0
    "cart_abandonment_loss": 2 * AOV,  # sessions 3 and 4 x average order value
    "net_revenue_after_leakage": 80 - 24 - 2 * AOV,
    # profitability (lines): net 18 + 0 + 36 + 16 + 10, cogs 8 + 30 + 30 + 4 + 4
    "cogs": 76,
    "gross_profit": 80 - 76,
    "gross_margin": 4 / 80,
    "item_net_revenue": 80,
    "units_sold": 7,
    "order_profit": 10.5 - 37.5 + 12.2 + 9.6,
    "shipping_cost": 4 + 6 + 5,
    "gateway_fees": 0.5 + 1.5 + 0.8 + 0.4,
    "loss_making_order_rate": 1 / 4,  # order 2
    "discount_heavy_order_rate": 1 / 4,  # order 4: 14 / 66 >= 20 %
    # operations
    "sla_breach_rate": 1 / 2,  # DHL arrived a day late, UPS on time, one still in transit
    "shipping_cost_share": 15 / 80,
    "return_rate": 1 / 4,
    "returns": 1,
    # inventory: Lamp at NJ-1 (3 - 1 < 5) and Book at BER-1 (4 - 0 < 5) of 3 rows
    "stock_alert_rate": 2 / 3,
    # marketing: 5 x 20 spend; order 1 (session 1, Spring) is attributed: net 18, cogs 8
    "marketing_spend": 100,
    "attributed_revenue": 18,
    "roas": 18 / 100,
    "cac": 100 / 1,
    "marketing_roi": (10 - 100) / 100,
}


def _value(warehouse: Warehouse, name: str, **options: Any) -> Any:
    return compute(warehouse, name, *MARCH, **options).rows[0]["value"]


def test_every_metric_has_a_golden_value() -> None:
    from globalcart.semantic import list_kpis

    metrics = {k.name for k in list_kpis() if k.kind == "metric"}
    assert metrics == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_metric_golden_value(kpi_warehouse: Warehouse, name: str) -> None:
    assert _value(kpi_warehouse, name) == pytest.approx(EXPECTED[name], abs=1e-9)


def _breakdown(warehouse: Warehouse, name: str, by: str) -> dict[str, Any]:
    rows = compute(warehouse, name, *MARCH, by=by).rows
    return {row[by]: row["value"] for row in rows}


def test_breakdowns(kpi_warehouse: Warehouse) -> None:
    wh = kpi_warehouse
    assert _breakdown(wh, "net_revenue", "channel") == {"web": 70, "marketplace": 10,
                                                        "mobile_app": 0}  # fmt: skip
    assert _breakdown(wh, "net_revenue", "country") == {"United States": 80, "Germany": 0}
    assert _breakdown(wh, "conversion_rate", "traffic_source") == pytest.approx(
        {"paid_search": 0.5, "organic": 0.5, "email": 1.0, "social": 0.0}
    )
    assert _breakdown(wh, "conversion_rate", "device") == pytest.approx(
        {"desktop": 2 / 3, "mobile": 0.5, "tablet": 0.0}
    )
    assert _breakdown(wh, "payment_failure_rate", "payment_provider") == pytest.approx(
        {"stripe": 1 / 3, "adyen": 1.0, "paypal": 0.0, "klarna": 0.0}
    )
    assert _breakdown(wh, "sla_breach_rate", "carrier") == {"DHL": 1.0, "UPS": 0.0}
    assert _breakdown(wh, "gross_profit", "category") == {"Home": 10 - 30 + 6 + 6, "Media": 12}
    assert _breakdown(wh, "returns", "reason") == {"damaged": 1}
    # ranking: largest first (top products of the period)
    rows = compute(wh, "item_net_revenue", *MARCH, by="product", limit=2).rows
    assert [(r["product"], r["value"]) for r in rows] == [("Lamp", 36), ("Mug", 28)]


def test_grain_series_fills_empty_periods(kpi_warehouse: Warehouse) -> None:
    rows = compute(kpi_warehouse, "net_revenue", *MARCH, grain="week").rows
    weeks = {row["period"]: row["value"] for row in rows}
    assert weeks == {
        dt.date(2024, 2, 26): 18,  # Friday 1 March: order 1 (order 2 nets 0)
        dt.date(2024, 3, 4): 52,  # Sunday 10 March: order 4
        dt.date(2024, 3, 11): 0,
        dt.date(2024, 3, 18): 10,
        dt.date(2024, 3, 25): 0,
    }


def test_period_over_period(kpi_warehouse: Warehouse) -> None:
    result = compute(
        kpi_warehouse,
        "net_revenue",
        dt.date(2024, 3, 11),
        dt.date(2024, 3, 20),
        compare="previous_period",
    )
    assert (result.previous_start, result.previous_end) == (
        dt.date(2024, 3, 1),
        dt.date(2024, 3, 10),
    )
    row = result.rows[0]
    assert (row["value"], row["previous_value"], row["change"]) == (10, 70, -60)
    assert row["change_pct"] == pytest.approx(-60 / 70)
    year = compute(kpi_warehouse, "net_revenue", *MARCH, compare="previous_year")
    assert year.previous_start == dt.date(2023, 3, 1)
    assert year.rows[0]["previous_value"] == 0 and year.rows[0]["change_pct"] is None


def _table(warehouse: Warehouse, name: str) -> list[dict[str, Any]]:
    return compute(warehouse, name).rows


def test_table_kpis(kpi_warehouse: Warehouse) -> None:
    wh = kpi_warehouse
    top = [(r["rank"], r["product"], r["net_revenue_usd"]) for r in _table(wh, "top_products")]
    assert top == [(1, "Lamp", 36), (2, "Mug", 28), (3, "Book", 16)]
    # ABC: Lamp (0 before it) and Mug (36 < 64 = 80 % of 80) are A; Book has 64 before it: B
    abc = {r["product"]: r["abc_class"] for r in _table(wh, "abc_analysis")}
    assert abc == {"Lamp": "A", "Mug": "A", "Book": "B"}
    alerts = {(r["product"], r["fulfillment_center"]): r for r in _table(wh, "inventory_alerts")}
    assert set(alerts) == {("Lamp", "NJ-1"), ("Book", "BER-1")}
    # days of cover = available / (units sold in the 28 days to 20 March / 28)
    assert alerts["Lamp", "NJ-1"]["days_of_cover"] == pytest.approx(2 / (2 / 28))
    assert alerts["Book", "BER-1"]["days_of_cover"] == pytest.approx(4 / (2 / 28))
    sell = {r["category"]: r["sell_through_rate"] for r in _table(wh, "sell_through")}
    assert sell == pytest.approx({"Home": 5 / (5 + 13), "Media": 2 / (2 + 4)})
    leakage = {r["product"]: r for r in _table(wh, "product_leakage")}
    assert leakage["Mug"]["cart_leakage_rate"] == 0.5  # session 3 left it in the cart
    assert leakage["Lamp"]["cart_leakage_rate"] == 0.0
    assert leakage["Book"]["cart_leakage_rate"] == 1.0  # order 3 was never paid
    cohort = _table(wh, "repeat_purchase_rate_by_cohort")
    assert [(r["cohort_month"], r["customers"], r["repeat_customers"]) for r in cohort] == [
        (dt.date(2024, 3, 1), 3, 1)
    ]
    matrix = _table(wh, "cohort_retention")
    assert [(r["month_number"], r["active_customers"], r["retention_rate"]) for r in matrix] == [
        (0, 3, 1.0)
    ]
    ltv = _table(wh, "ltv_cohorts")[0]
    assert (ltv["ltv_7d_usd"], ltv["ltv_30d_usd"]) == (pytest.approx(9.33), pytest.approx(26.67))
    clv = {
        r["segment"]: (r["customers"], r["net_revenue_usd"]) for r in _table(wh, "clv_by_segment")
    }
    assert clv == {"Premium": (1, 70), "Regular": (1, 0), "Budget": (1, 10)}
    reasons = _table(wh, "return_reasons")
    assert [(r["reason"], r["returns"], r["share"]) for r in reasons] == [("damaged", 1, 1.0)]
    rolling = {r["day"]: r["rolling_7d_net_revenue_usd"] for r in _table(wh, "rolling_7d_revenue")}
    assert rolling[dt.date(2024, 3, 7)] == 18 and rolling[dt.date(2024, 3, 10)] == 52
    assert rolling[dt.date(2024, 3, 16)] == 52 and rolling[dt.date(2024, 3, 17)] == 0
    months = _table(wh, "units_by_category_month")
    assert {(r["category"], r["units"]) for r in months} == {("Home", 5), ("Media", 2)}
    growth = _table(wh, "revenue_mom_growth")
    assert [(r["month"], r["net_revenue_usd"], r["mom_growth"]) for r in growth] == [
        (dt.date(2024, 3, 1), 80, None),  # the warehouse's first month: nothing to compare
    ]


def test_table_kpi_date_filter(kpi_warehouse: Warehouse) -> None:
    rows = compute(kpi_warehouse, "rolling_7d_revenue", dt.date(2024, 3, 9), dt.date(2024, 3, 10))
    assert [r["day"] for r in rows.rows] == [dt.date(2024, 3, 9), dt.date(2024, 3, 10)]
    # a month-keyed table includes the month of a mid-month start
    months = compute(kpi_warehouse, "units_by_category_month", dt.date(2024, 3, 15), None)
    assert len(months.rows) == 2
