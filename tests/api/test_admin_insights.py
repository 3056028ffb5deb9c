"""Admin KPI snapshots, funnel and finance routes over the KPI golden store, both engines."""

from __future__ import annotations

import csv
import datetime as dt
import io
import uuid

import pytest

from globalcart.semantic import compute
from globalcart.semantic.snapshots import take_snapshot
from tests.api.conftest import Env
from tests.api.warehouse_env import built_env, unique

__all__ = ["built_env"]
MARCH = "start=2024-03-01&end=2024-03-31"
START, END = dt.date(2024, 3, 1), dt.date(2024, 3, 31)
ROUTES = [
    "/api/admin/kpis/snapshots",
    f"/api/admin/funnel/summary?{MARCH}&compare=previous_period",
    f"/api/admin/funnel/daily?{MARCH}",
    "/api/admin/funnel/product-leakage?limit=2",
    f"/api/admin/funnel/payment-failures?{MARCH}&by=payment_method",
    f"/api/admin/finance/summary?{MARCH}&grain=month",
    "/api/admin/finance/loss-orders",
    f"/api/admin/finance/top-products?{MARCH}&limit=2",
    "/api/admin/finance/top-customers?limit=2",
]


def test_snapshots_latest_and_by_label(built_env: Env) -> None:
    admin = built_env.signed_in(unique("snap"), "admin")
    label = f"api-{uuid.uuid4().hex[:6]}"
    values = take_snapshot(built_env.store.warehouse, label)
    listed = admin.get("/api/admin/kpis/snapshots").json()["rows"]
    assert label in [row["label"] for row in listed]
    latest = admin.get("/api/admin/kpis/latest").json()
    assert latest["title"] == label and latest["rows"][0]["kpi"] == "net_revenue"
    assert {row["kpi"]: row["value"] for row in latest["rows"]} == pytest.approx(values)
    assert admin.get(f"/api/admin/kpis/latest?label={label}").json()["rows"] == latest["rows"]
    missing = admin.get("/api/admin/kpis/latest?label=nope")
    assert missing.status_code == 404 and "kpis snapshot" in missing.json()["detail"]


def test_funnel_and_finance_numbers_come_from_the_registry(built_env: Env) -> None:
    admin = built_env.signed_in(unique("fin"), "admin")
    warehouse = built_env.store.warehouse
    funnel = admin.get(f"/api/admin/funnel/summary?{MARCH}").json()["rows"][0]
    assert funnel["sessions"] == compute(warehouse, "sessions", START, END).rows[0]["value"]
    rate = compute(warehouse, "conversion_rate", START, END).rows[0]["value"]
    assert funnel["conversion_rate"] == pytest.approx(rate)
    assert funnel["order_sessions"] <= funnel["cart_sessions"] <= funnel["sessions"]
    daily = admin.get(f"/api/admin/funnel/daily?{MARCH}").json()["rows"]
    assert sum(row["sessions"] for row in daily) == funnel["sessions"]
    finance = admin.get(f"/api/admin/finance/summary?{MARCH}").json()["rows"][0]
    for name in ("net_revenue", "gross_profit", "gross_margin"):
        expected = compute(warehouse, name, START, END).rows[0]["value"]
        assert finance[name] == pytest.approx(expected), name
    failures = admin.get(f"/api/admin/funnel/payment-failures?{MARCH}").json()["rows"]
    expected_rows = compute(warehouse, "payment_failure_rate", START, END,
                            by="payment_provider").rows  # fmt: skip
    assert [r["payment_failure_rate"] for r in failures] == [r["value"] for r in expected_rows]
    top = admin.get("/api/admin/finance/top-customers?limit=2").json()["rows"]
    assert len(top) == 2 and top[0]["net_revenue_usd"] >= top[1]["net_revenue_usd"]
    assert top[0]["email"].endswith("@example.com")


@pytest.mark.parametrize("path", ROUTES)
def test_admin_csv_matches_json(built_env: Env, path: str) -> None:
    admin = built_env.signed_in(unique("csv"), "admin")
    body = admin.get(path).json()
    exported = admin.get(f"{path}{'&' if '?' in path else '?'}format=csv")
    assert exported.status_code == 200, exported.text
    lines = list(csv.reader(io.StringIO(exported.text)))
    assert lines[0] == body["columns"] and len(lines) == len(body["rows"]) + 1
    for line, row in zip(lines[1:], body["rows"], strict=True):
        assert line == ["" if row[c] is None else str(row[c]).replace("True", "true")
                        .replace("False", "false") for c in body["columns"]]  # fmt: skip


@pytest.mark.parametrize(
    "path",
    [
        "/api/admin/funnel/product-leakage?limit=0",
        "/api/admin/finance/top-products?limit=101",
        "/api/admin/funnel/payment-failures?by=device",
        "/api/admin/finance/summary?grain=year",
        "/api/admin/finance/loss-orders?offset=-1",
        "/api/admin/funnel/daily?start=2024-04-01&end=2024-03-01",
    ],
)
def test_admin_insights_reject_bad_parameters(built_env: Env, path: str) -> None:
    response = built_env.signed_in(unique("bad"), "admin").get(path)
    assert response.status_code == 422, response.text
