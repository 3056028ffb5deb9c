"""Incremental batches continue a run: new activity after it, updates of earlier orders."""

from __future__ import annotations

import pandas as pd

from globalcart.contract import ORDER_STATUSES
from globalcart.generator.anomalies import BAD_ID_BASE
from tests.generator.landing import Landing

NEW_ENTITY_KEYS = {
    "sessions": "session_id",
    "funnel_events": "event_id",
    "customers": "customer_id",
}


def test_windows_follow_each_other(tiny: Landing, incremental: tuple[Landing, Landing]) -> None:
    first, second = incremental
    assert first.manifest["window"]["start"] == "2026-07-01 00:00:00"
    assert first.manifest["window"]["end"] == "2026-07-30 23:59:59"
    assert second.manifest["window"]["start"] == "2026-07-31 00:00:00"
    assert first.manifest["batch_id"] == "incremental-001"
    assert second.manifest["batch_id"] == "incremental-002"


def test_new_activity_never_reuses_a_key(
    tiny: Landing, incremental: tuple[Landing, Landing]
) -> None:
    batches = [tiny, *incremental]
    for table, key in (("sessions", "session_id"), ("funnel_events", "event_id")):
        seen: set[int] = set()
        for batch in batches:
            ids = set(batch.df(table)[key].dropna())
            assert not ids & seen, table
            seen |= ids
    base_customers = set(tiny.df("customers")["customer_id"].dropna())
    new_rows = incremental[0].df("customers")
    created_later = new_rows[new_rows["created_at"] >= "2026-07-01"]
    assert not set(created_later["customer_id"]) & base_customers


def test_earlier_orders_progress_in_later_batches(
    tiny: Landing, incremental: tuple[Landing, Landing]
) -> None:
    base = tiny.df("orders").drop_duplicates("order_id", keep="last").set_index("order_id")
    update = incremental[0].df("orders")
    known = update[update["order_id"].isin(base.index)].drop_duplicates("order_id", keep="last")
    assert len(known) > 0, "no status updates of base orders"
    before = base.loc[known["order_id"], "status"].map(ORDER_STATUSES.index).to_numpy()
    after = known["status"].map(ORDER_STATUSES.index).to_numpy()
    assert (after >= before).all(), "a status went backwards"
    assert (known["updated_at"] >= "2026-07-01").all()
    new_orders = update[~update["order_id"].isin(base.index)]
    assert (new_orders["order_ts"].dropna() >= "2026-07-01").all()
    real = new_orders["order_id"].dropna()
    real_base = base.index[base.index < BAD_ID_BASE]
    assert real[real < BAD_ID_BASE].min() > real_base.max()
    shipments = incremental[0].df("shipments")
    assert shipments["delivered_at"].notna().any()


def test_late_returns_and_refunds_arrive_later(
    tiny: Landing, incremental: tuple[Landing, Landing]
) -> None:
    base_orders = set(tiny.df("orders")["order_id"].dropna())
    returns = pd.concat([b.df("returns") for b in incremental])
    of_base_orders = returns[returns["order_id"].isin(base_orders)]
    assert len(of_base_orders) > 0
    assert of_base_orders["refund_amount"].notna().any()


def test_price_changes_continue(incremental: tuple[Landing, Landing]) -> None:
    products = incremental[0].df("products")
    assert len(products) > 0
    assert (products["updated_at"] >= "2026-07-01").all()


def test_inventory_continues_without_negative_stock(incremental: tuple[Landing, Landing]) -> None:
    for batch in incremental:
        stock = batch.df("inventory_snapshots")
        assert len(stock) and (stock["on_hand"] >= 0).all()
        assert stock["date"].min() >= batch.manifest["window"]["start"][:10]
