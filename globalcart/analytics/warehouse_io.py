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
    same_shape = warehouse.table_exists(table) and sorted(
        warehouse.columns_of(f"select * from {table}")
    ) == sorted(kinds)
    with warehouse.transaction():
        if same_shape:  # keep the table: marts read some of these (see migrations)
            warehouse.execute(f"delete from {table}")
        else:
            warehouse.execute(f"drop table if exists {table}")
            warehouse.execute(f"create table {table} ({columns})")
        if arrow.num_rows:
            warehouse.load_arrow(table, arrow)
    return table


SEGMENT_SCORE_COLUMNS = {
    "analytics_churn_scores": {"churn_score": "churn_score"},
    "analytics_clv": {"p_alive": "p_alive", "predicted_clv_usd": "clv"},
}


def refresh_segment_scores(warehouse: Warehouse, source: str) -> None:
    """Copy the latest scores of ``marts.<source>`` into marts.mart_customer_segments now (every
    build also joins them in)."""
    mart = "marts.mart_customer_segments"
    if not warehouse.table_exists(mart):
        return
    columns = SEGMENT_SCORE_COLUMNS[source]
    cleared = ", ".join(f"{target} = null" for target in columns)
    assigned = ", ".join(f"{target} = s.{column}" for target, column in columns.items())
    with warehouse.transaction():
        warehouse.execute(f"update {mart} set {cleared}")
        warehouse.execute(
            f"update {mart} set {assigned} from {RESULT_SCHEMA}.{source} as s "
            f"where s.customer_id = {mart}.customer_id"
        )
