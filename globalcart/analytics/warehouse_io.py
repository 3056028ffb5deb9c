"""Read analytics inputs from the warehouse and write results back to ``marts.analytics_*``."""

from __future__ import annotations

import pandas as pd
import pyarrow as pa

from globalcart.engines import Warehouse
from globalcart.engines.base import check_identifier

RESULT_SCHEMA = "marts"
_SQL_TYPES = {
    "int": "bigint",
    "float": "double precision",
    "bool": "boolean",
    "datetime": "timestamp",
    "str": "varchar",
}


def revenue_orders(warehouse: Warehouse) -> pd.DataFrame:
    """Revenue orders with a known customer: customer_id, order_id, order_ts, amount (USD)."""
    table = warehouse.query_arrow(
        "select customer_id, order_id, order_ts, cast(net_revenue_usd as double precision) "
        "as amount from dw.fct_orders where is_revenue and customer_id is not null "
        "order by order_ts, order_id"
    )
    frame: pd.DataFrame = table.to_pandas()
    frame["order_ts"] = pd.to_datetime(frame["order_ts"]).dt.tz_localize(None)
    return frame


def customer_sessions(warehouse: Warehouse) -> pd.DataFrame:
    """Sessions of known customers: customer_id, started_at."""
    frame: pd.DataFrame = warehouse.query_arrow(
        "select customer_id, started_at from dw.fct_sessions where customer_id is not null"
    ).to_pandas()
    frame["started_at"] = pd.to_datetime(frame["started_at"]).dt.tz_localize(None)
    return frame


def _kind(series: pd.Series) -> str:
    if pd.api.types.is_bool_dtype(series):
        return "bool"
    if pd.api.types.is_integer_dtype(series):
        return "int"
    if pd.api.types.is_float_dtype(series):
        return "float"
    if pd.api.types.is_datetime64_any_dtype(series):
        return "datetime"
    return "str"


def write_result(warehouse: Warehouse, name: str, frame: pd.DataFrame) -> str:
    """Replace ``marts.<name>`` with ``frame`` (index kept as columns) in one transaction."""
    table = f"{RESULT_SCHEMA}.{check_identifier(name)}"
    data = frame.reset_index() if frame.index.name is not None else frame.reset_index(drop=True)
    kinds = {str(column): _kind(data[column]) for column in data.columns}
    for column, kind in kinds.items():
        check_identifier(column)
        if kind == "str":
            data[column] = data[column].astype("string")
        if kind == "datetime":
            data[column] = pd.to_datetime(data[column]).dt.tz_localize(None)
    columns = ", ".join(f"{column} {_SQL_TYPES[kind]}" for column, kind in kinds.items())
    arrow = pa.Table.from_pandas(data, preserve_index=False)
    with warehouse.transaction():
        warehouse.execute(f"drop table if exists {table}")
        warehouse.execute(f"create table {table} ({columns})")
        if arrow.num_rows:
            warehouse.load_arrow(table, arrow)
    return table
