"""Invariants over random date ranges and breakdowns (hypothesis), on a generated tiny store:
net ≤ gross, net = gross − discounts − refunds, rates in [0, 1], additive KPIs add up over
breakdowns and periods, comparisons equal the KPI over the previous range, segment counts add
up to customers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from globalcart.engines import Warehouse, connect
from globalcart.generator import GenerateParams, generate
from globalcart.pipeline.load import load_landing
from globalcart.pipeline.runner import build
from globalcart.semantic import compute, list_kpis
from globalcart.semantic.query import previous_range

RATES = [
    "conversion_rate", "cart_abandonment_rate", "checkout_abandonment_rate",
    "payment_failure_rate", "retention_7d", "retention_30d", "retention_90d",
    "repeat_purchase_rate", "churn_rate", "loss_making_order_rate", "discount_heavy_order_rate",
    "sla_breach_rate", "return_rate", "stock_alert_rate",
]  # fmt: skip
ADDITIVE = [
    "gross_revenue", "discounts", "refunds", "net_revenue", "orders", "units", "new_customers",
    "sessions", "cogs", "gross_profit", "order_profit", "marketing_spend", "returns",
]  # fmt: skip
LIGHT = settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Warehouse, dt.date]]:
    tmp: Path = tmp_path_factory.mktemp("tiny_store")
    generate(GenerateParams(scale="tiny", seed=11, out=tmp / "landing"), overwrite=True)
    warehouse = connect(f"duckdb:///{tmp}/tiny.duckdb")
    load_landing(warehouse, tmp / "landing")
    build(warehouse)
    last = warehouse.query("select max(date_day) from dw.dim_date")[0][0]
    yield warehouse, last
    warehouse.close()


def ranges(last_offsets: int = 200) -> st.SearchStrategy[tuple[int, int]]:
    return st.tuples(st.integers(0, last_offsets), st.integers(0, 90))


def _span(last: dt.date, drawn: tuple[int, int]) -> tuple[dt.date, dt.date]:
    end = last - dt.timedelta(days=drawn[0])
    return end - dt.timedelta(days=drawn[1]), end


def _total(warehouse: Warehouse, name: str, span: tuple[dt.date, dt.date]) -> float:
    value = compute(warehouse, name, *span).rows[0]["value"]
    return float(value or 0)


@LIGHT
@given(drawn=ranges())
def test_revenue_identities(store: tuple[Warehouse, dt.date], drawn: tuple[int, int]) -> None:
    warehouse, last = store
    span = _span(last, drawn)
    gross, net = _total(warehouse, "gross_revenue", span), _total(warehouse, "net_revenue", span)
    discounts, refunds = _total(warehouse, "discounts", span), _total(warehouse, "refunds", span)
    assert net <= gross + 1e-9
    assert net == pytest.approx(gross - discounts - refunds, abs=1e-6)
    assert _total(warehouse, "refund_leakage", span) == pytest.approx(refunds, abs=1e-6)
    assert _total(warehouse, "gross_profit", span) == pytest.approx(
        _total(warehouse, "item_net_revenue", span) - _total(warehouse, "cogs", span), abs=1e-6
    )


@LIGHT
@given(drawn=ranges(), name=st.sampled_from(RATES))
def test_rates_are_between_0_and_1(
    store: tuple[Warehouse, dt.date], drawn: tuple[int, int], name: str
) -> None:
    warehouse, last = store
    kpi = next(k for k in list_kpis() if k.name == name)
    by = kpi.dimensions[drawn[0] % len(kpi.dimensions)] if drawn[1] % 2 else None
    for row in compute(warehouse, name, *_span(last, drawn), by=by).rows:
        assert row["value"] is None or 0 <= row["value"] <= 1, row


@LIGHT
@given(drawn=ranges(), name=st.sampled_from(ADDITIVE), grain=st.sampled_from(["day", "week"]))
def test_additive_kpis_add_up(
    store: tuple[Warehouse, dt.date], drawn: tuple[int, int], name: str, grain: str
) -> None:
    warehouse, last = store
    span = _span(last, drawn)
    total = _total(warehouse, name, span)
    kpi = next(k for k in list_kpis() if k.name == name)
    for dim in kpi.dimensions:
        parts = compute(warehouse, name, *span, by=dim).rows
        assert sum(float(r["value"] or 0) for r in parts) == pytest.approx(total, abs=1e-6), dim
    series = compute(warehouse, name, *span, grain=grain).rows  # type: ignore[arg-type]
    assert sum(float(r["value"] or 0) for r in series) == pytest.approx(total, abs=1e-6)


@LIGHT
@given(drawn=ranges(), compare=st.sampled_from(["previous_period", "previous_year"]))
def test_comparison_is_the_kpi_over_the_previous_range(
    store: tuple[Warehouse, dt.date], drawn: tuple[int, int], compare: str
) -> None:
    warehouse, last = store
    span = _span(last, drawn)
    row = compute(warehouse, "aov", *span, compare=compare).rows[0]  # type: ignore[arg-type]
    before = previous_range(*span, compare)  # type: ignore[arg-type]
    assert row["previous_value"] == compute(warehouse, "aov", *before).rows[0]["value"]


def test_segments_add_up_to_customers(store: tuple[Warehouse, dt.date]) -> None:
    warehouse, _ = store
    customers = warehouse.query(
        "select count(distinct customer_id) from dw.fct_orders "
        "where is_revenue and customer_id is not null"
    )[0][0]
    by_segment = warehouse.query(
        "select rfm_segment, count(*) from marts.mart_customer_segments group by rfm_segment"
    )
    assert sum(count for _, count in by_segment) == customers
    clv = compute(warehouse, "clv_by_segment").rows
    assert sum(row["customers"] for row in clv) == customers
    exec_daily = warehouse.query("select sum(net_revenue_usd) from marts.mart_exec_daily_kpis")
    assert float(exec_daily[0][0]) == pytest.approx(
        float(warehouse.query("select sum(net_revenue_usd) from dw.fct_orders")[0][0])
    )
