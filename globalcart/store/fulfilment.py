"""Deliveries and refunds: the steps after checkout that the warehouse needs to count returns.

A delivery records one shipment per order (``app.shipments``) and moves the order to
``delivered``; a return is then either refunded (its line's amount, pro rata to the quantity)
or rejected. Refunds are paid only for returns requested within ``REFUND_WINDOW`` of delivery,
the rule the warehouse applies to net revenue.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from globalcart.store.db import Store, StoreError, new_id, utcnow

REFUND_WINDOW = dt.timedelta(days=30)
DELIVERABLE = ("paid", "fulfilled", "shipped")
CARRIER = "simulated"


def deliver_order(
    store: Store, order_id: str, *, carrier: str = CARRIER, at: dt.datetime | None = None
) -> dict[str, Any]:
    """Ship and deliver a paid order (one shipment, shipped and delivered at ``at``)."""
    with store.write():
        row = store.one("select status from app.orders where order_id = ?", [order_id])
        if row is None:
            raise StoreError("not_found", "order not found")
        if row[0] not in DELIVERABLE:
            raise StoreError("conflict", f"an order in status {row[0]!r} cannot be delivered")
        now = utcnow()
        when = at or now
        shipment_id = new_id()
        store.execute(
            "insert into app.shipments (shipment_id, order_id, carrier, status, shipping_cost, "
            "shipped_at, delivered_at, created_at, updated_at) "
            "values (?, ?, ?, 'delivered', 0, ?, ?, ?, ?)",
            [shipment_id, order_id, carrier, when, when, now, now],
        )
        store.execute(
            "update app.orders set status = 'delivered', updated_at = ? where order_id = ?",
            [now, order_id],
        )
    return {"order_id": order_id, "shipment_id": shipment_id, "delivered_at": when}


def settle_return(store: Store, return_id: str, *, approve: bool = True) -> dict[str, Any]:
    """Receive a requested return and refund it, or reject it.

    A return requested more than ``REFUND_WINDOW`` after delivery is always rejected.
    """
    with store.write():
        row = store.one(
            "select r.status, r.requested_at, r.qty, l.qty, l.line_amount, s.delivered_at "
            "from app.returns as r "
            "inner join app.order_lines as l on l.order_id = r.order_id and l.line_no = r.line_no "
            "left join app.shipments as s on s.order_id = r.order_id "
            "where r.return_id = ?",
            [return_id],
        )
        if row is None:
            raise StoreError("not_found", "return not found")
        status, requested_at, qty, line_qty, line_amount, delivered_at = row
        if status != "requested":
            raise StoreError("conflict", f"a return in status {status!r} cannot be settled")
        in_window = delivered_at is not None and requested_at <= delivered_at + REFUND_WINDOW
        refund: Decimal | None = None
        if approve and in_window:
            refund = (Decimal(line_amount) * int(qty) / int(line_qty)).quantize(Decimal("0.01"))
        now = utcnow()
        store.execute(
            "update app.returns set status = ?, received_at = ?, refund_amount = ?, "
            "refunded_at = ?, updated_at = ? where return_id = ?",
            [
                "refunded" if refund is not None else "rejected",
                now,
                refund,
                now if refund is not None else None,
                now,
                return_id,
            ],
        )
    return {
        "return_id": return_id,
        "status": "refunded" if refund is not None else "rejected",
        "refund_amount": refund,
    }
