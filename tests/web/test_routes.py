"""The web routes without a browser, on both engines: pages, versioned assets, cache headers,
gzip, and the data routes of the web UI (categories, session, public panels, admin insights)."""

from __future__ import annotations

from globalcart.web.routes import static_version
from tests.api.conftest import Env, env, make_env, store
from tests.api.warehouse_env import bearer, built_env, unique

__all__ = ["built_env", "env", "make_env", "store"]  # fixtures used by this module


def test_pages_are_revalidated_and_point_at_versioned_assets(env: Env) -> None:
    client = env.client()
    for path in ("/shop/", "/admin/", "/"):
        page = client.get(path)
        assert page.status_code == 200
        assert page.headers["content-type"].startswith("text/html")
        assert page.headers["cache-control"] == "no-cache"
        assert "script-src 'self'" in page.headers["content-security-policy"]
        assert f"/static/{static_version()}/css/app.css" in page.text
    moved = client.get("/shop", follow_redirects=False)
    assert moved.status_code == 308 and moved.headers["location"] == "/shop/"


def test_assets_are_cached_for_a_year_only_under_the_current_version(env: Env) -> None:
    client = env.client()
    current = client.get(f"/static/{static_version()}/js/ui.js")
    assert current.status_code == 200
    assert current.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert "javascript" in current.headers["content-type"]
    old = client.get("/static/0ld0ld0ld0ld/js/ui.js")
    assert old.status_code == 200 and old.headers["cache-control"] == "no-cache"
    plotly = client.get(f"/static/{static_version()}/vendor/plotly.min.js")
    assert plotly.status_code == 200 and "plotly" in plotly.text[:2000].lower()
    for bad in ("missing.js", "../routes.py", "..%2Froutes.py", "css/../../routes.py"):
        answer = client.get(f"/static/{static_version()}/{bad}")
        assert answer.status_code == 404, bad


def test_text_is_gzipped(env: Env) -> None:
    answer = env.client().get(
        f"/static/{static_version()}/css/app.css", headers={"Accept-Encoding": "gzip"}
    )
    assert answer.headers["content-encoding"] == "gzip"
    assert ":root" in answer.text  # httpx decompresses transparently


def test_categories_and_session(env: Env) -> None:
    client = env.client()
    assert client.get("/api/customer/categories").json() == [
        {"category": "Accessories", "products": 2},
        {"category": "Shoes", "products": 2},
    ]
    assert client.get("/api/customer/session").json() == {"user": None}
    signed_in = env.signed_in(unique("web"))
    user = signed_in.get("/api/customer/session").json()["user"]
    assert user["role"] == "customer" and user["email"].startswith("web-")


def _public(env: Env, on: bool) -> None:
    env.app.state.settings = env.app.state.settings.model_copy(update={"public_dashboard": on})


def test_public_panels_need_consent_or_an_analyst(built_env: Env) -> None:
    anonymous = built_env.client()
    _public(built_env, False)
    assert anonymous.get("/api/public/access").json() == {"open": False, "public": False}
    assert anonymous.get("/api/public/panels/summary").status_code == 401
    customer = built_env.signed_in(unique("cust"))
    assert customer.get("/api/public/panels/summary").status_code == 403
    assert customer.get("/api/public/access").json()["open"] is False
    analyst = bearer(built_env, "analyst", ["analytics:read"])
    assert analyst.get("/api/public/access").json()["open"] is True
    summary = analyst.get("/api/public/panels/summary").json()
    same = analyst.get("/kpi/summary").json()
    assert summary["rows"] == same["rows"]
    _public(built_env, True)
    try:
        assert anonymous.get("/api/public/access").json() == {"open": True, "public": True}
        for panel in ("summary", "conversion-by-source", "cohort-retention", "repeat-purchase",
                      "growth", "top-products", "category-demand"):  # fmt: skip
            answer = anonymous.get(f"/api/public/panels/{panel}")
            assert answer.status_code == 200, (panel, answer.text)
            assert answer.json()["rows"], panel
        csv = anonymous.get("/api/public/panels/top-products?format=csv")
        assert csv.headers["content-type"].startswith("text/csv")
        assert anonymous.get("/api/public/panels/nope").status_code == 422
    finally:
        _public(built_env, False)


def test_admin_insights(built_env: Env) -> None:
    admin = built_env.signed_in(unique("admin"), "admin")
    segments = admin.get("/api/admin/insights/rfm-segments").json()
    customers = built_env.store.one("select count(*) from marts.mart_customer_segments")
    assert customers is not None
    assert sum(int(r["customers"]) for r in segments["rows"]) == int(customers[0])
    risk = admin.get("/api/admin/insights/churn-risk?limit=2").json()
    churned = {
        int(r[0])
        for r in built_env.store.query(
            "select customer_id from marts.mart_customer_segments where is_churned"
        )
    }
    assert len(risk["rows"]) <= 2
    assert not {r["customer_id"] for r in risk["rows"]} & churned
    forecast = admin.get("/api/admin/insights/forecast?horizon=7")
    assert forecast.status_code == 200, forecast.text
    rows = forecast.json()["rows"]
    actual = [r for r in rows if r["actual"] is not None]
    future = [r for r in rows if r["actual"] is None]
    assert len(future) == 7 and future[0]["date"] > actual[-1]["date"]
    assert all(r["lower_95"] <= r["lower_80"] <= r["forecast"] <= r["upper_80"] <= r["upper_95"]
               for r in future)  # fmt: skip
    assert admin.get("/api/admin/insights/rfm-segments?format=csv").text.startswith("segment,")
    analyst = built_env.signed_in(unique("an"), "analyst")
    assert analyst.get("/api/admin/insights/rfm-segments").status_code == 403
    assert built_env.client().get("/api/admin/insights/forecast").status_code == 401


def test_no_server_error_on_an_empty_warehouse(env: Env) -> None:
    admin = env.signed_in(unique("admin"), "admin")
    _public(env, True)
    for path in ("/api/admin/insights/rfm-segments", "/api/admin/insights/churn-risk",
                 "/api/admin/insights/forecast", "/api/public/panels/summary"):  # fmt: skip
        answer = admin.get(path)
        assert answer.status_code == 409, (path, answer.text)
        assert answer.headers["content-type"] == "application/problem+json"
