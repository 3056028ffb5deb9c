"""Products, customers and ids derived from order lines of real exports.

Exports are order-line logs: the product and customer masters are reconstructed from them. A
product is one SKU (its most frequent name, its median selling price as list price, no cost:
exports do not carry costs); a customer is one customer key (the country of the first order,
first seen at the first order; sign-up dates are unknown, so ``created_at`` stays null).
"""

from __future__ import annotations

import pandas as pd

from globalcart.importers.landing import format_ts


def dense_ids(keys: pd.Series) -> tuple[pd.Series, dict[str, int]]:
    """Integer ids 1..n for text keys (in sorted key order, so ids are stable)."""
    ids = {key: number for number, key in enumerate(sorted(keys.dropna().unique()), start=1)}
    return keys.map(ids).astype("Int64"), ids


def products_table(lines: pd.DataFrame, usd_rate: pd.Series) -> tuple[pd.DataFrame, dict[str, int]]:
    """Products from lines with ``sku``, ``name``, ``price`` (order currency) and ``ts``.

    ``usd_rate`` (aligned with ``lines``) converts the list price to USD, the products' currency.
    """
    work = lines[["sku", "name", "price", "ts"]].copy()
    work["usd"] = work["price"] * usd_rate
    _, ids = dense_ids(work["sku"])
    names = (
        work.dropna(subset=["name"])
        .groupby(["sku", "name"])
        .size()
        .rename("n")
        .reset_index()
        .sort_values(["sku", "n", "name"], ascending=[True, False, True])
        .drop_duplicates("sku")
        .set_index("sku")["name"]
    )
    grouped = work.groupby("sku").agg(price=("usd", "median"), first=("ts", "min"))
    products = pd.DataFrame(
        {
            "product_id": [ids[sku] for sku in grouped.index],
            "sku": grouped.index,
            "product_name": names.reindex(grouped.index).fillna(grouped.index.to_series()).values,
            "list_price": grouped["price"].round(2).values,
            "is_active": True,
            "updated_at": format_ts(grouped["first"]).values,
        }
    )
    return products, ids


def customers_table(orders: pd.DataFrame) -> pd.DataFrame:
    """Customers from orders with ``customer_id``, ``ship_to_geo_id``, ``ts`` (+ optional
    ``email`` and ``full_name``): one row per customer, attributes of the first order."""
    known = orders.dropna(subset=["customer_id"]).sort_values(["ts", "order_id"])
    first = known.drop_duplicates("customer_id")
    return pd.DataFrame(
        {
            "customer_id": first["customer_id"].astype("int64").values,
            "email": first["email"].values if "email" in first else None,
            "full_name": first["full_name"].values if "full_name" in first else None,
            "geo_id": first["ship_to_geo_id"].values,
            "created_at": None,
            "updated_at": format_ts(first["ts"]).values,
        }
    )
