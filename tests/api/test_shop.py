"""Storefront: catalog, cart, checkout (idempotent), payments, orders, returns, isolation, roles."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from fastapi.testclient import TestClient

from globalcart.api.security import new_api_key, token_hash
from globalcart.store import idempotency
from globalcart.store.auth import create_api_key
from globalcart.store.catalog import stock_of
from globalcart.store.fulfilment import deliver_order
from globalcart.store.orders import release_stale_reservations, reserve_order
from tests.api.conftest import Env

ID = "0" * 32
PROTECTED: list[tuple[str, str, dict[str, Any] | None]] = [
    ("GET", "/api/auth/me", None),
    ("POST", "/api/auth/logout", None),
    ("GET", "/api/customer/cart", None),
    ("GET", f"/api/customer/carts/{ID}", None),
    ("POST", "/api/customer/cart/items", {"product_id": 101, "qty": 1}),
    ("PATCH", f"/api/customer/cart/lines/{ID}", {"qty": 1}),
    ("DELETE", f"/api/customer/cart/lines/{ID}", None),
    ("POST", "/api/customer/checkout", {}),
    ("GET", "/api/customer/orders", None),
    ("GET", f"/api/customer/orders/{ID}", None),
    ("POST", f"/api/customer/orders/{ID}/cancel", None),
    ("POST", f"/api/customer/orders/{ID}/returns", {"line_no": 1, "qty": 1, "reason": "other"}),
]
CUSTOMER_ONLY = PROTECTED[2:]


def _call(client: TestClient, method: str, path: str, body: dict[str, Any] | None) -> int:
    headers = {"Idempotency-Key": "key-12345678"}
    return client.request(method, path, json=body, headers=headers).status_code


def _checkout(client: TestClient, key: str, **body: str) -> Any:
    return client.post("/api/customer/checkout", json=body, headers={"Idempotency-Key": key})


def test_authorization_matrix(env: Env) -> None:
    anonymous = env.client()
    for method, path, body in PROTECTED:
        assert _call(anonymous, method, path, body) == 401, (method, path)
    for role in ("analyst", "admin"):
        staff = env.signed_in(f"{role}@example.com", role)
        for method, path, body in CUSTOMER_ONLY:
            assert _call(staff, method, path, body) == 403, (role, method, path)
    key, prefix = new_api_key()
    owner = env.user("integration@example.com")
    create_api_key(env.store, owner.user_id, "ci", ["events:write"], token_hash(key), prefix)
    bearer = env.client()
    bearer.headers["Authorization"] = f"Bearer {key}"
    for method, path, body in CUSTOMER_ONLY:
        assert _call(bearer, method, path, body) == 403, (method, path)
    forged = env.client()
    forged.headers["Authorization"] = "Bearer gck_not-a-real-key"
    assert _call(forged, "GET", "/api/customer/cart", None) == 401
    public = anonymous.get("/api/customer/products")
    assert public.status_code == 200 and public.json()["total"] == 4


def test_catalog_search_filters_sort_and_pages(env: Env) -> None:
    client = env.client()
    names = lambda r: [i["product_name"] for i in r.json()["items"]]  # noqa: E731
    assert names(client.get("/api/customer/products?q=SHOE&sort=price_asc")) == [
        "Red running shoe", "Blue trail shoe"
    ]  # fmt: skip
    accessories = client.get("/api/customer/products?category=accessories&sort=price_desc")
    assert names(accessories) == ["Silk scarf", "Wool hat"]
    ranged = client.get("/api/customer/products?min_price=40&max_price=100")
    assert sorted(names(ranged)) == ["Red running shoe", "Silk scarf"]
    page = client.get("/api/customer/products?limit=3&offset=3").json()
    assert page["total"] == 4 and len(page["items"]) == 1
    for bad in ("limit=0", "limit=101", "offset=-1", "sort=random", "min_price=9&max_price=1"):
        assert client.get(f"/api/customer/products?{bad}").status_code == 422, bad
    detail = client.get("/api/customer/products/201").json()
    assert detail["sku"] == "HT-WOOL" and detail["available"] == 10
    assert client.get("/api/customer/products/999").status_code == 404
    buyer = env.signed_in("fan@example.com")
    buyer.post("/api/customer/cart/items", json={"product_id": 202, "qty": 3})
    assert _checkout(buyer, "bestseller-1").status_code == 201
    top = client.get("/api/customer/products?sort=best_sellers&limit=1").json()["items"][0]
    assert top["product_id"] == 202 and top["units_sold"] == 3


def test_cart_merges_updates_and_removes_lines(env: Env) -> None:
    client = env.signed_in("cart@example.com")
    client.post("/api/customer/cart/items", json={"product_id": 101, "qty": 1})
    cart = client.post("/api/customer/cart/items", json={"product_id": 101, "qty": 2}).json()
    assert [(line["product_id"], line["qty"]) for line in cart["lines"]] == [(101, 3)]
    assert cart["total"] == "269.70"
    line_id = cart["lines"][0]["line_id"]
    updated = client.patch(f"/api/customer/cart/lines/{line_id}", json={"qty": 5}).json()
    assert updated["lines"][0]["qty"] == 5
    assert client.get(f"/api/customer/carts/{cart['cart_id']}").json()["lines"][0]["qty"] == 5
    assert client.post("/api/customer/cart/items", json={"product_id": 999}).status_code == 404
    too_many = client.post("/api/customer/cart/items", json={"product_id": 101, "qty": 95})
    assert too_many.status_code == 422
    assert client.delete(f"/api/customer/cart/lines/{line_id}").json()["lines"] == []


def test_customers_are_isolated(env: Env) -> None:
    alice, bob = env.signed_in("alice@example.com"), env.signed_in("bob@example.com")
    cart = alice.post("/api/customer/cart/items", json={"product_id": 101, "qty": 1}).json()
    line_id, cart_id = cart["lines"][0]["line_id"], cart["cart_id"]
    order = _checkout(alice, "alice-order-1").json()
    alice.post("/api/customer/cart/items", json={"product_id": 102, "qty": 1})
    line_id = alice.get("/api/customer/cart").json()["lines"][0]["line_id"]
    order_id = order["order_id"]
    deliver_order(env.store, order_id)
    assert bob.get(f"/api/customer/carts/{cart_id}").status_code == 404
    assert bob.patch(f"/api/customer/cart/lines/{line_id}", json={"qty": 9}).status_code == 404
    assert bob.delete(f"/api/customer/cart/lines/{line_id}").status_code == 404
    assert bob.get(f"/api/customer/orders/{order_id}").status_code == 404
    assert bob.post(f"/api/customer/orders/{order_id}/cancel").status_code == 404
    body = {"line_no": 1, "qty": 1, "reason": "other"}
    assert bob.post(f"/api/customer/orders/{order_id}/returns", json=body).status_code == 404
    assert bob.get("/api/customer/orders").json() == []
    assert bob.get("/api/customer/cart").json()["lines"] == []
    assert alice.get("/api/customer/cart").json()["lines"][0]["qty"] == 1
    assert alice.get(f"/api/customer/orders/{order_id}").json()["status"] == "delivered"
    assert env.store.query("select count(*) from app.returns") == [(0,)]


def test_checkout_is_idempotent(env: Env) -> None:
    client = env.signed_in("retry@example.com")
    client.post("/api/customer/cart/items", json={"product_id": 101, "qty": 2})
    assert _checkout(client, "no").status_code == 400  # key too short
    assert client.post("/api/customer/checkout", json={}).status_code == 400
    first = _checkout(client, "order-key-0001")
    assert first.status_code == 201 and first.json()["status"] == "paid"
    again = _checkout(client, "order-key-0001")
    assert again.status_code == 201 and again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert env.store.query("select count(*) from app.orders") == [(1,)]
    assert env.store.query("select count(*) from app.payments") == [(1,)]
    assert stock_of(env.store, 101) == (8, 0)
    other = _checkout(client, "order-key-0001", simulate="card_declined")
    assert other.status_code == 422 and other.json()["type"].endswith("idempotency-key-reuse")
    empty = _checkout(client, "order-key-0002")
    assert empty.status_code == 422  # the cart was emptied by the order


@pytest.mark.parametrize("failure", ["card_declined", "bank_down"])
def test_payment_failure_releases_the_reservation(env: Env, failure: str) -> None:
    client = env.signed_in("declined@example.com")
    client.post("/api/customer/cart/items", json={"product_id": 201, "qty": 4})
    response = _checkout(client, "declined-0001", simulate=failure)
    assert response.status_code == 402
    problem = response.json()
    assert problem["reason"] == failure.replace("_", "-")
    assert stock_of(env.store, 201) == (10, 0)
    order = client.get(f"/api/customer/orders/{problem['order_id']}").json()
    assert order["status"] == "cancelled" and order["payments"][0]["status"] == "failed"
    assert client.get("/api/customer/cart").json()["lines"][0]["qty"] == 4  # cart kept
    retry = _checkout(client, "declined-0002")
    assert retry.status_code == 201 and stock_of(env.store, 201) == (6, 0)


def test_out_of_stock_is_a_clean_409(env: Env) -> None:
    client = env.signed_in("greedy@example.com")
    client.post("/api/customer/cart/items", json={"product_id": 101, "qty": 11})
    response = _checkout(client, "greedy-0001")
    assert response.status_code == 409 and response.json()["type"].endswith("out-of-stock")
    assert stock_of(env.store, 101) == (10, 0)
    assert env.store.query("select count(*) from app.orders") == [(0,)]


def test_cancel_restocks_and_returns_need_delivery(env: Env) -> None:
    client = env.signed_in("returns@example.com")
    client.post("/api/customer/cart/items", json={"product_id": 102, "qty": 2})
    order_id = _checkout(client, "cancel-00001").json()["order_id"]
    assert stock_of(env.store, 102) == (8, 0)
    body = {"line_no": 1, "qty": 1, "reason": "damaged"}
    assert client.post(f"/api/customer/orders/{order_id}/returns", json=body).status_code == 409
    cancelled = client.post(f"/api/customer/orders/{order_id}/cancel").json()
    assert cancelled["status"] == "cancelled" and cancelled["payments"][0]["status"] == "refunded"
    assert stock_of(env.store, 102) == (10, 0)
    assert client.post(f"/api/customer/orders/{order_id}/cancel").status_code == 409
    client.post("/api/customer/cart/items", json={"product_id": 102, "qty": 2})
    order_id = _checkout(client, "return-00001").json()["order_id"]
    deliver_order(env.store, order_id)
    returned = client.post(f"/api/customer/orders/{order_id}/returns", json=body)
    assert returned.status_code == 201 and returned.json()["status"] == "requested"
    assert client.post(f"/api/customer/orders/{order_id}/returns", json=body).status_code == 409
    too_many = {**body, "line_no": 1, "qty": 3}
    assert client.post(f"/api/customer/orders/{order_id}/returns", json=too_many).status_code in (
        409,
        422,
    )
    orders = client.get("/api/customer/orders").json()
    assert [o["status"] for o in orders] == ["delivered", "cancelled"]


def test_events_are_validated_batched_and_rate_limited(env: Env) -> None:
    client = env.client()
    batch = {"session_id": "visitor-0001", "events": [{"stage": "VIEW_PRODUCT", "product_id": 101}]}
    assert client.post("/api/events", json=batch).json() == {"accepted": 1}
    for bad in (
        {**batch, "session_id": "x"},
        {**batch, "events": []},
        {**batch, "events": [{"stage": "TELEPORTED"}]},
        {**batch, "events": [{"stage": "SEARCH"}] * 101},
    ):
        assert client.post("/api/events", json=bad).status_code == 422
    big = {**batch, "events": [{"stage": "SEARCH"}] * 100}
    codes = [client.post("/api/events", json=big).status_code for _ in range(7)]
    assert codes[:5] == [202] * 5 and codes[-1] == 429
    assert env.store.query("select count(*) from app.events")[0][0] >= 501
    key, prefix = new_api_key()
    owner = env.user("reader@example.com", "analyst")
    create_api_key(env.store, owner.user_id, "read", ["analytics:read"], token_hash(key), prefix)
    scoped = env.client()
    scoped.headers["Authorization"] = f"Bearer {key}"
    assert scoped.post("/api/events", json=batch).status_code == 403


def test_a_checkout_that_died_midway_is_recovered(env: Env) -> None:
    client = env.signed_in("crash@example.com")
    client.post("/api/customer/cart/items", json={"product_id": 202, "qty": 2})
    user_id = client.get("/api/auth/me").json()["user"]["user_id"]
    # the process died after reserving stock and claiming the key, before the payment
    order_id = reserve_order(env.store, user_id)
    idempotency.begin(env.store, user_id, "crashed-0001", "whatever")
    assert stock_of(env.store, 202) == (10, 2)
    assert _checkout(client, "crashed-0001").status_code == 422  # other body: refused
    long_ago = dt.datetime.now(dt.UTC).replace(tzinfo=None) - dt.timedelta(hours=1)
    env.store.execute("update app.orders set created_at = ?", [long_ago])
    env.store.execute("update app.idempotency_keys set created_at = ?", [long_ago])
    assert release_stale_reservations(env.store, dt.timedelta(minutes=15)) == 1
    assert stock_of(env.store, 202) == (10, 0)
    order = client.get(f"/api/customer/orders/{order_id}").json()
    assert (order["status"], order["cancel_reason"]) == ("cancelled", "reservation_expired")
    env.store.execute("update app.idempotency_keys set request_hash = 'x'")
    assert _checkout(client, "crashed-0001").status_code == 422
    env.store.execute("delete from app.idempotency_keys")
    idempotency.begin(env.store, user_id, "crashed-0002", "stale")
    env.store.execute("update app.idempotency_keys set created_at = ?", [long_ago])
    assert idempotency.begin(env.store, user_id, "crashed-0002", "stale") == ("new", None)
