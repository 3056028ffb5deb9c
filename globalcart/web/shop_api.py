"""What the web pages need beyond the API routes: the category list of the catalog filters, the
countries of the checkout's address form and the customer's saved address, and a "who am I"
that answers anonymous visitors with 200 (no console error on every page load)."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from globalcart.api.deps import Customer, OptionalPrincipal, StoreDep
from globalcart.api.schemas import AddressOut, UserPublic
from globalcart.store.addresses import SHIPPING_COUNTRIES, saved_address

router = APIRouter(prefix="/api/customer", tags=["storefront"])


class BrowserSession(BaseModel):
    user: UserPublic | None


class Category(BaseModel):
    category: str
    products: int


@router.get("/categories")
def categories(store: StoreDep) -> list[Category]:
    """Top-level categories of active products, with how many products each holds."""
    rows = store.query(
        "select category_l1, count(*) from app.products where is_active "
        "and category_l1 is not null group by category_l1 order by category_l1"
    )
    return [Category(category=str(name), products=int(count)) for name, count in rows]


class Country(BaseModel):
    code: str
    name: str


@router.get("/countries")
def countries() -> list[Country]:
    """The countries the store ships to (ISO 3166-1 alpha-2 code and name), by name."""
    pairs = sorted(SHIPPING_COUNTRIES.items(), key=lambda pair: pair[1])
    return [Country(code=code, name=name) for code, name in pairs]


class SavedAddress(BaseModel):
    shipping_address: AddressOut | None


@router.get("/address")
def address(customer: Customer, store: StoreDep) -> SavedAddress:
    """The customer's address book entry: the shipping address of their latest checkout that
    had one (the checkout form starts from it), or ``null``."""
    found = saved_address(store, customer.user.user_id)
    return SavedAddress(shipping_address=AddressOut(**found) if found else None)


@router.get("/session")
def session(principal: OptionalPrincipal) -> BrowserSession:
    """The signed-in user of this browser, or ``null`` (an expired session counts as none)."""
    if principal is None or principal.via != "session":
        return BrowserSession(user=None)
    user = principal.user
    return BrowserSession(
        user=UserPublic(
            user_id=user.user_id, email=user.email, role=user.role, full_name=user.full_name
        )
    )
