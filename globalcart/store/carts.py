"""Shopping carts: one open cart per customer; the same product merges into one line."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from globalcart.store.db import Store, StoreError, new_id, utcnow

MAX_LINE_QTY = 99


def _cart_id(store: Store, user_id: str, create: bool) -> str | None:
    row = store.one("select cart_id from app.carts where user_id = ?", [user_id])
    if row is not None:
        return str(row[0])
    if not create:
        return None
    now = utcnow()
    # a concurrent first add of the same customer may have created it meanwhile
    created = store.one(
        "insert into app.carts (cart_id, user_id, created_at, updated_at) values (?, ?, ?, ?) "
        "on conflict (user_id) do nothing returning cart_id",
        [new_id(), user_id, now, now],
    )
    return str(created[0]) if created else _cart_id(store, user_id, create=False)


def cart_lines(store: Store, cart_id: str) -> list[dict[str, Any]]:
    rows = store.query(
        "select l.line_id, l.product_id, p.product_name, p.list_price, l.qty, "
        "coalesce(i.on_hand - i.reserved, 0) from app.cart_lines as l "
        "inner join app.products as p on p.product_id = l.product_id "
        "left join app.inventory as i on i.product_id = l.product_id "
        "where l.cart_id = ? order by l.added_at, l.line_id",
        [cart_id],
    )
    return [
        {
            "line_id": str(r[0]),
            "product_id": int(r[1]),
            "product_name": str(r[2]),
            "unit_price": Decimal(r[3]),
            "qty": int(r[4]),
            "line_amount": Decimal(r[3]) * int(r[4]),
            "available": int(r[5]),
        }
        for r in rows
    ]


def _view(store: Store, cart_id: str | None) -> dict[str, Any]:
    lines = cart_lines(store, cart_id) if cart_id else []
    total = sum((line["line_amount"] for line in lines), Decimal("0.00"))
    return {"cart_id": cart_id, "lines": lines, "total": total, "currency": "USD"}


def get_cart(store: Store, user_id: str) -> dict[str, Any]:
    """The customer's cart (empty when they have none yet)."""
    return _view(store, _cart_id(store, user_id, create=False))


def get_cart_by_id(store: Store, user_id: str, cart_id: str) -> dict[str, Any] | None:
    """A cart by id, only when it belongs to ``user_id``."""
    row = store.one(
        "select cart_id from app.carts where cart_id = ? and user_id = ?", [cart_id, user_id]
    )
    return None if row is None else _view(store, str(row[0]))


def add_item(store: Store, user_id: str, product_id: int, qty: int) -> dict[str, Any]:
    """Add ``qty`` units of a product; an existing line of that product grows instead."""
    with store.write():
        product = store.one(
            "select product_id from app.products where product_id = ? and is_active",
            [product_id],
        )
        if product is None:
            raise StoreError("not_found", f"product {product_id} does not exist")
        cart_id = _cart_id(store, user_id, create=True)
        total = store.one(
            "insert into app.cart_lines as cl (line_id, cart_id, product_id, qty, added_at) "
            "values (?, ?, ?, ?, ?) on conflict (cart_id, product_id) "
            "do update set qty = cl.qty + excluded.qty returning qty",
            [new_id(), cart_id, product_id, qty, utcnow()],
        )
        if total is not None and int(total[0]) > MAX_LINE_QTY:
            raise StoreError("invalid", f"at most {MAX_LINE_QTY} units of a product per order")
    return _view(store, cart_id)


def _own_line(store: Store, user_id: str, line_id: str) -> str:
    """The cart of one of the customer's cart lines."""
    row = store.one(
        "select l.cart_id from app.cart_lines as l inner join app.carts as c "
        "on c.cart_id = l.cart_id where l.line_id = ? and c.user_id = ?",
        [line_id, user_id],
    )
    if row is None:
        raise StoreError("not_found", "cart line not found")
    return str(row[0])


def update_line(store: Store, user_id: str, line_id: str, qty: int) -> dict[str, Any]:
    """Set the quantity of one of the customer's cart lines."""
    with store.write():
        cart_id = _own_line(store, user_id, line_id)
        store.execute("update app.cart_lines set qty = ? where line_id = ?", [qty, line_id])
    return _view(store, cart_id)


def remove_line(store: Store, user_id: str, line_id: str) -> dict[str, Any]:
    """Remove one of the customer's cart lines."""
    with store.write():
        cart_id = _own_line(store, user_id, line_id)
        store.execute("delete from app.cart_lines where line_id = ?", [line_id])
    return _view(store, cart_id)
