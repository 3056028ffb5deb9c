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


_REVENUE_LINES = (
    "from dw.fct_order_items as i inner join dw.fct_orders as o on o.order_id = i.order_id "
    "left join dw.dim_product as p on p.product_sk = i.product_sk where o.is_revenue"
)
_CATEGORY = "coalesce(p.category_l1, 'Unknown')"


def _dates(frame: pd.DataFrame, *columns: str) -> pd.DataFrame:
    for column in columns:
        frame[column] = pd.to_datetime(frame[column])
    return frame


def order_period(warehouse: Warehouse) -> tuple[pd.Timestamp, pd.Timestamp] | None:
    """First and last order day the warehouse has seen (any status), or None without orders."""
    first, last = warehouse.query("select min(order_date), max(order_date) from dw.fct_orders")[0]
    return None if first is None else (pd.Timestamp(first), pd.Timestamp(last))


def daily_category_units(warehouse: Warehouse) -> pd.DataFrame:
    """Units of revenue order lines (cancelled and unpaid orders excluded, as in the units KPI)
    per day and product category: order_date, category, units."""
    frame: pd.DataFrame = warehouse.query_arrow(
        f"select i.order_date, {_CATEGORY} as category, cast(sum(i.qty) as bigint) as units "
        f"{_REVENUE_LINES} group by i.order_date, {_CATEGORY} order by 1, 2"
    ).to_pandas()
    return _dates(frame, "order_date")


def product_units(warehouse: Warehouse, first: pd.Timestamp, last: pd.Timestamp) -> pd.DataFrame:
    """Units of revenue order lines per product from ``first`` to ``last`` (order days,
    inclusive): product_id, category, units."""
    frame: pd.DataFrame = warehouse.query_arrow(
        f"select i.product_id, {_CATEGORY} as category, cast(sum(i.qty) as bigint) as units "
        f"{_REVENUE_LINES} and i.order_date >= ? and i.order_date <= ? "
        f"group by i.product_id, {_CATEGORY} order by 1",
        [first.date(), last.date()],
    ).to_pandas()
    return frame


def stock_positions(warehouse: Warehouse) -> pd.DataFrame:
    """Stock of every active product at the latest inventory snapshot, summed over fulfillment
    centers: snapshot_date, product_id, product_name, category, on_hand, allocated, inbound,
    reorder_point."""
    quantities = ", ".join(
        f"cast(coalesce(sum(i.{q}), 0) as bigint) as {q}"
        for q in ("on_hand", "allocated", "inbound", "reorder_point")
    )
    frame: pd.DataFrame = warehouse.query_arrow(
        "with latest as (select max(snapshot_date) as snapshot_date from dw.fct_inventory_daily), "
        f"stock as (select i.snapshot_date, i.product_id, {quantities} "
        "from dw.fct_inventory_daily as i "
        "inner join latest as l on l.snapshot_date = i.snapshot_date "
        "group by i.snapshot_date, i.product_id) "
        "select s.snapshot_date, s.product_id, "
        "coalesce(p.product_name, 'Unknown') as product_name, "
        f"{_CATEGORY} as category, s.on_hand, s.allocated, s.inbound, s.reorder_point "
        "from stock as s left join dw.dim_product as p "
        "on p.product_id = s.product_id and p.is_current "
        "where coalesce(p.is_active, true) order by s.product_id"
    ).to_pandas()
    return _dates(frame, "snapshot_date")


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
        if warehouse.dialect == "postgres":  # marts join some of these: plan them on real sizes
            warehouse.execute(f"analyze {table}")
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
