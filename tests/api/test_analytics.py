"""Analytics API over the KPI golden store on both engines: who may call it, values equal to
``semantic.compute``, CSV equal to JSON, clear 422s for bad parameters."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from typing import Any

import pytest
from starlette.concurrency import run_in_threadpool

from globalcart.api.routes import analytics, analytics_answers
from globalcart.semantic import compute
from globalcart.semantic.snapshots import HEADLINE
from globalcart.store.users import audit_entries
from tests.api.conftest import Env
from tests.api.warehouse_env import bearer, built_env, unique

__all__ = ["built_env"]
MARCH = "start=2024-03-01&end=2024-03-31"
START, END = dt.date(2024, 3, 1), dt.date(2024, 3, 31)
ROUTES = [
    f"/metrics/daily?{MARCH}",
    "/ltv/7",
    "/ltv/30",
    "/ltv/90",
    "/inventory/alerts",
    f"/kpi/summary?{MARCH}",
    f"/kpi/revenue?{MARCH}&grain=week",
    f"/kpi/revenue?{MARCH}&grain=month&by=country&compare=previous_period",
    f"/kpi/conversion?{MARCH}&by=device",
    "/cohorts/retention",
    "/cohorts/repeat-purchase",
    "/demand/growth",
    f"/demand/top-products?{MARCH}&limit=2",
    f"/demand/by-category?{MARCH}&grain=month",
    f"/api/kpis/net_revenue?{MARCH}&by=channel&compare=previous_year",
    f"/api/kpis/conversion_rate?{MARCH}&grain=week",
    "/api/kpis/top_products",
]


def test_analytics_routes_refuse_anonymous_customers_and_wrong_scopes(built_env: Env) -> None:
    env = built_env
    refused = {
        "anonymous": (env.client(), 401),
        "customer session": (env.signed_in(unique("c")), 403),
        "customer key": (bearer(env, "customer", ["analytics:read"]), 403),
        "analyst key, wrong scope": (bearer(env, "analyst", ["events:write"]), 403),
        "admin key, wrong scope": (bearer(env, "admin", ["events:write"]), 403),
    }
    allowed = {
        "analyst session": env.signed_in(unique("a"), "analyst"),
        "admin session": env.signed_in(unique("root"), "admin"),
        "analytics key": bearer(env, "analyst", ["analytics:read"]),
        "admin key": bearer(env, "admin", ["admin"]),
    }
    before = len(audit_entries(env.store, "analytics_access_denied", limit=100_000))
    for name, (client, expected) in refused.items():
        for path in [*ROUTES, "/api/kpis"]:
            response = client.get(path)
            assert response.status_code == expected, (name, path, response.text)
            assert response.headers["content-type"] == "application/problem+json"
    for name, client in allowed.items():
        for path in [*ROUTES, "/api/kpis"]:
            assert client.get(path).status_code == 200, (name, path)
    denied = len(audit_entries(env.store, "analytics_access_denied", limit=100_000)) - before
    assert denied == 4 * (len(ROUTES) + 1)


@pytest.mark.parametrize("path", ROUTES)
def test_csv_export_has_the_json_content(built_env: Env, path: str) -> None:
    client = built_env.signed_in(unique("csv"), "analyst")
    body = client.get(path).json()
    joiner = "&" if "?" in path else "?"
    response = client.get(f"{path}{joiner}format=csv")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    lines = list(csv.reader(io.StringIO(response.text)))
    assert lines[0] == body["columns"]
    assert body["rows"], path  # the golden store has data for every route

    def cell(value: Any) -> str:
        if value is None:
            return ""
        if isinstance(value, bool):
            return json.dumps(value)
        return str(value)

    assert lines[1:] == [[cell(row[c]) for c in body["columns"]] for row in body["rows"]]


def test_values_come_from_the_registry(built_env: Env) -> None:
    client = built_env.signed_in(unique("values"), "analyst")
    warehouse = built_env.store.warehouse
    summary = client.get(f"/kpi/summary?{MARCH}").json()
    assert [row["kpi"] for row in summary["rows"]] == list(HEADLINE)
    for row in summary["rows"]:
        expected = compute(warehouse, row["kpi"], START, END, compare="previous_period").rows[0]
        assert row["value"] == pytest.approx(expected["value"]), row["kpi"]
        assert row["previous_value"] == pytest.approx(expected["previous_value"]), row["kpi"]
    net = {row["kpi"]: row["value"] for row in summary["rows"]}["net_revenue"]
    assert net > 0
    daily = client.get(f"/metrics/daily?{MARCH}").json()
    assert len(daily["rows"]) == 31 and daily["rows"][0]["period"] == "2024-03-01"
    assert sum(row["net_revenue"] for row in daily["rows"]) == pytest.approx(net)
    generic = client.get(f"/api/kpis/net_revenue?{MARCH}&by=channel&compare=previous_year")
    expected_rows = compute(warehouse, "net_revenue", START, END, by="channel",
                            compare="previous_year").rows  # fmt: skip
    assert generic.json()["rows"] == expected_rows
    assert generic.json()["previous_start"] == "2023-03-01"
    top = client.get(f"/demand/top-products?{MARCH}&limit=2").json()
    ranking = compute(warehouse, "item_net_revenue", START, END, by="product", limit=2).rows
    assert [(r["product"], r["item_net_revenue"]) for r in top["rows"]] == [
        (r["product"], r["value"]) for r in ranking
    ]
    assert all(row["units_sold"] > 0 for row in top["rows"])
    ltv = client.get("/ltv/30").json()
    assert ltv["columns"] == ["cohort_month", "customers", "ltv_30d_usd"]
    cohorts = compute(warehouse, "ltv_cohorts").rows
    assert [r["ltv_30d_usd"] for r in ltv["rows"]] == [r["ltv_30d_usd"] for r in cohorts]


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/ltv/14", "days"),
        ("/ltv/abc", "days"),
        ("/demand/top-products?limit=0", "limit"),
        ("/demand/top-products?limit=101", "limit"),
        ("/inventory/alerts?limit=100000", "limit"),
        ("/metrics/daily?start=2024-03-31&end=2024-03-01", "after end"),
        ("/metrics/daily?start=yesterday", "start"),
        ("/kpi/revenue?grain=year", "grain"),
        ("/kpi/revenue?by=planet", "cannot be broken down by 'planet'"),
        ("/kpi/conversion?compare=last_week", "compare"),
        ("/api/kpis/net_revenue?format=xml", "format"),
        ("/api/kpis/ltv_cohorts?by=country", "table KPI"),
        ("/api/kpis/net_revenue?limit=0", "limit"),
        ("/api/kpis/Robert';drop", "name"),
    ],
)
def test_bad_parameters_get_clear_422s(built_env: Env, path: str, message: str) -> None:
    response = built_env.signed_in(unique("bad"), "analyst").get(path)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert message in response.json()["detail"]


def test_unknown_kpi_is_404_and_an_unbuilt_warehouse_is_a_clear_409(
    built_env: Env, env: Env
) -> None:
    response = built_env.signed_in(unique("nf"), "analyst").get("/api/kpis/no_such_kpi")
    assert response.status_code == 404 and "unknown KPI" in response.json()["detail"]
    empty = env.signed_in(unique("empty"), "analyst")  # a store without a built warehouse
    for path in ROUTES:
        response = empty.get(path)
        assert response.status_code == 409, (path, response.text)
        assert "not built" in response.json()["detail"]
    assert len(empty.get("/api/kpis").json()) > 40


def test_cached_answers_are_served_on_the_event_loop_and_gzipped_once(
    built_env: Env, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = built_env.signed_in(unique("cache"), "analyst")
    threaded: list[str] = []

    async def counting(function: Any, *args: Any, **kwargs: Any) -> Any:
        threaded.append(function.__name__)
        return await run_in_threadpool(function, *args, **kwargs)

    monkeypatch.setattr(f"{analytics_answers.__name__}.run_in_threadpool", counting)
    # A loaded machine may let the default check interval pass between two requests; what
    # happens when it has passed is tested in test_results_cache.
    monkeypatch.setattr(built_env.store.results, "check_seconds", 3600.0)
    path = f"/demand/top-products?{MARCH}&limit=3"  # a query no other test asks
    plain = client.get(path, headers={"Accept-Encoding": "identity"})
    assert plain.status_code == 200 and "content-encoding" not in plain.headers
    assert threaded == ["demand_top_products"]  # computed on a worker thread
    zipped = client.get(path, headers={"Accept-Encoding": "gzip"})
    assert threaded == ["demand_top_products"]  # then answered from the cache
    assert zipped.json() == plain.json()  # httpx decompresses
    if len(plain.content) >= analytics_answers.GZIP_MIN_BYTES:
        assert zipped.headers["content-encoding"] == "gzip"
        assert "Accept-Encoding" in zipped.headers["vary"]
        assert int(zipped.headers["content-length"]) < len(plain.content)
    csv_body = client.get(f"{path}&format=csv")
    assert threaded == ["demand_top_products"]
    assert csv_body.text.splitlines()[0] == ",".join(plain.json()["columns"])
    daily = client.get(f"/metrics/daily?{MARCH}", headers={"Accept-Encoding": "gzip"})
    assert len(daily.json()["rows"]) == 31
    assert daily.headers["content-encoding"] == "gzip"  # 31 rows: well over the threshold
    small = client.get(f"/api/kpis/orders?{MARCH}", headers={"Accept-Encoding": "gzip"})
    assert "content-encoding" not in small.headers  # one row: not worth compressing
    assert small.headers["cache-control"] == "no-store" and small.headers["x-request-id"]


def test_route_functions_stay_callable_without_the_app(built_env: Env) -> None:
    """Other modules (the public dashboard) call the route functions directly."""
    response = analytics.kpi_summary(None, built_env.store, start=START, end=END)  # type: ignore[arg-type]
    assert response.media_type == "application/json"
    assert [row["kpi"] for row in json.loads(response.body)["rows"]] == list(HEADLINE)
