"""Model discovery, dependency order, checks and rules parsing."""

from __future__ import annotations

from pathlib import Path

import pytest

from globalcart import contract
from globalcart.engines.base import WarehouseError
from globalcart.pipeline.checks import load_checks
from globalcart.pipeline.models import ModelError, discover, ordered, upstream_sources
from globalcart.pipeline.validation import load_rules


@pytest.mark.parametrize("dialect", ["duckdb", "postgres"])
def test_every_model_is_discovered_and_ordered(dialect: str) -> None:
    models = discover(dialect)  # type: ignore[arg-type]
    for table in contract.TABLES:
        assert f"staging.chk_{table.name}" in models
        assert f"staging.stg_{table.name}" in models
    assert {"dw.dim_customer", "dw.dim_product", "dw.fct_orders", "dw.fct_cohort_ltv"} <= set(
        models
    )
    position = {model.name: index for index, model in enumerate(ordered(models))}
    for model in models.values():
        for ref in model.references & models.keys():
            assert position[ref] < position[model.name], (ref, model.name)
    assert "landing.orders" in upstream_sources(models)["dw.fct_revenue_daily"]


def _write(root: Path, relative: str, sql: str) -> None:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(sql)


def test_cycles_are_reported(tmp_path: Path) -> None:
    _write(tmp_path, "dims/dim_a.sql", "select * from dw.dim_b")
    _write(tmp_path, "dims/dim_b.sql", "select * from dw.dim_a")
    with pytest.raises(ModelError, match="cycle"):
        ordered(discover("duckdb", tmp_path))


def test_postgres_overrides_and_parse_errors(tmp_path: Path) -> None:
    _write(tmp_path, "marts/mart_x.sql", "select 1 as engine_neutral")
    _write(tmp_path, "postgres/marts/mart_x.sql", "select 2 as postgres_only")
    assert "engine_neutral" in discover("duckdb", tmp_path)["marts.mart_x"].sql
    assert "postgres_only" in discover("postgres", tmp_path)["marts.mart_x"].sql
    _write(tmp_path, "marts/mart_bad.sql", "select from where (")
    with pytest.raises(ModelError, match="cannot parse"):
        discover("duckdb", tmp_path)


def test_declared_checks_parse() -> None:
    checks = load_checks()
    names = {check.name for check in checks}
    assert "staging.stg_orders.order_id.unique" in names
    assert "dw.fct_orders._model.expression[net_le_gross]" in names
    assert {check.severity for check in checks} == {"error", "warn"}


def test_unknown_check_type_is_a_clear_error(tmp_path: Path) -> None:
    _write(tmp_path, "facts/_checks.yml", "fct_x:\n  a: [is_positive]\n")
    with pytest.raises(WarehouseError, match="unknown check 'is_positive'"):
        load_checks(tmp_path)


def test_rules_cover_the_contract(tmp_path: Path) -> None:
    rules = load_rules()
    assert set(rules) == set(contract.TABLES_BY_NAME)
    # every money column is validated as an amount
    for name, table_rules in rules.items():
        money = {
            col for col, dtype in contract.landing_table(name).columns if str(dtype) == "double"
        }
        assert money <= set(table_rules.get("amounts") + table_rules.get("rates")), name
    bad = tmp_path / "_rules.yml"
    bad.write_text("orders:\n  amounts: [no_such_column]\n")
    with pytest.raises(ValueError, match="no_such_column"):
        load_rules(bad)
