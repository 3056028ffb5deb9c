"""50 concurrent buyers for 10 units, through a real uvicorn server: no overselling."""

from __future__ import annotations

import datetime as dt
import socket
import threading
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
import uvicorn

from globalcart.api.security import new_token, token_hash
from globalcart.store.auth import create_session
from globalcart.store.carts import add_item
from globalcart.store.catalog import set_stock, stock_of
from tests.api.conftest import Env

BUYERS = 50
UNITS = 10


@pytest.fixture
def server(env: Env) -> Iterator[str]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    config = uvicorn.Config(env.app, host="127.0.0.1", port=port, log_config=None, lifespan="off")
    instance = uvicorn.Server(config)
    thread = threading.Thread(target=instance.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not instance.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}"
    instance.should_exit = True
    thread.join(timeout=10)


def test_concurrent_checkouts_never_oversell(env: Env, server: str) -> None:
    set_stock(env.store, 101, UNITS)
    buyers: list[tuple[str, str]] = []
    for n in range(BUYERS):
        user = env.user(f"buyer{n}@example.com")
        token, csrf = new_token(), new_token()
        create_session(
            env.store, user.user_id, token_hash(token), csrf, dt.timedelta(hours=1), None, None
        )
        add_item(env.store, user.user_id, 101, 1)
        buyers.append((token, csrf))
    start = threading.Barrier(BUYERS)

    def buy(credentials: tuple[str, str]) -> int:
        token, csrf = credentials
        headers = {"X-CSRF-Token": csrf, "Idempotency-Key": f"buy-{csrf[:16]}"}
        with httpx.Client(base_url=server, cookies={"gc_session": token}, timeout=60) as client:
            start.wait()
            return client.post("/api/customer/checkout", json={}, headers=headers).status_code

    with ThreadPoolExecutor(max_workers=BUYERS) as pool:
        codes = Counter(pool.map(buy, buyers))
    assert codes == Counter({201: UNITS, 409: BUYERS - UNITS})
    assert stock_of(env.store, 101) == (0, 0)
    assert env.store.query("select count(*), sum(l.qty) from app.orders as o inner join "
                           "app.order_lines as l on l.order_id = o.order_id "
                           "where o.status = 'paid'") == [(UNITS, UNITS)]  # fmt: skip
    negative = env.store.query(
        "select count(*) from app.inventory where on_hand < 0 or reserved < 0"
    )
    assert negative == [(0,)]
