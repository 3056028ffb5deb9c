"""Referential integrity and business rules, on a store generated without anomalies."""

from __future__ import annotations

import numpy as np
import pandas as pd

from globalcart.contract import landing_table
from tests.generator.landing import Landing


def _subset(child: pd.Series, parent: pd.Series) -> bool:
    return bool(child.dropna().isin(parent).all())


def test_every_reference_resolves(clean: Landing) -> None:
    t = {name: clean.df(name) for name in clean.manifest["tables"]}
    assert _subset(t["customers"]["geo_id"], t["geo"]["geo_id"])
    assert _subset(t["fulfillment_centers"]["geo_id"], t["geo"]["geo_id"])
    assert _subset(t["orders"]["customer_id"], t["customers"]["customer_id"])
    assert _subset(t["orders"]["session_id"], t["sessions"]["session_id"])
    assert _subset(t["orders"]["ship_to_geo_id"], t["geo"]["geo_id"])
    assert _subset(t["order_items"]["order_id"], t["orders"]["order_id"])
    assert _subset(t["order_items"]["product_id"], t["products"]["product_id"])
    assert _subset(t["payments"]["order_id"], t["orders"]["order_id"])
    assert _subset(t["shipments"]["order_id"], t["orders"]["order_id"])
    assert _subset(t["shipments"]["fc_id"], t["fulfillment_centers"]["fc_id"])
    assert _subset(t["sessions"]["customer_id"], t["customers"]["customer_id"])
    assert _subset(t["sessions"]["campaign_id"], t["campaigns"]["campaign_id"])
    assert _subset(t["sessions"]["geo_id"], t["geo"]["geo_id"])
    assert _subset(t["funnel_events"]["session_id"], t["sessions"]["session_id"])
    assert _subset(t["funnel_events"]["product_id"], t["products"]["product_id"])
    assert _subset(t["funnel_events"]["order_id"], t["orders"]["order_id"])
    assert _subset(t["marketing_spend"]["campaign_id"], t["campaigns"]["campaign_id"])
    assert _subset(t["inventory_snapshots"]["product_id"], t["products"]["product_id"])
    assert _subset(t["inventory_snapshots"]["fc_id"], t["fulfillment_centers"]["fc_id"])
    lines = t["order_items"].set_index(["order_id", "line_no"]).index
    returned = t["returns"].set_index(["order_id", "line_no"]).index
    assert returned.isin(lines).all()
    currencies = set(t["fx_rates"]["currency"])
    assert set(t["orders"]["currency"]) <= currencies
    assert set(t["geo"]["currency"]) <= currencies


def test_business_keys_are_unique(clean: Landing) -> None:
    for table in ("orders", "sessions", "funnel_events", "payments", "shipments", "returns"):
        key = list(landing_table(table).key)
        assert not clean.df(table).duplicated(key).any(), table
    assert not clean.df("order_items").duplicated(["order_id", "line_no"]).any()
    assert not clean.df("products").duplicated(["product_id", "updated_at"]).any()


def test_order_header_equals_the_sum_of_its_lines(clean: Landing) -> None:
    orders = clean.df("orders").set_index("order_id")
    items = clean.df("order_items")
    items["gross"] = np.round(items["qty"] * items["unit_sell_price"] * 100)
    sums = (
        items.assign(
            discount=np.round(items["line_discount"] * 100), tax=np.round(items["line_tax"] * 100)
        )
        .groupby("order_id")[["gross", "discount", "tax"]]
        .sum()
    )
    joined = orders.join(sums, how="inner")
    assert len(joined) == len(orders)
    assert (np.round(joined["gross_amount"] * 100) == joined["gross"]).all()
    assert (np.round(joined["discount_amount"] * 100) == joined["discount"]).all()
    assert (np.round(joined["tax_amount"] * 100) == joined["tax"]).all()
    net = joined["gross_amount"] - joined["discount_amount"] + joined["tax_amount"]
    assert np.allclose(net + joined["shipping_fee"], joined["net_amount"], atol=0.005)
    assert (items["unit_sell_price"] <= items["unit_list_price"]).all()


