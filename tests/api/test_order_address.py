"""Checkout shipping addresses and search queries: validated by the API, kept by the storefront,
shown to the customer and the admin; the address maps to the warehouse's ship-to geo when its
country and city match one, and the search text reaches the admin's journey replay."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from globalcart.pipeline.app_source import ingest_app
from globalcart.pipeline.runner import build
from globalcart.store.migrations import APP_MIGRATIONS, migrate_app
from tests.api.conftest import Env
from tests.refresh.storefront import Buyer, admin_client, storefront_env

SEATTLE = {"name": "Sam Shopper", "line1": "1 Pike Street", "line2": "Apt 4", "city": "Seattle",
           "postal_code": "98101", "country": "US"}  # fmt: skip


def _checkout(client: TestClient, body: dict[str, Any], product_id: int = 101) -> Any:
    added = client.post("/api/customer/cart/items", json={"product_id": product_id, "qty": 1})
    assert added.status_code == 200, added.text
    key = f"addr-{uuid.uuid4().hex}"
    return client.post("/api/customer/checkout", json=body, headers={"Idempotency-Key": key})


def _ship_columns(env: Env, order_id: str) -> tuple[Any, ...]:
    row = env.store.one(
        "select ship_name, ship_line1, ship_line2, ship_city, ship_postal_code, ship_country "
        "from app.orders where order_id = ?",
        [order_id],
    )
    assert row is not None
    return tuple(row)


def test_checkout_keeps_the_shipping_address(env: Env) -> None:
    client = env.signed_in("addressed@example.com")
    body = {"shipping_address": {**SEATTLE, "name": "  Sam Shopper ", "country": "us"}}
    placed = _checkout(client, body)
    assert placed.status_code == 201, placed.text
    order = placed.json()
    expected = {**SEATTLE, "country_name": "United States"}
    assert order["shipping_address"] == expected
    assert (
        client.get(f"/api/customer/orders/{order['order_id']}").json()["shipping_address"]
        == expected
    )
    assert _ship_columns(env, order["order_id"]) == (
        "Sam Shopper", "1 Pike Street", "Apt 4", "Seattle", "98101", "US",
    )  # fmt: skip


def test_the_latest_address_is_saved_for_the_next_checkout(env: Env) -> None:
    client = env.signed_in("address-book@example.com")
    assert client.get("/api/customer/address").json() == {"shipping_address": None}
    assert _checkout(client, {"shipping_address": SEATTLE}).status_code == 201
    moved = {**SEATTLE, "line1": "9 Rue de Rivoli", "line2": None, "city": "Paris",
             "postal_code": "75001", "country": "FR"}  # fmt: skip
    declined = _checkout(client, {"shipping_address": moved, "simulate": "card_declined"})
    assert declined.status_code == 402, declined.text
    saved = client.get("/api/customer/address").json()["shipping_address"]
    assert saved == {**moved, "country_name": "France"}  # typed in, even if the card failed
    other = env.signed_in("someone-else@example.com")
    assert other.get("/api/customer/address").json() == {"shipping_address": None}
    assert env.client().get("/api/customer/address").status_code == 401


def test_checkout_without_an_address_still_works_for_api_clients(env: Env) -> None:
    client = env.signed_in("no-address@example.com")
    placed = _checkout(client, {})
    assert placed.status_code == 201, placed.text
    assert placed.json()["shipping_address"] is None
    assert _ship_columns(env, placed.json()["order_id"]) == (None,) * 6


def test_a_blank_second_line_is_left_out(env: Env) -> None:
    client = env.signed_in("one-line@example.com")
    placed = _checkout(client, {"shipping_address": {**SEATTLE, "line2": "   "}})
    assert placed.status_code == 201, placed.text
    assert placed.json()["shipping_address"]["line2"] is None


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"country": "XX"}, "country"),  # not a country the store ships to
        ({"country": "USA"}, "country"),
        ({"country": ""}, "country"),
        ({"line1": "   "}, "line1"),
        ({"name": ""}, "name"),
        ({"city": "x" * 101}, "city"),
        ({"postal_code": "!!"}, "postal_code"),
        ({"postal_code": "1" * 13}, "postal_code"),
        ({"line2": "y" * 201}, "line2"),
        ({"state": "WA"}, "state"),  # unknown fields are refused
    ],
)
def test_invalid_addresses_are_refused_before_anything_is_reserved(
    env: Env, change: dict[str, str], field: str
) -> None:
    client = env.signed_in(f"bad-{uuid.uuid4().hex[:8]}@example.com")
    refused = _checkout(client, {"shipping_address": {**SEATTLE, **change}})
    assert refused.status_code == 422, refused.text
    assert any(field in error["loc"] for error in refused.json()["errors"]), refused.json()
    assert client.get("/api/customer/orders").json() == []
    missing = dict(SEATTLE)
    del missing["city"]
    assert _checkout(client, {"shipping_address": missing}).status_code == 422


def test_a_short_postal_code_is_explained_in_characters(env: Env) -> None:
    client = env.signed_in(f"short-{uuid.uuid4().hex[:8]}@example.com")
    refused = _checkout(client, {"shipping_address": {**SEATTLE, "postal_code": " 9 "}})
    assert refused.status_code == 422
    assert "at least 2 characters" in refused.json()["detail"], refused.json()


def test_countries_of_the_address_form(env: Env) -> None:
    countries = env.client().get("/api/customer/countries").json()
    codes = [country["code"] for country in countries]
    assert {"US", "GB", "DE", "JP", "SG", "BR"} <= set(codes)
    assert len(codes) == len(set(codes))
    names = [country["name"] for country in countries]
    assert names == sorted(names)


def test_search_events_keep_their_query(env: Env) -> None:
    client = env.client()
    events = [
        {"stage": "SEARCH", "query": "  trail shoes  "},
        {"stage": "SEARCH", "query": "q" * 200},
        {"stage": "VIEW_PRODUCT", "product_id": 101},
    ]
    answer = client.post("/api/events", json={"session_id": "s-query-test-1", "events": events})
    assert answer.status_code == 202, answer.text
    rows = env.store.query(
        "select stage, query from app.events where session_id = 's-query-test-1' "
        "order by query nulls last"
    )
    assert sorted(rows, key=str) == sorted(
        [("SEARCH", "q" * 200), ("SEARCH", "trail shoes"), ("VIEW_PRODUCT", None)], key=str
    )
    too_long = [{"stage": "SEARCH", "query": "q" * 201}]
    refused = client.post("/api/events", json={"session_id": "s-query-test-2", "events": too_long})
    assert refused.status_code == 422


def test_the_migration_is_recorded_once(env: Env) -> None:
    assert migrate_app(env.store.warehouse) == []
    versions = [int(r[0]) for r in env.store.query("select version from app.schema_migrations")]
    assert sorted(versions) == [version for version, _, _ in APP_MIGRATIONS]
    assert max(versions) == 5


@pytest.fixture
def shop_env(warehouse_url: str, tmp_path: Path) -> Iterator[Env]:
    """The KPI golden warehouse (geos New York US and Berlin DE; products 10, 20, 30) with the
    storefront over the same database."""
    yield from storefront_env(warehouse_url, tmp_path, on_hand=20)


def test_the_admin_sees_the_address_product_names_and_search_text(shop_env: Env) -> None:
    buyer = Buyer.sign_up(shop_env)
    session = f"s{uuid.uuid4().hex}"
    searched = buyer.client.post(
        "/api/events",
        json={"session_id": session, "events": [{"stage": "SEARCH", "query": "desk lamp"},
                                                 {"stage": "VIEW_PRODUCT", "product_id": 20}]},
    )  # fmt: skip
    assert searched.status_code == 202, searched.text
    in_berlin = {**SEATTLE, "city": "berlin", "postal_code": "10115", "country": "DE"}
    orders = {}
    for name, address in (("berlin", in_berlin), ("seattle", SEATTLE), ("none", None)):
        assert (
            buyer.client.post(
                "/api/customer/cart/items", json={"product_id": 20, "qty": 1}
            ).status_code
            == 200
        )
        body = {"shipping_address": address} if address else {}
        key = {"Idempotency-Key": f"admin-{uuid.uuid4().hex}"}
        placed = buyer.client.post("/api/customer/checkout", json=body, headers=key)
        assert placed.status_code == 201, placed.text
        orders[name] = placed.json()["order_id"]
    placed_event = {"stage": "ORDER_PLACED", "order_id": orders["berlin"]}
    buyer.client.post("/api/events", json={"session_id": session, "events": [placed_event]})

    warehouse = shop_env.store.warehouse
    ingest_app(warehouse)
    ids = dict(
        warehouse.query(
            "select app_id, warehouse_id from ops.app_ids where kind = 'order' "
            "and app_id in (?, ?, ?)",
            list(orders.values()),
        )
    )
    geos = dict(
        warehouse.query(
            "select cast(order_id as varchar), ship_to_geo_id from landing.orders "
            "where order_id in (?, ?, ?)",
            list(ids.values()),
        )
    )
    # Berlin, DE is geo 2 (the city matches whatever its case); Seattle is no known geo
    assert geos == {str(ids[orders["berlin"]]): 2, str(ids[orders["seattle"]]): None,
                    str(ids[orders["none"]]): None}  # fmt: skip
    build(warehouse)

    admin = admin_client(shop_env)
    detail = admin.get(f"/api/admin/orders/{ids[orders['berlin']]}")
    assert detail.status_code == 200, detail.text
    data = detail.json()
    assert data["ship_to"] == {
        "source": "storefront", "name": "Sam Shopper", "line1": "1 Pike Street",
        "line2": "Apt 4", "city": "berlin", "postal_code": "10115", "country": "DE",
        "country_name": "Germany", "region": None,
    }  # fmt: skip
    assert [(line["product_id"], line["product_name"]) for line in data["lines"]] == [(20, "Lamp")]
    assert admin.get(f"/api/admin/orders/{ids[orders['none']]}").json()["ship_to"] is None

    session_id = warehouse.query(
        "select warehouse_id from ops.app_ids where kind = 'session' and app_id = ?", [session]
    )[0][0]
    journey = admin.get(f"/api/admin/journeys/sessions/{session_id}")
    assert journey.status_code == 200, journey.text
    events = {e["stage"]: e for e in journey.json()["events"]}
    assert events["SEARCH"]["query"] == "desk lamp"
    assert events["VIEW_PRODUCT"]["product_name"] == "Lamp"
    assert events["VIEW_PRODUCT"]["query"] is None


def test_generated_orders_show_their_ship_to_city(shop_env: Env) -> None:
    admin = admin_client(shop_env)
    order_id = shop_env.store.warehouse.query(
        "select min(order_id) from dw.fct_orders where ship_to_geo_sk = 2"
    )[0][0]
    data = admin.get(f"/api/admin/orders/{order_id}").json()
    assert data["ship_to"] == {
        "source": "warehouse", "name": None, "line1": None, "line2": None, "city": "Berlin",
        "postal_code": None, "country": "DE", "country_name": "Germany", "region": "EU",
    }  # fmt: skip
    assert all(line["product_name"] for line in data["lines"])
