"""Checkout (atomic stock reservation, simulated payment), orders, cancellations and returns."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from globalcart.store.addresses import COLUMNS as ADDRESS_COLUMNS
from globalcart.store.addresses import ShippingAddress, address_of, remember_address
from globalcart.store.carts import cart_lines
from globalcart.store.db import Store, StoreError, new_id, utcnow

PaymentOutcome = Literal["success", "card_declined", "bank_down"]
CANCELLABLE = ("created", "paid")
RETURNABLE = ("delivered",)
ZERO = Decimal("0.00")


def _for_update(store: Store) -> str:
    return " for update" if store.dialect == "postgres" else ""


def reserve_order(store: Store, user_id: str, address: ShippingAddress | None = None) -> str:
    """Turn the customer's cart into an order in status ``created``, reserving its stock; the
    order keeps ``address`` (API clients may check out without one).

    Every line is reserved with a conditional update (``on_hand - reserved >= qty``), in product
    order, inside one transaction: either all lines are reserved or none is, and stock can never
    be oversold by concurrent checkouts. Raises ``StoreError('out_of_stock')`` or ``('invalid')``.
    """
    with store.write():
        cart = store.one("select cart_id from app.carts where user_id = ?", [user_id])
        lines = cart_lines(store, str(cart[0])) if cart else []
        if not lines:
            raise StoreError("invalid", "the cart is empty")
        now = utcnow()
        for line in sorted(lines, key=lambda item: item["product_id"]):
            reserved = store.query(
                "update app.inventory set reserved = reserved + ?, updated_at = ? "
                "where product_id = ? and on_hand - reserved >= ? returning product_id",
                [line["qty"], now, line["product_id"], line["qty"]],
            )
            if not reserved:
                raise StoreError(
                    "out_of_stock", f"not enough stock of product {line['product_id']}"
                )
        order_id = new_id()
        gross = sum((line["line_amount"] for line in lines), ZERO)
        ship = address.values() if address else [None] * len(ADDRESS_COLUMNS)
        store.execute(
            "insert into app.orders (order_id, user_id, status, currency, gross_amount, "
            "discount_amount, tax_amount, shipping_fee, net_amount, created_at, updated_at, "
            f"{', '.join(ADDRESS_COLUMNS)}) "
            "values (?, ?, 'created', 'USD', ?, 0, 0, 0, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [order_id, user_id, gross, gross, now, now, *ship],
        )
        for line_no, line in enumerate(lines, start=1):
            store.execute(
                "insert into app.order_lines (order_id, line_no, product_id, qty, unit_price, "
                "line_amount) values (?, ?, ?, ?, ?, ?)",
                [
                    order_id,
                    line_no,
                    line["product_id"],
                    line["qty"],
                    line["unit_price"],
                    line["line_amount"],
                ],
            )
    return order_id


def _values(rows: int, columns: int) -> str:
    """``(?, …), (?, …)``: the placeholders of a multi-row insert."""
    one = "(" + ", ".join("?" * columns) + ")"
    return ", ".join([one] * rows)


def place_order(
    store: Store,
    user_id: str,
    outcome: PaymentOutcome,
    method: str = "card",
    address: ShippingAddress | None = None,
) -> dict[str, Any]:
    """Check out the customer's cart in ONE transaction (the caller's when it has one): take the
    stock, record the order, its lines and the (simulated) payment, and empty the cart; returns
    the order as :func:`get_order` would read it back. Raises ``StoreError('out_of_stock')`` or
    ``('invalid')`` (nothing is written then).

    The same effects as :func:`reserve_order` followed by :func:`settle_payment`, without the
    intermediate reservation nobody else could see: a paid order takes its units straight off
    the shelf, and a failed payment leaves the stock as it was (its rows are still locked and
    checked, so that an out-of-stock cart gets a 409 before any payment attempt). Stock rows are
    updated in product order with the same conditional update, so concurrent checkouts neither
    oversell nor deadlock. The order, its lines, the payment and the emptied cart are written
    together at the commit (:meth:`Store.defer`).
    """
    with store.write():
        rows = store.query(
            "select c.cart_id, l.product_id, l.qty, p.list_price from app.carts as c "
            "inner join app.cart_lines as l on l.cart_id = c.cart_id "
            "inner join app.products as p on p.product_id = l.product_id "
            "where c.user_id = ? order by l.added_at, l.line_id",
            [user_id],
        )
        if not rows:
            raise StoreError("invalid", "the cart is empty")
        now = utcnow()
        success = outcome == "success"
        take = (
            "update app.inventory set on_hand = on_hand - ?, updated_at = ? "
            if success
            else "update app.inventory set updated_at = ? "
        ) + "where product_id = ? and on_hand - reserved >= ? returning product_id"
        for _, product_id, qty, _ in sorted(rows, key=lambda row: int(row[1])):
            params = [qty, now, product_id, qty] if success else [now, product_id, qty]
            if not store.query(take, params):
                raise StoreError("out_of_stock", f"not enough stock of product {product_id}")
        order_id, payment_id = new_id(), new_id()
        amounts = [Decimal(price) * int(qty) for _, _, qty, price in rows]
        gross = sum(amounts, ZERO)
        lines: list[dict[str, Any]] = [
            {
                "line_no": line_no,
                "product_id": int(product_id),
                "qty": int(qty),
                "unit_price": Decimal(price),
                "line_amount": amount,
            }
            for line_no, ((_, product_id, qty, price), amount) in enumerate(
                zip(rows, amounts, strict=True), start=1
            )
        ]
        status = "paid" if success else "cancelled"
        reason = None if success else f"payment_failed:{outcome}"
        ship = address.values() if address else [None] * len(ADDRESS_COLUMNS)
        store.defer(
            "insert into app.orders (order_id, user_id, status, currency, gross_amount, "
            "discount_amount, tax_amount, shipping_fee, net_amount, cancel_reason, created_at, "
            f"updated_at, {', '.join(ADDRESS_COLUMNS)}) "
            "values (?, ?, ?, 'USD', ?, 0, 0, 0, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [order_id, user_id, status, gross, gross, reason, now, now, *ship],
        )
        if address is not None:
            remember_address(store, user_id, address, now)
        store.defer(
            "insert into app.order_lines (order_id, line_no, product_id, qty, unit_price, "
            f"line_amount) values {_values(len(lines), 6)}",
            [value for line in lines for value in (order_id, *line.values())],
        )
        payment = {
            "payment_id": payment_id,
            "status": "captured" if success else "failed",
            "amount": gross,
            "failure_reason": None if success else outcome,
            "created_at": now,
        }
        store.defer(
            "insert into app.payments (payment_id, order_id, attempt_no, method, provider, "
            "status, amount, currency, failure_reason, created_at, captured_at, updated_at) "
            "values (?, ?, 1, ?, 'simulated', ?, ?, 'USD', ?, ?, ?, ?)",
            [payment_id, order_id, method, payment["status"], gross, payment["failure_reason"],
             now, now if success else None, now],
        )  # fmt: skip
        if success:
            store.defer("delete from app.cart_lines where cart_id = ?", [rows[0][0]])
    return {
        "order_id": order_id, "status": status, "currency": "USD", "gross_amount": gross,
        "discount_amount": ZERO, "tax_amount": ZERO, "shipping_fee": ZERO, "net_amount": gross,
        "cancel_reason": reason, "created_at": now, "updated_at": now,
        "shipping_address": address_of(dict(zip(ADDRESS_COLUMNS, ship, strict=True))),
        "lines": lines, "payments": [payment], "returns": [],
    }  # fmt: skip


def _order_lines(store: Store, order_id: str) -> list[tuple[int, int]]:
    rows = store.query(
        "select product_id, qty from app.order_lines where order_id = ? order by product_id",
        [order_id],
    )
    return [(int(r[0]), int(r[1])) for r in rows]


def settle_payment(
    store: Store, order_id: str, outcome: PaymentOutcome, method: str = "card"
) -> str:
    """Record the (simulated) payment of a ``created`` order; returns the order's new status.

    Success captures the payment, takes the reserved units off the shelf and empties the cart;
    a failure records the failed attempt, cancels the order and releases the reservation.
    """
    with store.write():
        row = store.one(
            "select user_id, status, net_amount, currency from app.orders where order_id = ?"
            + _for_update(store),
            [order_id],
        )
        if row is None or row[1] != "created":
            raise StoreError("conflict", "the order is not awaiting payment")
        user_id, amount, currency = str(row[0]), row[2], str(row[3])
        now = utcnow()
        lines = _order_lines(store, order_id)
        success = outcome == "success"
        store.execute(
            "insert into app.payments (payment_id, order_id, attempt_no, method, provider, "
            "status, amount, currency, failure_reason, created_at, captured_at, updated_at) "
            "values (?, ?, 1, ?, 'simulated', ?, ?, ?, ?, ?, ?, ?)",
            [
                new_id(),
                order_id,
                method,
                "captured" if success else "failed",
                amount,
                currency,
                None if success else outcome,
                now,
                now if success else None,
                now,
            ],
        )
        shelf = "on_hand = on_hand - ?, " if success else ""
        for product_id, qty in lines:
            params = [qty, qty] if success else [qty]
            store.execute(
                f"update app.inventory set {shelf}reserved = reserved - ?, updated_at = ? "
                "where product_id = ?",
                [*params, now, product_id],
            )
        status = "paid" if success else "cancelled"
        store.execute(
            "update app.orders set status = ?, cancel_reason = ?, updated_at = ? "
            "where order_id = ?",
            [status, None if success else f"payment_failed:{outcome}", now, order_id],
        )
        if success:
            store.execute(
                "delete from app.cart_lines where cart_id in "
                "(select cart_id from app.carts where user_id = ?)",
                [user_id],
            )
    return status


def cancel_order(store: Store, user_id: str, order_id: str) -> dict[str, Any]:
    """Cancel one of the customer's orders that has not shipped; stock goes back."""
    with store.write():
        row = store.one(
            "select status from app.orders where order_id = ? and user_id = ?" + _for_update(store),
            [order_id, user_id],
        )
        if row is None:
            raise StoreError("not_found", "order not found")
        status = str(row[0])
        if status not in CANCELLABLE:
            raise StoreError("conflict", f"an order in status {status!r} cannot be cancelled")
        now = utcnow()
        column = "on_hand = on_hand + ?" if status == "paid" else "reserved = reserved - ?"
        for product_id, qty in _order_lines(store, order_id):
            store.execute(
                f"update app.inventory set {column}, updated_at = ? where product_id = ?",
                [qty, now, product_id],
            )
        store.execute(
            "update app.payments set status = 'refunded', updated_at = ? "
            "where order_id = ? and status = 'captured'",
            [now, order_id],
        )
        store.execute(
            "update app.orders set status = 'cancelled', cancel_reason = 'customer', "
            "updated_at = ? where order_id = ?",
            [now, order_id],
        )
    order = get_order(store, user_id, order_id)
    assert order is not None
    return order


