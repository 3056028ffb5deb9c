"""What several browser tests do: sign up, search, check out, wait for panels."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.web.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, Site

PASSWORD = "shopper-Pass-2026!"
DECLINED = "4000 0000 0000 0002"
APPROVED = "4242 4242 4242 4242"


def two_products(site: Site) -> list[tuple[int, str]]:
    rows = site.store.query(
        "select p.product_id, p.product_name from app.products as p join app.inventory as i "
        "on i.product_id = p.product_id where p.is_active and i.on_hand - i.reserved > 5 "
        "order by p.product_id limit 2"
    )
    return [(int(r[0]), str(r[1])) for r in rows]


def signup(page: Page, email: str) -> None:
    page.goto("/shop/")
    page.get_by_role("link", name="Create account").click()
    page.get_by_label("Full name").fill("Sam Shopper")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def search(page: Page, text: str) -> None:
    page.get_by_role("searchbox", name="Search products").fill(text)
    page.get_by_role("button", name="Search", exact=True).click()
    expect(page.get_by_role("heading", name=f"Results for “{text}”")).to_be_visible()


def checkout(page: Page, card: str, line1: str = "1 Pike Street") -> None:
    """Fill the address (Seattle, United States) and the card, then pay."""
    page.get_by_label("Full name").fill("Sam Shopper")
    page.get_by_label("Street and number").fill(line1)
    page.get_by_label("Apartment, suite, floor (optional)").fill("Suite 400")
    page.get_by_label("Postal code").fill("98101")
    page.get_by_label("City").fill("Seattle")
    page.get_by_label("Country").select_option("US")
    page.get_by_label("Card number").fill(card)
    page.locator("#pay").click()


def settle(page: Page) -> None:
    """Wait until no panel is loading any more, then fail on any error panel."""
    expect(page.locator(".loading")).to_have_count(0, timeout=20_000)
    errors = page.locator(".alert.error")
    assert errors.count() == 0, errors.first.inner_text()


def sign_in(page: Page, email: str, password: str) -> None:
    """Fill and send the sign-in form on the current page."""
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def admin_login(page: Page) -> None:
    page.goto("/admin/")
    sign_in(page, ADMIN_EMAIL, ADMIN_PASSWORD)
    page.wait_for_selector("[data-view='overview']")
