"""Rate limits: in memory on DuckDB (one process), shared through ``app.rate_limits`` on
PostgreSQL, where several worker processes serve the same database."""

from __future__ import annotations

import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest

from globalcart.api.app import create_app
from globalcart.api.security import Limit, Limiters, Limits, RateLimiter
from globalcart.config import Settings
from globalcart.engines import connect
from globalcart.store import Store
from globalcart.store.ratelimits import SharedCounter
from tests.api.conftest import PASSWORD, Env


@pytest.fixture
def second_store(store: Store, warehouse_url: str) -> Iterator[Store]:
    """Another connection to the same database, as a second worker process would hold
    (DuckDB shares the one instance of the process)."""
    if store.dialect == "duckdb":
        yield store
        return
    warehouse = connect(warehouse_url, migrate_schema=False)
    yield Store(warehouse)
    warehouse.close()


def test_shared_counter_counts_windows_costs_and_resets(store: Store) -> None:
    counter = SharedCounter(store, "test", count=3, seconds=1.5)
    assert [counter.hit("a") is None for _ in range(4)] == [True, True, True, False]
    assert counter.hit("b", cost=2) is None and counter.hit("b", cost=2) is not None
    assert counter.hit("b", cost=4) is not None  # more than the whole limit
    wait = counter.hit("a")
    assert wait is not None and 1.0 <= wait <= 1.5
    counter.reset("a")
    assert counter.hit("a") is None
    time.sleep(1.6)
    assert [counter.hit("b") is None for _ in range(4)] == [True, True, True, False]


def test_shared_counter_is_atomic_under_concurrent_hits(store: Store) -> None:
    counter = SharedCounter(store, "race", count=10, seconds=60)
    with ThreadPoolExecutor(max_workers=8) as pool:
        outcomes = list(pool.map(lambda _: counter.hit("same-key"), range(40)))
    assert sum(wait is None for wait in outcomes) == 10
    rows = store.query("select hits from app.rate_limits where bucket like 'race:%'")
    assert rows == [(10,)]


def test_limits_are_shared_by_the_workers_of_a_postgres_database(
    store: Store, second_store: Store, warehouse_url: str
) -> None:
    limits = Limits(login_per_account=Limit(3, 300))
    envs = []
    for each in (store, second_store):
        app = create_app(Settings(database_url=warehouse_url), store=each, limits=limits)
        envs.append(Env(each, app))
    kind = SharedCounter if store.dialect == "postgres" else RateLimiter
    assert all(isinstance(e.app.state.limiters.login_account, kind) for e in envs)
    envs[0].user("shared@example.com")
    body = {"email": "shared@example.com", "password": "wrong-password-123"}
    first, second = envs[0].client(), envs[1].client()
    codes = [c.post("/api/auth/login", json=body).status_code for c in (first, second, first)]
    assert codes == [401, 401, 401]
    blocked = second.post("/api/auth/login", json={**body, "password": PASSWORD})
    if store.dialect == "postgres":  # the second worker saw the first one's failures
        assert blocked.status_code == 429
    else:  # two apps in one DuckDB process keep their own counts
        assert blocked.status_code == 200


def test_limiters_count_in_memory_on_duckdb_and_in_the_store_on_postgres(store: Store) -> None:
    limiters = Limiters(Limits())
    limiters.use_store(store)
    expected = SharedCounter if store.dialect == "postgres" else RateLimiter
    assert isinstance(limiters.events, expected) and isinstance(limiters.signup, expected)
    if store.dialect == "duckdb":
        assert store.query("select count(*) from app.rate_limits") == [(0,)]
