"""Checkout in one transaction: the answer is the stored order, retries replay it byte for byte,
concurrent carts of several products neither oversell nor deadlock, concurrent retries of one
key create one order, and refusals are stored under the key too."""

from __future__ import annotations

import datetime as dt
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import httpx

from globalcart.api.security import new_token, token_hash
from globalcart.store.auth import create_session
from globalcart.store.carts import add_item
from globalcart.store.catalog import set_stock, stock_of
from tests.api.conftest import Env
from tests.api.test_concurrency import server  # noqa: F401  (the uvicorn fixture)

ADDRESS = {"name": "Ada Buyer", "line1": "2 Rue de Rivoli", "line2": None, "city": "Paris",
           "postal_code": "75001", "country": "FR"}  # fmt: skip


def _session(env: Env, email: str) -> tuple[str, str, str]:
    """(user id, session token, CSRF token) of a new signed-in customer."""
    user = env.user(email)
    token, csrf = new_token(), new_token()
    create_session(
        env.store, user.user_id, token_hash(token), csrf, dt.timedelta(hours=1), None, None
    )
    return user.user_id, token, csrf


def test_the_answer_is_the_order_as_stored_and_replays_are_identical(env: Env) -> None:
    client = env.signed_in("exact@example.com")
    for product_id, qty in ((202, 3), (101, 2), (201, 1)):
        client.post("/api/customer/cart/items", json={"product_id": product_id, "qty": qty})
    headers = {"Idempotency-Key": "exact-000001"}
    body = {"shipping_address": ADDRESS, "payment_method": "paypal"}
    placed = client.post("/api/customer/checkout", json=body, headers=headers)
    assert placed.status_code == 201, placed.text
    order = placed.json()
    assert [(line["line_no"], line["product_id"], line["qty"]) for line in order["lines"]] == [
        (1, 202, 3), (2, 101, 2), (3, 201, 1)
    ]  # fmt: skip
    assert order["gross_amount"] == order["net_amount"] == order["payments"][0]["amount"]
    assert float(order["gross_amount"]) == 3 * 45.50 + 2 * 89.90 + 25.00
    stored = client.get(f"/api/customer/orders/{order['order_id']}")
    assert stored.json() == order
    replay = client.post("/api/customer/checkout", json=body, headers=headers)
    assert replay.content == placed.content and replay.headers["Idempotent-Replayed"] == "true"
    assert [stock_of(env.store, p) for p in (202, 101, 201)] == [(7, 0), (8, 0), (9, 0)]
    assert client.get("/api/customer/cart").json()["lines"] == []
    method = env.store.one(
        "select method from app.payments where order_id = ?", [order["order_id"]]
    )
    assert method == ("paypal",)


def test_refusals_are_stored_under_the_key(env: Env) -> None:
    client = env.signed_in("refused@example.com")
    client.post("/api/customer/cart/items", json={"product_id": 102, "qty": 11})
    headers = {"Idempotency-Key": "refused-0001"}
    first = client.post("/api/customer/checkout", json={}, headers=headers)
    assert first.status_code == 409 and first.json()["type"].endswith("out-of-stock")
    set_stock(env.store, 102, 50)  # the answer under this key stays the refusal
    again = client.post("/api/customer/checkout", json={}, headers=headers)
    assert again.status_code == 409 and again.headers["Idempotent-Replayed"] == "true"
    assert again.content == first.content
    assert env.store.query("select count(*) from app.orders") == [(0,)]
    assert stock_of(env.store, 102) == (50, 0)
    assert client.post("/api/customer/checkout", json={},
                       headers={"Idempotency-Key": "refused-0002"}).status_code == 201  # fmt: skip


def test_declined_payment_is_recorded_and_leaves_the_stock(env: Env) -> None:
    client = env.signed_in("declined-once@example.com")
    client.post("/api/customer/cart/items", json={"product_id": 101, "qty": 10})
    response = client.post("/api/customer/checkout", json={"simulate": "card_declined"},
                           headers={"Idempotency-Key": "declined-x1"})  # fmt: skip
    assert response.status_code == 402
    row = env.store.one(
        "select o.status, o.cancel_reason, p.status, p.failure_reason, p.captured_at "
        "from app.orders as o inner join app.payments as p on p.order_id = o.order_id"
    )
    assert row == ("cancelled", "payment_failed:card_declined", "failed", "card_declined", None)
    assert stock_of(env.store, 101) == (10, 0)
    set_stock(env.store, 101, 9)  # too few now: out of stock comes before any payment attempt
    short = client.post("/api/customer/checkout", json={"simulate": "card_declined"},
                        headers={"Idempotency-Key": "declined-x2"})  # fmt: skip
    assert short.status_code == 409
    assert env.store.query("select count(*) from app.payments") == [(1,)]


def test_concurrent_multi_product_carts_neither_oversell_nor_deadlock(
    env: Env,
    server: str,  # noqa: F811
) -> None:
    buyers, units = 30, 10
    for product_id in (101, 102, 201):
        set_stock(env.store, product_id, units)
    sessions = []
    for n in range(buyers):
        user_id, token, csrf = _session(env, f"multi{n}@example.com")
        # every other buyer fills the cart in the opposite order
        for product_id in (101, 102, 201) if n % 2 else (201, 102, 101):
            add_item(env.store, user_id, product_id, 1)
        sessions.append((token, csrf))
    start = threading.Barrier(buyers)

    def buy(credentials: tuple[str, str]) -> int:
        token, csrf = credentials
        headers = {"X-CSRF-Token": csrf, "Idempotency-Key": f"multi-{csrf[:16]}"}
        with httpx.Client(base_url=server, cookies={"gc_session": token}, timeout=60) as client:
            start.wait()
            return client.post("/api/customer/checkout", json={}, headers=headers).status_code

    with ThreadPoolExecutor(max_workers=buyers) as pool:
        codes = Counter(pool.map(buy, sessions))
    assert codes == Counter({201: units, 409: buyers - units})
    assert [stock_of(env.store, p) for p in (101, 102, 201)] == [(0, 0)] * 3
    assert env.store.query("select count(*) from app.order_lines") == [(3 * units,)]


def test_concurrent_retries_of_one_key_place_one_order(
    env: Env,
    server: str,  # noqa: F811
) -> None:
    user_id, token, csrf = _session(env, "impatient@example.com")
    add_item(env.store, user_id, 201, 2)
    tries = 8
    start = threading.Barrier(tries)

    def attempt(_: int) -> tuple[int, bytes]:
        headers = {"X-CSRF-Token": csrf, "Idempotency-Key": "impatient-0001"}
        with httpx.Client(base_url=server, cookies={"gc_session": token}, timeout=60) as client:
            start.wait()
            response = client.post("/api/customer/checkout", json={}, headers=headers)
            return response.status_code, response.content

    with ThreadPoolExecutor(max_workers=tries) as pool:
        answers = list(pool.map(attempt, range(tries)))
    # the claim of the key commits with the order: a retry waits for it, then replays it
    assert [code for code, _ in answers] == [201] * tries
    assert len({content for _, content in answers}) == 1
    assert env.store.query("select count(*) from app.orders") == [(1,)]
    assert stock_of(env.store, 201) == (8, 0)
