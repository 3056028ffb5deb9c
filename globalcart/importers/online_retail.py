"""UCI "Online Retail" / "Online Retail II" transaction logs → landing tables.

One source row is one invoice line. Every row gets exactly one disposition in the import report:

- ``order_item``: a sales line (numeric invoice, positive quantity) of a product; a line at
  price 0 is kept when the invoice has a customer (free items);
- ``shipping_fee``: a postage/carriage line (POST, DOT, C2) of a sales invoice, added to the
  order's ``shipping_fee``;
- ``return``: a line of a credit note ("C" invoice) matched to the same customer's latest earlier
  purchase of the same product: a refunded return of that order line;
- ``duplicate``: an exact copy of an earlier row of the same file, or a row of a day that another
  file also covers (both UCI files together overlap on 2010-12-01..09);
- ``excluded``: not a sale or return, with the reason (bad-debt "A" invoices, fees, manual
  adjustments, samples, test products, stock adjustments, credit notes without a matching
  purchase, missing values or dates).

Orders are invoices: customer-less ones are guest orders, the country is the ship-to geo, prices
are GBP (converted to USD by the FX rows). An order whose lines are all fully credited is
``cancelled``, one with some credited lines ``returned``, the others ``paid``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from globalcart.importers.fx import GBP_USD_YEARLY, daily_rates
from globalcart.importers.geo import geo_table
from globalcart.importers.landing import ImportBatch, format_ts, report_frame
from globalcart.importers.members import customers_table, products_table
from globalcart.importers.retail_source import overlap_losers, read_sources

CURRENCY = "GBP"
SHIPPING_CODES = frozenset({"POST", "DOT", "C2"})
NON_PRODUCT: dict[str, str] = {
    "AMAZONFEE": "marketplace fee charged to the shop, not a sale",
    "BANK CHARGES": "bank charges, not a sale",
    "CRUK": "charity commission, not a sale",
    "M": "manual adjustment line",
    "ADJUST": "manual adjustment line",
    "ADJUST2": "manual adjustment line",
    "B": "bad-debt adjustment",
    "D": "discount credited after the sale (no order line to attach it to)",
    "S": "samples line (a credit, not a sale)",
    "TEST001": "test product",
    "TEST002": "test product",
}


def _classify(rows: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """(disposition, reason) of every row; credit lines get the provisional ``credit``."""
    code = rows["stock_code"].str.upper()
    invoice = rows["invoice"].fillna("")
    credit = invoice.str.startswith("C")
    shipping = code.isin(SHIPPING_CODES)
    missing = rows[["invoice", "stock_code", "qty", "price"]].isna().any(axis=1)
    duplicate = rows.duplicated(
        ["source_file", "invoice", "stock_code", "description", "qty", "ts_raw", "price",
         "customer", "country"]
    )  # fmt: skip
    rules: list[tuple[pd.Series, str, str | None]] = [
        (missing, "excluded", "invoice, stock code, quantity or price is missing"),
        (rows["ts"].isna(), "excluded", "invoice date is not a valid date"),
        (overlap_losers(rows), "duplicate", "day also covered by another file (kept once)"),
        (duplicate, "duplicate", "exact copy of an earlier row of the same file"),
        (invoice.str.startswith("A"), "excluded", "bad-debt adjustment invoice"),
        (~invoice.str.fullmatch(r"C?\d+"), "excluded", "invoice number is not a number"),
    ]
    rules += [(code == key, "excluded", reason) for key, reason in NON_PRODUCT.items()]
    rules += [
        (credit & shipping, "excluded", "postage refunded on a credit note"),
        (credit & (rows["qty"] > 0), "excluded", "credit note line with a positive quantity"),
        (credit & rows["customer"].isna(), "excluded", "credit note without a customer"),
        (credit, "credit", None),
        (rows["qty"] <= 0, "excluded", "stock adjustment: no positive quantity on a sale"),
        (rows["price"] < 0, "excluded", "negative price on a sale"),
        (shipping, "shipping_fee", None),
        (
            (rows["price"] == 0) & rows["customer"].isna(),
            "excluded",
            "stock adjustment: price 0 and no customer",
        ),
    ]
    # the first matching rule wins; rows matching none are order items
    first = np.select([c.to_numpy() for c, _, _ in rules], list(range(len(rules))), len(rules))
    kinds = np.array([kind for _, kind, _ in rules] + ["order_item"], dtype=object)
    texts = np.array([text for _, _, text in rules] + [None], dtype=object)
    return pd.Series(kinds[first], index=rows.index), pd.Series(texts[first], index=rows.index)


def _match_credits(credits: pd.DataFrame, items: pd.DataFrame) -> pd.DataFrame:
    """Each credit line with the order/line of the customer's latest earlier purchase of it."""
    sales = items.dropna(subset=["customer"])[["customer", "sku", "ts", "order_id", "line_no"]]
    left = credits.sort_values("ts").reset_index()
    matched = pd.merge_asof(
        left,
        sales.sort_values("ts"),
        on="ts",
        by=["customer", "sku"],
        direction="backward",
    )
    return matched.set_index("index").reindex(credits.index)


