"""The CDNOW purchase log (Fader & Hardie) → landing tables.

Each line is one purchase: ``customer_id [cohort] yyyymmdd cds dollars`` separated by spaces
(the master file of the ``lifetimes`` project has no cohort column and a header line). A
purchase becomes an order (status ``paid``, USD, at midnight of its day) of the customer with
one product, "CD" (titles are not in the log). ``cds`` is the quantity; when ``dollars`` does
not split into equal cent prices the order has two lines (cds − 1 at the floor price and one
at the remainder), so the lines add up to the source amount to the cent. Purchases of 0 dollars
are kept (free CDs). Lines that do not parse are excluded with a reason in the import report.
Each line is its own order: the log has no transaction id, so same-day purchases stay apart.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from globalcart.importers.fx import daily_rates
from globalcart.importers.landing import ImportBatch, SourceError, format_ts, report_frame

PRODUCT_ID = 1


def read_log(path: Path) -> pd.DataFrame:
    """The log's fields as columns (``customer``, ``day``, ``cds``, ``dollars``) + source_row;
    rows that do not parse have ``error`` set."""
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError as exc:
        raise SourceError(f"cannot read {path}: {exc}") from exc
    records: list[tuple[int, str | None, str | None, str | None, str | None]] = []
    for number, line in enumerate(lines, start=1):
        fields = line.split()
        if not fields or (number == 1 and not fields[0].isdigit()):
            continue  # blank line or header
        if len(fields) == 5:
            fields = [fields[0], *fields[2:]]
        padded = [*fields, None, None, None, None][:4] if len(fields) <= 4 else [None] * 4
        records.append((number, *padded))
    frame = pd.DataFrame(records, columns=["source_row", "customer", "day", "cds", "dollars"])
    if frame.empty:
        raise SourceError(f"{path}: no purchases found (expected 'customer yyyymmdd cds dollars')")
    frame["customer_id"] = pd.to_numeric(frame["customer"], errors="coerce").astype("Int64")
    frame["ts"] = pd.to_datetime(frame["day"], format="%Y%m%d", errors="coerce")
    frame["qty"] = pd.to_numeric(frame["cds"], errors="coerce")
    frame["amount"] = pd.to_numeric(frame["dollars"], errors="coerce")
    frame["error"] = np.select(
        [
            frame["customer_id"].isna(),
            frame["ts"].isna(),
            frame["qty"].isna() | (frame["qty"] <= 0) | (frame["qty"] % 1 != 0),
            frame["amount"].isna() | (frame["amount"] < 0),
        ],
        [
            "customer id is not a number",
            "date is not a valid yyyymmdd date",
            "number of CDs is not a positive whole number",
            "dollar value is not a non-negative number",
        ],
        "",
    )
    return frame


def _lines(orders: pd.DataFrame) -> pd.DataFrame:
    cents = (orders["amount"] * 100).round().astype("int64")
    qty = orders["qty"].astype("int64")
    floor = cents // qty
    even = floor * qty == cents
    first = pd.DataFrame(
        {
            "order_id": orders["order_id"],
            "line_no": 1,
            "qty": np.where(even, qty, qty - 1),
            "cents": floor,
        }
    )
    rest = orders.loc[~even]
    second = pd.DataFrame(
        {
            "order_id": rest["order_id"],
            "line_no": 2,
            "qty": 1,
            "cents": cents[~even] - floor[~even] * (qty[~even] - 1),
        }
    )
    lines = pd.concat([first[first["qty"] > 0], second]).sort_values(["order_id", "line_no"])
    lines["line_no"] = lines.groupby("order_id").cumcount() + 1
    lines = lines.merge(orders[["order_id", "ts"]], on="order_id")
    price = lines["cents"] / 100
    return lines.assign(
        product_id=PRODUCT_ID,
        unit_list_price=price,
        unit_sell_price=price,
        line_discount=0.0,
        line_tax=0.0,
        updated_at=format_ts(lines["ts"]),
    )


def import_cdnow(path: Path) -> ImportBatch:
    """Read the log and build the landing tables (see module doc)."""
    if not path.is_file():
        raise SourceError(f"{path} does not exist")
    rows = read_log(path)
    good = rows[rows["error"] == ""].copy()
    good["order_id"] = np.arange(1, len(good) + 1)
    stamps = format_ts(good["ts"])
    orders = pd.DataFrame(
        {
            "order_id": good["order_id"],
            "customer_id": good["customer_id"],
            "order_ts": stamps,
            "status": "paid",
            "channel": "web",
            "currency": "USD",
            "gross_amount": good["amount"].round(2),
            "discount_amount": 0.0,
            "tax_amount": 0.0,
            "shipping_fee": 0.0,
            "net_amount": good["amount"].round(2),
            "updated_at": stamps,
        }
    )
    first = good.sort_values(["ts", "order_id"]).drop_duplicates("customer_id")
    customers = pd.DataFrame(
        {"customer_id": first["customer_id"], "updated_at": format_ts(first["ts"])}
    )
    start = good["ts"].min()
    products = pd.DataFrame(
        {
            "product_id": [PRODUCT_ID],
            "sku": ["CD"],
            "product_name": ["CD (title not recorded)"],
            "category_l1": ["Music"],
            "is_active": [True],
            "updated_at": [start.strftime("%Y-%m-%d %H:%M:%S")],
        }
    )
    tables = {
        "fx_rates": daily_rates(start.date(), good["ts"].max().date()),
        "customers": customers,
        "products": products,
        "orders": orders,
        "order_items": _lines(good),
    }
    order_id = pd.Series(pd.NA, index=rows.index, dtype="Int64")
    order_id.loc[good.index] = good["order_id"]
    report = report_frame(
        path.name,
        rows["source_row"],
        pd.Series(np.where(rows["error"] == "", "order_item", "excluded"), index=rows.index),
        rows["error"].replace("", None),
        order_id,
    )
    return ImportBatch("cdnow", [str(path)], tables, report, {"currency": "USD"})
