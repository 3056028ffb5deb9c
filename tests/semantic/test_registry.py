"""The registry file: validation errors are clear, compilation covers every KPI and view."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from globalcart.semantic.docs import kpi_markdown
from globalcart.semantic.registry import (
    REGISTRY_PATH,
    RegistryError,
    compile_views,
    load_registry,
    parse_registry,
)

ROOT = Path(__file__).resolve().parents[2]
REFERENCE_VIEWS = {
    "vw_revenue_leakage",
    "vw_funnel_daily_metrics",
    "vw_orders_core",
    "vw_item_profitability",
    "vw_admin_order_summary",
}


def _raw() -> dict:  # type: ignore[type-arg]
    raw = yaml.safe_load(REGISTRY_PATH.read_text(encoding="utf-8"))
    assert isinstance(raw, dict)
    return raw


def _broken(change: str) -> str:
    raw = _raw()
    kpis = raw["kpis"]
    net = next(k for k in kpis if k["name"] == "net_revenue")
    if change == "unit":
        net["unit"] = "euros"
    elif change == "missing_owner":
        del net["owner"]
    elif change == "extra_field":
        net["colour"] = "blue"
    elif change == "dimension":
        net["dimensions"] = ["country", "carrier"]
    elif change == "unknown_dimension":
        net["dimensions"] = ["planet"]
    elif change == "not_aggregate":
        net["formula"] = "net_revenue_usd"
    elif change == "bad_sql":
        net["formula"] = "sum(net_revenue_usd"
    elif change == "source":
        net["source"] = "vw_nowhere"
    elif change == "duplicate":
        kpis.append(dict(net))
    elif change == "name":
        net["name"] = "Net Revenue"
    elif change == "grains":
        net["grains"] = []
    elif change == "table_with_dims":
        table = next(k for k in kpis if k.get("kind") == "table")
        table["dimensions"] = ["country"]
    elif change == "two_statements":
        net["formula"] = "sum(net_revenue_usd); drop table dw.fct_orders"
    return yaml.safe_dump(raw)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ("unit", r"kpi 'net_revenue' \(#\d+\): unit: Input should be 'usd'"),
        ("missing_owner", r"kpi 'net_revenue' \(#\d+\): owner: Field required"),
        ("extra_field", r"kpi 'net_revenue' \(#\d+\): colour: Extra inputs are not permitted"),
        ("dimension", r"kpi 'net_revenue': dimension 'carrier' is not offered by vw_orders_core"),
        ("unknown_dimension", r"unknown dimension 'planet'"),
        ("not_aggregate", r"kpi 'net_revenue': formula must aggregate"),
        ("bad_sql", r"kpi 'net_revenue': formula: SQL does not parse"),
        ("source", r"source 'vw_nowhere' is not a view with a date_column"),
        ("duplicate", r"kpi 'net_revenue': defined twice"),
        ("name", r"kpi 'Net Revenue': names are lower-case snake_case"),
        ("grains", r"a metric needs at least one grain"),
        ("table_with_dims", r"table KPIs have no dimensions or grains"),
        ("two_statements", r"only one SQL statement is allowed"),
    ],
)
def test_validation_errors_are_clear(change: str, message: str) -> None:
    with pytest.raises(RegistryError, match=message):
        parse_registry(_broken(change))


def test_not_yaml_and_not_a_mapping() -> None:
    with pytest.raises(RegistryError, match="not valid YAML"):
        parse_registry("kpis: [unclosed")
    with pytest.raises(RegistryError, match="expected a mapping"):
        parse_registry("- a list")


def test_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(RegistryError, match="cannot read the KPI registry"):
        load_registry(tmp_path / "nope.yml")


def test_registry_compiles_every_kpi_and_reference_view() -> None:
    registry = load_registry()
    names = [name for name, _ in compile_views(registry)]
    assert len(names) == len(set(names))
    assert {f"marts.{view}" for view in REFERENCE_VIEWS} <= set(names)
    assert {kpi.view for kpi in registry.kpis} <= set(names)
    groups = {kpi.group for kpi in registry.kpis}
    assert groups == {
        "revenue", "customers", "funnel", "leakage", "profitability", "operations",
        "inventory", "demand", "marketing",
    }  # fmt: skip
    for kpi in registry.kpis:
        assert kpi.owner and kpi.version >= 1 and kpi.label and kpi.description


def test_kpi_docs_are_up_to_date() -> None:
    committed = (ROOT / "docs" / "kpi_definitions.md").read_text(encoding="utf-8")
    assert committed == kpi_markdown(), "run: globalcart docs kpis --out docs/kpi_definitions.md"


def test_docs_document_every_kpi_and_leakage_method() -> None:
    text = kpi_markdown()
    for kpi in load_registry().kpis:
        assert f"`{kpi.name}`" in text
    assert "average order value" in text and "never became revenue" in text
