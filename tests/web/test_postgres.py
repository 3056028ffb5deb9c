"""The same pages on a PostgreSQL deployment: a shopper buys after a declined card, the admin's
analytics pages and the public dashboard render their charts with no console error."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from tests.web.conftest import Console, Site, shot, unique_email
from tests.web.flows import APPROVED, DECLINED, admin_login, checkout, settle, signup, two_products

pytestmark = pytest.mark.postgres


@pytest.fixture
def public(pg_site: Site) -> Iterator[None]:
    pg_site.settings(public_dashboard=True)
    yield
    pg_site.settings(public_dashboard=False)


def test_checkout_after_a_declined_card(pg_page: Page, pg_site: Site, console: Console) -> None:
    console.allow(402)
    (product_id, _), _ = two_products(pg_site)
    signup(pg_page, unique_email("pg-shopper"))
    pg_page.goto(f"/shop/#/p/{product_id}")
    pg_page.get_by_role("button", name="Add to cart").click()
    expect(pg_page.locator(".badge-count")).to_have_text("1")
    pg_page.goto("/shop/#/checkout")
    checkout(pg_page, DECLINED)
    expect(pg_page.locator("#payment-error")).to_contain_text("declined")
    pg_page.get_by_label("Card number").fill(APPROVED)
    pg_page.locator("#pay").click()
    expect(pg_page.locator("#confirmation")).to_contain_text("confirmed")


@pytest.mark.parametrize(("route", "charts"), [("#/", 6), ("#/customers", 4), ("#/commerce", 5)])
def test_admin_pages(pg_page: Page, route: str, charts: int) -> None:
    admin_login(pg_page)
    pg_page.goto(f"/admin/{route}")
    settle(pg_page)
    expect(pg_page.locator(".chart.js-plotly-plot")).to_have_count(charts, timeout=20_000)
    shot(pg_page, f"pg-admin-{route.strip('#/') or 'overview'}")


def test_public_dashboard(pg_page: Page, public: None) -> None:
    pg_page.goto("/")
    settle(pg_page)
    expect(pg_page.locator(".chart.js-plotly-plot")).to_have_count(6)
    shot(pg_page, "pg-dashboard-public")
