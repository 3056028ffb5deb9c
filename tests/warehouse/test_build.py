"""Build guarantees on both engines, on the golden data set."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from golden import BATCH1_ANOMALIES, INGESTED, write_batch, write_rows
from golden_base import _item, _order, _payment
from snapshot import fast_snapshot, snapshot

from globalcart.contract import QUARANTINE_KINDS
from globalcart.engines import Warehouse, connect
from globalcart.pipeline import planning, runner
from globalcart.pipeline.load import load_landing
from globalcart.pipeline.models import Model
from globalcart.pipeline.runner import BuildError, build
from globalcart.semantic import views


def _load_and_build(warehouse: Warehouse, tmp_path: Path, batches: int) -> None:
    for number in range(1, batches + 1):
        load_landing(warehouse, write_batch(tmp_path / f"b{number}", number))
        build(warehouse)


def _load_and_build_batch(warehouse: Warehouse, tmp_path: Path, number: int) -> None:
    load_landing(warehouse, write_batch(tmp_path / f"b{number}", number))
    build(warehouse)


def test_golden_values(warehouse: Warehouse, tmp_path: Path) -> None:
    _load_and_build(warehouse, tmp_path, 3)
    orders = {
        row[0]: row[1:]
        for row in warehouse.query(
            "select order_id, status, customer_sk, gross_amount_usd, discount_amount_usd, "
            "refund_amount_usd, net_revenue_usd from dw.fct_orders"
        )
    }
    # quarantined orders (1007-1010, null key) never reach the facts
    assert sorted(orders) == [1001, 1002, 1003, 1004, 1005, 1006, 1011, 1012]
    # 1001: 40 - 4 - 9 (return within 30 days); latest status wins over the re-sent duplicate
    assert orders[1001] == ("delivered", 1001, 40, 4, 9, 27)
    # 1002 (EUR at 1.1): refund of the whole order in batch 2
    assert orders[1002] == ("delivered", 2001, Decimal("44"), 0, Decimal("44"), 0)
    # 1011 after customer 2's segment change -> version 2
    assert orders[1011] == ("shipped", 2002, Decimal("88"), Decimal("8.8"), 0, Decimal("79.2"))
    # unpaid (created) and cancelled orders are not revenue
    assert orders[1005][-1] == 0 and orders[1006][-1] == 0
    # late-arriving customer 4 is completed; unknown customer 99 stays inferred
    members = dict(warehouse.query("select customer_id, is_inferred from dw.dim_customer"))
    assert members[4] is False and members[99] is True
    segment = warehouse.query("select segment from dw.dim_customer where customer_id = 4")
    assert segment == [("Regular",)]


def test_late_reference_is_rechecked(warehouse: Warehouse, tmp_path: Path) -> None:
    _load_and_build(warehouse, tmp_path, 2)
    line = "select count(*) from dw.fct_order_items where order_id = 1004 and line_no = 2"
    assert warehouse.query(line) == [(0,)]
    _load_and_build_batch(warehouse, tmp_path, 3)  # product 999 arrives
    assert warehouse.query(line) == [(1,)]
    verdicts = warehouse.query(
        "select dq_rule from staging.chk_order_items where order_id = 1004 and line_no = 2"
    )
    assert verdicts == [(None,)]


def test_scd2_price_change_joins_right_version(warehouse: Warehouse, tmp_path: Path) -> None:
    _load_and_build(warehouse, tmp_path, 3)
    versions = warehouse.query(
        "select product_sk, list_price_usd, is_current from dw.dim_product "
        "where product_id = 10 order by version_no"
    )
    assert versions == [(10001, 10, False), (10002, 12, True)]
    lines = dict(
        warehouse.query(
            "select order_id, catalog_list_price_usd from dw.fct_order_items where product_id = 10 "
            "and line_no = 1 and order_id in (1001, 1012)"
        )
    )
    assert lines == {1001: 10, 1012: 12}


def test_every_anomaly_quarantined_once(warehouse: Warehouse, tmp_path: Path) -> None:
    _load_and_build(warehouse, tmp_path, 1)
    build(warehouse, full=True)  # rebuilding does not quarantine twice
    got = {
        (table, rule): count
        for table, rule, count in warehouse.query(
            "select table_name, rule, count(*) from quality.quarantine group by 1, 2"
        )
    }
    expected = {
        (table, kind): count
        for table, kinds in BATCH1_ANOMALIES.items()
        for kind, count in kinds.items()
        if kind in QUARANTINE_KINDS
    }
    assert got == expected
    row = warehouse.query(
        "select business_key, reason, raw_row from quality.quarantine where rule = 'malformed_date'"
    )[0]
    assert row[0] == "1007" and "31/12/2024 10:00" in row[1] and "31/12/2024 10:00" in row[2]


def test_idempotent_load_and_build(warehouse: Warehouse, tmp_path: Path) -> None:
    _load_and_build(warehouse, tmp_path, 2)
    before = fast_snapshot(warehouse)
    _load_and_build(warehouse, tmp_path, 2)  # same files again: no-op load, no-op build
    assert fast_snapshot(warehouse) == before
    build(warehouse)
    assert fast_snapshot(warehouse) == before


def test_incremental_equals_full(warehouse: Warehouse, tmp_path: Path) -> None:
    _load_and_build(warehouse, tmp_path, 3)
    incremental = fast_snapshot(warehouse)
    result = build(warehouse, full=True)
    assert result.skipped == 0
    assert fast_snapshot(warehouse) == incremental


def test_incremental_renumbers_customer_orders(warehouse: Warehouse, tmp_path: Path) -> None:
    """A cancelled first order and backdated orders shift the customers' later order numbers,
    next-order dates and new-customer days; the incremental build must rewrite those rows."""
    _load_and_build(warehouse, tmp_path, 2)
    setup = {
        "orders": [_order(1022, 1, "2024-01-08 09:00:00", "paid", "USD", 20.0, 0.0, 2.0, 0.0)],
        "order_items": [_item(1022, 1, 11, 1, 20.0, 0.0, 2.0, "2024-01-08 09:00:00")],
    }
    load_landing(warehouse, write_rows(tmp_path / "setup", setup, INGESTED[1], "setup"))
    build(warehouse)
    changes = {
        "orders": [
            _order(
                1001,
                1,
                "2024-01-02 10:00:00",
                "cancelled",
                "USD",
                40.0,
                4.0,
                3.6,
                5.0,
                "2024-01-12 09:00:00",
            ),
            _order(1020, 2, "2024-01-01 09:00:00", "paid", "EUR", 20.0, 0.0, 4.0, 0.0),
            _order(1021, 4, "2024-01-06 09:00:00", "paid", "USD", 20.0, 0.0, 4.0, 0.0),
        ],
        "order_items": [
            _item(1020, 1, 11, 1, 20.0, 0.0, 4.0, "2024-01-01 09:00:00"),
            _item(1021, 1, 11, 1, 20.0, 0.0, 4.0, "2024-01-06 09:00:00"),
        ],
        "payments": [
            _payment(20, 1020, 1, "captured", 24.0, "EUR", "2024-01-01 09:01:00"),
            _payment(21, 1021, 1, "captured", 24.0, "USD", "2024-01-06 09:01:00"),
        ],
    }
    ingested = dt.datetime(2024, 1, 13, tzinfo=dt.UTC)
    load_landing(warehouse, write_rows(tmp_path / "renumber", changes, ingested, "renumber"))
    modes = {model.name: model.status for model in build(warehouse).models}
    for merged in ("dw.fct_orders", "marts.mart_orders_core", "marts.mart_exec_daily_kpis"):
        assert modes[merged] == "merged", merged
    numbers = warehouse.query(
        "select order_id, customer_order_number from dw.fct_orders "
        "where customer_id in (1, 2, 4) and is_revenue order by order_id"
    )
    assert numbers == [(1002, 2), (1003, 1), (1011, 3), (1020, 1), (1021, 2), (1022, 1)]
    next_order = warehouse.query(
        "select days_to_next_order from marts.mart_orders_core where order_id = 1003"
    )
    assert next_order == [(2,)]  # 2024-01-04 -> the new 2024-01-06 order
    new_customers = warehouse.query(
        "select day, new_customers from marts.mart_exec_daily_kpis "
        "where day in (date '2024-01-03', date '2024-01-08') order by day"
    )
    # customer 2's first revenue order moved to 01-01, customer 1's to 1022 on 01-08
    assert new_customers == [(dt.date(2024, 1, 3), 0), (dt.date(2024, 1, 8), 1)]
    incremental = fast_snapshot(warehouse)
    build(warehouse, full=True)
    assert fast_snapshot(warehouse) == incremental


def test_incremental_appends_and_merges(warehouse: Warehouse, tmp_path: Path) -> None:
    _load_and_build(warehouse, tmp_path, 1)
    load_landing(warehouse, write_batch(tmp_path / "b2", 2))
    models = build(warehouse).models
    modes = {model.name: model.status for model in models}
    assert modes["staging.chk_orders"] == "appended"
    written = {model.name: model.rows for model in models}
    assert written["staging.chk_orders"] == 2  # the batch's two order rows, not the table
    assert modes["staging.stg_funnel_events"] == "merged"
    assert modes["dw.fct_sessions"] == "merged"
    for merged in (
        "dw.fct_orders",
        "dw.fct_inventory_daily",
        "marts.mart_orders_core",
        "marts.mart_exec_daily_kpis",
        "marts.mart_finance_profitability",
    ):
        assert modes[merged] == "merged", merged
    assert modes["marts.mart_customer_segments"] == "built"  # RFM as of the last day: all rows
    full = {model.name: model.status for model in build(warehouse, full=True).models}
    assert set(full.values()) == {"built"}


def _edit_model(monkeypatch: pytest.MonkeyPatch, name: str, edit: Callable[[str], str]) -> None:
    """Builds from now on see model ``name`` with its SQL passed through ``edit``."""
    original = runner.discover

    def edited(dialect: Any) -> dict[str, Model]:
        models = original(dialect)
        sql = edit(models[name].sql)
        assert sql != models[name].sql
        models[name] = dataclasses.replace(models[name], sql=sql)
        return models

    monkeypatch.setattr(runner, "discover", edited)
    monkeypatch.setattr(planning, "discover", edited)


def test_changed_upstream_sql_disables_merges(
    warehouse: Warehouse, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _load_and_build(warehouse, tmp_path, 1)
    load_landing(warehouse, write_batch(tmp_path / "b2", 2))
    _edit_model(monkeypatch, "dw.dim_product", lambda sql: sql + "\n-- edited")
    modes = {model.name: model.status for model in build(warehouse).models}
    assert modes["dw.dim_product"] == "built"
    assert modes["dw.fct_funnel_events"] == "built"  # not merged: its upstream SQL changed


def test_a_rebuilt_model_disables_merges_reading_its_diff(
    warehouse: Warehouse, tmp_path: Path
) -> None:
    """fct_orders reads the diff of fct_customer_orders: rebuilt in full, its diff would be
    every row, so fct_orders is rebuilt too, and ends as a full build leaves it."""
    _load_and_build(warehouse, tmp_path, 1)
    load_landing(warehouse, write_batch(tmp_path / "b2", 2))
    warehouse.execute("drop table dw.fct_customer_orders cascade")
    modes = {model.name: model.status for model in build(warehouse).models}
    assert modes["dw.fct_customer_orders"] == "built"
    assert modes["dw.fct_orders"] == "built"
    assert modes["marts.mart_orders_core"] == "built"
    incremental = fast_snapshot(warehouse)
    build(warehouse, full=True)
    assert fast_snapshot(warehouse) == incremental


def test_a_diff_of_a_model_not_read_is_refused(
    warehouse: Warehouse, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _load_and_build(warehouse, tmp_path, 1)
    _edit_model(
        monkeypatch,
        "dw.fct_funnel_events",
        lambda sql: sql.replace(
            "-- incremental: changed=",
            "-- incremental: changed=select order_id from diff.dw.fct_orders union ",
        ),
    )
    with pytest.raises(BuildError, match=r"fct_funnel_events reads the diff of dw\.fct_orders"):
        build(warehouse)


def test_changed_column_type_replaces_the_table(
    warehouse: Warehouse, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A rebuilt model whose column changed type gets the new type (PostgreSQL refilled the
    kept table, and failed to put text into the old uuid column)."""
    _load_and_build(warehouse, tmp_path, 1)
    text_hash = "select rate_date, currency, rate_to_usd, cast(row_hash as varchar) as row_hash"
    _edit_model(
        monkeypatch,
        "staging.stg_fx_rates",
        lambda sql: sql.replace("select * from final", f"{text_hash} from final"),
    )
    build(warehouse)
    hashes = warehouse.query("select row_hash from staging.stg_fx_rates where row_hash is not null")
    assert hashes and all(isinstance(value, str) for (value,) in hashes)