def _orders(
    items: pd.DataFrame, fees: pd.DataFrame, returns: pd.DataFrame, geo_ids: dict[str, int]
) -> pd.DataFrame:
    items = items.assign(gross=items["qty"] * items["unit_sell_price"])
    orders = items.groupby("order_id").agg(
        ts=("ts", "min"),
        customer_id=("customer", "first"),
        country=("country", "first"),
        gross_amount=("gross", "sum"),
    )
    orders["shipping_fee"] = fees.groupby("order_id")["fee"].sum().reindex(orders.index).fillna(0)
    credited = returns.groupby(["order_id", "line_no"])["qty"].sum()
    line_qty = items.set_index(["order_id", "line_no"])["qty"]
    full = (credited.reindex(line_qty.index).fillna(0) >= line_qty).groupby("order_id").all()
    some = returns.groupby("order_id").size().reindex(orders.index).fillna(0) > 0
    partly = np.where(some, "returned", "paid")
    orders["status"] = np.where(full.reindex(orders.index), "cancelled", partly)
    last_credit = returns.groupby("order_id")["ts"].max().reindex(orders.index)
    orders["gross_amount"] = orders["gross_amount"].round(2)
    orders["net_amount"] = (orders["gross_amount"] + orders["shipping_fee"]).round(2)
    orders["order_ts"] = format_ts(orders["ts"])
    orders["updated_at"] = format_ts(last_credit.fillna(orders["ts"]))  # the last credit note
    orders = orders.reset_index()
    orders["ship_to_geo_id"] = orders["country"].fillna("Unspecified").map(geo_ids)
    orders["customer_id"] = orders["customer_id"].astype("Int64")
    return orders.assign(channel="web", currency=CURRENCY, discount_amount=0.0, tax_amount=0.0)


def _fees(
    rows: pd.DataFrame, disposition: pd.Series, reason: pd.Series, items: pd.DataFrame
) -> pd.DataFrame:
    """Postage lines of invoices with items (``fee`` per line); the others become excluded."""
    fees = rows[disposition == "shipping_fee"].copy()
    fees["order_id"] = fees["invoice"].astype("int64")
    orphan = ~fees["order_id"].isin(items["order_id"])
    disposition.loc[fees.index[orphan]] = "excluded"
    reason.loc[fees.index[orphan]] = "postage charged on an invoice without items"
    return fees[~orphan].assign(fee=lambda f: f["qty"] * f["price"].round(2))


def _returns(
    rows: pd.DataFrame, disposition: pd.Series, reason: pd.Series, items: pd.DataFrame
) -> pd.DataFrame:
    """Credit lines matched to a purchase, as returns (positive qty, ids in time order); the
    unmatched ones become excluded."""
    credits = _match_credits(rows[disposition == "credit"], items)
    unmatched = credits["order_id"].isna()
    disposition.loc[credits.index] = np.where(unmatched, "excluded", "return")
    reason.loc[credits.index[unmatched]] = "credit note without an earlier purchase by the customer"
    matched = credits.loc[~unmatched]
    returns = (
        rows.loc[matched.index]
        .assign(
            order_id=matched["order_id"].astype("int64"),
            line_no=matched["line_no"].astype("int64"),
            qty=lambda r: -r["qty"],
        )
        .sort_values(["ts", "source_file", "source_row"])
    )
    returns["return_id"] = np.arange(1, len(returns) + 1)
    return returns


def import_online_retail(paths: list[Path], fx_rate: float | None = None) -> ImportBatch:
    """Read the files, classify every row and build the landing tables (see module doc)."""
    rows = read_sources(paths)
    rows["sku"] = rows["stock_code"].str.upper()
    disposition, reason = _classify(rows)

    items = rows[disposition == "order_item"].copy()
    items["order_id"] = items["invoice"].astype("int64")
    items = items.sort_values(["order_id", "source_file", "source_row"])
    items["line_no"] = items.groupby("order_id").cumcount() + 1
    items["unit_sell_price"] = items["price"].round(2)

    fees = _fees(rows, disposition, reason, items)
    returns = _returns(rows, disposition, reason, items)

    countries = items["country"].fillna("Unspecified").unique().tolist()
    geo, geo_ids = geo_table([*countries, "Unspecified"], CURRENCY)
    orders = _orders(items, fees, returns, geo_ids)
    stamps = pd.concat([orders["ts"], returns["ts"]])
    fx = daily_rates(
        stamps.min().date(),
        stamps.max().date(),
        constant={CURRENCY: fx_rate} if fx_rate else None,
        yearly=None if fx_rate else {CURRENCY: GBP_USD_YEARLY},
    )
    rate = fx[fx["currency"] == CURRENCY].set_index("date")["rate_to_usd"]
    usd = items["ts"].dt.strftime("%Y-%m-%d").map(rate)
    lines = items[["sku", "description", "unit_sell_price", "ts"]]
    products, product_ids = products_table(
        lines.set_axis(["sku", "name", "price", "ts"], axis=1), usd
    )
    items["product_id"] = items["sku"].map(product_ids)
    returns["product_id"] = returns["sku"].map(product_ids)

    tables = {
        "geo": geo,
        "fx_rates": fx,
        "customers": customers_table(orders),
        "products": products,
        "orders": orders,
        "order_items": items.assign(
            unit_list_price=items["unit_sell_price"],
            line_discount=0.0,
            line_tax=0.0,
            updated_at=format_ts(items["ts"]),
        ),
        "returns": returns.assign(
            reason="credit_note",
            requested_at=format_ts(returns["ts"]),
            refund_amount=(returns["qty"] * returns["price"].round(2)).round(2),
            refunded_at=format_ts(returns["ts"]),
            status="refunded",
        ),
    }
    keyed = pd.concat(
        [items[["order_id", "line_no"]], fees[["order_id"]], returns[["order_id", "line_no"]]]
    ).reindex(rows.index)
    report = report_frame(
        rows["source_file"],
        rows["source_row"],
        disposition,
        reason,
        keyed["order_id"].astype("Int64"),
        keyed["line_no"].astype("Int64"),
    )
    notes = {
        "currency": CURRENCY,
        "fx": f"constant {fx_rate}" if fx_rate else "GBP yearly averages",
    }
    return ImportBatch("online-retail", [str(p) for p in paths], tables, report, notes)
