"""Checkout (idempotent, no overselling, simulated payment), orders, cancellation, returns."""

from __future__ import annotations

import hashlib
import json
import re
from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Request, status
from fastapi.responses import Response

from globalcart.api.deps import Customer, StoreDep
from globalcart.api.problems import MEDIA_TYPE, ProblemError, problem_body
from globalcart.api.routes.cart import store_problem
from globalcart.api.schemas import CheckoutIn, OrderDetail, OrderSummary, ReturnIn, ReturnOut
from globalcart.store import StoreError, idempotency, orders
from globalcart.store.addresses import ShippingAddress

router = APIRouter(prefix="/api/customer", tags=["storefront"])

_KEY = re.compile(r"^[A-Za-z0-9_.:-]{8,128}$")


def _order(store: StoreDep, user_id: str, order_id: str) -> OrderDetail:
    found = orders.get_order(store, user_id, order_id)
    if found is None:
        raise ProblemError(404, "order not found", kind="not-found")
    return OrderDetail(**found)


def _json(body: Any) -> str:
    """JSON text as ``JSONResponse`` renders it (stored once, sent as is on every replay)."""
    return json.dumps(body, ensure_ascii=False, allow_nan=False, separators=(",", ":"))


@router.post(
    "/checkout",
    status_code=status.HTTP_201_CREATED,
    response_model=OrderDetail,
    responses={402: {"description": "payment failed"}, 409: {"description": "out of stock"}},
)
def checkout(
    body: CheckoutIn,
    request: Request,
    customer: Customer,
    store: StoreDep,
    idempotency_key: Annotated[
        str | None, Header(alias="Idempotency-Key", description="Unique per checkout attempt.")
    ] = None,
) -> Response:
    """Place the cart as an order: reserve stock atomically, then take the (simulated) payment.

    A retry with the same ``Idempotency-Key`` and body returns the first answer and creates
    nothing; the same key with another body is refused.
    """
    if idempotency_key is None or not _KEY.match(idempotency_key):
        raise ProblemError(
            400,
            "an Idempotency-Key header (8-128 letters, digits or ._:-) is required",
            kind="idempotency-key-required",
        )
    user_id = customer.user.user_id
    canonical = json.dumps(body.model_dump(mode="json"), sort_keys=True)
    request_hash = hashlib.sha256(f"checkout:{canonical}".encode()).hexdigest()
    given = body.shipping_address
    address = ShippingAddress(**given.model_dump()) if given else None

    def work() -> tuple[int, str]:
        order = orders.place_order(store, user_id, body.simulate, body.payment_method, address)
        if order["status"] == "paid":
            return 201, _json(OrderDetail(**order).model_dump(mode="json"))
        detail = (
            "the card was declined"
            if body.simulate == "card_declined"
            else "the bank did not answer; try again later"
        )
        reason = body.simulate.replace("_", "-")
        return 402, _json(problem_body(request, 402, detail, "payment-failed",
                                       order_id=order["order_id"], reason=reason))  # fmt: skip

    def refused(exc: StoreError) -> tuple[int, str]:
        problem = store_problem(exc)
        return problem.status, _json(
            problem_body(request, problem.status, exc.message, problem.kind)
        )

    state, answer = idempotency.run(store, user_id, idempotency_key, request_hash, work, refused)
    if state == "mismatch":
        raise ProblemError(
            422,
            "this Idempotency-Key was used with a different request",
            kind="idempotency-key-reuse",
        )
    if state == "in_progress" or answer is None:
        raise ProblemError(
            409, "a request with this Idempotency-Key is still running", kind="request-in-progress"
        )
    code, text = answer
    headers = {"Idempotent-Replayed": "true"} if state == "replay" else None
    media = MEDIA_TYPE if code >= 400 else "application/json"
    return Response(text, status_code=code, headers=headers, media_type=media)


@router.get("/orders")
def list_orders(
    customer: Customer,
    store: StoreDep,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Annotated[int, Query(ge=0, le=100_000)] = 0,
) -> list[OrderSummary]:
    """The customer's orders, newest first."""
    rows = orders.list_orders(store, customer.user.user_id, limit, offset)
    return [OrderSummary(**row) for row in rows]


@router.get("/orders/{order_id}")
def get_order(order_id: str, customer: Customer, store: StoreDep) -> OrderDetail:
    """One of the customer's orders, with lines, payments and returns."""
    return _order(store, customer.user.user_id, order_id)


@router.post("/orders/{order_id}/cancel")
def cancel_order(order_id: str, customer: Customer, store: StoreDep) -> OrderDetail:
    """Cancel an order that has not shipped (the stock goes back on the shelf)."""
    try:
        return OrderDetail(**orders.cancel_order(store, customer.user.user_id, order_id))
    except StoreError as exc:
        raise store_problem(exc) from None


@router.post("/orders/{order_id}/returns", status_code=status.HTTP_201_CREATED)
def request_return(order_id: str, body: ReturnIn, customer: Customer, store: StoreDep) -> ReturnOut:
    """Ask to return units of one line of a delivered order."""
    try:
        created = orders.request_return(
            store, customer.user.user_id, order_id, body.line_no, body.qty, body.reason
        )
    except StoreError as exc:
        raise store_problem(exc) from None
    return ReturnOut(**{k: v for k, v in created.items() if k != "order_id"})
