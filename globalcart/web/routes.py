"""Serve the web UI: the storefront (/shop/), the admin dashboard (/admin/) and the public
dashboard (/), their static assets under a content-hashed URL, gzip, and cache headers.

HTML is sent with ``Cache-Control: no-cache`` so that a browser always revalidates it after an
upgrade; every asset URL carries the hash of the whole static tree (``/static/<hash>/…``), so
assets can be cached for a year and a new release is picked up at once.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import plotly
from fastapi import APIRouter, FastAPI, Request
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response

from globalcart.api.problems import ProblemError
from globalcart.web import insights, public, shop_api

STATIC_DIR = Path(__file__).parent / "static"
PAGES_DIR = Path(__file__).parent / "pages"
PLOTLY_JS = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
VENDOR = {"vendor/plotly.min.js": PLOTLY_JS}
LONG_CACHE = "public, max-age=31536000, immutable"
# Plotly injects <style> elements and data: images; everything else comes from this origin.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; connect-src 'self'; font-src 'self' data:; "
    "frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
)
PLOTLY_TAG = '  <script src="{{static}}/vendor/plotly.min.js" defer></script>'
LOADING = '<main id="content" tabindex="-1"><p class="loading">Loading…</p></main>'


@dataclass(frozen=True)
class Page:
    """The parts of one app's HTML shell (see pages/base.html)."""

    title: str
    app: str
    home: str
    badge: str
    nav: str
    body: str = LOADING
    charts: bool = True


PAGES = {
    "shop": Page(
        "GlobalCart Store", "shop", "#/", "", '<nav aria-label="Store" id="shop-nav"></nav>',
        LOADING + '\n  <footer class="site-footer">GlobalCart demo store · payments are '
        "simulated, nothing is charged</footer>",
        charts=False,
    ),
    "admin": Page(
        "GlobalCart Admin", "admin", "#/", ' <span class="badge brand">Admin</span>',
        '<nav aria-label="Account" id="admin-account"></nav>',
        '<div class="shell" id="shell">\n    <nav class="sidenav" id="sidenav" '
        f'aria-label="Admin sections" hidden></nav>\n    {LOADING}\n  </div>',
    ),
    "dashboard": Page(
        "GlobalCart · KPI dashboard", "dashboard", "/", ' <span class="badge">KPI dashboard</span>',
        '<nav aria-label="Site"><a href="/shop/">Store</a><a href="/admin/">Admin</a></nav>',
    ),
}  # fmt: skip

router = APIRouter(include_in_schema=False)


@cache
def static_version() -> str:
    """A short hash of every static file (and the bundled plotly version)."""
    digest = hashlib.sha256(plotly.__version__.encode())
    for path in sorted(STATIC_DIR.rglob("*")):
        if path.is_file():
            digest.update(str(path.relative_to(STATIC_DIR)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


@cache
def _page(name: str) -> str:
    page = PAGES[name]
    scripts = [PLOTLY_TAG] if page.charts else []
    scripts.append(f'  <script type="module" src="{{{{static}}}}/{page.app}/main.js"></script>')
    html = (PAGES_DIR / "base.html").read_text(encoding="utf-8")
    for key, value in (("title", page.title), ("scripts", "\n".join(scripts)),
                       ("home", page.home), ("badge", page.badge), ("nav", page.nav),
                       ("body", page.body)):  # fmt: skip
        html = html.replace(f"{{{{{key}}}}}", value)
    return html.replace("{{static}}", f"/static/{static_version()}")


def _html(name: str) -> HTMLResponse:
    headers = {"Cache-Control": "no-cache", "Content-Security-Policy": CSP}
    return HTMLResponse(_page(name), headers=headers)


def _asset(path: str) -> Path:
    if path in VENDOR:
        return VENDOR[path]
    target = (STATIC_DIR / path).resolve()
    if not target.is_relative_to(STATIC_DIR.resolve()) or not target.is_file():
        raise ProblemError(404, f"no static file {path!r}", kind="not-found")
    return target


@router.get("/static/{version}/{path:path}")
def static_file(version: str, path: str) -> FileResponse:
    """A static asset; the current version is cached for a year, an old one is revalidated."""
    cache_control = LONG_CACHE if version == static_version() else "no-cache"
    return FileResponse(_asset(path), headers={"Cache-Control": cache_control})


@router.get("/shop/")
def shop_page() -> HTMLResponse:
    """The storefront (a single page; the part after # selects the view)."""
    return _html("shop")


@router.get("/admin/")
def admin_page() -> HTMLResponse:
    """The admin dashboard (sign-in required for its data)."""
    return _html("admin")


@router.get("/")
def dashboard_page() -> HTMLResponse:
    """The public KPI dashboard (its data needs the operator's consent or an API key)."""
    return _html("dashboard")


@router.get("/shop")
@router.get("/admin")
def add_slash(request: Request) -> Response:
    return RedirectResponse(f"{request.url.path}/", status_code=308)


def mount_web(app: FastAPI) -> None:
    """Add the web UI, its data routes and gzip to ``app``."""
    app.add_middleware(GZipMiddleware, minimum_size=1024, compresslevel=6)
    app.include_router(public.router)
    app.include_router(insights.router)
    app.include_router(shop_api.router)
    app.include_router(router)
