"""The signed-in customer's cart: add (same product merges), update, remove."""

from __future__ import annotations

from fastapi import APIRouter

from globalcart.api.deps import Customer, StoreDep
from globalcart.api.problems import ProblemError
from globalcart.api.schemas import CartItemIn, CartLineUpdate, CartOut
from globalcart.store import StoreError, carts

router = APIRouter(prefix="/api/customer", tags=["storefront"])

_STATUS = {"not_found": 404, "invalid": 422, "conflict": 409, "out_of_stock": 409}


def store_problem(exc: StoreError) -> ProblemError:
    """The problem answering a refused store operation."""
    return ProblemError(_STATUS.get(exc.kind, 400), exc.message, kind=exc.kind.replace("_", "-"))


@router.get("/cart")
def get_cart(customer: Customer, store: StoreDep) -> CartOut:
    """The customer's cart."""
    return CartOut(**carts.get_cart(store, customer.user.user_id))


@router.get("/carts/{cart_id}")
def get_cart_by_id(cart_id: str, customer: Customer, store: StoreDep) -> CartOut:
    """A cart by id (only the customer's own; any other id is not found)."""
    cart = carts.get_cart_by_id(store, customer.user.user_id, cart_id)
    if cart is None:
        raise ProblemError(404, "cart not found", kind="not-found")
    return CartOut(**cart)


@router.post("/cart/items")
def add_item(body: CartItemIn, customer: Customer, store: StoreDep) -> CartOut:
    """Add a product (a product already in the cart gets a larger quantity)."""
    try:
        return CartOut(**carts.add_item(store, customer.user.user_id, body.product_id, body.qty))
    except StoreError as exc:
        raise store_problem(exc) from None


@router.patch("/cart/lines/{line_id}")
def update_line(line_id: str, body: CartLineUpdate, customer: Customer, store: StoreDep) -> CartOut:
    """Change the quantity of a cart line."""
    try:
        return CartOut(**carts.update_line(store, customer.user.user_id, line_id, body.qty))
    except StoreError as exc:
        raise store_problem(exc) from None


@router.delete("/cart/lines/{line_id}")
def remove_line(line_id: str, customer: Customer, store: StoreDep) -> CartOut:
    """Remove a cart line."""
    try:
        return CartOut(**carts.remove_line(store, customer.user.user_id, line_id))
    except StoreError as exc:
        raise store_problem(exc) from None
