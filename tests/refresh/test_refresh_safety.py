"""Refresh safety: concurrent checkouts lose nothing, refreshes never overlap, a failing
refresh retries with backoff and leaves the warehouse as it was, watched batches are loaded."""

from __future__ import annotations

import threading
from functools import partial
from pathlib import Path

import pytest

from globalcart.engines import Warehouse
from globalcart.generator import GenerateParams, generate
from globalcart.pipeline import runner
from globalcart.pipeline.load import load_landing
from globalcart.refresh import core
from globalcart.refresh.core import RefreshError, refresh_once
from globalcart.refresh.lock import refresh_lock
from globalcart.refresh.worker import RefreshWorker, backoff_seconds
from tests.api.conftest import Env
from tests.refresh.storefront import Buyer, counts, fact_order, wh
from tests.warehouse.snapshot import fast_snapshot


def test_checkouts_during_refreshes_lose_nothing(env: Env) -> None:
    placed: list[str] = []
    errors: list[BaseException] = []

    def shop() -> None:
        try:
            buyer = Buyer.sign_up(env)
            for _ in range(4):
                placed.append(buyer.order({10: 1}))
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=shop) for _ in range(3)]
    for thread in threads:
        thread.start()
    cycles = 0
    while any(thread.is_alive() for thread in threads) or cycles == 0:
        refresh_once(wh(env))
        cycles += 1
    for thread in threads:
        thread.join()
    assert not errors
    refresh_once(wh(env))

    assert len(placed) == 12
    assert [fact_order(env, order) for order in placed].count(None) == 0
    assert {row[0] for row in (fact_order(env, order) for order in placed) if row} == {"paid"}


def test_a_second_refresh_skips_while_one_runs(env: Env) -> None:
    Buyer.sign_up(env).order({10: 1})
    with refresh_lock(wh(env)) as held:
        assert held
        assert refresh_once(wh(env)).status == "skipped"
    assert refresh_once(wh(env)).status == "success"


def test_failing_refresh_backs_off_and_leaves_state_intact(
    env: Env, monkeypatch: pytest.MonkeyPatch
) -> None:
    app_order = Buyer.sign_up(env).order({20: 1})
    monkeypatch.setattr(core, "build", partial(runner.build, fail_after="dw.fct_orders"))
    state = fast_snapshot(wh(env))
    worker = RefreshWorker(wh(env), 2.0, max_backoff=5.0)

    waits = [worker.run_cycle() for _ in range(3)]

    assert waits == [4.0, 5.0, 5.0] and worker.state.failures == 3
    assert "simulated failure after dw.fct_orders" in (worker.state.last_error or "")
    assert fast_snapshot(wh(env)) == state and fact_order(env, app_order) is None
    failed = wh(env).query("select count(*) from ops.runs where kind = 'refresh' "
                           "and status = 'failed'")  # fmt: skip
    assert failed == [(3,)]
    with pytest.raises(RefreshError):
        refresh_once(wh(env))

    monkeypatch.setattr(core, "build", runner.build)
    assert worker.run_cycle() == 2.0 and worker.state.failures == 0
    assert fact_order(env, app_order) is not None


def test_backoff_doubles_up_to_the_cap() -> None:
    assert [backoff_seconds(5, n, 60) for n in range(5)] == [5, 10, 20, 40, 60]
    assert backoff_seconds(0.2, 1, 60) == 2.0  # sub-second intervals back off from 1 s


def _landing_orders(warehouse: Warehouse) -> int:
    return warehouse.row_count("landing.orders")


def test_watched_folder_picks_up_an_incremental_batch(warehouse: Warehouse, tmp_path: Path) -> None:
    base, watched = tmp_path / "base", tmp_path / "incoming"
    generate(GenerateParams(scale="tiny", orders=400, days=60, out=base))
    load_landing(warehouse, base)
    runner.build(warehouse)
    assert refresh_once(warehouse, watch_dir=watched).status == "idle"  # no folder yet
    half_written = watched / "batch-2"
    half_written.mkdir(parents=True)
    (half_written / "orders.parquet").write_bytes(b"")  # no manifest yet: not picked up
    generate(GenerateParams(scale="tiny", orders=60, days=5, out=watched / "batch-1"),
             from_dir=base)  # fmt: skip
    before = _landing_orders(warehouse)

    result = refresh_once(warehouse, watch_dir=watched)

    assert result.status == "success" and result.files_loaded > 0 and len(result.batches) == 1
    assert _landing_orders(warehouse) > before
    assert warehouse.query("select count(*) from ops.batches")[0][0] == 2
    newest = warehouse.query("select max(order_ts) from dw.fct_orders")[0][0]
    assert str(newest) > "2026-06-30"
    state = counts(warehouse)
    assert refresh_once(warehouse, watch_dir=watched).status == "idle"
    assert counts(warehouse) == state
