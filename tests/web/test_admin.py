"""The admin dashboard in a real browser: every page renders its charts with data and no
console error; the operations pages search, filter, paginate and export; customers are refused."""

from __future__ import annotations

import datetime as dt
import re

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


DEVICES = {"desktop", "mobile", "tablet"}
TRACES = "el => el.data.map(trace => trace.name)"


def _traces(page: Page, title: str) -> set[str]:
    """Names of the traces of the overview chart whose title starts with ``title``."""
    chart = page.get_by_role("region", name=re.compile(f"^{title}")).locator(".js-plotly-plot")
    names: list[str] = chart.evaluate(TRACES)
    return set(names)


def _last_day(site: Site) -> dt.date:
    row = site.warehouse.query("select max(date_day) from dw.dim_date")[0]
    assert isinstance(row[0], dt.date)
    return row[0]


def test_presets_end_on_the_last_day_with_data(page: Page, site: Site) -> None:
    last = _last_day(site)
    admin_login(page)
    settle(page)
    month = f"{last - dt.timedelta(days=29)} – {last}"
    expect(page.locator("#range-text")).to_contain_text(month)
    page.get_by_role("button", name="7 days").click()
    settle(page)
    expect(page.locator("#range-text")).to_contain_text(f"{last - dt.timedelta(days=6)} – {last}")
    expect(page.locator("#range-end")).to_have_attribute("max", last.isoformat())
    assert page.locator("[data-kpi='orders'] .value").inner_text() not in ("–", "0")
    page.get_by_role("button", name="30 days").click()
    settle(page)
    expect(page.locator("#range-text")).to_contain_text(month)


def test_the_breakdown_splits_every_chart_it_names(page: Page, site: Site) -> None:
    countries = {str(r[0]) for r in site.warehouse.query("select country from dw.dim_geo")}
    admin_login(page)
    page.get_by_label("Breakdown").select_option("country")
    settle(page)
    expect(page.locator("#breakdown-scope")).to_contain_text("Breakdown by country")
    expect(page.locator(".chart.js-plotly-plot")).to_have_count(6, timeout=20_000)
    trend = _traces(page, "Revenue and orders by")
    assert trend - {"Orders (all)", "Other"} <= countries and len(trend) >= 3, trend
    assert _traces(page, "Average order value by") <= countries

    page.get_by_label("Breakdown").select_option("device")
    settle(page)
    expect(page.get_by_role("heading", name="Net revenue by device")).to_be_visible()
    expect(page.get_by_text(re.compile("^Split by device"))).to_have_count(2)
    expect(page.locator("#breakdown-scope")).to_contain_text("Breakdown by device")
    expect(page.locator(".chart.js-plotly-plot")).to_have_count(6, timeout=20_000)
    assert _traces(page, "Revenue and orders by") == DEVICES | {"Orders (all)"}
    assert _traces(page, "Average order value by") == DEVICES
    bars = page.get_by_role("region", name="Net revenue by device").locator(".js-plotly-plot")
    assert set(bars.evaluate("el => el.data[1].y")) == DEVICES
    shot(page, "admin-overview-by-device")
    page.get_by_label("Breakdown").select_option("country")  # the next tests' default
    settle(page)


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


def _names(site: Site, sql: str, key: str) -> list[str]:
    """Product names of an order's lines or a session's events (``sql`` joins dim_product)."""
    return [str(r[0]) for r in site.warehouse.query(sql, [int(key)])]


def test_operations_pages(page: Page, site: Site) -> None:
    admin_login(page)
    page.get_by_role("link", name="Orders", exact=True).click()
    settle(page)
    expect(page.locator("#listing-count")).to_contain_text("matching")
    assert unlabelled_controls(page) == []
    page.get_by_label("Status").select_option("delivered")
    page.get_by_role("button", name="Apply").click()
    settle(page)
    # waits for the filtered listing (a loaded machine renders it after settle() returns)
    statuses = page.locator("tbody tr td:nth-child(3)")
    expect(statuses).not_to_have_count(0)
    expect(statuses.filter(has_not_text="delivered")).to_have_count(0)
    page.get_by_role("link", name="Next →").click()
    expect(page.get_by_text("Page 2 of")).to_be_visible()
    csv = page.request.get(page.get_by_role("link", name="Export CSV").get_attribute("href") or "")
    assert csv.ok and csv.headers["content-type"].startswith("text/csv")
    assert csv.text().splitlines()[0].startswith("order_id,")
    shot(page, "admin-orders")

    page.locator("tbody tr td a").first.click()
    expect(page.locator(".timeline li").first).to_be_visible()
    # lines and the replay name their products, the id secondary
    order_id = page.url.rsplit("/", 1)[1]
    names = _names(site, "select p.product_name from dw.fct_order_items as i join dw.dim_product "
                   "as p on p.product_sk = i.product_sk where i.order_id = ? order by i.line_no",
                   order_id)  # fmt: skip
    assert names
    expect(page.locator("#order-lines .product-ref")).to_have_count(len(names))
    for row, name in zip(page.locator("#order-lines .product-ref").all(), names, strict=True):
        expect(row).to_contain_text(name)
    expect(page.locator("#ship-to")).not_to_be_empty()
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
    session_id = page.url.rsplit("/", 1)[1]
    viewed = _names(site, "select p.product_name from dw.fct_funnel_events as f join "
                    "dw.dim_product as p on p.product_sk = f.product_sk where f.session_id = ? "
                    "and f.stage = 'VIEW_PRODUCT'", session_id)  # fmt: skip
    assert viewed
    views = page.locator("#replay [data-stage='VIEW_PRODUCT'] .product-ref")
    expect(views).to_have_count(len(viewed))
    assert sorted(v.split(" #")[0] for v in views.all_inner_texts()) == sorted(viewed)
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
