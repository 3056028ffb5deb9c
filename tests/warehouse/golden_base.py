"""The golden data set's first batch and its row builders (see tests/warehouse/golden.py).

Batch 1 holds the base data and one injected anomaly of each quarantine kind; batch 2 brings a
late-arriving customer, a customer segment change, status updates and a late return; batch 3 a
product price change and a new order. Expected values in the tests are computed by hand from
these rows.
"""

from __future__ import annotations

from typing import Any

Row = dict[str, Any]
DAYS = [f"2024-01-{day:02d}" for day in range(1, 21)]


def _fx(days: list[str]) -> list[Row]:
    return [{"date": d, "currency": c, "rate_to_usd": r} for d in days for c, r in RATES.items()]


RATES = {"USD": 1.0, "EUR": 1.1, "GBP": 1.25}


def _order(
    oid: int,
    cid: int | None,
    ts: str,
    status: str,
    cur: str,
    gross: float,
    disc: float,
    tax: float,
    ship: float,
    updated: str | None = None,
    **extra: Any,
) -> Row:
    row = {
        "order_id": oid,
        "customer_id": cid,
        "session_id": oid - 900 if oid else None,
        "order_ts": ts,
        "status": status,
        "channel": "web",
        "currency": cur,
        "gross_amount": gross,
        "discount_amount": disc,
        "tax_amount": tax,
        "shipping_fee": ship,
        "net_amount": round(gross - disc + tax + ship, 2),
        "promo_code": None,
        "ship_to_geo_id": 1,
        "updated_at": updated or ts,
    }
    row.update(extra)
    return row


def _item(
    oid: int, line: int, pid: int, qty: int, price: float, disc: float, tax: float, ts: str
) -> Row:
    return {
        "order_id": oid,
        "line_no": line,
        "product_id": pid,
        "qty": qty,
        "unit_list_price": price,
        "unit_sell_price": price,
        "line_discount": disc,
        "line_tax": tax,
        "updated_at": ts,
    }


def _payment(
    pid: int,
    oid: int,
    attempt: int,
    status: str,
    amount: float,
    cur: str,
    ts: str,
    failure: str | None = None,
) -> Row:
    return {
        "payment_id": pid,
        "order_id": oid,
        "attempt_no": attempt,
        "method": "card",
        "provider": "stripe",
        "status": status,
        "amount": amount,
        "currency": cur,
        "gateway_fee": 0.3 if status != "failed" else 0.0,
        "failure_reason": failure,
        "created_at": ts,
        "captured_at": ts if status == "captured" else None,
        "updated_at": ts,
    }


