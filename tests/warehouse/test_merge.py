"""Merging a model by its declared key rewrites exactly the keys its ``changed`` query returns."""

from __future__ import annotations

from globalcart.engines import Warehouse
from globalcart.pipeline.incremental import merge_declaration, merge_model
from globalcart.pipeline.models import Model

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
