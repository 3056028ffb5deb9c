"""Admin fulfilment actions on the storefront: deliver an order, refund or reject a return."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Path, Request
from pydantic import BaseModel

from globalcart.api.deps import StoreDep
from globalcart.api.routes.admin import Admin
from globalcart.api.routes.admin_common import audit_admin
from globalcart.api.routes.cart import store_problem
from globalcart.store import StoreError
from globalcart.store.fulfilment import deliver_order, settle_return

router = APIRouter(prefix="/api/admin", tags=["admin"])
AppId = Annotated[str, Path(max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]


class DeliveryOut(BaseModel):
    order_id: str
    shipment_id: str
    delivered_at: dt.datetime


class ReturnSettleIn(BaseModel):
    approve: bool = True


class ReturnSettledOut(BaseModel):
    return_id: str
    status: str
    refund_amount: Decimal | None


@router.post("/shop/orders/{order_id}/deliver")
def deliver(order_id: AppId, admin: Admin, store: StoreDep, request: Request) -> DeliveryOut:
    """Ship and deliver a paid storefront order (one shipment)."""
    try:
        delivered = deliver_order(store, order_id)
    except StoreError as exc:
        raise store_problem(exc) from None
    audit_admin(store, request, admin, "order_deliver", order_id=order_id)
    return DeliveryOut(**delivered)


@router.post("/shop/returns/{return_id}/settle")
def settle(
    return_id: AppId, body: ReturnSettleIn, admin: Admin, store: StoreDep, request: Request
) -> ReturnSettledOut:
    """Refund a requested return (its line amount pro rata), or reject it; returns requested
    more than 30 days after delivery are always rejected."""
    try:
        settled = settle_return(store, return_id, approve=body.approve)
    except StoreError as exc:
        raise store_problem(exc) from None
    audit_admin(store, request, admin, "return_settle", return_id=return_id,
                status=settled["status"])  # fmt: skip
    return ReturnSettledOut(**settled)
