"""PostgreSQL: a unique check covering the merge key is proven by a unique index, and a model
whose rows repeat falls back to a plain index and a failing check; chk models are indexed by the
key their stg model merges by; a full or first build leaves its tables vacuumed (and does not
wait for its vacuum inside a caller's transaction)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from golden import write_batch

from globalcart.engines import Warehouse, connect
from globalcart.pipeline.checks import Check, run_checks
from globalcart.pipeline.indexes import create_indexes, model_indexes, proven_unique
from globalcart.pipeline.load import load_landing
from globalcart.pipeline.models import Model
from globalcart.pipeline.runner import build
from globalcart.pipeline.vacuum import balanced_groups

pytestmark = pytest.mark.postgres

_SQL = "-- incremental: key=day\n-- incremental: restrict=x:day\n-- incremental: changed=select 1\n"
_UNIQUE_DAY_ITEM = Check(
    "u", "marts.gc_test_indexed", None, "unique", "error", (("columns", ("day", "item")),)
)


@pytest.fixture
def pg(fresh_postgres_url: str) -> Iterator[Warehouse]:
    warehouse = connect(fresh_postgres_url)
    yield warehouse
    warehouse.close()


def _build(warehouse: Warehouse, rows: str) -> Model:
    model = Model("marts.gc_test_indexed", "marts", _SQL + "select 1", frozenset())
    warehouse.execute("drop table if exists marts.gc_test_indexed")
    warehouse.execute(
        f"create table marts.gc_test_indexed as select * from (values {rows}) as v(day, item)"
    )
    create_indexes(warehouse, model)
    return model


def test_unique_index_over_the_check_columns() -> None:
    model = Model("marts.gc_test_indexed", "marts", _SQL + "select 1", frozenset())
    (index,) = model_indexes(model, [_UNIQUE_DAY_ITEM])
    assert (index.columns, index.unique) == ("(day, item)", True)
    warn = Check("w", model.name, None, "unique", "warn", (("columns", ("day", "item")),))
    (plain,) = model_indexes(model, [warn])
    assert (plain.columns, plain.unique) == ("(day)", False)
    # a unique check not starting with the merge key gets a unique index of its own
    item = Check("i", model.name, "item", "unique", "error")
    merge_key, own = model_indexes(model, [item])
    assert (merge_key.columns, merge_key.unique) == ("(day)", False)
    assert (own.suffix, own.columns, own.unique) == ("unique_item", "(item)", True)


def test_unique_rows_prove_the_check(pg: Warehouse, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("globalcart.pipeline.indexes.load_checks", lambda: [_UNIQUE_DAY_ITEM])
    monkeypatch.setattr("globalcart.pipeline.checks.load_checks", lambda: [_UNIQUE_DAY_ITEM])
    with pg.transaction():
        _build(pg, "(1, 1), (1, 2), (2, null), (3, null)")
        proven = proven_unique(pg)
        assert ("marts.gc_test_indexed", ("day", "item")) in proven
        (result,) = run_checks(pg, {"marts.gc_test_indexed"}, None, proven)
        assert result.failures == 0


def test_repeated_rows_keep_a_plain_index_and_fail_the_check(
    pg: Warehouse, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("globalcart.pipeline.indexes.load_checks", lambda: [_UNIQUE_DAY_ITEM])
    monkeypatch.setattr("globalcart.pipeline.checks.load_checks", lambda: [_UNIQUE_DAY_ITEM])
    with pg.transaction():
        # (2, null) twice: a repeat for the check's group by, so not for a nulls-distinct index
        _build(pg, "(1, 1), (2, null), (2, null)")
        proven = proven_unique(pg)
        assert ("marts.gc_test_indexed", ("day", "item")) not in proven
        indexes = pg.query("select indexdef from pg_indexes where tablename = 'gc_test_indexed'")
        assert [row[0].startswith("CREATE INDEX") for row in indexes] == [True]
        (result,) = run_checks(pg, {"marts.gc_test_indexed"}, None, proven)
        assert result.failures == 1


def test_declared_lookup_indexes() -> None:
    sql = "-- incremental: index=order_date,customer_id,product_id+event_ts\nselect 1"
    indexes = model_indexes(Model("dw.gc_test", "dw", sql, frozenset()), [])
    assert [(i.suffix, i.columns, i.unique) for i in indexes] == [
        ("by_order_date", "(order_date) where order_date is not null", False),
        ("by_customer_id", "(customer_id) where customer_id is not null", False),
        ("by_product_id_event_ts", "(product_id, event_ts) where product_id is not null", False),
    ]


def test_chk_models_are_indexed_by_the_key_their_stg_model_merges_by() -> None:
    def lookup(table: str) -> list[str]:
        model = Model(f"staging.chk_{table}", "validation", "select 1", frozenset())
        return [index.columns for index in model_indexes(model, []) if index.suffix == "by_key"]

    assert lookup("inventory_snapshots") == ["(date, product_id, fc_id)"]
    assert lookup("payments") == ["(order_id)"]  # stg_payments merges by the order


@pytest.mark.parametrize("full", [True, False], ids=["full", "first-incremental"])
def test_full_or_first_build_leaves_every_table_it_built_vacuumed(
    pg: Warehouse, tmp_path: Path, full: bool
) -> None:
    load_landing(pg, write_batch(tmp_path / "b1", 1))
    result = build(pg, full=full)  # an incremental build of an empty warehouse creates them all
    pages = {
        name: (int(relpages), int(visible))
        for name, relpages, visible in pg.query(
            "select n.nspname || '.' || c.relname, c.relpages, c.relallvisible from pg_class as c "
            "join pg_namespace as n on n.oid = c.relnamespace where c.relkind = 'r'"
        )
    }
    built = [model.name for model in result.models]
    assert "dw.fct_orders" in built and pages["dw.fct_orders"][0] > 0
    assert {name: pages[name][1] for name in built} == {name: pages[name][0] for name in built}


def test_a_full_build_in_a_callers_transaction_does_not_wait_for_its_own_vacuum(
    pg: Warehouse, tmp_path: Path
) -> None:
    load_landing(pg, write_batch(tmp_path / "b1", 1))
    build(pg, full=True)
    with pg.transaction():  # the vacuum's connections skip the tables this one holds
        again = build(pg, full=True)
    assert again.status == "success" and "vacuum" in again.phase_ms


def test_vacuum_groups_have_similar_sizes() -> None:
    sizes = {"a": 100, "b": 60, "c": 50, "d": 10, "e": 0}
    assert balanced_groups(sizes, 2) == [["a", "d", "e"], ["b", "c"]]  # 110 each
    assert balanced_groups({"a": 5}, 2) == [["a"]]  # no empty group
    assert balanced_groups({}, 2) == []
