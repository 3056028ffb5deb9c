"""The admin dashboard in a real browser: every page renders its charts with data and no
console error; the operations pages search, filter, paginate and export; customers are refused."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from globalcart.api.security import hash_password
from globalcart.store.users import create_user
from tests.web.conftest import (
    ADMIN_PASSWORD,
    Console,
    Site,
    shot,
    unique_email,
    unlabelled_controls,
)
from tests.web.flows import admin_login, settle, sign_in

# (route, screenshot name, charts that must render)
CHART_PAGES = [
    ("#/", "admin-overview", 6),
    ("#/customers", "admin-customers", 4),
    ("#/commerce", "admin-commerce", 5),
    ("#/marketing", "admin-marketing", 2),
    ("#/quality", "admin-quality", 1),
]


def test_every_analytics_page_renders_its_charts(page: Page) -> None:
    admin_login(page)
    for route, name, charts in CHART_PAGES:
        page.goto(f"/admin/{route}")
        settle(page)
        expect(page.locator(".chart.js-plotly-plot")).to_have_count(charts, timeout=20_000)
        assert page.locator(".empty").count() == 0, f"{route} has an empty panel"
        assert unlabelled_controls(page) == [], route
        shot(page, name)
    page.goto("/admin/#/")
    settle(page)
    expect(page.locator("[data-kpi]")).to_have_count(10)
    expect(page.locator("[data-kpi='net_revenue'] .delta")).to_contain_text("vs previous")
    # the live freshness indicator polls /api/admin/freshness (no background refresh in tests)
    expect(page.locator("#live-freshness .badge")).to_contain_text("Live")


def test_range_presets_table_view_and_csv(page: Page) -> None:
    admin_login(page)
    settle(page)
    before = page.locator("[data-kpi='orders'] .value").inner_text()
    page.get_by_role("button", name="12 months").click()
    settle(page)
    expect(page.get_by_role("button", name="12 months")).to_have_attribute("aria-pressed", "true")
    expect(page.locator("[data-kpi='orders'] .value")).not_to_have_text(before)
    expect(page.get_by_role("heading", name="Revenue and orders by week")).to_be_visible()
    funnel = page.get_by_role("region", name="Conversion funnel")
    funnel.get_by_role("button", name="Table").click()
    expect(funnel.locator("table tbody tr")).to_have_count(5)
    with page.expect_download() as download:
        funnel.get_by_role("button", name="CSV").click()
    path = download.value.path()
    assert path.read_text().splitlines()[0] == "stage,sessions,leakage_rate"
    page.get_by_label("Breakdown").select_option("device")
    settle(page)
    expect(page.get_by_role("heading", name="Net revenue by device")).to_be_visible()


def test_operations_pages(page: Page) -> None:
    admin_login(page)
    page.get_by_role("link", name="Orders", exact=True).click()
    settle(page)
    expect(page.locator("#listing-count")).to_contain_text("matching")
    assert unlabelled_controls(page) == []
    page.get_by_label("Status").select_option("delivered")
    page.get_by_role("button", name="Apply").click()
    settle(page)
    statuses = page.locator("tbody tr td:nth-child(3)").all_inner_texts()
    assert statuses and set(statuses) == {"delivered"}
    page.get_by_role("link", name="Next →").click()
    expect(page.get_by_text("Page 2 of")).to_be_visible()
    csv = page.request.get(page.get_by_role("link", name="Export CSV").get_attribute("href") or "")
    assert csv.ok and csv.headers["content-type"].startswith("text/csv")
    assert csv.text().splitlines()[0].startswith("order_id,")
    shot(page, "admin-orders")

    page.locator("tbody tr td a").first.click()
    expect(page.locator(".timeline li").first).to_be_visible()
    shot(page, "admin-order-detail")
    page.get_by_role("link", name="Customer 360").click()
    settle(page)
    page.locator("tbody tr td a").first.click()
    expect(page.get_by_role("heading", name="Customer 360")).to_be_visible()
    shot(page, "admin-customer-360")
    page.get_by_role("link", name="Journeys").click()
    settle(page)
    page.get_by_label("Outcome").select_option("true")
    page.get_by_role("button", name="Apply").click()
    settle(page)
    page.locator("tbody tr td a").first.click()
    expect(page.locator("#replay [data-stage='ORDER_PLACED']")).to_have_count(1)
    shot(page, "admin-journey")

    page.get_by_role("link", name="Pipeline runs").click()
    settle(page)
    expect(page.locator(".kpi").first).to_contain_text("Last load")
    expect(page.locator("tbody tr")).not_to_have_count(0)
    shot(page, "admin-runs")
    page.get_by_role("link", name="Audit log").click()
    settle(page)
    expect(page.locator("tbody")).to_contain_text("login")
    shot(page, "admin-audit")


def test_customers_cannot_enter_the_admin(page: Page, site: Site, console: Console) -> None:
    console.allow(403)  # the sign-in works; the admin routes then refuse the customer
    email = unique_email("not-admin")
    create_user(site.store, email, hash_password(ADMIN_PASSWORD), "customer")
    page.goto("/admin/")
    sign_in(page, email, ADMIN_PASSWORD)
    expect(page.get_by_role("alert")).to_contain_text("not an administrator")
    expect(page.locator("#sidenav")).to_be_hidden()
