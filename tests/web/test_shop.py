"""The storefront in a real browser: sign-up, search, cart, a declined then a successful
checkout, order history, funnel events; out of stock, OTP sign-in, returns, expired sessions."""

from __future__ import annotations

import re
import time

from playwright.sync_api import Page, expect

from globalcart.store.fulfilment import deliver_order
from globalcart.store.users import get_user_by_email, outbox_for
from tests.web.conftest import Console, Site, shot, unique_email, unlabelled_controls
from tests.web.flows import APPROVED, DECLINED, PASSWORD, checkout, search, signup, two_products


def _stages(site: Site, user_id: str, *expected: str) -> list[str]:
    """The user's funnel stages in time order, once all ``expected`` stages have arrived (the
    page sends events without waiting for them)."""
    deadline = time.monotonic() + 5
    while True:
        rows = site.store.query(
            "select stage from app.events where user_id = ? order by event_ts", [user_id]
        )
        stages = [str(r[0]) for r in rows]
        if set(expected) <= set(stages) or time.monotonic() > deadline:
            return stages
        time.sleep(0.1)


def test_shopper_signs_up_searches_buys_after_a_declined_card(
    page: Page, site: Site, console: Console
) -> None:
    console.allow(402)
    (first_id, first_name), (second_id, second_name) = two_products(site)
    email = unique_email("shopper")
    signup(page, email)
    shot(page, "shop-catalog")

    search(page, first_name)
    expect(page.locator("#result-count")).to_contain_text("product")
    page.locator(f"[data-product='{first_id}']").get_by_role("button").click()
    expect(page.locator(".badge-count")).to_have_text("1")

    search(page, second_name)
    page.locator(f"[data-product='{second_id}'] a.name").click()
    expect(page.get_by_role("heading", name=second_name)).to_be_visible()
    shot(page, "shop-product")
    page.get_by_role("button", name="Add to cart").click()
    expect(page.locator(".badge-count")).to_have_text("2")

    page.get_by_role("link", name=re.compile("^Cart")).click()
    expect(page.locator("[data-line]")).to_have_count(2)
    shot(page, "shop-cart")
    page.get_by_role("link", name="Proceed to checkout").click()

    assert unlabelled_controls(page) == []
    # the address is required: the browser keeps the form until it is filled in
    page.get_by_label("Card number").fill(APPROVED)
    page.locator("#pay").click()
    expect(page.locator("input[name=line1]:invalid")).to_have_count(1)
    expect(page.get_by_role("heading", name="Checkout")).to_be_visible()
    user = get_user_by_email(site.store, email)
    assert user is not None
    assert site.store.query("select 1 from app.orders where user_id = ?", [user.user_id]) == []
    checkout(page, APPROVED, line1="   ")  # spaces pass the browser's check, not the page's
    expect(page.locator("#payment-error")).to_contain_text("Please check the shipping address")
    expect(page.locator("#payment-error")).to_contain_text("Street and number: required")
    assert site.store.query("select 1 from app.orders where user_id = ?", [user.user_id]) == []
    checkout(page, DECLINED)
    expect(page.locator("#payment-error")).to_contain_text("declined")
    shot(page, "shop-checkout-declined")

    page.get_by_label("Card number").fill(APPROVED)
    page.locator("#pay").click()
    expect(page.locator("#confirmation")).to_contain_text("confirmed")
    ship_to = page.locator("#ship-to")
    for line in ("Sam Shopper", "1 Pike Street", "Suite 400", "Seattle 98101", "United States"):
        expect(ship_to).to_contain_text(line)
    shot(page, "shop-confirmation")
    order_id = page.url.rsplit("/", 1)[1].split("?")[0]
    address = site.store.one(
        "select ship_line1, ship_line2, ship_city, ship_postal_code, ship_country "
        "from app.orders where order_id = ?",
        [order_id],
    )
    assert address == ("1 Pike Street", "Suite 400", "Seattle", "98101", "US")
    expect(page.locator(".badge-count")).to_have_count(0)

    page.get_by_role("link", name="Orders").click()
    row = page.locator(f"[data-order='{order_id}']")
    expect(row).to_contain_text("Paid")
    expect(page.locator("#orders tbody tr")).to_have_count(2)  # the declined one is cancelled
    expect(page.locator("#orders")).to_contain_text("Cancelled")
    shot(page, "shop-orders")

    stages = _stages(site, user.user_id, "ORDER_PLACED")
    for stage in ("SEARCH", "VIEW_PRODUCT", "ADD_TO_CART", "CHECKOUT_STARTED",
                  "PAYMENT_ATTEMPTED", "PAYMENT_FAILED", "ORDER_PLACED"):  # fmt: skip
        assert stage in stages, f"{stage} missing from {stages}"
    assert stages.count("PAYMENT_ATTEMPTED") == 2
    searched = site.store.query(
        "select query from app.events where user_id = ? and stage = 'SEARCH' order by event_ts",
        [user.user_id],
    )
    assert [row[0] for row in searched] == [first_name, second_name]

    deliver_order(site.store, order_id)
    row.get_by_role("link").click()
    expect(page.get_by_role("heading", name="Return items")).to_be_visible()
    page.get_by_role("button", name="Request return").click()
    expect(page.locator(".timeline")).to_contain_text("Return requested")
    shot(page, "shop-order-returned")

    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("link", name="Sign in")).to_be_visible()


