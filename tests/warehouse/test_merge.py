"""Merging a model by its declared key rewrites exactly the keys its ``changed`` query returns."""

from __future__ import annotations

import pytest

from globalcart.engines import Warehouse
from globalcart.engines.base import WarehouseError
from globalcart.pipeline.incremental import merge_declaration, merge_model
from globalcart.pipeline.models import Model
from globalcart.pipeline.rewrite import UniqueKey, diffs_used, resolve_diffs, rows_table

_SOURCE = [(1, 1, 10), (1, 2, 20), (2, 1, 30), (2, 2, 40)]


def _setup(warehouse: Warehouse) -> None:
    warehouse.execute("create table staging.gc_test_source (day integer, item integer, v integer)")
    for day, item, value in _SOURCE:
        warehouse.execute(f"insert into staging.gc_test_source values ({day}, {item}, {value})")
    warehouse.execute(
        "create table marts.gc_test_merged as select day, item, v from staging.gc_test_source"
    )
    # every source value moves; only the merged keys may show it
    warehouse.execute("update staging.gc_test_source set v = v + 1")


def _model(key: str, restrict: str, changed: str) -> Model:
    sql = (
        f"-- incremental: key={key}\n-- incremental: restrict={restrict}\n"
        f"-- incremental: changed={changed}\n"
        "select day, item, v from staging.gc_test_source"
    )
    return Model("marts.gc_test_merged", "marts", sql, frozenset({"staging.gc_test_source"}))


def _merge(warehouse: Warehouse, model: Model) -> list[tuple[int, int, int]]:
    declaration = merge_declaration(model)
    assert declaration is not None
    with warehouse.transaction():
        merge_model(warehouse, model, declaration, ["day", "item", "v"])
    rows = warehouse.query("select day, item, v from marts.gc_test_merged order by day, item")
    return [(int(d), int(i), int(v)) for d, i, v in rows]


def test_keys_named_otherwise_by_the_changed_query(warehouse: Warehouse) -> None:
    """A ``changed`` column not named like the key must not match every row."""
    _setup(warehouse)
    model = _model("day", "staging.gc_test_source:day", "select 2 as something_else")
    assert _merge(warehouse, model) == [(1, 1, 10), (1, 2, 20), (2, 1, 31), (2, 2, 41)]


def test_composite_key(warehouse: Warehouse) -> None:
    _setup(warehouse)
    model = _model("day+item", "staging.gc_test_source:day+item", "select 2, 1")
    assert _merge(warehouse, model) == [(1, 1, 10), (1, 2, 20), (2, 1, 31), (2, 2, 40)]


def _merge_unique(warehouse: Warehouse, changed: str) -> int:
    """Merge by day with (day, item) proven unique: only rows that differ are written."""
    model = _model("day", "staging.gc_test_source:day", changed)
    declaration = merge_declaration(model)
    assert declaration is not None
    with warehouse.transaction():
        unique = UniqueKey(("day", "item"), proven=False)
        merged = merge_model(warehouse, model, declaration, ["day", "item", "v"], unique)
    return merged.rows


def _merged_rows(warehouse: Warehouse) -> list[tuple[object, ...]]:
    return warehouse.query("select day, item, v from marts.gc_test_merged order by day, item")


def test_a_unique_key_lets_a_merge_write_only_the_rows_that_differ(warehouse: Warehouse) -> None:
    _setup(warehouse)
    warehouse.execute("create unique index gc_test_merged_key on marts.gc_test_merged (day, item)")
    # day 2: item 1 keeps its value, item 2 changes, item 3 is new; day 1 is not merged
    warehouse.execute("update staging.gc_test_source set v = v - 1 where day = 2 and item = 1")
    warehouse.execute("insert into staging.gc_test_source values (2, 3, 50)")
    assert _merge_unique(warehouse, "select 2") == 2
    assert _merged_rows(warehouse) == [(1, 1, 10), (1, 2, 20), (2, 1, 30), (2, 2, 41), (2, 3, 50)]
    # a row gone from the source goes from the model
    warehouse.execute("delete from staging.gc_test_source where day = 2 and item = 2")
    assert _merge_unique(warehouse, "select 2") == 0
    assert _merged_rows(warehouse) == [(1, 1, 10), (1, 2, 20), (2, 1, 30), (2, 3, 50)]