def release_stale_reservations(store: Store, older_than: dt.timedelta) -> int:
    """Cancel orders stuck awaiting payment (a crash mid-checkout) and free their stock."""
    cutoff = utcnow() - older_than
    stale = store.query(
        "select order_id from app.orders where status = 'created' and created_at < ?", [cutoff]
    )
    for (order_id,) in stale:
        with store.write():
            row = store.one(
                "select status from app.orders where order_id = ?" + _for_update(store),
                [order_id],
            )
            if row is None or row[0] != "created":
                continue
            now = utcnow()
            for product_id, qty in _order_lines(store, str(order_id)):
                store.execute(
                    "update app.inventory set reserved = reserved - ?, updated_at = ? "
                    "where product_id = ?",
                    [qty, now, product_id],
                )
            store.execute(
                "update app.orders set status = 'cancelled', "
                "cancel_reason = 'reservation_expired', updated_at = ? where order_id = ?",
                [now, order_id],
            )
    return len(stale)


def request_return(
    store: Store, user_id: str, order_id: str, line_no: int, qty: int, reason: str
) -> dict[str, Any]:
    """Open a return for one line of a delivered order of the customer."""
    with store.write():
        row = store.one(
            "select o.status, l.product_id, l.qty from app.orders as o "
            "left join app.order_lines as l on l.order_id = o.order_id and l.line_no = ? "
            "where o.order_id = ? and o.user_id = ?",
            [line_no, order_id, user_id],
        )
        if row is None:
            raise StoreError("not_found", "order not found")
        if row[1] is None:
            raise StoreError("not_found", f"order line {line_no} not found")
        if row[0] not in RETURNABLE:
            raise StoreError("conflict", "only delivered orders can be returned")
        if qty > int(row[2]):
            raise StoreError("invalid", f"at most {row[2]} units of this line can be returned")
        if store.one(
            "select 1 from app.returns where order_id = ? and line_no = ?", [order_id, line_no]
        ):
            raise StoreError("conflict", "a return was already requested for this line")
        return_id = new_id()
        store.execute(
            "insert into app.returns (return_id, order_id, line_no, product_id, qty, reason, "
            "status, requested_at) values (?, ?, ?, ?, ?, ?, 'requested', ?)",
            [return_id, order_id, line_no, row[1], qty, reason, utcnow()],
        )
    return {
        "return_id": return_id,
        "order_id": order_id,
        "line_no": line_no,
        "qty": qty,
        "status": "requested",
    }


