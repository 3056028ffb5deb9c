"""The source data contract: the landing tables that every source delivers.

This module is the single description of the landing files (DESIGN.md section 2). The generator
writes exactly these columns, the loader reads them with exactly these types.

Types follow what real extracts look like: identifiers are integers, money is a float rounded to
cents in the row's currency, and timestamps and dates are ISO-8601 text in UTC
(``YYYY-MM-DD HH:MM:SS`` and ``YYYY-MM-DD``) so that malformed values can exist and are caught by
staging. ``ingested_at`` is written by the extraction tool as a real UTC timestamp; the loader adds
``source_file``.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa

ID = pa.int64()
TEXT = pa.string()
TS = pa.string()  # 'YYYY-MM-DD HH:MM:SS', UTC
DATE = pa.string()  # 'YYYY-MM-DD'
MONEY = pa.float64()
INT = pa.int64()
FLOAT = pa.float64()
BOOL = pa.bool_()
INGESTED_AT = pa.timestamp("us", tz="UTC")

TIMESTAMP_FORMAT = "%Y-%m-%d %H:%M:%S"
DATE_FORMAT = "%Y-%m-%d"

ORDER_STATUSES = ("created", "paid", "fulfilled", "shipped", "delivered", "returned", "cancelled")
FUNNEL_STAGES = (
    "VIEW_PRODUCT",
    "SEARCH",
    "ADD_TO_CART",
    "REMOVE_FROM_CART",
    "CHECKOUT_STARTED",
    "PAYMENT_ATTEMPTED",
    "PAYMENT_FAILED",
    "ORDER_PLACED",
)
PAYMENT_STATUSES = ("authorized", "captured", "failed", "refunded", "chargeback")
SHIPMENT_STATUSES = ("in_transit", "delivered")
RETURN_STATUSES = ("requested", "received", "refunded", "rejected")
SEGMENTS = ("Premium", "Regular", "Budget")


@dataclass(frozen=True)
class LandingTable:
    """One landing table: its business key and the typed columns of its files."""

    name: str
    key: tuple[str, ...]
    columns: tuple[tuple[str, pa.DataType], ...]
    description: str

    @property
    def schema(self) -> pa.Schema:
        """Arrow schema of the file, including ``ingested_at``."""
        return pa.schema([*self.columns, ("ingested_at", INGESTED_AT)])

    @property
    def column_names(self) -> list[str]:
        return [name for name, _ in self.columns]


def _table(
    table_name: str, key: tuple[str, ...], description: str, /, **columns: pa.DataType
) -> LandingTable:
    return LandingTable(table_name, key, tuple(columns.items()), description)


TABLES: tuple[LandingTable, ...] = (
    _table(
        "geo",
        ("geo_id",),
        "Ship-to and customer locations: one row per city.",
        geo_id=ID,
        country=TEXT,
        country_code=TEXT,
        region=TEXT,
        city=TEXT,
        currency=TEXT,
    ),
    _table(
        "fx_rates",
        ("date", "currency"),
        "Daily FX rate: amount_usd = amount * rate_to_usd.",
        date=DATE,
        currency=TEXT,
        rate_to_usd=FLOAT,
    ),
    _table(
        "fulfillment_centers",
        ("fc_id",),
        "Warehouses that ship orders.",
        fc_id=ID,
        fc_name=TEXT,
        geo_id=ID,
        timezone=TEXT,
    ),
    _table(
        "customers",
        ("customer_id",),
        "Customer master; a segment or geo change arrives as a new row with a later updated_at.",
        customer_id=ID,
        email=TEXT,
        full_name=TEXT,
        geo_id=ID,
        acquisition_channel=TEXT,
        segment=TEXT,
        created_at=TS,
        updated_at=TS,
    ),
    _table(
        "products",
        ("product_id", "updated_at"),
        "Product master; a price or cost change arrives as a new row with a later updated_at.",
        product_id=ID,
        sku=TEXT,
        product_name=TEXT,
        category_l1=TEXT,
        category_l2=TEXT,
        brand=TEXT,
        unit_cost=MONEY,
        list_price=MONEY,
        is_active=BOOL,
        updated_at=TS,
    ),
    _table(
        "campaigns",
        ("campaign_id",),
        "Marketing campaigns (budget in USD).",
        campaign_id=ID,
        name=TEXT,
        channel=TEXT,
        start_date=DATE,
        end_date=DATE,
        budget=MONEY,
    ),
    _table(
        "marketing_spend",
        ("date", "campaign_id"),
        "Daily spend per campaign (USD).",
        date=DATE,
        campaign_id=ID,
        spend=MONEY,
        impressions=INT,
        clicks=INT,
    ),
    _table(
        "sessions",
        ("session_id",),
        "Storefront visits; customer_id is null for anonymous visitors.",
        session_id=ID,
        customer_id=ID,
        started_at=TS,
        device=TEXT,
        traffic_source=TEXT,
        campaign_id=ID,
        geo_id=ID,
        landing_page=TEXT,
    ),
    _table(
        "funnel_events",
        ("event_id",),
        "Clickstream events of a session (stages in contract.FUNNEL_STAGES).",
        event_id=ID,
        session_id=ID,
        event_ts=TS,
        stage=TEXT,
        product_id=ID,
        order_id=ID,
        failure_reason=TEXT,
    ),
    _table(
        "orders",
        ("order_id",),
        "Order headers; a status change arrives as a new row with a later updated_at. "
        "gross = sum(qty * unit_sell_price), discount = sum(line_discount), tax = sum(line_tax), "
        "net_amount = gross - discount + tax + shipping_fee (what the customer is charged).",
        order_id=ID,
        customer_id=ID,
        session_id=ID,
        order_ts=TS,
        status=TEXT,
        channel=TEXT,
        currency=TEXT,
        gross_amount=MONEY,
        discount_amount=MONEY,
        tax_amount=MONEY,
        shipping_fee=MONEY,
        net_amount=MONEY,
        promo_code=TEXT,
        ship_to_geo_id=ID,
        updated_at=TS,
    ),
    _table(
        "order_items",
        ("order_id", "line_no"),
        "Order lines in the order currency.",
        order_id=ID,
        line_no=INT,
        product_id=ID,
        qty=INT,
        unit_list_price=MONEY,
        unit_sell_price=MONEY,
        line_discount=MONEY,
        line_tax=MONEY,
        updated_at=TS,
    ),
    _table(
        "payments",
        ("payment_id",),
        "Payment attempts; failed attempts carry a failure_reason.",
        payment_id=ID,
        order_id=ID,
        attempt_no=INT,
        method=TEXT,
        provider=TEXT,
        status=TEXT,
        amount=MONEY,
        currency=TEXT,
        gateway_fee=MONEY,
        failure_reason=TEXT,
        created_at=TS,
        captured_at=TS,
        updated_at=TS,
    ),
    _table(
        "shipments",
        ("shipment_id",),
        "One shipment per shipped order; shipping_cost in USD.",
        shipment_id=ID,
        order_id=ID,
        fc_id=ID,
        carrier=TEXT,
        shipped_at=TS,
        promised_delivery_date=DATE,
        delivered_at=TS,
        shipping_cost=MONEY,
        status=TEXT,
        updated_at=TS,
    ),
    _table(
        "returns",
        ("return_id",),
        "Returned order lines; refund_amount in the order currency, null when not refunded.",
        return_id=ID,
        order_id=ID,
        line_no=INT,
        product_id=ID,
        qty=INT,
        reason=TEXT,
        requested_at=TS,
        received_at=TS,
        refund_amount=MONEY,
        refunded_at=TS,
        status=TEXT,
        restocked=BOOL,
    ),
    _table(
        "inventory_snapshots",
        ("date", "product_id", "fc_id"),
        "Weekly stock position per product and fulfillment center (and on the extract's last day).",
        date=DATE,
        product_id=ID,
        fc_id=ID,
        on_hand=INT,
        allocated=INT,
        reorder_point=INT,
        inbound=INT,
    ),
)

TABLES_BY_NAME: dict[str, LandingTable] = {table.name: table for table in TABLES}


def landing_table(name: str) -> LandingTable:
    """Look a landing table up by name, with a clear error for unknown names."""
    try:
        return TABLES_BY_NAME[name]
    except KeyError:
        known = ", ".join(TABLES_BY_NAME)
        raise KeyError(f"unknown landing table {name!r}; known tables: {known}") from None


# Anomalies the generator injects, counted per table and kind in manifest.json["anomalies"].
# Rows of these kinds are bad: staging must send each one to quality.quarantine with its kind as
# the rule name, and none may reach the facts.
QUARANTINE_KINDS = (
    "missing_key",
    "negative_quantity",
    "unknown_product",
    "malformed_date",
    "future_date",
    "negative_amount",
    "unknown_currency",
)
# Rows of these kinds are normal in real extracts and must be absorbed, not quarantined:
# - resent_duplicate: an identical row delivered again with a later ingested_at (dedup keeps one);
# - unknown_customer: an order whose customer never arrives (an inferred member that stays so);
# - late_arriving_customer: an order whose customer row arrives only in the next batch
#   (an inferred member, completed when the row arrives).
ABSORBED_KINDS = ("resent_duplicate", "unknown_customer", "late_arriving_customer")
