"""PostgreSQL: a unique check covering the merge key is proven by a unique index, and a model
whose rows repeat falls back to a plain index and a failing check."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from globalcart.engines import Warehouse, connect
from globalcart.pipeline.checks import Check, run_checks
from globalcart.pipeline.indexes import create_indexes, model_indexes, proven_unique
from globalcart.pipeline.models import Model

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
    sql = "-- incremental: index=order_date,customer_id\nselect 1"
    indexes = model_indexes(Model("dw.gc_test", "dw", sql, frozenset()), [])
    assert [(i.suffix, i.columns, i.unique) for i in indexes] == [
        ("by_order_date", "(order_date)", False),
        ("by_customer_id", "(customer_id)", False),
    ]