BATCH1: dict[str, list[Row]] = {
    "geo": [
        {
            "geo_id": 1,
            "country": "United States",
            "country_code": "US",
            "region": "NA",
            "city": "New York",
            "currency": "USD",
        },
        {
            "geo_id": 2,
            "country": "Germany",
            "country_code": "DE",
            "region": "EU",
            "city": "Berlin",
            "currency": "EUR",
        },
        {
            "geo_id": 3,
            "country": "United Kingdom",
            "country_code": "GB",
            "region": "EU",
            "city": "London",
            "currency": "GBP",
        },
    ],
    "fx_rates": _fx(DAYS[:9]),
    "fulfillment_centers": [
        {"fc_id": 1, "fc_name": "NJ-1", "geo_id": 1, "timezone": "America/New_York"},
        {"fc_id": 2, "fc_name": "BER-1", "geo_id": 2, "timezone": "Europe/Berlin"},
    ],
    "customers": [
        {
            "customer_id": 1,
            "email": " Ann@Example.com ",
            "full_name": "Ann",
            "geo_id": 1,
            "acquisition_channel": "paid_search",
            "segment": "Premium",
            "created_at": "2023-12-01 09:00:00",
            "updated_at": "2023-12-01 09:00:00",
        },
        {
            "customer_id": 2,
            "email": "bob@example.com",
            "full_name": "Bob",
            "geo_id": 2,
            "acquisition_channel": "organic",
            "segment": "Regular",
            "created_at": "2023-12-02 09:00:00",
            "updated_at": "2023-12-02 09:00:00",
        },
        {
            "customer_id": 3,
            "email": "cat@example.com",
            "full_name": "Cat",
            "geo_id": 3,
            "acquisition_channel": "email",
            "segment": "Budget",
            "created_at": "2023-12-03 09:00:00",
            "updated_at": "2023-12-03 09:00:00",
        },
    ],
    "products": [
        {
            "product_id": 10,
            "sku": "SKU-10",
            "product_name": "Mug",
            "category_l1": "Home",
            "category_l2": "Kitchen",
            "brand": "Acme",
            "unit_cost": 5.0,
            "list_price": 10.0,
            "is_active": True,
            "updated_at": "2023-01-01 00:00:00",
        },
        {
            "product_id": 11,
            "sku": "SKU-11",
            "product_name": "Lamp",
            "category_l1": "Home",
            "category_l2": "Lighting",
            "brand": "Lumo",
            "unit_cost": 20.0,
            "list_price": 40.0,
            "is_active": True,
            "updated_at": "2023-01-01 00:00:00",
        },
    ],
    "campaigns": [
        {
            "campaign_id": 1,
            "name": "Winter",
            "channel": "paid_search",
            "start_date": "2024-01-01",
            "end_date": "2024-01-31",
            "budget": 1000.0,
        },
    ],
    "marketing_spend": [
        {"date": day, "campaign_id": 1, "spend": 50.0, "impressions": 1000, "clicks": 40}
        for day in DAYS[:5]
    ],
    "sessions": [
        {
            "session_id": oid - 900 if oid else None,
            "customer_id": cid,
            "started_at": ts,
            "device": "mobile",
            "traffic_source": "paid_search",
            "campaign_id": 1,
            "geo_id": 1,
            "landing_page": "/",
        }
        for oid, cid, ts in [
            (1001, 1, "2024-01-02 09:50:00"),
            (1002, 2, "2024-01-03 11:50:00"),
            (1003, 4, "2024-01-04 12:50:00"),
            (1004, 99, "2024-01-04 13:50:00"),
            (1005, 3, "2024-01-05 14:50:00"),
            (1006, 1, "2024-01-05 15:50:00"),
            (1050, None, "2024-01-05 16:00:00"),
        ]
    ],
    "funnel_events": [
        {
            "event_id": 1,
            "session_id": 101,
            "event_ts": "2024-01-02 09:51:00",
            "stage": "VIEW_PRODUCT",
            "product_id": 10,
            "order_id": None,
            "failure_reason": None,
        },
        {
            "event_id": 2,
            "session_id": 101,
            "event_ts": "2024-01-02 09:55:00",
            "stage": "ADD_TO_CART",
            "product_id": 10,
            "order_id": None,
            "failure_reason": None,
        },
        {
            "event_id": 3,
            "session_id": 101,
            "event_ts": "2024-01-02 10:00:00",
            "stage": "ORDER_PLACED",
            "product_id": None,
            "order_id": 1001,
            "failure_reason": None,
        },
        {
            "event_id": 4,
            "session_id": 150,
            "event_ts": "2024-01-05 16:01:00",
            "stage": "view_product",
            "product_id": 11,
            "order_id": None,
            "failure_reason": None,
        },
    ],
    "orders": [
        _order(1001, 1, "2024-01-02 10:00:00", "paid", "USD", 40.0, 4.0, 3.6, 5.0),
        _order(
            1001,
            1,
            "2024-01-02 10:00:00",
            "delivered",
            "USD",
            40.0,
            4.0,
            3.6,
            5.0,
            "2024-01-05 12:00:00",
        ),
        _order(1002, 2, "2024-01-03 12:00:00", "shipped", "EUR", 40.0, 0.0, 8.0, 0.0),
        _order(1003, 4, "2024-01-04 13:00:00", "paid", "USD", 10.0, 0.0, 1.0, 5.0),
        _order(1004, 99, "2024-01-04 14:00:00", "paid", "USD", 20.0, 0.0, 2.0, 5.0),
        _order(1005, 3, "2024-01-05 15:00:00", "created", "GBP", 10.0, 0.0, 2.0, 3.0),
        _order(1006, 1, "2024-01-05 16:00:00", "cancelled", "USD", 40.0, 0.0, 4.0, 0.0),
        # anomalies, one per quarantine kind
        _order(None, 1, "2024-01-05 17:00:00", "paid", "USD", 10.0, 0.0, 1.0, 0.0),
        _order(1007, 1, "31/12/2024 10:00", "paid", "USD", 10.0, 0.0, 1.0, 0.0),
        _order(1008, 1, "2030-01-01 00:00:00", "paid", "USD", 10.0, 0.0, 1.0, 0.0),
        _order(1009, 1, "2024-01-05 18:00:00", "paid", "XYZ", 10.0, 0.0, 1.0, 0.0),
        _order(1010, 1, "2024-01-05 19:00:00", "paid", "USD", -10.0, 0.0, 1.0, 0.0),
    ],
    "order_items": [
        _item(1001, 1, 10, 2, 10.0, 2.0, 1.8, "2024-01-02 10:00:00"),
        _item(1001, 2, 10, 2, 10.0, 2.0, 1.8, "2024-01-02 10:00:00"),
        _item(1002, 1, 11, 1, 40.0, 0.0, 8.0, "2024-01-03 12:00:00"),
        _item(1003, 1, 10, 1, 10.0, 0.0, 1.0, "2024-01-04 13:00:00"),
        _item(1003, 2, 10, -1, 10.0, 0.0, 0.0, "2024-01-04 13:00:00"),
        _item(1004, 1, 10, 2, 10.0, 0.0, 2.0, "2024-01-04 14:00:00"),
        _item(1004, 2, 999, 1, 10.0, 0.0, 0.0, "2024-01-04 14:00:00"),
        _item(1005, 1, 10, 1, 10.0, 0.0, 2.0, "2024-01-05 15:00:00"),
        _item(1006, 1, 11, 1, 40.0, 0.0, 4.0, "2024-01-05 16:00:00"),
    ],
    "payments": [
        _payment(1, 1001, 1, "failed", 44.6, "USD", "2024-01-02 10:00:10", "card_declined"),
        _payment(2, 1001, 2, "captured", 44.6, "USD", "2024-01-02 10:01:00"),
        _payment(3, 1002, 1, "captured", 48.0, "EUR", "2024-01-03 12:01:00"),
        _payment(4, 1003, 1, "captured", 16.0, "USD", "2024-01-04 13:01:00"),
        _payment(5, 1004, 1, "captured", 27.0, "USD", "2024-01-04 14:01:00"),
        _payment(6, 1005, 1, "failed", 15.0, "GBP", "2024-01-05 15:01:00", "insufficient_funds"),
        _payment(7, 1006, 1, "refunded", 44.0, "USD", "2024-01-05 16:01:00"),
    ],
    "shipments": [
        {
            "shipment_id": 501,
            "order_id": 1001,
            "fc_id": 1,
            "carrier": "UPS",
            "shipped_at": "2024-01-03 08:00:00",
            "promised_delivery_date": "2024-01-06",
            "delivered_at": "2024-01-05 12:00:00",
            "shipping_cost": 4.5,
            "status": "delivered",
            "updated_at": "2024-01-05 12:00:00",
        },
        {
            "shipment_id": 502,
            "order_id": 1002,
            "fc_id": 2,
            "carrier": "DHL",
            "shipped_at": "2024-01-04 08:00:00",
            "promised_delivery_date": "2024-01-07",
            "delivered_at": None,
            "shipping_cost": 6.0,
            "status": "in_transit",
            "updated_at": "2024-01-04 08:00:00",
        },
    ],
    "returns": [
        {
            "return_id": 901,
            "order_id": 1001,
            "line_no": 1,
            "product_id": 10,
            "qty": 1,
            "reason": "damaged",
            "requested_at": "2024-01-07 10:00:00",
            "received_at": "2024-01-09 10:00:00",
            "refund_amount": 9.0,
            "refunded_at": "2024-01-09 12:00:00",
            "status": "refunded",
            "restocked": False,
        },
    ],
    "inventory_snapshots": [
        {
            "date": "2024-01-07",
            "product_id": pid,
            "fc_id": fc,
            "on_hand": on_hand,
            "allocated": 2,
            "reorder_point": 5,
            "inbound": 0,
        }
        for pid, fc, on_hand in [(10, 1, 100), (11, 1, 6), (10, 2, 50), (11, 2, 3)]
    ],
}
BATCH1_ANOMALIES = {
    "orders": {
        "missing_key": 1,
        "malformed_date": 1,
        "future_date": 1,
        "unknown_currency": 1,
        "negative_amount": 1,
        "resent_duplicate": 1,
        "late_arriving_customer": 1,
        "unknown_customer": 1,
    },
    "order_items": {"negative_quantity": 1, "unknown_product": 1},
}
