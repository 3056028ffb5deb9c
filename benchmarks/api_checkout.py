"""The checkout part of the API benchmark (``bench_api.py --part checkout``): orders/s through
the storefront API on a fresh PostgreSQL database, driven by wrk (customers with sessions and
carts written straight to the database) or by an asyncio httpx client (customers sign up and
fill their carts over HTTP); every checkout is then retried with its key and must replay."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import re
import time
import uuid
from typing import Any

import http_load as load
import httpx
from http_load import Server, Wrk

TARGET_ORDERS = 200.0
PASSWORD = "bench-Passw0rd-long-enough"


async def _customer(client: httpx.AsyncClient, index: int, run: str) -> dict[str, str]:
    """Sign up (from its own address) and fill the cart; returns the headers of its requests."""
    address = f"10.{index // 65536 % 256}.{index // 256 % 256}.{index % 256}"
    body = {"email": f"bench-{run}-{index}@example.com", "password": PASSWORD}
    response = await client.post("/api/auth/signup", json=body,
                                 headers={"X-Forwarded-For": address})  # fmt: skip
    if response.status_code != 201:
        raise SystemExit(f"sign-up failed: {response.status_code} {response.text[:300]}")
    headers = {
        "Cookie": f"gc_session={response.cookies['gc_session']}",
        "X-CSRF-Token": response.json()["csrf_token"], "X-Forwarded-For": address,
    }  # fmt: skip
    for line in range(1 + index % 3):
        item = {"product_id": 1 + (index * 7 + line) % 50, "qty": 1 + line}
        added = await client.post("/api/customer/cart/items", json=item, headers=headers)
        if added.status_code != 200:
            raise SystemExit(f"add to cart failed: {added.status_code} {added.text[:300]}")
    return headers


async def _checkouts(
    client: httpx.AsyncClient, customers: list[dict[str, str]], concurrency: int
) -> tuple[dict[str, Any], list[str | None]]:
    """One checkout per customer (its key is its index), ``concurrency`` in flight."""
    order_ids: list[str | None] = [None] * len(customers)
    latencies: list[float] = []
    errors = 0
    counter = iter(range(len(customers)))

    async def worker() -> None:
        nonlocal errors
        for index in counter:
            headers = {**customers[index], "Idempotency-Key": f"bench-checkout-{index:06d}"}
            started = time.perf_counter()
            response = await client.post("/api/customer/checkout", json={}, headers=headers)
            latencies.append(time.perf_counter() - started)
            if response.status_code == 201:
                order_ids[index] = response.json()["order_id"]
            else:
                errors += 1

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return load.stats(latencies, time.perf_counter() - started, errors), order_ids


def _postgres_cpu(url: str) -> dict[int, float]:
    """CPU seconds so far of each PostgreSQL backend connected to the database of ``url``
    (read from /proc: PostgreSQL must run on this machine, else nothing is counted)."""
    import psycopg

    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "select pid from pg_stat_activity where datname = current_database() "
            "and pid <> pg_backend_pid()"
        ).fetchall()
    return {int(pid): load.cpu_seconds(int(pid)) for (pid,) in rows}


def _postgres_cpu_since(url: str, before: dict[int, float]) -> float:
    """CPU seconds the backends spent since ``before`` (new backends: all of theirs)."""
    return sum(cpu - before.get(pid, 0.0) for pid, cpu in _postgres_cpu(url).items())


async def _checkout_async(
    server: Server, url: str, customers: int, concurrency: int
) -> dict[str, Any]:
    run = uuid.uuid4().hex[:6]
    async with load.client(server.base, concurrency) as client:
        started = time.perf_counter()
        semaphore = asyncio.Semaphore(concurrency)

        async def one(index: int) -> dict[str, str]:
            async with semaphore:
                return await _customer(client, index, run)

        people = await asyncio.gather(*(one(i) for i in range(customers)))
        setup_s = time.perf_counter() - started
        cpu, pg_cpu = load.cpu_seconds(server.pid), _postgres_cpu(url)
        stats, first = await _checkouts(client, people, concurrency)
        cpu = load.cpu_seconds(server.pid) - cpu
        pg_seconds = _postgres_cpu_since(url, pg_cpu)
        _, replayed = await _checkouts(client, people, concurrency)
    return {
        "customers": customers, "setup_seconds": round(setup_s, 1), **stats,
        "orders": sum(1 for o in first if o), "orders_per_s": stats["rps"],
        "replays_identical": first == replayed,
        "api_cpu_ms_per_order": round(cpu / customers * 1000, 2),
        "postgres_cpu_ms_per_order": round(pg_seconds / customers * 1000, 2),
    }  # fmt: skip


def _prepare_postgres(base_url: str) -> tuple[str, str]:
    """A fresh database with the ``app`` schema and 50 well-stocked products."""
    import psycopg

    from globalcart.engines import connect
    from globalcart.store import Store, migrate_app
    from globalcart.store.catalog import upsert_product

    name = f"globalcart_bench_api_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(base_url, autocommit=True) as admin:
        admin.execute(f'create database "{name}"')
    url = re.sub(r"/[^/?]*(\?|$)", f"/{name}\\1", base_url.split("://", 1)[1], count=1)
    url = f"{base_url.split('://', 1)[0]}://{url}"
    warehouse = connect(url)
    migrate_app(warehouse)
    store = Store(warehouse)
    for pid in range(1, 51):
        upsert_product(store, {"product_id": pid, "sku": f"BENCH-{pid}",
                               "product_name": f"Bench product {pid}", "category_l1": "Bench",
                               "category_l2": "Bench", "brand": "Bench",
                               "list_price": 10 + pid}, on_hand=10**6)  # fmt: skip
    warehouse.close()
    return url, name


def _cart(index: int) -> list[tuple[int, int]]:
    """(product, units) of customer ``index``'s cart: 1 to 3 lines over the 50 products."""
    return [(1 + (index * 7 + line) % 50, 1 + line) for line in range(1 + index % 3)]


