"""The public dashboard in a real browser: private by default (no data without a key or an
analyst), readable by anyone when the operator enables it, and with an API key."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from globalcart.api.security import hash_password, new_api_key, token_hash
from globalcart.store.auth import create_api_key
from globalcart.store.users import create_user
from tests.web.conftest import ADMIN_PASSWORD, Site, shot, unique_email
from tests.web.flows import admin_login, sign_in

PANELS = 6


@pytest.fixture
def public(site: Site) -> Iterator[None]:
    site.settings(public_dashboard=True)
    yield
    site.settings(public_dashboard=False)


def test_the_dashboard_is_private_by_default(page: Page, site: Site) -> None:
    page.goto("/")
    expect(page.locator("#locked")).to_contain_text("This dashboard is private")
    expect(page.locator(".js-plotly-plot")).to_have_count(0)
    shot(page, "dashboard-locked")
    assert page.request.get("/api/public/panels/summary").status == 401


def test_the_dashboard_renders_without_sign_in_when_public(page: Page, public: None) -> None:
    page.goto("/")
    expect(page.locator(".loading")).to_have_count(0, timeout=20_000)
    expect(page.locator(".chart.js-plotly-plot")).to_have_count(PANELS)
    expect(page.locator("[data-kpi]")).to_have_count(8)
    assert page.locator(".alert.error").count() == 0
    shot(page, "dashboard-public")


def test_an_api_key_opens_the_private_dashboard(page: Page, site: Site) -> None:
    owner = create_user(
        site.store, unique_email("analyst"), hash_password(ADMIN_PASSWORD), "analyst"
    )
    key, prefix = new_api_key()
    create_api_key(
        site.store, owner.user_id, "dashboard", ["analytics:read"], token_hash(key), prefix
    )
    page.goto("/")
    page.get_by_label("API key").fill(key)
    page.get_by_role("button", name="Open the dashboard").click()
    expect(page.locator(".chart.js-plotly-plot")).to_have_count(PANELS, timeout=20_000)
    page.reload()  # the key is kept for the tab
    expect(page.locator(".chart.js-plotly-plot")).to_have_count(PANELS, timeout=20_000)


def test_an_analyst_signs_in_on_the_private_dashboard(page: Page, site: Site) -> None:
    email = unique_email("analyst")
    create_user(site.store, email, hash_password(ADMIN_PASSWORD), "analyst")
    page.goto("/")
    sign_in(page, email, ADMIN_PASSWORD)
    expect(page.locator(".chart.js-plotly-plot")).to_have_count(PANELS, timeout=20_000)


def test_pages_fit_a_phone_screen(page: Page, public: None) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    for path, name in (
        ("/", "phone-dashboard"),
        ("/shop/", "phone-shop"),
        ("/admin/", "phone-admin-login"),
    ):
        page.goto(path)
        expect(page.locator("body[data-ready='1']")).to_have_count(1)
        expect(page.locator(".loading")).to_have_count(0, timeout=20_000)
        assert_fits(page, path)
        shot(page, name)
    admin_login(page)
    expect(page.locator(".loading")).to_have_count(0, timeout=20_000)
    assert_fits(page, "/admin/#/")
    shot(page, "phone-admin-overview")


def assert_fits(page: Page, path: str) -> None:
    width = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], f"{path} scrolls sideways on a phone: {width}"
