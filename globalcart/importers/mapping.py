"""The mapping file of ``globalcart import csv``: which export column feeds which landing column.

A store export is an order-line file: one row per order line, the order's own fields repeated on
every line or given only on its first line (Shopify). The mapping names, per landing table, the
source column of each field, plus the date format, the currency and its FX rate, and how the
export's status values map to the contract's order statuses. See docs/importing.md and
examples/mappings/*.yml.
"""

from __future__ import annotations

from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from globalcart.contract import ORDER_STATUSES
from globalcart.importers.landing import SourceError


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class OrdersMap(_Strict):
    """Order fields: source column names (``order_id`` and ``order_ts`` are required)."""

    order_id: str
    order_ts: str
    customer: str | None = None  # any customer key (id or e-mail); blank means a guest order
    status: str | None = None
    currency: str | None = None
    shipping_fee: str | None = None
    tax_amount: str | None = None
    discount_amount: str | None = None  # order level; else the sum of the line discounts
    promo_code: str | None = None
    country: str | None = None
    channel: str | None = None


class ItemsMap(_Strict):
    """Order-line fields: a product (``sku`` or ``product_name``), the quantity and either the
    unit price or the line amount (quantity × unit price, e.g. WooCommerce's item_subtotal)."""

    qty: str
    unit_sell_price: str | None = None
    line_amount: str | None = None
    sku: str | None = None
    product_name: str | None = None
    unit_list_price: str | None = None
    line_discount: str | None = None
    line_tax: str | None = None

    @model_validator(mode="after")
    def _needs_product(self) -> ItemsMap:
        if self.sku is None and self.product_name is None:
            raise ValueError("order_items needs sku or product_name")
        if (self.unit_sell_price is None) == (self.line_amount is None):
            raise ValueError("order_items needs exactly one of unit_sell_price and line_amount")
        return self


class CustomersMap(_Strict):
    email: str | None = None
    full_name: str | None = None


class Mapping(_Strict):
    """A whole mapping file."""

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    description: str = ""
    delimiter: str = Field(",", min_length=1, max_length=1)
    encoding: str = "utf-8"
    timestamp_format: str | None = None  # strptime format; default: ISO 8601
    timezone: str = "UTC"  # of timestamps without an offset
    currency: str = Field("USD", pattern=r"^[A-Z]{3}$")  # when there is no currency column
    fx_rates: dict[str, float] = Field(default_factory=dict)  # USD per unit, constant
    channel: str = "web"  # when there is no channel column
    guest_values: list[str] = Field(default_factory=list)  # customer values meaning "guest"
    default_status: str = "paid"  # when there is no status column or it is blank
    status_values: dict[str, str] = Field(default_factory=dict)  # export value → contract status
    orders: OrdersMap
    order_items: ItemsMap
    customers: CustomersMap = CustomersMap()

    @model_validator(mode="after")
    def _statuses(self) -> Mapping:
        targets = {self.default_status, *self.status_values.values()}
        wrong = sorted(targets - set(ORDER_STATUSES))
        if wrong:
            raise ValueError(
                f"status_values map to unknown statuses {wrong}; use {', '.join(ORDER_STATUSES)}"
            )
        return self

    def columns(self) -> set[str]:
        """Every source column the mapping names."""
        names: set[str] = set()
        for part in (self.orders, self.order_items, self.customers):
            names.update(value for value in part.model_dump().values() if value)
        return names


def load_mapping(path: Path) -> Mapping:
    """Read and validate a mapping file, with every problem in one clear error."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise SourceError(f"cannot read mapping {path}: {exc}") from exc
    try:
        return Mapping.model_validate(raw)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in error['loc']) or '(file)'}: {error['msg']}"
            for error in exc.errors()
        )
        raise SourceError(f"invalid mapping {path}: {problems}") from None
