"""Shipping addresses of storefront orders and the countries the store ships to."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from globalcart.store.db import Store

# ISO 3166-1 alpha-2 code -> the name the checkout shows. It covers every country of the
# generated data (so an order's ship-to can map to a warehouse geo) and the importers' exports.
SHIPPING_COUNTRIES: dict[str, str] = {
    "AE": "United Arab Emirates",
    "AR": "Argentina",
    "AT": "Austria",
    "AU": "Australia",
    "BE": "Belgium",
    "BR": "Brazil",
    "CA": "Canada",
    "CH": "Switzerland",
    "CL": "Chile",
    "CN": "China",
    "CO": "Colombia",
    "CY": "Cyprus",
    "CZ": "Czech Republic",
    "DE": "Germany",
    "DK": "Denmark",
    "EG": "Egypt",
    "ES": "Spain",
    "FI": "Finland",
    "FR": "France",
    "GB": "United Kingdom",
    "GR": "Greece",
    "HK": "Hong Kong",
    "HU": "Hungary",
    "ID": "Indonesia",
    "IE": "Ireland",
    "IL": "Israel",
    "IN": "India",
    "IS": "Iceland",
    "IT": "Italy",
    "JP": "Japan",
    "KE": "Kenya",
    "KR": "South Korea",
    "LT": "Lithuania",
    "LU": "Luxembourg",
    "MA": "Morocco",
    "MT": "Malta",
    "MX": "Mexico",
    "MY": "Malaysia",
    "NG": "Nigeria",
    "NL": "Netherlands",
    "NO": "Norway",
    "NZ": "New Zealand",
    "PE": "Peru",
    "PH": "Philippines",
    "PL": "Poland",
    "PT": "Portugal",
    "RO": "Romania",
    "SA": "Saudi Arabia",
    "SE": "Sweden",
    "SG": "Singapore",
    "TH": "Thailand",
    "TR": "Turkey",
    "TW": "Taiwan",
    "US": "United States",
    "VN": "Vietnam",
    "ZA": "South Africa",
}

# app.orders columns of the address, in the order of ``ShippingAddress``'s fields
COLUMNS = (
    "ship_name",
    "ship_line1",
    "ship_line2",
    "ship_city",
    "ship_postal_code",
    "ship_country",
)


@dataclass(frozen=True)
class ShippingAddress:
    """Where an order goes; ``country`` is an ISO 3166-1 alpha-2 code."""

    name: str
    line1: str
    line2: str | None
    city: str
    postal_code: str
    country: str

    def values(self) -> list[str | None]:
        """The values of ``COLUMNS``."""
        return [self.name, self.line1, self.line2, self.city, self.postal_code, self.country]


def address_of(row: dict[str, Any]) -> dict[str, Any] | None:
    """The address of an order row holding ``COLUMNS`` (None for an order placed without one)."""
    if row.get("ship_country") is None:
        return None
    country = str(row["ship_country"])
    return {
        "name": row["ship_name"],
        "line1": row["ship_line1"],
        "line2": row["ship_line2"],
        "city": row["ship_city"],
        "postal_code": row["ship_postal_code"],
        "country": country,
        "country_name": SHIPPING_COUNTRIES.get(country, country),
    }


_BOOK_COLUMNS = ("name", "line1", "line2", "city", "postal_code", "country")


def remember_address(
    store: Store, user_id: str, address: ShippingAddress, now: dt.datetime
) -> None:
    """Keep ``address`` as the customer's address book entry, with the checkout's writes."""
    listed = ", ".join(_BOOK_COLUMNS)
    updates = ", ".join(f"{column} = excluded.{column}" for column in _BOOK_COLUMNS)
    store.defer(
        f"insert into app.addresses (user_id, {listed}, updated_at) "
        f"values (?, ?, ?, ?, ?, ?, ?, ?) on conflict (user_id) do update set {updates}, "
        "updated_at = excluded.updated_at",
        [user_id, *address.values(), now],
    )


def saved_address(store: Store, user_id: str) -> dict[str, Any] | None:
    """The customer's address book entry (their latest checkout's address), if any."""
    rows = store.query(
        f"select {', '.join(_BOOK_COLUMNS)} from app.addresses where user_id = ?", [user_id]
    )
    if not rows:
        return None
    return address_of(dict(zip(COLUMNS, rows[0], strict=True)))