def test_views_recreated_only_when_some_model_sql_changed(
    warehouse: Warehouse, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _load_and_build(warehouse, tmp_path, 1)
    created: list[int] = []
    original_views = views.apply_views

    def counting(target: Warehouse, *, changed: bool = True) -> int:
        created.append(original_views(target, changed=changed))
        return created[-1]

    monkeypatch.setattr(views, "apply_views", counting)
    _load_and_build_batch(warehouse, tmp_path, 2)
    assert created == [0]  # merges and rebuilds with the same SQL keep the views valid
    _edit_model(monkeypatch, "dw.dim_product", lambda sql: sql + "\n-- edited")
    _load_and_build_batch(warehouse, tmp_path, 3)
    assert created[-1] > 0
    for view in views.existing_views(warehouse):
        warehouse.query(f"select * from marts.{view} limit 1")


def test_incremental_skips_untouched_models(warehouse: Warehouse, tmp_path: Path) -> None:
    _load_and_build(warehouse, tmp_path, 2)
    result = build(warehouse)
    assert result.models == [] and result.status == "success"


def test_failed_build_leaves_previous_state(warehouse: Warehouse, tmp_path: Path) -> None:
    _load_and_build(warehouse, tmp_path, 1)
    before = fast_snapshot(warehouse)
    load_landing(warehouse, write_batch(tmp_path / "b2", 2))
    with pytest.raises(BuildError, match="simulated failure"):
        build(warehouse, fail_after="dw.dim_customer")
    assert fast_snapshot(warehouse) == before
    status = warehouse.query("select status, error from ops.runs order by run_id desc limit 1")
    assert status[0][0] == "failed" and "simulated" in status[0][1]
    build(warehouse)  # the next build picks the batch up
    assert warehouse.query("select count(*) from dw.fct_orders where order_id = 1011") == [(1,)]


def test_error_check_fails_build_and_is_recorded(warehouse: Warehouse, tmp_path: Path) -> None:
    _load_and_build(warehouse, tmp_path, 1)
    before = fast_snapshot(warehouse)
    warehouse.execute(
        "insert into landing.orders (order_id, customer_id, order_ts, status, currency, "
        "gross_amount, discount_amount, tax_amount, shipping_fee, net_amount, updated_at, "
        "ingested_at, source_file) values (2000, 1, '2024-01-03 10:00:00', 'lost', 'USD', "
        "1, 0, 0, 0, 1, '2024-01-03 10:00:00', timestamp '2024-01-10 00:00:00', 'manual')"
    )
    warehouse.execute(  # a build reads only rows of registered loads
        "insert into ops.loaded_files select 'manual', 'orders', 'manual', null, 1, "
        "max(load_run_id), current_timestamp from ops.loaded_files"
    )
    with pytest.raises(BuildError, match=r"stg_orders\.status\.accepted_values"):
        build(warehouse, full=True)
    assert fast_snapshot(warehouse) == before
    failed = warehouse.query(
        "select failures from quality.check_results where status = 'fail' "
        "and check_name = 'staging.stg_orders.status.accepted_values'"
    )
    assert failed == [(1,)]


@pytest.mark.postgres
def test_duckdb_and_postgres_agree(fresh_postgres_url: str, tmp_path: Path) -> None:
    snapshots = []
    for url in (f"duckdb:///{tmp_path}/wh.duckdb", fresh_postgres_url):
        warehouse = connect(url)
        try:
            _load_and_build(warehouse, tmp_path, 3)
            snapshots.append(snapshot(warehouse, exclude=("raw_row", "dq_reason"), skip=("chk_",)))
        finally:
            warehouse.close()
    duck, pg = snapshots
    assert duck.keys() == pg.keys()
    differing = [table for table in duck if duck[table] != pg[table]]
    assert differing == []