def test_returns_follow_delivery_and_refunds_respect_the_30_day_window(clean: Landing) -> None:
    returns = clean.df("returns")
    shipments = clean.df("shipments").set_index("order_id")
    joined = returns.join(shipments[["delivered_at"]], on="order_id")
    assert joined["delivered_at"].notna().all(), "a return without a delivery"
    requested = pd.to_datetime(joined["requested_at"])
    delivered = pd.to_datetime(joined["delivered_at"])
    assert (requested > delivered).all()
    late = requested - delivered > pd.Timedelta(days=30)
    assert late.any(), "the data should contain late, unrefunded returns"
    assert joined.loc[late, "refund_amount"].isna().all()
    assert (joined.loc[late, "status"] == "rejected").all()
    refunded = joined["refund_amount"].notna()
    assert (~late[refunded]).all()
    items = clean.df("order_items").set_index(["order_id", "line_no"])
    line = items.loc[list(zip(returns["order_id"], returns["line_no"], strict=True))]
    assert (returns["qty"].to_numpy() <= line["qty"].to_numpy()).all()
    line_net = line["qty"] * line["unit_sell_price"] - line["line_discount"]
    refund_cap = (line_net.to_numpy() * returns["qty"].to_numpy() / line["qty"].to_numpy()) + 0.01
    assert (returns["refund_amount"].fillna(0).to_numpy() <= refund_cap).all()
    orders = clean.df("orders").set_index("order_id")
    assert (orders.loc[returns["order_id"], "status"] == "returned").all()


def test_stock_is_never_negative_and_some_skus_need_reordering(clean: Landing) -> None:
    stock = clean.df("inventory_snapshots")
    assert (stock["on_hand"] >= 0).all()
    assert (stock["allocated"] >= 0).all() and (stock["allocated"] <= stock["on_hand"]).all()
    below = stock["on_hand"] - stock["allocated"] < stock["reorder_point"]
    assert 0 < below.mean() < 0.5
    assert stock["date"].max() == "2026-06-30"


def test_every_order_has_a_consistent_session(clean: Landing) -> None:
    orders = clean.df("orders")
    events = clean.df("funnel_events")
    sessions = clean.df("sessions").set_index("session_id")
    stages = events.groupby("session_id")["stage"].agg(set)
    for stage in ("VIEW_PRODUCT", "ADD_TO_CART", "CHECKOUT_STARTED", "PAYMENT_ATTEMPTED"):
        assert orders["session_id"].map(lambda s, st=stage: st in stages.get(s, set())).all(), stage
    session_of = sessions.loc[orders["session_id"]]
    assert (session_of["customer_id"].to_numpy() == orders["customer_id"].to_numpy()).all()
    assert (session_of["started_at"].to_numpy() <= orders["order_ts"].to_numpy()).all()
    placed = events[events["stage"] == "ORDER_PLACED"]
    paid = orders[orders["status"] != "created"]
    assert set(placed["order_id"]) == set(paid["order_id"])


def test_unpaid_orders_only_have_failed_payments(clean: Landing) -> None:
    orders = clean.df("orders").set_index("order_id")
    payments = clean.df("payments")
    payments["order_status"] = orders.loc[payments["order_id"], "status"].to_numpy()
    unpaid = payments[payments["order_status"] == "created"]
    assert len(unpaid) and (unpaid["status"] == "failed").all()
    paid = payments[payments["order_status"] != "created"]
    successes = paid[paid["status"] != "failed"].groupby("order_id").size()
    assert (successes == 1).all() and len(successes) == (orders["status"] != "created").sum()
    failed = payments[payments["status"] == "failed"]
    assert failed["failure_reason"].notna().all()
    assert payments.loc[payments["status"] != "failed", "failure_reason"].isna().all()


def test_price_and_segment_changes_arrive_as_new_rows(clean: Landing) -> None:
    products = clean.df("products")
    versions = products.groupby("product_id").size()
    assert (versions > 1).mean() > 0.2
    customers = clean.df("customers")
    changed = customers.groupby("customer_id").agg(
        n=("segment", "size"), segments=("segment", "nunique")
    )
    assert (changed["n"] > 1).sum() > 0 and (changed["segments"] > 1).sum() > 0
    latest = customers.sort_values("updated_at").groupby("customer_id").tail(1)
    assert (latest["updated_at"] >= latest["created_at"]).all()


def test_order_items_use_the_price_valid_at_order_time(clean: Landing) -> None:
    products = clean.df("products").sort_values(["product_id", "updated_at"])
    items = clean.df("order_items").merge(
        clean.df("orders")[["order_id", "order_ts", "currency"]], on="order_id"
    )
    items = items[items["currency"] == "USD"].sort_values("order_ts")
    merged = pd.merge_asof(
        items.assign(ts=pd.to_datetime(items["order_ts"])).sort_values("ts"),
        products.assign(ts=pd.to_datetime(products["updated_at"])).sort_values("ts")[
            ["ts", "product_id", "list_price"]
        ],
        on="ts",
        by="product_id",
    )
    assert np.allclose(merged["unit_list_price"], merged["list_price"])
