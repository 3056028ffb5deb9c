"""After a storefront order and a pipeline refresh (storefront ingest + build, what
`globalcart build` runs), the admin sees the order in the orders monitor and today's KPIs move.

This changes the shared warehouse (the default "last 30 days with data" range moves to today), so
it lives in the last-but-one module in name order, after the analytics pages and the dashboard.
"""

from __future__ import annotations

import datetime as dt

from playwright.sync_api import Page, expect

from globalcart.api.security import hash_password
from globalcart.pipeline.app_source import ingest_app
from globalcart.pipeline.runner import build
from globalcart.store import carts, orders
from globalcart.store.users import create_user
from tests.web.conftest import ADMIN_PASSWORD, Site, shot, unique_email
from tests.web.flows import admin_login, settle


def _orders_today(page: Page) -> float:
    today = dt.datetime.now(dt.UTC).date().isoformat()
    answer = page.request.get(f"/api/kpis/orders?start={today}&end={today}")
    assert answer.ok, answer.text()
    rows = answer.json()["rows"]
    return float(rows[0]["value"] or 0) if rows else 0.0


def test_storefront_order_reaches_the_orders_monitor_after_a_refresh(
    page: Page, site: Site
) -> None:
    email = unique_email("ingested")
    user = create_user(site.store, email, hash_password(ADMIN_PASSWORD), "customer")
    product = site.store.one("select product_id from app.products where is_active limit 1")
    assert product is not None
    carts.add_item(site.store, user.user_id, int(product[0]), 1)
    order_id = orders.reserve_order(site.store, user.user_id)
    assert orders.settle_payment(site.store, order_id, "success") == "paid"
    admin_login(page)
    before = _orders_today(page)

    ingest_app(site.warehouse)
    build(site.warehouse)
    page.goto(f"/admin/#/orders?q={email}")
    settle(page)
    expect(page.locator("#listing-count")).to_have_text("1 matching")
    expect(page.locator("tbody tr")).to_contain_text("paid")
    shot(page, "admin-orders-after-refresh")
    assert _orders_today(page) == before + 1
