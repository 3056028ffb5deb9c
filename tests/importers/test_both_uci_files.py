"""Online Retail II (2009-2010) and Online Retail (2010-2011) together: the days both files cover
are imported once; every other row is classified exactly as when importing a file alone."""

from __future__ import annotations

import pytest

from globalcart.importers import import_online_retail
from tests.importers.conftest import dataset, raw_query

OVERLAP = "day also covered by another file (kept once)"


@pytest.mark.parametrize("first", ["online_retail", "online_retail_II"])
def test_overlapping_days_are_imported_once(first: str) -> None:
    one = dataset("uci-online-retail/online_retail.parquet")
    two = dataset("uci-online-retail-ii/online_retail_II_year_2009-2010.parquet")
    paths = [one, two] if first == "online_retail" else [two, one]
    batch = import_online_retail(paths)
    day = "cast(cast(InvoiceDate as timestamp) as date)"
    ((rows_one, rows_two, overlap_two, overlap_one),) = raw_query(
        f"""
        select
            (select count(*) from '{one}'),
            (select count(*) from '{two}'),
            (select count(*) from '{two}' where {day} in (select {day} from '{one}')),
            (select count(*) from '{one}' where {day} in (select {day} from '{two}'))
        """
    )
    report = batch.report
    assert len(report) == rows_one + rows_two
    dropped = report[report["reason"] == OVERLAP]
    # equal row counts on the shared days (both files hold the same rows): the first file wins
    assert len(dropped) == (overlap_two if first == "online_retail" else overlap_one)
    assert set(dropped["source_file"]) == {paths[1].name}
    orders = batch.tables["orders"]
    assert orders["order_id"].is_unique
    ((invoices,),) = raw_query(
        f"""
        select count(distinct InvoiceNo) from (
            select InvoiceNo, StockCode, Quantity, UnitPrice, CustomerID from '{one}'
            union all
            select Invoice, StockCode, Quantity, Price, "Customer ID" from '{two}'
        )
        where regexp_full_match(InvoiceNo, '[0-9]+') and Quantity > 0 and UnitPrice >= 0
          and upper(StockCode) not in ('POST','DOT','C2','AMAZONFEE','BANK CHARGES','CRUK','M',
              'ADJUST','ADJUST2','B','D','S','TEST001','TEST002')
          and (UnitPrice > 0 or CustomerID is not null)
        """
    )
    assert len(orders) == invoices
