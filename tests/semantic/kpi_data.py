"""A tiny hand-made store for the KPI golden tests (March 2024, one landing batch).

Three customers, three products, six sessions, five orders (one cancelled after a failed
payment), one EUR order (rate 1.5) fully refunded after a return, two shipments delivered (one
late) and one in transit, one inventory snapshot, five days of campaign spend. Every expected
value in the tests is worked out by hand from these rows (see the comments there).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from globalcart import contract
from globalcart.engines import Warehouse
from globalcart.pipeline.load import load_landing
from globalcart.pipeline.runner import build

Row = dict[str, Any]
DAYS = [f"2024-02-{d:02d}" for d in range(20, 30)] + [f"2024-03-{d:02d}" for d in range(1, 32)]
INGESTED = dt.datetime(2024, 4, 1, tzinfo=dt.UTC)


def _order(oid: int, cid: int, sid: int | None, ts: str, status: str, cur: str, channel: str,
           gross: float, disc: float, tax: float, ship: float) -> Row:  # fmt: skip
    return {
        "order_id": oid, "customer_id": cid, "session_id": sid, "order_ts": ts, "status": status,
        "channel": channel, "currency": cur, "gross_amount": gross, "discount_amount": disc,
        "tax_amount": tax, "shipping_fee": ship, "net_amount": round(gross - disc + tax + ship, 2),
        "promo_code": None, "ship_to_geo_id": 2 if cur == "EUR" else 1, "updated_at": ts,
    }  # fmt: skip


def _item(oid: int, line: int, pid: int, qty: int, price: float, disc: float, ts: str) -> Row:
    return {
        "order_id": oid, "line_no": line, "product_id": pid, "qty": qty,
        "unit_list_price": price, "unit_sell_price": price, "line_discount": disc,
        "line_tax": 0.0, "updated_at": ts,
    }  # fmt: skip


def _pay(pid: int, oid: int, attempt: int, status: str, method: str, provider: str,
         amount: float, cur: str, fee: float, ts: str) -> Row:  # fmt: skip
    return {
        "payment_id": pid, "order_id": oid, "attempt_no": attempt, "method": method,
        "provider": provider, "status": status, "amount": amount, "currency": cur,
        "gateway_fee": fee, "failure_reason": "card_declined" if status == "failed" else None,
        "created_at": ts, "captured_at": ts if status == "captured" else None, "updated_at": ts,
    }  # fmt: skip


def _session(sid: int, cid: int | None, ts: str, device: str, source: str,
             campaign: int | None) -> Row:  # fmt: skip
    return {
        "session_id": sid, "customer_id": cid, "started_at": ts, "device": device,
        "traffic_source": source, "campaign_id": campaign, "geo_id": 2 if sid == 2 else 1,
        "landing_page": "/",
    }  # fmt: skip


_STAGES = {
    # session: (day-hour, [(stage, product, order)])
    1: ("2024-03-01 09", [("VIEW_PRODUCT", 10, None), ("ADD_TO_CART", 10, None),
        ("CHECKOUT_STARTED", None, None), ("PAYMENT_ATTEMPTED", None, None),
        ("PAYMENT_FAILED", None, None), ("PAYMENT_ATTEMPTED", None, None),
        ("ORDER_PLACED", None, 1)]),
    2: ("2024-03-02 10", [("VIEW_PRODUCT", 20, None), ("ADD_TO_CART", 20, None),
        ("CHECKOUT_STARTED", None, None), ("PAYMENT_ATTEMPTED", None, None),
        ("ORDER_PLACED", None, 2)]),
    3: ("2024-03-02 11", [("VIEW_PRODUCT", 10, None), ("ADD_TO_CART", 10, None)]),
    4: ("2024-03-03 12", [("VIEW_PRODUCT", 30, None), ("ADD_TO_CART", 30, None),
        ("CHECKOUT_STARTED", None, None), ("PAYMENT_ATTEMPTED", None, None),
        ("PAYMENT_FAILED", None, None)]),
    5: ("2024-03-10 09", [("VIEW_PRODUCT", 20, None), ("ADD_TO_CART", 20, None),
        ("CHECKOUT_STARTED", None, None), ("ORDER_PLACED", None, 4)]),
    6: ("2024-03-11 13", [("VIEW_PRODUCT", 30, None)]),
}  # fmt: skip


def _events() -> list[Row]:
    rows: list[Row] = []
    for sid, (hour, stages) in _STAGES.items():
        for minute, (stage, product, order) in enumerate(stages, start=1):
            rows.append({
                "event_id": sid * 100 + minute, "session_id": sid,
                "event_ts": f"{hour}:{minute:02d}:00", "stage": stage, "product_id": product,
                "order_id": order, "failure_reason": None,
            })  # fmt: skip
    return rows


def _customer(cid: int, name: str, geo: int, segment: str, created: str) -> Row:
    return {
        "customer_id": cid, "email": f"{name.lower()}@example.com", "full_name": name,
        "geo_id": geo, "acquisition_channel": "organic", "segment": segment,
        "created_at": created, "updated_at": created,
    }  # fmt: skip


def _product(pid: int, name: str, l1: str, l2: str, brand: str, cost: float, price: float) -> Row:
    return {
        "product_id": pid, "sku": f"SKU-{pid}", "product_name": name, "category_l1": l1,
        "category_l2": l2, "brand": brand, "unit_cost": cost, "list_price": price,
        "is_active": True, "updated_at": "2023-01-01 00:00:00",
    }  # fmt: skip


def _shipment(sid: int, oid: int, fc: int, carrier: str, shipped: str, promised: str,
              delivered: str | None, cost: float) -> Row:  # fmt: skip
    return {
        "shipment_id": sid, "order_id": oid, "fc_id": fc, "carrier": carrier,
        "shipped_at": shipped, "promised_delivery_date": promised, "delivered_at": delivered,
        "shipping_cost": cost, "status": "delivered" if delivered else "in_transit",
        "updated_at": delivered or shipped,
    }  # fmt: skip


TABLES: dict[str, list[Row]] = {
    "geo": [
        {"geo_id": 1, "country": "United States", "country_code": "US", "region": "NA",
         "city": "New York", "currency": "USD"},
        {"geo_id": 2, "country": "Germany", "country_code": "DE", "region": "EU",
         "city": "Berlin", "currency": "EUR"},
    ],
    "fx_rates": [
        {"date": d, "currency": c, "rate_to_usd": r}
        for d in DAYS for c, r in (("USD", 1.0), ("EUR", 1.5))
    ],
    "fulfillment_centers": [
        {"fc_id": 1, "fc_name": "NJ-1", "geo_id": 1, "timezone": "America/New_York"},
        {"fc_id": 2, "fc_name": "BER-1", "geo_id": 2, "timezone": "Europe/Berlin"},
    ],
    "customers": [
        _customer(1, "Ann", 1, "Premium", "2024-02-20 08:00:00"),
        _customer(2, "Bob", 2, "Regular", "2024-02-25 08:00:00"),
        _customer(3, "Cat", 1, "Budget", "2024-03-01 08:00:00"),
    ],
    "products": [
        _product(10, "Mug", "Home", "Kitchen", "Acme", 4.0, 10.0),
        _product(20, "Lamp", "Home", "Lighting", "Lumo", 30.0, 50.0),
        _product(30, "Book", "Media", "Books", "Readr", 2.0, 8.0),
    ],
    "campaigns": [
        {"campaign_id": 1, "name": "Spring", "channel": "paid_search",
         "start_date": "2024-03-01", "end_date": "2024-03-31", "budget": 1000.0},
    ],
    "marketing_spend": [
        {"date": f"2024-03-0{d}", "campaign_id": 1, "spend": 20.0, "impressions": 500,
         "clicks": 10} for d in range(1, 6)
    ],
    "sessions": [
        _session(1, 1, "2024-03-01 09:00:00", "desktop", "paid_search", 1),
        _session(2, 2, "2024-03-02 10:00:00", "mobile", "organic", None),
        _session(3, None, "2024-03-02 11:00:00", "mobile", "organic", None),
        _session(4, 3, "2024-03-03 12:00:00", "desktop", "paid_search", 1),
        _session(5, 1, "2024-03-10 09:00:00", "desktop", "email", None),
        _session(6, None, "2024-03-11 13:00:00", "tablet", "social", None),
    ],
    "funnel_events": _events(),
    "orders": [
        _order(1, 1, 1, "2024-03-01 09:30:00", "delivered", "USD", "web", 20, 2, 1.8, 5),
        _order(2, 2, 2, "2024-03-02 10:30:00", "delivered", "EUR", "mobile_app", 50, 0, 10, 0),
        _order(3, 3, 4, "2024-03-03 12:30:00", "cancelled", "USD", "web", 24, 0, 2.4, 3),
        _order(4, 1, 5, "2024-03-10 09:30:00", "shipped", "USD", "web", 66, 14, 5.6, 0),
        _order(5, 3, None, "2024-03-20 15:00:00", "paid", "USD", "marketplace", 10, 0, 1, 4),
    ],
    "order_items": [
        _item(1, 1, 10, 2, 10.0, 2.0, "2024-03-01 09:30:00"),
        _item(2, 1, 20, 1, 50.0, 0.0, "2024-03-02 10:30:00"),
        _item(3, 1, 30, 3, 8.0, 0.0, "2024-03-03 12:30:00"),
        _item(4, 1, 20, 1, 50.0, 14.0, "2024-03-10 09:30:00"),
        _item(4, 2, 30, 2, 8.0, 0.0, "2024-03-10 09:30:00"),
        _item(5, 1, 10, 1, 10.0, 0.0, "2024-03-20 15:00:00"),
    ],
    "payments": [
        _pay(1, 1, 1, "failed", "card", "stripe", 24.8, "USD", 0.0, "2024-03-01 09:29:00"),
        _pay(2, 1, 2, "captured", "card", "stripe", 24.8, "USD", 0.5, "2024-03-01 09:30:00"),
        _pay(3, 2, 1, "captured", "paypal", "paypal", 60.0, "EUR", 1.0, "2024-03-02 10:30:00"),
        _pay(4, 3, 1, "failed", "card", "adyen", 29.4, "USD", 0.0, "2024-03-03 12:30:00"),
        _pay(5, 4, 1, "captured", "card", "stripe", 57.6, "USD", 0.8, "2024-03-10 09:30:00"),
        _pay(6, 5, 1, "captured", "klarna", "klarna", 15.0, "USD", 0.4, "2024-03-20 15:00:00"),
    ],
    "shipments": [
        _shipment(1, 1, 1, "UPS", "2024-03-02 08:00:00", "2024-03-05", "2024-03-04 12:00:00", 4),
        _shipment(2, 2, 2, "DHL", "2024-03-03 08:00:00", "2024-03-04", "2024-03-05 12:00:00", 6),
        _shipment(3, 4, 1, "UPS", "2024-03-11 08:00:00", "2024-03-14", None, 5),
    ],
    "returns": [
        {"return_id": 1, "order_id": 2, "line_no": 1, "product_id": 20, "qty": 1,
         "reason": "damaged", "requested_at": "2024-03-08 10:00:00",
         "received_at": "2024-03-10 10:00:00", "refund_amount": 50.0,
         "refunded_at": "2024-03-10 12:00:00", "status": "refunded", "restocked": False},
    ],
    "inventory_snapshots": [
        {"date": "2024-03-20", "product_id": pid, "fc_id": fc, "on_hand": on_hand,
         "allocated": allocated, "reorder_point": 5, "inbound": 0}
        for pid, fc, on_hand, allocated in ((10, 1, 10, 2), (20, 1, 3, 1), (30, 2, 4, 0))
    ],
}  # fmt: skip


def write_landing(out: Path) -> Path:
    """Write the store as one landing batch (Parquet + manifest) into ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    tables: dict[str, Any] = {}
    for name in contract.TABLES_BY_NAME:
        schema = contract.landing_table(name).schema
        rows = TABLES.get(name, [])
        data = {col: [row.get(col) for row in rows] for col in schema.names}
        data["ingested_at"] = [INGESTED] * len(rows)
        path = out / f"{name}.parquet"
        pq.write_table(pa.table(data, schema=schema), path)
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        tables[name] = {"files": [path.name], "rows": len(rows), "sha256": {path.name: digest}}
    manifest = {
        "batch_id": "kpi-golden-1",
        "parameters": {"scale": "kpi-golden"},
        "window": {"start": "2024-02-20 00:00:00", "end": "2024-04-01 00:00:00"},
        "tables": tables,
        "anomalies": {},
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    return out


def load_and_build(warehouse: Warehouse, tmp: Path) -> None:
    load_landing(warehouse, write_landing(tmp / "landing"))
    build(warehouse)
