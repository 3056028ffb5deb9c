"""UCI Online Retail on both engines: row accounting, revenue and customers recomputed from the
raw file, cohort retention and RFM on the imported data, unavailable KPIs.

DuckDB imports the whole file; PostgreSQL, for speed, the December 2010 subset (about 42,000
rows), written from the same file by the test.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from globalcart.analytics.cohorts import retention_matrix
from globalcart.analytics.rfm import rfm_table
from globalcart.analytics.warehouse_io import revenue_orders
from globalcart.engines import Warehouse
from globalcart.importers import ImportBatch, import_online_retail
from globalcart.importers.fx import GBP_USD_YEARLY
from globalcart.semantic.query import compute
from tests.importers.conftest import dataset, import_into, number, raw_query, scalar

NON_SALE = (
    "'POST','DOT','C2','AMAZONFEE','BANK CHARGES','CRUK','M','ADJUST','ADJUST2','B','D','S',"
    "'TEST001','TEST002'"
)


def sales_lines(src: Path) -> str:
    """The sales lines of the raw file, restated in SQL from the documented rules."""
    return f"""
        select * from (select distinct * from '{src}')
        where regexp_full_match(InvoiceNo, '[0-9]+') and Quantity > 0 and UnitPrice >= 0
          and upper(StockCode) not in ({NON_SALE})
          and (UnitPrice > 0 or CustomerID is not null)
    """


@pytest.fixture(scope="module")
def source(engine_url: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    full = dataset("uci-online-retail/online_retail.parquet")
    if engine_url.startswith("duckdb"):
        return full
    subset = tmp_path_factory.mktemp("subset") / "online_retail_2010-12.parquet"
    with duckdb.connect() as con:
        con.execute(
            f"copy (select * from '{full}' where InvoiceDate < '2011-01-01') to '{subset}' "
            "(format parquet)"
        )
    return subset


@pytest.fixture(scope="module")
def imported(
    engine_url: str, source: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[ImportBatch, Warehouse]]:
    batch = import_online_retail([source])
    warehouse = import_into(engine_url, batch, tmp_path_factory.mktemp("landing") / "retail")
    yield batch, warehouse
    warehouse.close()


def test_every_source_row_is_accounted_for(
    imported: tuple[ImportBatch, Warehouse], source: Path
) -> None:
    batch, warehouse = imported
    report = batch.report
    (raw_rows,) = raw_query(f"select count(*) from '{source}'")[0]
    assert len(report) == raw_rows
    assert report["source_row"].is_unique
    counts = report["disposition"].value_counts()
    assert counts["order_item"] == scalar(warehouse, "select count(*) from dw.fct_order_items")
    assert counts["return"] == scalar(warehouse, "select count(*) from dw.fct_returns")
    assert report.loc[report["disposition"].isin(["excluded", "duplicate"]), "reason"].notna().all()
    assert scalar(warehouse, "select count(*) from quality.quarantine") == 0


def test_amounts_reconcile_to_the_source(
    imported: tuple[ImportBatch, Warehouse], source: Path
) -> None:
    """Σ qty × price of every source row = imported lines + shipping fees − refunds + the rows
    the report lists as not imported (prices at cents, as the landing contract keeps them)."""
    batch, warehouse = imported
    report = batch.report[["source_row", "disposition"]]
    with duckdb.connect() as con:
        con.register("report", report)
        total, not_imported = con.execute(
            f"""
            with raw as (
                select file_row_number + 1 as source_row,
                    coalesce(Quantity * round(UnitPrice, 2), 0) as amount
                from read_parquet('{source}', file_row_number = true)
            )
            select sum(amount),
                sum(amount) filter (where r.disposition in ('excluded', 'duplicate'))
            from raw join report as r using (source_row)
            """
        ).fetchone()  # type: ignore[misc]
    lines = scalar(warehouse, "select sum(line_gross) from dw.fct_order_items")
    fees = scalar(warehouse, "select sum(shipping_fee) from dw.fct_orders")
    refunds = scalar(warehouse, "select coalesce(sum(refund_amount), 0) from dw.fct_returns")
    imported_amount = Decimal(str(lines)) + Decimal(str(fees)) - Decimal(str(refunds))
    assert round(Decimal(str(total)), 2) == round(imported_amount + Decimal(str(not_imported)), 2)


def test_revenue_orders_and_customers_match_the_raw_file(
    imported: tuple[ImportBatch, Warehouse], source: Path
) -> None:
    _, warehouse = imported
    gross, invoices, customers = raw_query(
        f"select sum(Quantity * round(UnitPrice, 2)), count(distinct InvoiceNo), "
        f"count(distinct CustomerID) from ({sales_lines(source)})"
    )[0]
    assert number(warehouse, "select sum(gross_amount) from dw.fct_orders") == pytest.approx(
        gross, abs=0.005
    )
    assert scalar(warehouse, "select count(*) from dw.fct_orders") == invoices
    assert (
        scalar(
            warehouse,
            "select count(*) from dw.dim_customer where customer_id is not null "
            "and not is_inferred",
        )
        == customers
    )
    (usd,) = raw_query(
        "select sum(round(cast(gross as decimal(18, 2)) * case year(ts) "
        + " ".join(f"when {y} then {r}" for y, r in GBP_USD_YEARLY.items())
        + f" end, 2)) from (select InvoiceNo, min(cast(InvoiceDate as timestamp)) as ts, "
        f"round(sum(Quantity * round(UnitPrice, 2)), 2) as gross from ({sales_lines(source)}) "
        "group by InvoiceNo)"
    )[0]
    assert number(warehouse, "select sum(gross_amount_usd) from dw.fct_orders") == pytest.approx(
        float(usd), abs=0.001
    )
    start, end = (
        scalar(warehouse, "select min(order_date) from dw.fct_orders"),
        scalar(warehouse, "select max(order_date) from dw.fct_orders"),
    )
    assert isinstance(start, dt.date) and isinstance(end, dt.date)
    kpi = compute(warehouse, "gross_revenue", start, end).rows[0]["value"]
    kept = number(
        warehouse, "select sum(gross_amount_usd) from dw.fct_orders where status <> 'cancelled'"
    )
    assert kpi == pytest.approx(kept, abs=0.01)


def test_kpis_without_inputs_are_unavailable(imported: tuple[ImportBatch, Warehouse]) -> None:
    _, warehouse = imported
    start, end = dt.date(2010, 12, 1), dt.date(2010, 12, 31)
    sessions = compute(warehouse, "sessions", start, end)
    assert not sessions.available
    assert sessions.rows == [{"value": None}]
    assert "sessions" in (sessions.unavailable_reason or "")
    by_week = compute(warehouse, "conversion_rate", start, end, grain="week")
    assert {row["value"] for row in by_week.rows} == {None}
    assert not compute(warehouse, "refunds", start, end).available  # no deliveries
    assert not compute(warehouse, "gross_margin", start, end).available  # no product costs
    assert not compute(warehouse, "inventory_alerts").available
    assert compute(warehouse, "inventory_alerts").rows == []
    net = compute(warehouse, "net_revenue", start, end)
    assert net.available and net.rows[0]["value"] > 0


def test_rfm_and_cohort_retention_on_the_imported_data(
    imported: tuple[ImportBatch, Warehouse], source: Path
) -> None:
    _, warehouse = imported
    orders = revenue_orders(warehouse)
    as_of = orders["order_ts"].max()
    rfm = rfm_table(orders, as_of=as_of)
    assert len(rfm) == orders["customer_id"].nunique()
    assert set(rfm["r_score"]) <= {1, 2, 3, 4, 5}
    # Customers without any credit note: frequency and monetary straight from the raw file.
    rate = " ".join(f"when {year} then {usd}" for year, usd in GBP_USD_YEARLY.items())
    raw = pd.DataFrame(
        raw_query(
            f"""
            with invoices as (
                select cast(CustomerID as bigint) as customer_id, InvoiceNo,
                    min(cast(InvoiceDate as timestamp)) as ts,
                    cast(round(sum(Quantity * round(UnitPrice, 2)), 2) as decimal(18, 2)) as gbp
                from ({sales_lines(source)})
                where CustomerID is not null and CustomerID not in (
                    select CustomerID from '{source}'
                    where InvoiceNo like 'C%' and CustomerID is not null
                )
                group by 1, 2
            )
            select customer_id, count(*),
                cast(sum(round(gbp * case year(ts) {rate} end, 2)) as double)
            from invoices group by 1
            """
        ),
        columns=["customer_id", "frequency", "monetary"],
    ).set_index("customer_id")
    assert len(raw) > 100
    mine = rfm.loc[raw.index, ["frequency", "monetary"]]
    assert (mine["frequency"] == raw["frequency"]).all()
    assert (mine["monetary"] - raw["monetary"]).abs().max() < 0.005

    month_end = as_of.to_period("M").end_time.normalize()  # so that month 0 is observed
    matrix = retention_matrix(orders, revenue_col="amount", as_of=month_end)
    assert matrix["cohort_size"].sum() == len(rfm)
    assert (matrix["month_0"] == 1.0).all()
    mart = pd.DataFrame(compute(warehouse, "cohort_retention").rows)
    first = mart[mart["month_number"] == 0].set_index("cohort_month")["cohort_customers"]
    sizes = zip(matrix.index, matrix["cohort_size"], strict=True)
    assert first.to_dict() == {pd.Timestamp(month).date(): size for month, size in sizes}
    month_1 = mart[mart["month_number"] == 1].set_index("cohort_month")["retention_rate"]
    days = [pd.Timestamp(month).date() for month in matrix.index]
    python_month_1 = dict(zip(days, matrix["month_1"], strict=True))
    for month, rate in zip(month_1.index, month_1, strict=True):
        expected = python_month_1[month]
        if not pd.isna(expected):
            assert rate == pytest.approx(expected)
