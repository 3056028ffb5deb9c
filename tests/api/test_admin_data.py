"""Admin customer 360, journeys, data quality, runs and BI exports (both engines), and the
authorization matrix of every admin route added on top of the warehouse."""

from __future__ import annotations

import csv
import io

import pyarrow.parquet as pq
import pytest

from globalcart.store.db import utcnow
from globalcart.store.users import audit_entries
from tests.api.conftest import Env
from tests.api.warehouse_env import bearer, built_env, unique

__all__ = ["built_env"]
WAREHOUSE_ADMIN_ROUTES = [
    "/api/admin/kpis/snapshots",
    "/api/admin/kpis/latest",
    "/api/admin/orders",
    "/api/admin/orders/1",
    "/api/admin/customers",
    "/api/admin/customers/1",
    "/api/admin/journeys/sessions",
    "/api/admin/journeys/sessions/1",
    "/api/admin/funnel/summary",
    "/api/admin/funnel/daily",
    "/api/admin/funnel/product-leakage",
    "/api/admin/funnel/payment-failures",
    "/api/admin/finance/summary",
    "/api/admin/finance/loss-orders",
    "/api/admin/finance/top-products",
    "/api/admin/finance/top-customers",
    "/api/admin/quality/quarantine",
    "/api/admin/quality/checks",
    "/api/admin/runs",
    "/api/admin/export/mart_orders_core",
    "/api/admin/freshness",
]


def test_admin_warehouse_routes_refuse_everyone_else(built_env: Env) -> None:
    env = built_env
    callers = {
        "anonymous": (env.client(), 401),
        "customer": (env.signed_in(unique("c")), 403),
        "analyst": (env.signed_in(unique("a"), "analyst"), 403),
        "analytics key": (bearer(env, "analyst", ["analytics:read"]), 403),
        "admin key without admin scope": (bearer(env, "admin", ["analytics:read"]), 403),
    }
    for name, (client, expected) in callers.items():
        for path in WAREHOUSE_ADMIN_ROUTES:
            for query in ("", "?format=csv"):
                response = client.get(path + query)
                assert response.status_code == expected, (name, path, response.text)
                assert response.headers["content-type"] == "application/problem+json"
    exports_before = len(audit_entries(env.store, "mart_export", limit=100_000))
    for admin in (env.signed_in(unique("root"), "admin"), bearer(env, "admin", ["admin"])):
        for path in WAREHOUSE_ADMIN_ROUTES:
            status = admin.get(path).status_code
            assert status == (404 if path.endswith("/latest") else 200), (path, status)
    assert len(audit_entries(env.store, "mart_export", limit=100_000)) == exports_before + 2


def test_customer_360_and_journey_replay(built_env: Env) -> None:
    admin = built_env.signed_in(unique("crm"), "admin")
    view = admin.get("/api/admin/customers/1").json()
    assert view["profile"]["email"] == "ann@example.com"
    assert view["segment"]["rfm_segment"] and view["is_churned"] is False
    assert view["clv_usd"] == view["segment"]["monetary_usd"] > 0
    assert view["orders"] and all(o["order_id"] for o in view["orders"])
    assert {s["customer_id"] for s in view["sessions"]} == {1}
    entry = audit_entries(built_env.store, "customer_view")[0]
    assert entry["actor_email"].startswith("crm-") and '"customer_id": 1' in entry["detail"]
    assert admin.get("/api/admin/customers/987654").status_code == 404
    assert view["churn_score"] is None  # globalcart analytics churn has not run
    store = built_env.store
    # the table exists (empty) from the warehouse migrations until the analysis fills it
    assert store.query("select count(*) from marts.analytics_churn_scores")[0][0] == 0
    try:
        store.execute("insert into marts.analytics_churn_scores values (1, 0.25, null)")
        assert admin.get("/api/admin/customers/1").json()["churn_score"] == 0.25
    finally:
        store.execute("delete from marts.analytics_churn_scores")
    found = admin.get("/api/admin/customers?q=ANN").json()
    assert [row["email"] for row in found["rows"]] == ["ann@example.com"]
    sessions = admin.get("/api/admin/journeys/sessions?customer_id=1").json()
    assert sessions["total"] == 2 and {r["customer_id"] for r in sessions["rows"]} == {1}
    converted = admin.get("/api/admin/journeys/sessions?converted=true").json()["rows"]
    assert converted and all(row["has_order"] == 1 for row in converted)
    replay = admin.get("/api/admin/journeys/sessions/1").json()
    stages = [event["stage"] for event in replay["events"]]
    assert stages[0] == "VIEW_PRODUCT" and stages[-1] == "ORDER_PLACED"
    assert [e["event_ts"] for e in replay["events"]] == sorted(
        e["event_ts"] for e in replay["events"]
    )
    assert admin.get("/api/admin/journeys/sessions/424242").status_code == 404


def test_quarantine_browser_checks_and_runs(built_env: Env) -> None:
    admin = built_env.signed_in(unique("dq"), "admin")
    built_env.store.execute(
        "insert into quality.quarantine values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        ["orders", f"h-{unique('q')}", "77", "not_null", "order_ts is null", "{}", "x.parquet",
         utcnow(), 4242, utcnow()],
    )  # fmt: skip
    rows = admin.get("/api/admin/quality/quarantine?run_id=4242").json()["rows"]
    assert rows and {row["rule"] for row in rows} == {"not_null"}
    assert admin.get("/api/admin/quality/quarantine?table_name=nope").json()["total"] == 0
    assert admin.get("/api/admin/quality/quarantine?sort=raw_row").status_code == 422
    checks = admin.get("/api/admin/quality/checks").json()
    assert checks["total"] > 10 and len({row["run_id"] for row in checks["rows"]}) == 1
    assert admin.get("/api/admin/quality/checks?status=fail").json()["total"] == 0
    assert admin.get("/api/admin/quality/checks?status=maybe").status_code == 422
    runs = admin.get("/api/admin/runs").json()["rows"]
    assert {"load", "build"} <= {row["kind"] for row in runs}
    assert [r["run_id"] for r in runs] == sorted((r["run_id"] for r in runs), reverse=True)
    exported = admin.get("/api/admin/quality/quarantine?run_id=4242&format=csv")
    assert next(csv.DictReader(io.StringIO(exported.text)))["rule"] == "not_null"
    assert audit_entries(built_env.store, "quarantine_export")


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_bi_mart_export_is_complete_and_audited(built_env: Env, fmt: str) -> None:
    admin = built_env.signed_in(unique("bi"), "admin")
    response = admin.get(f"/api/admin/export/mart_orders_core?format={fmt}")
    assert response.status_code == 200
    if fmt == "parquet":
        table = pq.read_table(io.BytesIO(response.content))
        assert table.num_rows == 5 and "order_id" in table.column_names
    else:
        assert len(list(csv.DictReader(io.StringIO(response.text)))) == 5
    entry = audit_entries(built_env.store, "mart_export")[0]
    assert entry["actor_email"].startswith("bi-") and f'"format": "{fmt}"' in entry["detail"]
    assert admin.get("/api/admin/export/mart_secret").status_code == 404
    assert admin.get("/api/admin/export/app.users").status_code == 422
    assert admin.get("/api/admin/export/mart_orders_core?format=xlsx").status_code == 422
