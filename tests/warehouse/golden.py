"""A tiny hand-built landing data set (golden data) in three batches, written with pyarrow.

Batch 1 holds the base data and one injected anomaly of each quarantine kind; batch 2 brings a
late-arriving customer, a customer segment change, status updates and a late return; batch 3 a
product price change and a new order. Expected values in the tests are computed by hand from
these rows.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq
from golden_base import (
    BATCH1,
    BATCH1_ANOMALIES,
    DAYS,
    Row,
    _fx,
    _item,
    _order,
    _payment,
)

from globalcart import contract

BATCH2: dict[str, list[Row]] = {
    "fx_rates": _fx(DAYS[9:11]),
    "customers": [
        {
            "customer_id": 4,
            "email": "dan@example.com",
            "full_name": "Dan",
            "geo_id": 1,
            "acquisition_channel": "social",
            "segment": "Regular",
            "created_at": "2023-12-20 09:00:00",
            "updated_at": "2023-12-20 09:00:00",
        },
        {
            "customer_id": 2,
            "email": "bob@example.com",
            "full_name": "Bob",
            "geo_id": 2,
            "acquisition_channel": "organic",
            "segment": "Premium",
            "created_at": "2023-12-02 09:00:00",
            "updated_at": "2024-01-10 09:00:00",
        },
    ],
    "orders": [
        _order(
            1002,
            2,
            "2024-01-03 12:00:00",
            "delivered",
            "EUR",
            40.0,
            0.0,
            8.0,
            0.0,
            "2024-01-06 09:00:00",
        ),
        _order(1011, 2, "2024-01-11 10:00:00", "paid", "EUR", 80.0, 8.0, 14.4, 0.0),
    ],
    "order_items": [_item(1011, 1, 11, 2, 40.0, 8.0, 14.4, "2024-01-11 10:00:00")],
    "payments": [_payment(8, 1011, 1, "captured", 86.4, "EUR", "2024-01-11 10:01:00")],
    "shipments": [
        {
            "shipment_id": 502,
            "order_id": 1002,
            "fc_id": 2,
            "carrier": "DHL",
            "shipped_at": "2024-01-04 08:00:00",
            "promised_delivery_date": "2024-01-07",
            "delivered_at": "2024-01-08 10:00:00",
            "shipping_cost": 6.0,
            "status": "delivered",
            "updated_at": "2024-01-08 10:00:00",
        },
    ],
    "returns": [
        {
            "return_id": 902,
            "order_id": 1002,
            "line_no": 1,
            "product_id": 11,
            "qty": 1,
            "reason": "changed_mind",
            "requested_at": "2024-01-11 10:00:00",
            "received_at": "2024-01-11 18:00:00",
            "refund_amount": 40.0,
            "refunded_at": "2024-01-11 20:00:00",
            "status": "refunded",
            "restocked": True,
        },
    ],
}

BATCH3: dict[str, list[Row]] = {
    "fx_rates": _fx(DAYS[11:13]),
    "products": [
        # product 999 arrives late: order 1004's line 2 leaves quarantine's verdict and is built
        {
            "product_id": 999,
            "sku": "SKU-999",
            "product_name": "Late",
            "category_l1": "Home",
            "category_l2": "Misc",
            "brand": "Acme",
            "unit_cost": 4.0,
            "list_price": 10.0,
            "is_active": True,
            "updated_at": "2023-01-01 00:00:00",
        },
        {
            "product_id": 10,
            "sku": "SKU-10",
            "product_name": "Mug",
            "category_l1": "Home",
            "category_l2": "Kitchen",
            "brand": "Acme",
            "unit_cost": 6.0,
            "list_price": 12.0,
            "is_active": True,
            "updated_at": "2024-01-12 00:00:00",
        },
    ],
    "orders": [
        _order(1012, 3, "2024-01-13 10:00:00", "paid", "GBP", 24.0, 0.0, 4.8, 2.0),
        _order(
            1011,
            2,
            "2024-01-11 10:00:00",
            "shipped",
            "EUR",
            80.0,
            8.0,
            14.4,
            0.0,
            "2024-01-13 09:00:00",
        ),
    ],
    "order_items": [_item(1012, 1, 10, 2, 12.0, 0.0, 4.8, "2024-01-13 10:00:00")],
    "payments": [_payment(9, 1012, 1, "captured", 30.8, "GBP", "2024-01-13 10:01:00")],
}
BATCHES = (BATCH1, BATCH2, BATCH3)
INGESTED = (
    dt.datetime(2024, 1, 10, tzinfo=dt.UTC),
    dt.datetime(2024, 1, 12, tzinfo=dt.UTC),
    dt.datetime(2024, 1, 14, tzinfo=dt.UTC),
)


def table_of(name: str, rows: list[Row], ingested: dt.datetime) -> pa.Table:
    """Arrow table with the contract schema; every row ingested at ``ingested``."""
    table = contract.landing_table(name)
    data = {col: [row.get(col) for row in rows] for col in table.column_names}
    data["ingested_at"] = [ingested] * len(rows)
    return pa.table(data, schema=table.schema)


def write_batch(out: Path, number: int, fmt: str = "parquet") -> Path:
    """Write batch ``number`` (1-based) as a landing directory with a manifest; returns ``out``."""
    return write_rows(
        out,
        BATCHES[number - 1],
        INGESTED[number - 1],
        f"golden-{number}",
        fmt=fmt,
        resend_order=number == 1,
        anomalies=BATCH1_ANOMALIES if number == 1 else {},
    )


def write_rows(
    out: Path,
    rows_by_table: dict[str, list[Row]],
    ingested: dt.datetime,
    batch_id: str,
    fmt: str = "parquet",
    resend_order: bool = False,
    anomalies: dict[str, Any] | None = None,
) -> Path:
    """Write ``rows_by_table`` as a landing directory with a manifest; returns ``out``.
    ``resend_order`` appends a duplicate of the second order, delivered a second later."""
    out.mkdir(parents=True, exist_ok=True)
    tables: dict[str, Any] = {}
    for name in contract.TABLES_BY_NAME:
        rows = rows_by_table.get(name, [])
        data = table_of(name, rows, ingested)
        if resend_order and name == "orders":
            again = table_of(name, [rows[1]], ingested + dt.timedelta(seconds=1))
            data = pa.concat_tables([data, again])
        path = out / f"{name}.{fmt}"
        if fmt == "csv":
            pa_csv.write_csv(data, path)
        else:
            pq.write_table(data, path)
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        tables[name] = {"files": [path.name], "rows": data.num_rows, "sha256": {path.name: digest}}
    manifest = {
        "batch_id": batch_id,
        "parameters": {"scale": "golden"},
        "window": {"start": "2024-01-01 00:00:00", "end": ingested.strftime("%Y-%m-%d %H:%M:%S")},
        "tables": tables,
        "anomalies": anomalies or {},
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    return out