def _direct_customers(url: str, count: int, run: str) -> tuple[list[dict[str, str]], list[str]]:
    """``count`` customers with a browser session and a filled cart, written straight into the
    database (a sign-up over HTTP hashes a password with Argon2id, ~50 ms each: too slow for the
    thousands a wrk run needs; the timed checkouts are the same); returns their headers and
    user ids."""
    import pyarrow as pa

    from globalcart.api.security import new_token, token_hash
    from globalcart.engines import connect

    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    users = [uuid.uuid4().hex for _ in range(count)]
    tokens = [(new_token(), new_token()) for _ in range(count)]
    carts = [uuid.uuid4().hex for _ in range(count)]
    lines = [(carts[i], product, qty) for i in range(count) for product, qty in _cart(i)]
    stamps = pa.array([now] * count, pa.timestamp("us"))
    warehouse = connect(url, migrate_schema=False)
    try:
        warehouse.load_arrow("app.users", pa.table({
            "user_id": users, "email": [f"bench-{run}-{i}@example.com" for i in range(count)],
            "role": ["customer"] * count, "is_active": [True] * count,
            "created_at": stamps, "updated_at": stamps,
        }))  # fmt: skip
        warehouse.load_arrow("app.sessions", pa.table({
            "session_hash": [token_hash(token) for token, _ in tokens], "user_id": users,
            "csrf_token": [csrf for _, csrf in tokens], "created_at": stamps,
            "last_seen_at": stamps,
            "expires_at": pa.array([now + dt.timedelta(hours=2)] * count, pa.timestamp("us")),
        }))  # fmt: skip
        warehouse.load_arrow("app.carts", pa.table({
            "cart_id": carts, "user_id": users, "created_at": stamps, "updated_at": stamps,
        }))  # fmt: skip
        warehouse.load_arrow("app.cart_lines", pa.table({
            "line_id": [uuid.uuid4().hex for _ in lines], "cart_id": [c for c, _, _ in lines],
            "product_id": pa.array([p for _, p, _ in lines], pa.int64()),
            "qty": pa.array([q for _, _, q in lines], pa.int32()),
            "added_at": pa.array([now] * len(lines), pa.timestamp("us")),
        }))  # fmt: skip
        warehouse.execute("analyze")
    finally:
        warehouse.close()
    headers = [{"Cookie": f"gc_session={token}", "X-CSRF-Token": csrf} for token, csrf in tokens]
    return headers, users


async def _replays(
    server: Server, customers: list[dict[str, str]], keys: list[str], concurrency: int
) -> list[str | None]:
    """Retry the checkout of every customer with its key: the order id each answer names."""
    found: list[str | None] = [None] * len(customers)
    counter = iter(range(len(customers)))
    async with load.client(server.base, concurrency) as client:

        async def worker() -> None:
            for index in counter:
                headers = {**customers[index], "Idempotency-Key": keys[index]}
                response = await client.post("/api/customer/checkout", json={}, headers=headers)
                if response.status_code == 201 and response.headers.get("Idempotent-Replayed"):
                    found[index] = response.json()["order_id"]

        await asyncio.gather(*(worker() for _ in range(concurrency)))
    return found


