"""Request and response models of the API (validated, bounded)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
)

from globalcart.contract import FUNNEL_STAGES
from globalcart.store.addresses import SHIPPING_COUNTRIES

MAX_ID = 2**63 - 1  # ids are bigint columns

Email = Field(min_length=3, max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
Stage = Literal[
    "VIEW_PRODUCT",
    "SEARCH",
    "ADD_TO_CART",
    "REMOVE_FROM_CART",
    "CHECKOUT_STARTED",
    "PAYMENT_ATTEMPTED",
    "PAYMENT_FAILED",
    "ORDER_PLACED",
]
assert set(Stage.__args__) == set(FUNNEL_STAGES)  # type: ignore[attr-defined]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SignupIn(Strict):
    email: str = Email
    password: str = Field(min_length=1, max_length=1024)
    full_name: str | None = Field(default=None, max_length=200)


class LoginIn(Strict):
    email: str = Email
    password: str = Field(min_length=1, max_length=1024)


class OtpRequestIn(Strict):
    email: str = Email


class OtpVerifyIn(Strict):
    email: str = Email
    code: str = Field(pattern=r"^\d{6}$")


class UserPublic(BaseModel):
    user_id: str
    email: str
    role: str
    full_name: str | None = None


class SessionOut(BaseModel):
    user: UserPublic
    csrf_token: str | None = Field(
        default=None, description="Send it back in the X-CSRF-Token header of every change."
    )


class Accepted(BaseModel):
    detail: str


class ProductPublic(BaseModel):
    product_id: int
    sku: str
    product_name: str
    category_l1: str | None
    category_l2: str | None
    brand: str | None
    list_price: Decimal
    currency: str
    available: int
    units_sold: int


class ProductPage(BaseModel):
    items: list[ProductPublic]
    total: int
    limit: int
    offset: int


class CartItemIn(Strict):
    product_id: int = Field(gt=0, le=MAX_ID)
    qty: int = Field(default=1, ge=1, le=99)


class CartLineUpdate(Strict):
    qty: int = Field(ge=1, le=99)


class CartLine(BaseModel):
    line_id: str
    product_id: int
    product_name: str
    unit_price: Decimal
    qty: int
    line_amount: Decimal
    available: int


class CartOut(BaseModel):
    cart_id: str | None
    lines: list[CartLine]
    total: Decimal
    currency: str


def _blank_to_none(value: object) -> object:
    """Optional text: surrounding spaces dropped, nothing left means not given."""
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


def _shipped_to(code: str) -> str:
    if code not in SHIPPING_COUNTRIES:
        raise ValueError(f"we do not ship to {code!r} (see GET /api/customer/countries)")
    return code


# trimmed text: StringConstraints words its errors in characters ("String should have at least
# 2 characters"), where a length Field after a validator would speak of "items"
Line = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
OptionalLine = Annotated[
    Annotated[str, Field(max_length=200)] | None, BeforeValidator(_blank_to_none)
]
CountryCode = Annotated[
    str,
    BeforeValidator(lambda v: v.strip().upper() if isinstance(v, str) else v),
    Field(
        pattern=r"^[A-Z]{2}$",
        description="ISO 3166-1 alpha-2 code of a country the store ships to.",
        json_schema_extra={"enum": sorted(SHIPPING_COUNTRIES)},
        examples=["US"],
    ),
    AfterValidator(_shipped_to),
]


class AddressIn(Strict):
    """A shipping address; text is trimmed, ``line2`` may be left out or blank."""

    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)]
    line1: Line
    line2: OptionalLine = None
    city: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
    postal_code: Annotated[
        str,
        StringConstraints(
            strip_whitespace=True,
            min_length=2,
            max_length=12,
            pattern=r"^[A-Za-z0-9][A-Za-z0-9 -]*[A-Za-z0-9]$",
        ),
    ]
    country: CountryCode


class AddressOut(BaseModel):
    name: str
    line1: str
    line2: str | None
    city: str
    postal_code: str
    country: str
    country_name: str


class CheckoutIn(Strict):
    shipping_address: AddressIn | None = Field(
        default=None,
        description="Where to ship the order. The web checkout always sends it; API clients "
        "may leave it out (the order then has no address).",
    )
    payment_method: Literal["card", "paypal"] = "card"
    simulate: Literal["success", "card_declined", "bank_down"] = Field(
        default="success", description="Outcome of the simulated payment provider."
    )


class OrderSummary(BaseModel):
    order_id: str
    status: str
    currency: str
    gross_amount: Decimal
    discount_amount: Decimal
    tax_amount: Decimal
    shipping_fee: Decimal
    net_amount: Decimal
    cancel_reason: str | None
    created_at: dt.datetime
    updated_at: dt.datetime


class OrderLine(BaseModel):
    line_no: int
    product_id: int
    qty: int
    unit_price: Decimal
    line_amount: Decimal


class PaymentOut(BaseModel):
    payment_id: str
    status: str
    amount: Decimal
    failure_reason: str | None
    created_at: dt.datetime


class ReturnOut(BaseModel):
    return_id: str
    line_no: int
    qty: int
    status: str
    requested_at: dt.datetime | None = None


class OrderDetail(OrderSummary):
    shipping_address: AddressOut | None = None
    lines: list[OrderLine]
    payments: list[PaymentOut]
    returns: list[ReturnOut]


class ReturnIn(Strict):
    line_no: int = Field(ge=1, le=1000)
    qty: int = Field(ge=1, le=99)
    reason: Literal["damaged", "wrong_item", "not_as_described", "changed_mind", "other"]


class EventIn(Strict):
    stage: Stage
    product_id: int | None = Field(default=None, gt=0, le=MAX_ID)
    order_id: str | None = Field(default=None, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")
    failure_reason: str | None = Field(default=None, max_length=100)
    query: OptionalLine = Field(
        default=None, description="What was searched (SEARCH events); kept by the storefront only."
    )
    ts: dt.datetime | None = Field(default=None, description="Client time (kept for reference).")


class EventBatchIn(Strict):
    session_id: str = Field(pattern=r"^[A-Za-z0-9_-]{8,64}$")
    events: list[EventIn] = Field(min_length=1, max_length=100)


class EventsAccepted(BaseModel):
    accepted: int


class Health(BaseModel):
    status: str