_ORDER_COLUMNS = (
    "order_id", "status", "currency", "gross_amount", "discount_amount", "tax_amount",
    "shipping_fee", "net_amount", "cancel_reason", "created_at", "updated_at",
)  # fmt: skip


def list_orders(store: Store, user_id: str, limit: int, offset: int) -> list[dict[str, Any]]:
    rows = store.query(
        f"select {', '.join(_ORDER_COLUMNS)} from app.orders where user_id = ? "
        "order by created_at desc, order_id limit ? offset ?",
        [user_id, limit, offset],
    )
    return [dict(zip(_ORDER_COLUMNS, r, strict=True)) for r in rows]


def _children(
    store: Store, table: str, columns: tuple[str, ...], order_by: str, order_id: str
) -> list[dict[str, Any]]:
    """Rows of ``table`` that belong to an order, as dicts of ``columns``."""
    rows = store.query(
        f"select {', '.join(columns)} from {table} where order_id = ? order by {order_by}",
        [order_id],
    )
    return [dict(zip(columns, row, strict=True)) for row in rows]


def get_order(store: Store, user_id: str, order_id: str) -> dict[str, Any] | None:
    """An order with its shipping address, lines, payments and returns, only when it belongs
    to ``user_id``."""
    columns = (*_ORDER_COLUMNS, *ADDRESS_COLUMNS)
    row = store.one(
        f"select {', '.join(columns)} from app.orders where order_id = ? and user_id = ?",
        [order_id, user_id],
    )
    if row is None:
        return None
    found = dict(zip(columns, row, strict=True))
    order = {column: found[column] for column in _ORDER_COLUMNS}
    order["shipping_address"] = address_of(found)
    order["lines"] = _children(
        store,
        "app.order_lines",
        ("line_no", "product_id", "qty", "unit_price", "line_amount"),
        "line_no",
        order_id,
    )
    order["payments"] = _children(
        store,
        "app.payments",
        ("payment_id", "status", "amount", "failure_reason", "created_at"),
        "attempt_no",
        order_id,
    )
    order["returns"] = _children(
        store,
        "app.returns",
        ("return_id", "line_no", "qty", "status", "requested_at"),
        "line_no",
        order_id,
    )
    return order
