"""The Online Retail rules on a hand-made log in the UCI shape (M/D/YYYY text dates): every
oddity gets its documented disposition. Runs without the data sets."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from globalcart.importers import import_online_retail
from tests.importers.conftest import DATA


def test_every_oddity_gets_its_disposition() -> None:
    batch = import_online_retail([DATA / "online_retail_sample.csv"], fx_rate=1.5)
    report = batch.report.set_index("source_row")
    expected = {
        1: ("order_item", None),
        2: ("order_item", None),
        3: ("duplicate", "exact copy of an earlier row of the same file"),
        4: ("shipping_fee", None),
        5: ("order_item", None),  # guest order (no customer)
        6: ("order_item", None),
        7: ("return", None),
        8: ("return", None),
        9: ("excluded", "credit note without an earlier purchase by the customer"),
        10: ("excluded", "discount credited after the sale (no order line to attach it to)"),
        11: ("excluded", "bad-debt adjustment invoice"),
        12: ("excluded", "stock adjustment: no positive quantity on a sale"),
        13: ("excluded", "stock adjustment: price 0 and no customer"),
        14: ("order_item", None),  # a free item of a known customer is kept
        15: ("excluded", "marketplace fee charged to the shop, not a sale"),
        16: ("excluded", "invoice date is not a valid date"),
        17: ("excluded", "postage charged on an invoice without items"),
    }
    got = {
        row: (d, None if pd.isna(r) else r)
        for row, d, r in zip(report.index, report["disposition"], report["reason"], strict=True)
    }
    assert got == expected

    orders = batch.tables["orders"].set_index("order_id")
    assert orders.loc[536365, "status"] == "returned"  # 2 of 6 lanterns credited
    assert orders.loc[536367, "status"] == "cancelled"  # every unit credited
    assert orders.loc[536365, "shipping_fee"] == 18.0
    assert orders.loc[536365, "gross_amount"] == round(6 * 2.55 + 6 * 3.39, 2)
    assert orders.loc[536365, "order_ts"] == "2010-12-01 08:26:00"
    assert orders.loc[536365, "updated_at"] == "2010-12-02 11:00:00"  # the credit note
    assert orders["customer_id"].isna().to_dict()[536366]  # a guest order
    returns = batch.tables["returns"].set_index("order_id")
    assert returns.loc[536365, "line_no"] == 2 and returns.loc[536365, "qty"] == 2
    assert returns.loc[536367, "refund_amount"] == round(4 * 1.85, 2)
    geo = batch.tables["geo"].set_index("country")
    assert {"Ireland", "South Africa", "France", "United Kingdom"} <= set(geo.index)
    assert set(batch.tables["fx_rates"]["rate_to_usd"]) == {1.0, 1.5}
    assert sorted(batch.tables["customers"]["customer_id"]) == [12346, 13047, 17850]


def test_xlsx_workbook_sheets_are_files(tmp_path: Path) -> None:
    """Online Retail II ships as one workbook with a sheet per year, dates as Excel dates."""
    raw = pd.read_csv(DATA / "online_retail_sample.csv", dtype={"InvoiceNo": str})
    raw = raw.rename(columns={"InvoiceNo": "Invoice", "UnitPrice": "Price"})
    raw = raw.rename(columns={"CustomerID": "Customer ID"})
    good = raw[raw["InvoiceDate"] != "not a date"].copy()
    good["InvoiceDate"] = pd.to_datetime(good["InvoiceDate"], format="%m/%d/%Y %H:%M")
    book = tmp_path / "online_retail_II.xlsx"
    first_day = good["InvoiceDate"] < "2010-12-02"  # sheets split between days, as UCI's are
    with pd.ExcelWriter(book) as writer:
        good[first_day].to_excel(writer, sheet_name="Year 2009-2010", index=False)
        good[~first_day].to_excel(writer, sheet_name="Year 2010-2011", index=False)
    batch = import_online_retail([book], fx_rate=1.5)
    assert set(batch.report["source_file"]) == {
        "online_retail_II.xlsx#Year 2009-2010",
        "online_retail_II.xlsx#Year 2010-2011",
    }
    assert len(batch.report) == len(good)
    orders = batch.tables["orders"].set_index("order_id")
    assert orders.loc[536365, "order_ts"] == "2010-12-01 08:26:00"
    assert orders.loc[536367, "status"] == "cancelled"  # the credit is on the other sheet
