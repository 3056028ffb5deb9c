"""docs/bi.md is generated from the registry and up to date; DAX measures of every metric."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from globalcart.cli import app
from globalcart.reports.bi_docs import bi_markdown
from globalcart.reports.dax import DaxError, dax_measure
from globalcart.semantic import load_registry
from globalcart.semantic.registry import Kpi

ROOT = Path(__file__).resolve().parents[2]
runner = CliRunner()


def test_committed_bi_guide_is_up_to_date() -> None:
    committed = (ROOT / "docs" / "bi.md").read_text(encoding="utf-8")
    assert committed == bi_markdown(), "run: globalcart docs bi --out docs/bi.md"


def test_docs_bi_command_writes_the_guide(tmp_path: Path) -> None:
    out = tmp_path / "bi.md"
    result = runner.invoke(app, ["docs", "bi", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8") == bi_markdown()


def test_guide_has_a_measure_for_every_metric_and_every_tool() -> None:
    text = bi_markdown()
    registry = load_registry()
    for kpi in registry.kpis:
        if kpi.kind == "metric":
            assert f"\n{dax_measure(kpi)}\n" in text
        else:
            assert f"`{kpi.view}`" in text
    for tool in ("### Power BI", "### Tableau", "### Metabase", "read_only", "PostgreSQL"):
        assert tool in text


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("net_revenue", "Net revenue = CALCULATE(SUM('vw_orders_core'[net_revenue_usd]), "
         "FILTER('vw_orders_core', 'vw_orders_core'[is_revenue] = TRUE()))"),
        ("conversion_rate", "Conversion rate = DIVIDE(SUM('vw_sessions_core'[has_order]), "
         "COUNTROWS('vw_sessions_core'))"),
        ("retention_30d", "Retention at 30 days = CALCULATE(DIVIDE(SUMX('vw_orders_core', "
         "IF('vw_orders_core'[days_to_next_order] <= 30, 1, 0)), COUNTROWS('vw_orders_core')), "
         "FILTER('vw_orders_core', 'vw_orders_core'[is_revenue] = TRUE() && "
         "'vw_orders_core'[customer_order_number] = 1))"),
        ("repeat_customers", "Repeat customers = CALCULATE(CALCULATE(DISTINCTCOUNTNOBLANK("
         "'vw_orders_core'[customer_id]), FILTER('vw_orders_core', "
         "'vw_orders_core'[customer_order_number] > 1)), FILTER('vw_orders_core', "
         "'vw_orders_core'[is_revenue] = TRUE()))"),
    ],
)  # fmt: skip
def test_dax_translation(name: str, expected: str) -> None:
    assert dax_measure(load_registry().kpi(name)) == expected


def test_nullif_division_becomes_divide() -> None:
    kpi = load_registry().kpi("net_revenue_after_leakage")
    measure = dax_measure(kpi)
    assert "nullif" not in measure.lower() and "COALESCE(DIVIDE(" in measure


def test_unsupported_sql_is_refused() -> None:
    base = load_registry().kpi("orders")
    with pytest.raises(DaxError, match="no DAX translation"):
        dax_measure(Kpi(**{**base.model_dump(), "formula": "max(order_ts)"}))
    with pytest.raises(DaxError, match="table KPI"):
        dax_measure(load_registry().kpi("cohort_retention"))
