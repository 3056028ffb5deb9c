"""What a refresh does around the build stays correct when made cheap: the grouped snapshot
queries give exactly what ``compute`` gives per KPI, and the loop schedules refreshes from the
start of the previous one."""

from __future__ import annotations

import datetime as dt
import itertools
import threading
import time

import pytest

from globalcart.pipeline.app_source import AppSourceError, ingest_app
from globalcart.refresh.core import RefreshResult, refresh_once
from globalcart.refresh.worker import RefreshWorker
from globalcart.semantic.query import compute
from globalcart.semantic.snapshots import HEADLINE, full_range, take_snapshot
from tests.api.conftest import Env
from tests.refresh.storefront import Buyer, wh


def _per_kpi(env: Env) -> dict[str, float | None]:
    start, end = full_range(wh(env))
    values = {name: compute(wh(env), name, start, end).rows[0]["value"] for name in HEADLINE}
    return {name: None if value is None else float(value) for name, value in values.items()}


def _close(left: dict[str, float | None], right: dict[str, float | None]) -> bool:
    def same(a: float | None, b: float | None) -> bool:
        if a is None or b is None:
            return a is b
        return abs(a - b) <= 1e-9 * max(1.0, abs(a))

    return left.keys() == right.keys() and all(same(left[k], right[k]) for k in left)


def test_refresh_snapshot_equals_the_kpis_computed_one_by_one(env: Env) -> None:
    Buyer.sign_up(env).order({20: 1, 10: 2})
    result = refresh_once(wh(env))
    assert result.status == "success" and result.after_label

    stored = wh(env).query(
        "select kpi, value from ops.kpi_snapshots where label = ?", [result.after_label]
    )

    expected = _per_kpi(env)
    assert _close({str(k): v for k, v in stored}, expected)
    assert expected["orders"] and expected["net_revenue"]


def test_snapshot_of_a_kpi_without_inputs_is_none_like_compute(env: Env) -> None:
    wh(env).execute("delete from dw.fct_payments")  # payment_failure_rate loses its input

    values = take_snapshot(wh(env), "no-payments")

    assert values["payment_failure_rate"] is None
    assert values["orders"] is not None
    assert _close(values, _per_kpi(env))


def test_the_loop_starts_a_refresh_every_interval_not_an_interval_after_the_last_one(
    env: Env,
) -> None:
    starts: list[float] = []
    stop = threading.Event()

    def slow_refresh() -> RefreshResult:
        starts.append(time.monotonic())
        if len(starts) == 4:
            stop.set()
        time.sleep(0.6)
        return RefreshResult("idle")

    worker = RefreshWorker(wh(env), 1.0, refresh=slow_refresh)
    thread = threading.Thread(target=worker.run, args=(stop,))
    thread.start()
    thread.join(30)

    gaps = [later - earlier for earlier, later in itertools.pairwise(starts)]
    assert len(gaps) == 3
    # an interval of 1 s between starts, not 0.6 s of refresh plus 1 s of idling
    assert all(0.95 <= gap < 1.4 for gap in gaps), gaps


def test_unknown_app_statuses_fail_the_ingest_and_append_nothing(env: Env) -> None:
    first, second = Buyer.sign_up(env), Buyer.sign_up(env)
    orders = [first.order({10: 1}), second.order({20: 1})]
    with env.store.write():
        env.store.execute("update app.orders set status = 'Teleported', updated_at = ? "
                          "where order_id = ?", [dt.datetime.now(dt.UTC).replace(tzinfo=None),
                                                 orders[0]])  # fmt: skip
        env.store.execute("update app.payments set status = 'lost' where order_id = ?",
                          [orders[1]])  # fmt: skip
    landing = wh(env).row_count("landing.orders")

    with pytest.raises(AppSourceError) as failure:
        ingest_app(wh(env))

    # one table is reported (the first by name), with its own unknown statuses only
    message = str(failure.value)
    assert "app.orders has statuses" in message and "'teleported'" in message
    assert "'lost'" not in message
    assert wh(env).row_count("landing.orders") == landing
    failed = wh(env).query("select count(*) from ops.runs where kind = 'load' and mode = 'app' "
                           "and status = 'failed'")  # fmt: skip
    assert failed == [(1,)]
