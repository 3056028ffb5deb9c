"""Storefront catalog: search, filters, sort, pagination; product detail (public)."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Path, Query

from globalcart.api.deps import StoreDep
from globalcart.api.problems import ProblemError
from globalcart.api.schemas import MAX_ID, ProductPage, ProductPublic
from globalcart.store.catalog import CatalogFilter, Sort, get_product, list_products

router = APIRouter(prefix="/api/customer", tags=["storefront"])


@router.get("/products")
def products(
    store: StoreDep,
    q: Annotated[
        str | None, Query(max_length=100, description="Search in name, brand, SKU.")
    ] = None,
    category: Annotated[str | None, Query(max_length=100)] = None,
    min_price: Annotated[Decimal | None, Query(ge=0, le=1_000_000)] = None,
    max_price: Annotated[Decimal | None, Query(ge=0, le=1_000_000)] = None,
    sort: Sort = "name",
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Annotated[int, Query(ge=0, le=100_000)] = 0,
) -> ProductPage:
    """Active products, one page at a time."""
    if min_price is not None and max_price is not None and min_price > max_price:
        raise ProblemError(422, "min_price is above max_price", kind="validation-error")
    search = CatalogFilter(q, category, min_price, max_price, sort, limit, offset)
    items, total = list_products(store, search)
    return ProductPage(
        items=[ProductPublic(**item) for item in items], total=total, limit=limit, offset=offset
    )


@router.get("/products/{product_id}")
def product(
    product_id: Annotated[int, Path(ge=-MAX_ID, le=MAX_ID)], store: StoreDep
) -> ProductPublic:
    """One active product with its available stock."""
    item = get_product(store, product_id)
    if item is None:
        raise ProblemError(404, f"product {product_id} not found", kind="not-found")
    return ProductPublic(**item)
