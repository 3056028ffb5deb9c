"""After a storefront order and a pipeline refresh (storefront ingest + build, what
`globalcart build` runs), the admin sees the order in the orders monitor and today's KPIs move;
the date presets follow the data to today; the order's detail shows the customer's address and
the products by name, and the visit's replay what the customer searched for.

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
from globalcart.store.addresses import ShippingAddress
from globalcart.store.events import Event, record_events
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
    product = site.store.one(
        "select product_id, product_name from app.products where is_active limit 1"
    )
    assert product is not None
    product_id, product_name = int(product[0]), str(product[1])
    carts.add_item(site.store, user.user_id, product_id, 1)
    address = ShippingAddress("Ines Ingest", "5 Rue de Rivoli", None, "Paris", "75001", "FR")
    order_id = orders.reserve_order(site.store, user.user_id, address)
    assert orders.settle_payment(site.store, order_id, "success") == "paid"
    visit = f"s-refresh-{dt.datetime.now(dt.UTC):%H%M%S%f}"
    record_events(site.store, visit, user.user_id, [
        Event("SEARCH", query="gift for a gardener"), Event("VIEW_PRODUCT", product_id),
        Event("ORDER_PLACED", order_id=order_id),
    ])  # fmt: skip
    admin_login(page)
    before = _orders_today(page)
    today = dt.datetime.now(dt.UTC).date()
    expect(page.locator("#range-text")).not_to_contain_text(f"– {today}")

    ingest_app(site.warehouse)
    build(site.warehouse)
    # the live indicator sees the build: the "30 days" preset now ends today, without a reload
    month = f"{today - dt.timedelta(days=29)} – {today}"
    expect(page.locator("#range-text")).to_contain_text(month, timeout=20_000)
    page.goto(f"/admin/#/orders?q={email}")
    settle(page)
    expect(page.locator("#listing-count")).to_have_text("1 matching")
    expect(page.locator("tbody tr")).to_contain_text("paid")
    shot(page, "admin-orders-after-refresh")
    assert _orders_today(page) == before + 1

    page.locator("tbody tr td a").first.click()
    ship_to = page.locator("#ship-to")
    for line in ("Ines Ingest", "5 Rue de Rivoli", "75001 Paris", "France"):
        expect(ship_to).to_contain_text(line)
    expect(page.locator("#order-lines .product-ref")).to_contain_text(
        f"{product_name} #{product_id}"
    )
    shot(page, "admin-order-detail-storefront")
    session = site.warehouse.query(
        "select warehouse_id from ops.app_ids where kind = 'session' and app_id = ?", [visit]
    )[0][0]
    page.goto(f"/admin/#/journeys/{session}")
    expect(page.locator("#replay [data-stage='SEARCH']")).to_contain_text("gift for a gardener")
    expect(page.locator("#replay [data-stage='VIEW_PRODUCT']")).to_contain_text(product_name)
    shot(page, "admin-journey-storefront")
