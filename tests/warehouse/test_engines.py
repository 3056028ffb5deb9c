"""The Warehouse interface behaves the same on both engines."""

from __future__ import annotations

import pyarrow as pa
import pytest

from globalcart.engines import Warehouse, WarehouseConnectionError, WarehouseError, connect
from globalcart.engines.migrations import MIGRATIONS, SCHEMAS, migrate


def test_schemas_and_migrations_recorded(warehouse: Warehouse) -> None:
    for schema in SCHEMAS:
        rows = warehouse.query(
            "select count(*) from information_schema.schemata where schema_name = ?", [schema]
        )
        assert rows[0][0] == 1, schema
    versions = [row[0] for row in warehouse.query("select version from ops.schema_migrations")]
    assert sorted(versions) == [migration.version for migration in MIGRATIONS]
    assert migrate(warehouse) == []  # idempotent


def test_query_params_and_arrow(warehouse: Warehouse) -> None:
    warehouse.execute("create table ops.t (a bigint, b varchar, c double precision)")
    data = pa.table({"a": [1, 2, None], "b": ["x", "", None], "c": [0.1, 1e20, None]})
    assert warehouse.load_arrow("ops.t", data) == 3
    assert warehouse.row_count("ops.t") == 3
    assert warehouse.query("select b from ops.t where a = ?", [2]) == [("",)]
    assert warehouse.query("select count(*) from ops.t where b is null") == [(1,)]
    assert warehouse.query("select c from ops.t where a = 1") == [(0.1,)]
    arrow = warehouse.query_arrow("select a, b from ops.t order by a")
    assert arrow.column_names == ["a", "b"]
    assert arrow.num_rows == 3
    assert warehouse.columns_of("select a, b as bee from ops.t") == ["a", "bee"]
    assert warehouse.table_exists("ops.t")
    assert not warehouse.table_exists("ops.nope")


def test_transaction_rolls_back(warehouse: Warehouse) -> None:
    warehouse.execute("create table ops.t (a bigint)")
    with pytest.raises(RuntimeError), warehouse.transaction():
        warehouse.execute("insert into ops.t values (1)")
        warehouse.execute("create table ops.t2 (a bigint)")
        raise RuntimeError("boom")
    assert warehouse.row_count("ops.t") == 0
    assert not warehouse.table_exists("ops.t2")
    with warehouse.transaction():
        warehouse.execute("insert into ops.t values (1)")
        with warehouse.transaction():  # nested blocks join the outer transaction
            warehouse.execute("insert into ops.t values (2)")
    assert warehouse.row_count("ops.t") == 2


def test_sql_error_is_warehouse_error(warehouse: Warehouse) -> None:
    with pytest.raises(WarehouseError):
        warehouse.query("select * from ops.does_not_exist")


def test_try_parse_functions(warehouse: Warehouse) -> None:
    rows = warehouse.query(
        "select staging.try_ts('2024-02-29 10:00:00') is not null, "
        "staging.try_ts('2023-02-29 10:00:00') is null, "
        "staging.try_ts('31/12/2024 10:00') is null, "
        "staging.try_ts('not a date') is null, staging.try_ts('') is null, "
        "staging.try_ts('abcd-ef-gh ij:kl:mn') is null, staging.try_date('2024-0a-01') is null, "
        "staging.try_date('2024-12-31') is not null, staging.try_date('2024-13-01') is null"
    )
    assert all(rows[0])


CASES = {
    "2024-02-29 23:59:59": "2024-02-29 23:59:59",
    "2000-02-29 00:00:00": "2000-02-29 00:00:00",
    "1900-02-29 00:00:00": None,
    "2024-04-31 00:00:00": None,
    "2024-01-01 24:00:00": None,
    "2024-1-01 00:00:00": None,
    "0000-01-01 00:00:00": None,
    "2024-01-01T00:00:00": None,
    " 2024-01-01 00:00:00": None,
    "2024-01-01 00:00:00 ": None,
    "2024-13-01 00:00:00": None,
    "2024-00-10 00:00:00": None,
    "2024-01-00 00:00:00": None,
    "2024-01-01 00:60:00": None,
    "2024-01-01 00:00:60": None,
    "2024-01-01 0a:00:00": None,
    "2024-01-01 -1:00:00": None,
    "abcd-ef-gh 00:00:00": None,
    "2023-12-31 23:59:59": "2023-12-31 23:59:59",
    "2100-02-29 00:00:00": None,
    "2400-02-29 12:34:56": "2400-02-29 12:34:56",
    "9999-12-31 23:59:59": "9999-12-31 23:59:59",
    "0001-01-01 00:00:00": "0001-01-01 00:00:00",
    "２024-01-01 00:00:00": None,
    "2024-01-01 00:00:é0": None,
    "2024-06-31 00:00:00": None,
    "2024-06-30 19:09:09": "2024-06-30 19:09:09",
}
DATE_CASES = {
    "2024-02-29": "2024-02-29",
    "2023-02-29": None,
    "2024-11-31": None,
    "2024-11-30": "2024-11-30",
    "0000-01-01": None,
    "2024-1-01": None,
    "2024-01-01 00:00:00": None,
    "20a4-01-01": None,
}


def test_parsing_is_exact_and_parallel_safe(warehouse: Warehouse) -> None:
    """Same verdicts on both engines; on PostgreSQL also inside a parallel query (a function
    with an exception handler fails there)."""
    warehouse.execute("create table staging.t_parse (s varchar)")
    warehouse.execute(
        "insert into staging.t_parse values "
        + ", ".join(f"('{case}')" for case in [*CASES, *DATE_CASES])
    )
    query = "select s, cast(staging.try_ts(s) as varchar) from staging.t_parse"
    with warehouse.transaction():
        if warehouse.dialect == "postgres":
            warehouse.execute("set local force_parallel_mode = on")
        parsed = dict(warehouse.query(query))
        dates = dict(warehouse.query(query.replace("try_ts", "try_date")))
    assert {text: parsed[text] for text in CASES} == CASES
    assert {text: dates[text] for text in DATE_CASES} == DATE_CASES


@pytest.mark.parametrize(
    "url",
    [
        "mysql://localhost/db",
        "duckdb:/relative.duckdb",
        "postgresql://nobody@127.0.0.1:1/nodb",
        "duckdb:////proc/nope/x.duckdb",
    ],
)
def test_bad_urls_give_clear_errors(url: str) -> None:
    with pytest.raises(WarehouseConnectionError):
        connect(url)
