"""One refresh cycle: storefront activity reaches the facts and the day's KPIs, late returns
change the original day, nothing new changes nothing, incremental equals a full rebuild."""

from __future__ import annotations

import datetime as dt
import random

from globalcart.pipeline.runner import build
from globalcart.refresh.core import refresh_once
from globalcart.refresh.simulate import SimulationConfig, StoreSimulator
from globalcart.semantic.snapshots import diff
from tests.api.conftest import Env
from tests.refresh.storefront import (
    Buyer,
    admin_client,
    counts,
    fact_order,
    is_recent,
    kpi,
    recent_days,
    wh,
)
from tests.warehouse.snapshot import fast_snapshot


def test_order_reaches_facts_and_kpis_after_one_cycle(env: Env) -> None:
    orders, revenue = kpi(env, "orders"), kpi(env, "net_revenue")
    app_order = Buyer.sign_up(env).order({20: 2, 10: 1})

    result = refresh_once(wh(env))

    assert result.status == "success" and result.app_rows > 0 and result.build_run_id
    fact = fact_order(env, app_order)
    assert fact is not None and fact[:4] == ("paid", 110, 0, 110) and is_recent(fact[4])
    assert kpi(env, "orders") == orders + 1
    assert kpi(env, "net_revenue") == revenue + 110
    assert result.before_label and result.after_label
    change = {row.kpi: row.change for row in diff(wh(env), result.before_label,
                                                  result.after_label)}  # fmt: skip
    assert change["orders"] == 1 and change["gross_revenue"] == 110


def test_nothing_new_changes_nothing(env: Env) -> None:
    Buyer.sign_up(env).order({30: 1})
    assert refresh_once(wh(env)).status == "success"
    before, state = counts(wh(env)), fast_snapshot(wh(env))
    marks = wh(env).query("select * from ops.watermarks order by name")

    again = refresh_once(wh(env))

    assert again.status == "idle" and again.run_id is None and again.before_label is None
    assert counts(wh(env)) == before
    assert fast_snapshot(wh(env)) == state
    assert wh(env).query("select * from ops.watermarks order by name") == marks


def _backdate_order(env: Env, app_order: str, day: dt.date) -> None:
    at = dt.datetime.combine(day, dt.time(12))
    with env.store.write():
        env.store.execute("update app.orders set created_at = ? where order_id = ?",
                          [at, app_order])  # fmt: skip


def test_late_return_updates_refunds_and_net_revenue_of_the_original_day(env: Env) -> None:
    day = recent_days()[0] - dt.timedelta(days=2)
    buyer, admin = Buyer.sign_up(env), admin_client(env)
    app_order = buyer.order({20: 2})
    _backdate_order(env, app_order, day)
    refresh_once(wh(env))
    revenue, refunds = kpi(env, "net_revenue", day), kpi(env, "refunds", day)
    recent_revenue = kpi(env, "net_revenue")
    assert fact_order(env, app_order) == ("paid", 100, 0, 100, day)

    assert admin.post(f"/api/admin/shop/orders/{app_order}/deliver").status_code == 200
    body = {"line_no": 1, "qty": 1, "reason": "damaged"}
    requested = buyer.client.post(f"/api/customer/orders/{app_order}/returns", json=body)
    assert requested.status_code == 201, requested.text
    settled = admin.post(f"/api/admin/shop/returns/{requested.json()['return_id']}/settle",
                         json={"approve": True})  # fmt: skip
    assert settled.json()["status"] == "refunded" and float(settled.json()["refund_amount"]) == 50
    assert refresh_once(wh(env)).status == "success"

    assert fact_order(env, app_order) == ("delivered", 100, 50, 50, day)
    assert kpi(env, "refunds", day) == refunds + 50
    assert kpi(env, "net_revenue", day) == revenue - 50
    assert kpi(env, "net_revenue") == recent_revenue
    returns = wh(env).query(
        "select status, refund_amount_usd, counts_as_refund from dw.fct_returns as r "
        "inner join ops.app_ids as i on i.kind = 'order' and i.warehouse_id = r.order_id "
        "where i.app_id = ?",
        [app_order],
    )
    assert returns == [("refunded", 50, True)]


def test_return_after_the_refund_window_is_rejected_and_changes_nothing(env: Env) -> None:
    buyer, admin = Buyer.sign_up(env), admin_client(env)
    app_order = buyer.order({10: 3})
    delivered = admin.post(f"/api/admin/shop/orders/{app_order}/deliver")
    assert delivered.status_code == 200, delivered.text
    long_ago = dt.datetime.now(dt.UTC).replace(tzinfo=None) - dt.timedelta(days=45)
    with env.store.write():
        env.store.execute("update app.shipments set shipped_at = ?, delivered_at = ? "
                          "where order_id = ?", [long_ago, long_ago, app_order])  # fmt: skip
    assert refresh_once(wh(env)).status == "success"
    revenue = kpi(env, "net_revenue")
    body = {"line_no": 1, "qty": 2, "reason": "changed_mind"}
    requested = buyer.client.post(f"/api/customer/orders/{app_order}/returns", json=body)
    assert requested.status_code == 201, requested.text
    settled = admin.post(f"/api/admin/shop/returns/{requested.json()['return_id']}/settle",
                         json={"approve": True})  # fmt: skip
    assert settled.json() == {"return_id": requested.json()["return_id"], "status": "rejected",
                              "refund_amount": None}  # fmt: skip
    assert refresh_once(wh(env)).status == "success"

    assert kpi(env, "net_revenue") == revenue
    fact = fact_order(env, app_order)
    assert fact is not None and fact[:4] == ("delivered", 30, 0, 30) and is_recent(fact[4])


def test_incremental_refreshes_equal_a_full_rebuild_after_a_simulated_day(env: Env) -> None:
    config = SimulationConfig(rate=1, seed=11, shoppers=6, payment_failure_rate=0.3,
                              cancel_rate=0.15, deliver_rate=0.8, return_rate=0.5)  # fmt: skip
    key = admin_client(env).headers["Authorization"].removeprefix("Bearer ")
    simulator = StoreSimulator(env.client, config, admin_key=key)
    simulator.connect()
    simulator.random = random.Random(11)
    for step in range(24):
        simulator.order()
        simulator.browse()
        if step % 6 == 5:
            refresh_once(wh(env))
    refresh_once(wh(env))
    stats = simulator.stats
    assert stats.get("errors") == 0, stats.last_error
    assert stats.get("orders") >= 12 and stats.get("payment_failures") > 0
    assert stats.get("deliveries") > 0 and stats.get("returns") > 0
    incremental = fast_snapshot(wh(env))
    app_orders = wh(env).query("select count(*) from ops.app_ids where kind = 'order'")[0][0]
    assert app_orders >= stats.get("orders")

    build(wh(env), full=True)

    assert fast_snapshot(wh(env)) == incremental
