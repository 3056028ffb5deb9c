"""Any store's order-line CSV export + a mapping file (``mapping.py``) → landing tables.

Rows without an order id, or with a mapped number that does not parse, are excluded with the
reason in the import report. Everything else goes to landing as delivered so that staging's
rules judge it like any other source: a negative quantity or an unparseable date reaches
``quality.quarantine`` with its rule and reason.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from globalcart.contract import ORDER_STATUSES
from globalcart.importers.fx import daily_rates
from globalcart.importers.geo import geo_table
from globalcart.importers.landing import ImportBatch, SourceError, format_ts, report_frame
from globalcart.importers.mapping import Mapping
from globalcart.importers.members import customers_table, dense_ids, products_table

NUMBERS = {
    "orders": ("shipping_fee", "tax_amount", "discount_amount"),
    "order_items": (
        "qty",
        "unit_sell_price",
        "line_amount",
        "unit_list_price",
        "line_discount",
        "line_tax",
    ),
}


def read_exports(paths: list[Path], mapping: Mapping) -> pd.DataFrame:
    """The export files as text columns, plus ``source_file`` and ``source_row`` (data row)."""
    frames = []
    for path in paths:
        if not path.is_file():
            raise SourceError(f"{path} does not exist")
        try:
            frame = pd.read_csv(
                path, dtype=str, sep=mapping.delimiter, encoding=mapping.encoding,
                keep_default_na=False, skipinitialspace=True,
            )  # fmt: skip
        except (OSError, ValueError, UnicodeDecodeError) as exc:
            raise SourceError(f"cannot read {path}: {exc}") from exc
        frame.columns = [str(column).strip() for column in frame.columns]
        missing = sorted(mapping.columns() - set(frame.columns))
        if missing:
            raise SourceError(
                f"{path.name}: columns named in mapping {mapping.name!r} are missing: "
                f"{', '.join(missing)}"
            )
        frame = frame.apply(lambda column: column.str.strip()).replace("", None)
        frame.insert(0, "source_row", np.arange(1, len(frame) + 1))
        frame.insert(0, "source_file", path.name)
        frames.append(frame)
    rows: pd.DataFrame = pd.concat(frames, ignore_index=True)
    return rows


def _timestamps(text: pd.Series, mapping: Mapping) -> pd.Series:
    """Parsed UTC timestamps as contract text; unparseable values stay as given."""
    fmt = mapping.timestamp_format or "ISO8601"
    parsed = pd.to_datetime(text, format=fmt, errors="coerce", utc=mapping.timezone == "UTC")
    if mapping.timezone != "UTC":
        if parsed.dt.tz is None:
            parsed = parsed.dt.tz_localize(mapping.timezone, ambiguous="NaT")
        parsed = parsed.dt.tz_convert("UTC")
    return format_ts(parsed.dt.tz_localize(None)).fillna(text)


def _numbers(rows: pd.DataFrame, mapping: Mapping, reasons: pd.Series) -> pd.DataFrame:
    out = pd.DataFrame(index=rows.index)
    for part, fields in NUMBERS.items():
        section = getattr(mapping, part)
        for field in fields:
            column = getattr(section, field, None)
            if column is None:
                continue
            value = pd.to_numeric(rows[column].str.replace(",", "", regex=False), errors="coerce")
            bad = value.isna() & rows[column].notna() & reasons.isna()
            reasons[bad] = f"{column} is not a number: " + rows.loc[bad, column].astype(str)
            out[field] = value
    return out


def _statuses(raw: pd.Series, mapping: Mapping) -> pd.Series:
    lookup = {key.strip().lower(): value for key, value in mapping.status_values.items()}
    text = raw.str.lower()
    mapped = text.map(lambda v: lookup.get(v, v) if isinstance(v, str) else mapping.default_status)
    unknown = sorted(set(raw[~mapped.isin(ORDER_STATUSES)].dropna()))
    if unknown:
        raise SourceError(
            f"status values without a mapping: {', '.join(unknown)}; add them to status_values "
            f"in the mapping (contract statuses: {', '.join(ORDER_STATUSES)})"
        )
    return mapped


def _int_ids(keys: pd.Series) -> pd.Series:
    """Numeric keys as they are ("#1001" → 1001) when that stays unique, else ids 1..n;
    blank keys stay null."""
    known = keys.dropna()
    digits = known.str.replace(r"\D", "", regex=True).replace("", None)
    pairs = pd.DataFrame({"key": known, "digits": digits}).drop_duplicates()
    if digits.notna().all() and pairs["digits"].is_unique and pairs["key"].is_unique:
        ids = pd.to_numeric(digits).astype("Int64")
    else:
        ids = dense_ids(known)[0]
    return ids.reindex(keys.index).astype("Int64")


def _order_fields(mapping: Mapping) -> dict[str, str]:
    """Order-level field → source column (carried from an order's first line to the others)."""
    fields = {**mapping.orders.model_dump(), **mapping.customers.model_dump()}
    return {name: column for name, column in fields.items() if column and name != "order_id"}


def _lines(rows: pd.DataFrame, mapping: Mapping) -> tuple[pd.DataFrame, pd.Series]:
    """The importable lines (typed, one column per contract/order field) and every row's
    exclusion reason (null when imported)."""
    om, im = mapping.orders, mapping.order_items
    key = rows[om.order_id]
    reasons = pd.Series(None, index=rows.index, dtype=object)
    reasons[key.isna()] = f"order id ({om.order_id}) is missing"
    fields = _order_fields(mapping)
    columns = sorted(set(fields.values()))
    rows = rows.copy()
    rows[columns] = rows[columns].groupby(key).transform("first").reindex(rows.index)
    numbers = _numbers(rows, mapping, reasons)
    ok = reasons.isna()
    source, num = rows[ok], numbers[ok]
    lines = pd.DataFrame({name: source[column] for name, column in fields.items()})
    lines["order_id"] = _int_ids(source[om.order_id])
    lines["line_no"] = lines.groupby("order_id").cumcount() + 1
    lines["order_ts"] = _timestamps(source[om.order_ts], mapping)
    lines["ts"] = pd.to_datetime(lines["order_ts"], errors="coerce")
    currency = lines["currency"] if "currency" in lines else pd.Series(None, lines.index)
    lines["currency"] = currency.fillna(mapping.currency).str.upper()
    lines["sku"] = source[im.sku or im.product_name or ""]
    lines["name"] = source[im.product_name] if im.product_name else lines["sku"]
    if "line_amount" in num:
        price = (num["line_amount"] / num["qty"].where(num["qty"] != 0)).round(2)
    else:
        price = num["unit_sell_price"]
    zero = pd.Series(0.0, index=num.index)
    lines["qty"] = num["qty"].round().astype("Int64")
    lines["unit_sell_price"] = price
    lines["unit_list_price"] = num.get("unit_list_price", price).fillna(price)
    lines["line_discount"] = num.get("line_discount", zero).fillna(0.0)
    lines["line_tax"] = num.get("line_tax", zero).fillna(0.0)
    lines["gross"] = num["qty"] * price
    for name in NUMBERS["orders"]:
        lines[name] = num.get(name, pd.Series(np.nan, index=num.index))
    return lines, reasons


def _orders(lines: pd.DataFrame, mapping: Mapping, geo_ids: dict[str, int]) -> pd.DataFrame:
    """One row per order: its first line's order fields, the line sums and the status."""
    firsts = [c for c in lines.columns if c in _order_fields(mapping) or c in NUMBERS["orders"]]
    grouped = lines.groupby("order_id")
    orders = grouped[[*firsts, "order_ts", "currency", "country"]].first()
    orders = orders.loc[:, ~orders.columns.duplicated()]
    sums = grouped[["gross", "line_discount", "line_tax"]].sum()
    orders["ts"] = grouped["ts"].min()
    orders["gross_amount"] = sums["gross"].round(2)
    orders["discount_amount"] = orders["discount_amount"].fillna(sums["line_discount"])
    orders["tax_amount"] = orders["tax_amount"].fillna(sums["line_tax"])
    orders["shipping_fee"] = orders["shipping_fee"].fillna(0.0)
    orders["net_amount"] = (
        orders["gross_amount"] - orders["discount_amount"] + orders["tax_amount"]
        + orders["shipping_fee"]
    ).round(2)  # fmt: skip
    orders["status"] = _statuses(orders.get("status", pd.Series(None, orders.index)), mapping)
    channel = orders.get("channel", pd.Series(None, orders.index, dtype=object))
    orders["channel"] = channel.fillna(mapping.channel)
    orders["ship_to_geo_id"] = orders["country"].map(geo_ids)
    orders["updated_at"] = orders["order_ts"]
    customer = orders.get("customer", pd.Series(None, orders.index, dtype=object))
    orders["customer_id"] = _int_ids(customer.where(~customer.isin(mapping.guest_values)))
    if "email" in orders:
        orders["email"] = orders["email"].str.lower()
    return orders.reset_index()


def _fx(lines: pd.DataFrame, mapping: Mapping) -> tuple[pd.DataFrame, pd.Series]:
    """Daily FX rows over the days covered, and every line's rate to USD."""
    currencies = sorted(lines["currency"].unique())
    missing = [c for c in currencies if c != "USD" and c not in mapping.fx_rates]
    if missing:
        raise SourceError(
            f"no FX rate for {', '.join(missing)}: add fx_rates (USD per unit) to the mapping"
        )
    days = lines["ts"].dropna()
    if days.empty:
        raise SourceError("no order has a valid date: check timestamp_format in the mapping")
    fx = daily_rates(days.min().date(), days.max().date(), constant=mapping.fx_rates)
    return fx, lines["currency"].map({**mapping.fx_rates, "USD": 1.0})


def import_csv(paths: list[Path], mapping: Mapping) -> ImportBatch:
    """Apply ``mapping`` to the export files and build the landing tables."""
    rows = read_exports(paths, mapping)
    lines, reasons = _lines(rows, mapping)
    if lines.empty:
        raise SourceError("no importable order line: " + "; ".join(reasons.dropna().unique()[:3]))
    fx, usd = _fx(lines, mapping)
    lines["country"] = lines.get("country", pd.Series(None, lines.index)).fillna("Unknown")
    geo, geo_ids = geo_table(lines["country"].unique().tolist(), mapping.currency)
    orders = _orders(lines, mapping, geo_ids)
    product_lines = lines[["sku", "name", "unit_sell_price", "ts"]]
    products, product_ids = products_table(
        product_lines.set_axis(["sku", "name", "price", "ts"], axis=1), usd
    )
    lines["product_id"] = lines["sku"].map(product_ids)
    lines["updated_at"] = lines["order_ts"]
    tables = {
        "geo": geo,
        "fx_rates": fx,
        "customers": customers_table(orders),
        "products": products,
        "orders": orders,
        "order_items": lines,
    }
    report = report_frame(
        rows["source_file"],
        rows["source_row"],
        pd.Series(np.where(reasons.isna(), "order_item", "excluded"), index=rows.index),
        reasons,
        lines["order_id"].reindex(rows.index),
        lines["line_no"].reindex(rows.index),
    )
    notes = {"mapping": mapping.name, "currencies": sorted(lines["currency"].unique())}
    return ImportBatch(f"csv-{mapping.name}", [str(p) for p in paths], tables, report, notes)