def test_out_of_stock_at_checkout_and_otp_sign_in(page: Page, site: Site, console: Console) -> None:
    console.allow(409)
    (product_id, name), _ = two_products(site)
    email = unique_email("otp")
    signup(page, email)
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("link", name="Sign in")).to_be_visible()

    page.get_by_role("link", name="Sign in").click()
    page.get_by_role("link", name="E-mail me a sign-in code").click()
    # the sign-in form also has an "E-mail" field: fill the code form's only once it is shown
    expect(page.get_by_role("heading", name="Sign in with a code")).to_be_visible()
    page.get_by_label("E-mail").fill(email)
    page.get_by_role("button", name="E-mail me a code").click()
    expect(page.get_by_label("6-digit code")).to_be_visible()
    code = re.search(r"\b(\d{6})\b", outbox_for(site.store, email)[0][1])
    assert code is not None
    page.get_by_label("6-digit code").fill(code.group(1))
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()

    page.goto(f"/shop/#/p/{product_id}")
    page.get_by_role("button", name="Add to cart").click()
    expect(page.locator(".badge-count")).to_have_text("1")
    stock = site.store.one("select on_hand from app.inventory where product_id = ?", [product_id])
    assert stock is not None
    with site.store.write():
        site.store.execute(
            "update app.inventory set on_hand = reserved where product_id = ?", [product_id]
        )
    try:
        page.goto("/shop/#/checkout")
        checkout(page, APPROVED)
        expect(page.locator("#payment-error")).to_contain_text("no longer available")
        shot(page, "shop-out-of-stock")
    finally:
        with site.store.write():
            site.store.execute(
                "update app.inventory set on_hand = ? where product_id = ?", [stock[0], product_id]
            )
    page.get_by_role("link", name="Review your cart").click()
    page.get_by_role("button", name=f"Remove {name}").click()
    expect(page.get_by_text("Your cart is empty.")).to_be_visible()
    user = get_user_by_email(site.store, email)
    assert user is not None
    assert "REMOVE_FROM_CART" in _stages(site, user.user_id, "REMOVE_FROM_CART")


def test_search_without_results_and_expired_session(
    page: Page, site: Site, console: Console
) -> None:
    console.allow(401)
    signup(page, unique_email("expiry"))
    search(page, "zzqxnothing")
    expect(page.get_by_text("No products match “zzqxnothing”")).to_be_visible()
    shot(page, "shop-empty-search")

    page.context.clear_cookies()  # the session is gone, as after expiry or a sign-out elsewhere
    page.get_by_role("link", name=re.compile("^Cart")).click()
    expect(page.get_by_text("Your session has expired")).to_be_visible()
    expect(page.get_by_role("heading", name="Welcome back")).to_be_visible()


def test_voice_search_only_where_the_browser_supports_it(page: Page) -> None:
    page.goto("/shop/")
    expect(page.get_by_role("button", name="Search by voice")).to_be_visible()
    page.add_init_script("delete window.SpeechRecognition; delete window.webkitSpeechRecognition;")
    page.reload()
    expect(page.get_by_role("searchbox", name="Search products")).to_be_visible()
    expect(page.get_by_role("button", name="Search by voice")).to_have_count(0)
    assert unlabelled_controls(page) == []


def test_sign_in_with_the_keyboard_only(page: Page, site: Site) -> None:
    email = unique_email("keys")
    signup(page, email)
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("link", name="Sign in")).to_be_visible()
    page.get_by_role("link", name="Sign in").focus()
    page.keyboard.press("Enter")
    page.get_by_label("E-mail").focus()
    page.keyboard.type(email)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
