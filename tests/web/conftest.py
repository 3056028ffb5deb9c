"""Browser-test fixtures: a tiny generated warehouse, the app served by uvicorn in a thread, and
Playwright pages on Debian's Chromium that fail the test on any console error.

Screenshots go to ``test-artifacts/web/`` (ignored by git). Without ``/usr/bin/chromium`` the
tests skip loudly (``apt-get install -y chromium``; ``.ci/run`` installs it).
"""

from __future__ import annotations

import datetime as dt
import re
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import uvicorn
from fastapi import FastAPI
from playwright.sync_api import Browser, ConsoleMessage, Page, Playwright, sync_playwright

from globalcart.api.app import create_app
from globalcart.api.security import hash_password
from globalcart.config import Settings
from globalcart.engines import Warehouse, connect
from globalcart.generator import GenerateParams, generate
from globalcart.pipeline.load import load_landing
from globalcart.pipeline.runner import build
from globalcart.store import Store, migrate_app
from globalcart.store.catalog import seed_catalog
from globalcart.store.users import create_user
from tests.postgres_db import temporary_database

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "web"
ADMIN_EMAIL = "admin@web-tests.example.com"
ADMIN_PASSWORD = "web-Tests-admin-42!"


@dataclass
class Site:
    """The served app: its base URL, app (settings can be swapped), store and warehouse."""

    url: str
    app: FastAPI
    store: Store
    warehouse: Warehouse
    landing: Path

    def settings(self, **changes: object) -> None:
        self.app.state.settings = self.app.state.settings.model_copy(update=changes)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _require_chromium() -> None:
    if not CHROMIUM.exists():
        pytest.skip("browser tests need Debian's chromium: apt-get install -y chromium")


@contextmanager
def _served(url: str, tmp: Path) -> Iterator[Site]:
    """The tiny generated store built into ``url``, with an admin, served on a free port."""
    landing = tmp / "landing"
    generate(GenerateParams(scale="tiny", seed=7, out=landing), overwrite=True)
    warehouse = connect(url)
    load_landing(warehouse, landing)
    build(warehouse)
    migrate_app(warehouse)
    store = Store(warehouse)
    seed_catalog(store, landing, on_hand=50)
    create_user(store, ADMIN_EMAIL, hash_password(ADMIN_PASSWORD), "admin", "Ada Admin")
    app = create_app(Settings(database_url=url, data_dir=tmp), store=store)
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "uvicorn did not start"
    try:
        yield Site(f"http://127.0.0.1:{port}", app, store, warehouse, landing)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        warehouse.close()


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """The app over a DuckDB warehouse (most browser tests)."""
    _require_chromium()
    tmp = tmp_path_factory.mktemp("web")
    with _served(f"duckdb:///{tmp}/warehouse.duckdb", tmp) as served:
        yield served


@pytest.fixture(scope="session")
def pg_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """The app over a PostgreSQL warehouse (a smoke run of the main pages)."""
    _require_chromium()
    databases = temporary_database("globalcart_web", "PostgreSQL browser tests")
    url = next(databases)
    with _served(url, tmp_path_factory.mktemp("web_pg")) as served:
        yield served
    next(databases, None)


@pytest.fixture(scope="session")
def playwright_session() -> Iterator[Playwright]:
    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def browser(playwright_session: Playwright) -> Iterator[Browser]:
    _require_chromium()
    browser = playwright_session.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@dataclass
class Console:
    """Console errors and uncaught exceptions of a page."""

    errors: list[str] = field(default_factory=list)
    allowed: set[int] = field(default_factory=set)

    def allow(self, *statuses: int) -> None:
        """HTTP error answers the test provokes on purpose (Chromium logs each one)."""
        self.allowed.update(statuses)

    def on_message(self, message: ConsoleMessage) -> None:
        if message.type != "error":
            return
        failed = re.match(r"Failed to load resource: the server responded with a status of (\d+)",
                          message.text)  # fmt: skip
        if failed and int(failed.group(1)) in self.allowed:
            return
        self.errors.append(f"{message.text} @ {message.location.get('url')}")

    def on_error(self, error: Exception) -> None:
        self.errors.append(f"uncaught: {error}")


@pytest.fixture
def console() -> Console:
    return Console()


def _page(browser: Browser, url: str, console: Console) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 860}, base_url=url)
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.on("console", console.on_message)
    page.on("pageerror", console.on_error)
    yield page
    context.close()
    assert console.errors == [], "console errors:\n" + "\n".join(console.errors)


@pytest.fixture
def page(browser: Browser, site: Site, console: Console) -> Iterator[Page]:
    """A fresh browser context (no cookies) on a desktop viewport; no console error allowed."""
    yield from _page(browser, site.url, console)


@pytest.fixture
def pg_page(browser: Browser, pg_site: Site, console: Console) -> Iterator[Page]:
    """The same, on the PostgreSQL site."""
    yield from _page(browser, pg_site.url, console)


def shot(page: Page, name: str) -> Path:
    """Save a full-page screenshot under test-artifacts/web/."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def unique_email(prefix: str) -> str:
    return f"{prefix}-{dt.datetime.now(dt.UTC):%H%M%S%f}@example.com"


UNLABELLED = """els => els
    .filter(el => !(el.labels && el.labels.length) && !el.getAttribute('aria-label'))
    .map(el => el.outerHTML.slice(0, 120))"""


def unlabelled_controls(page: Page) -> list[str]:
    """Visible form controls with neither a <label> nor an aria-label."""
    found: list[str] = page.locator("input:visible, select:visible, textarea:visible").evaluate_all(
        UNLABELLED
    )
    return found