def test_a_merge_by_unique_key_replaces_rows_whose_other_key_columns_are_null(
    warehouse: Warehouse,
) -> None:
    _setup(warehouse)
    warehouse.execute("insert into marts.gc_test_merged values (2, null, 1)")
    warehouse.execute("insert into staging.gc_test_source values (2, null, 2)")
    _merge_unique(warehouse, "select 2")
    assert _merged_rows(warehouse)[-1] == (2, None, 2)
    assert len(_merged_rows(warehouse)) == 5


def test_a_merge_by_unique_key_still_fails_on_a_repeated_key(warehouse: Warehouse) -> None:
    """A recomputed row repeating the unique key of a row kept unchanged is not dropped: the
    unique index rejects it, as a full build's unique check would."""
    _setup(warehouse)
    warehouse.execute("create unique index gc_test_merged_key on marts.gc_test_merged (day, item)")
    warehouse.execute("update staging.gc_test_source set v = v - 1 where day = 2 and item = 1")
    warehouse.execute("insert into staging.gc_test_source values (2, 1, 99)")
    with pytest.raises(WarehouseError):
        _merge_unique(warehouse, "select 2")
    assert _merged_rows(warehouse) == [(1, 1, 10), (1, 2, 20), (2, 1, 30), (2, 2, 40)]


def test_the_merged_rows_are_kept_for_the_checks(warehouse: Warehouse) -> None:
    _setup(warehouse)
    with warehouse.transaction():
        model = _model("day", "staging.gc_test_source:day", "select 2")
        declaration = merge_declaration(model)
        assert declaration is not None
        merge_model(warehouse, model, declaration, ["day", "item", "v"])
        kept = warehouse.query(f"select day, item, v from {rows_table(model.name)} order by item")
    assert [tuple(int(x) for x in row) for row in kept] == [(2, 1, 31), (2, 2, 41)]


def test_diff_holds_the_old_and_new_versions_of_the_rows_a_merge_changed(
    warehouse: Warehouse,
) -> None:
    _setup(warehouse)
    warehouse.execute("update staging.gc_test_source set v = v - 1 where day = 2 and item = 1")
    model = _model("day", "staging.gc_test_source:day", "select 2")
    declaration = merge_declaration(model)
    assert declaration is not None
    sql = "select d.day, d.item, d.v from diff.marts.gc_test_merged as d order by d.item, d.v"
    with warehouse.transaction():
        merge_model(warehouse, model, declaration, ["day", "item", "v"], keep_old=True)
        changed = warehouse.query(resolve_diffs(sql, frozenset({model.name})))
        unbuilt = warehouse.query(resolve_diffs(sql, frozenset()))
    # day 2 item 1 came out as it was: not in the diff
    assert [tuple(int(x) for x in row) for row in changed] == [(2, 2, 40), (2, 2, 41)]
    assert unbuilt == []


def test_diffs_read_by_a_changed_query() -> None:
    sql = "select a from diff.dw.fct_x union select b from diff.marts.mart_y as m"
    assert diffs_used(sql) == {"dw.fct_x", "marts.mart_y"}


def test_old_rows_repeating_the_unique_key_are_all_rewritten(warehouse: Warehouse) -> None:
    """Without an index proving the key, old rows repeating it (a check added since they were
    written) make the merge rewrite every row of the changed keys, as a full build would."""
    _setup(warehouse)
    warehouse.execute("insert into marts.gc_test_merged values (2, 1, 31)")  # a second (2, 1)
    _merge_unique(warehouse, "select 2")
    assert _merged_rows(warehouse) == [(1, 1, 10), (1, 2, 20), (2, 1, 31), (2, 2, 41)]