def _checkout_wrk(server: Server, url: str, customers: int, wrk: Wrk) -> dict[str, Any]:
    """Checkouts from wrk: customer ``i`` sends request ``i`` (its cookie, CSRF token and own
    idempotency key); then every customer retries with its key (httpx, not timed)."""
    import psycopg

    run = uuid.uuid4().hex[:6]
    started = time.perf_counter()
    people, users = _direct_customers(url, customers, run)
    setup_s = time.perf_counter() - started
    keys = [f"bench-{run}-{index:07d}" for index in range(customers)]
    per_request = [{**who, "Idempotency-Key": key} for who, key in zip(people, keys, strict=True)]
    pg_cpu = _postgres_cpu(url)
    stats = load.wrk_once(server, "POST", "/api/customer/checkout", "{}",
                          {"Content-Type": "application/json"}, per_request, wrk)  # fmt: skip
    pg_seconds = _postgres_cpu_since(url, pg_cpu)
    if stats["exhausted"]:
        raise SystemExit(f"wrk ran out of customers ({customers}): raise --customers")
    with psycopg.connect(url) as conn:
        rows = conn.execute("select user_id, order_id from app.orders").fetchall()
    placed: dict[str, str] = {str(user): str(order) for user, order in rows}
    ordered = [placed.get(user) for user in users]
    tried = [i for i, order in enumerate(ordered) if order is not None]
    replayed = asyncio.run(_replays(server, [people[i] for i in tried], [keys[i] for i in tried],
                                    wrk.connections))  # fmt: skip
    orders = stats["requests"] - stats["errors"]
    return {
        "customers": customers, "setup_seconds": round(setup_s, 1), **stats,
        "orders": orders, "orders_per_s": round(orders / stats["requests"] * stats["rps"], 1),
        "replays_identical": replayed == [ordered[i] for i in tried],
        "api_cpu_ms_per_order": stats["server_cpu_ms"],
        "postgres_cpu_ms_per_order": round(pg_seconds / stats["requests"] * 1000, 2),
    }  # fmt: skip


def bench_checkout(
    postgres: str, customers: int | None, concurrency: int, workers: int, client: str, wrk: Wrk
) -> dict[str, Any]:
    import psycopg

    version = load.wrk_version()
    if client == "wrk" and version is None:
        raise SystemExit("wrk is not on PATH: `make bench-deps` (or apt-get install wrk)")
    use_wrk = client == "wrk" or (client == "auto" and version is not None)
    url, name = _prepare_postgres(postgres)
    load_before = os.getloadavg()[0]
    try:
        with load.server(url, workers) as server:
            if use_wrk:
                result = _checkout_wrk(server, url, customers or 4000, wrk)
            else:
                result = asyncio.run(_checkout_async(server, url, customers or 400, concurrency))
        with psycopg.connect(url) as conn:
            row = conn.execute("select count(*) from app.orders").fetchone()
        result["orders_in_database"] = int(row[0]) if row else 0
    finally:
        with psycopg.connect(postgres, autocommit=True) as admin:
            admin.execute(f'drop database if exists "{name}" with (force)')
    if use_wrk:
        result["client"] = {"name": "wrk", "version": version, "threads": wrk.threads,
                            "connections": wrk.connections, "seconds": wrk.seconds}  # fmt: skip
        # requests still in flight when wrk stops may complete on the server, uncounted
        consistent = (
            result["orders"] <= result["orders_in_database"] <= (result["orders"] + wrk.connections)
        )
    else:
        result["client"] = {"name": "httpx", "concurrency": concurrency}
        consistent = result["orders_in_database"] == result["orders"] == result["customers"]
    result.update(workers=workers, concurrency=concurrency, database_consistent=consistent,
                  load_average=round(max(load_before, os.getloadavg()[0]), 1),
                  load_average_1_5_15=[round(x, 2) for x in os.getloadavg()],
                  within_target=result["orders_per_s"] >= TARGET_ORDERS and consistent
                  and result["errors"] == 0 and result["replays_identical"])  # fmt: skip
    return result


def print_checkout(r: dict[str, Any]) -> None:
    print(f"\nCheckout, PostgreSQL, {r['workers']} workers, concurrency {r['concurrency']}")
    c = r["client"]
    if c["name"] == "wrk":
        print(f"client: wrk {c['version']} (-t{c['threads']} -c{c['connections']}, "
              f"{c['seconds']:g} s, one customer and idempotency key per request)")  # fmt: skip
        print(f"customers with sessions and carts (written to the database): {r['customers']} "
              f"in {r['setup_seconds']} s")  # fmt: skip
    else:
        print("client: httpx asyncio (wrk not used)")
        print(f"customers signed up with carts: {r['customers']} in {r['setup_seconds']} s")
    print(f"orders: {r['orders']} (database: {r['orders_in_database']}), errors: {r['errors']}, "
          f"replays identical: {r['replays_identical']}")  # fmt: skip
    print(f"orders/s: {r['orders_per_s']}  latency p50 {r['p50_ms']} ms, p95 {r['p95_ms']} ms, "
          f"p99 {r['p99_ms']} ms; CPU per order: API {r['api_cpu_ms_per_order']} ms, "
          f"PostgreSQL backends {r['postgres_cpu_ms_per_order']} ms; "
          f"target >= {TARGET_ORDERS:.0f}/s: "
          f"{'met' if r['within_target'] else 'MISSED'}; load average during the run: "
          f"{r['load_average']} (1/5/15 min after it: "
          f"{' '.join(map(str, r['load_average_1_5_15']))})")  # fmt: skip
