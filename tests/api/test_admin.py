"""Admin routes: authorization, audited role changes, API key lifecycle, append-only audit log."""

from __future__ import annotations

import time
from typing import Any

import pytest
from fastapi.testclient import TestClient

from globalcart.api.security import new_api_key, token_hash
from globalcart.engines import WarehouseError
from globalcart.store.auth import create_api_key
from globalcart.store.users import audit_entries
from tests.api.conftest import Env

ID = "0" * 32
ADMIN_ROUTES: list[tuple[str, str, dict[str, Any] | None]] = [
    ("GET", "/api/admin/audit-log", None),
    ("POST", f"/api/admin/users/{ID}/role", {"role": "analyst"}),
    ("GET", "/api/admin/api-keys", None),
    ("POST", "/api/admin/api-keys", {"email": "x@example.com", "name": "n", "scopes": ["admin"]}),
    ("DELETE", f"/api/admin/api-keys/{ID}", None),
]


def _bearer(env: Env, email: str, role: str, scopes: list[str]) -> TestClient:
    key, prefix = new_api_key()
    owner = env.user(email, role)
    create_api_key(env.store, owner.user_id, "test", scopes, token_hash(key), prefix)
    client = env.client()
    client.headers["Authorization"] = f"Bearer {key}"
    return client


def test_admin_routes_refuse_everyone_else(env: Env) -> None:
    callers = {
        "anonymous": (env.client(), 401),
        "customer": (env.signed_in("c@example.com"), 403),
        "analyst": (env.signed_in("a@example.com", "analyst"), 403),
        "admin key without scope": (_bearer(env, "k@example.com", "admin", ["events:write"]), 403),
    }
    for name, (client, expected) in callers.items():
        for method, path, body in ADMIN_ROUTES:
            assert client.request(method, path, json=body).status_code == expected, (name, path)
    admin_key = _bearer(env, "root@example.com", "admin", ["admin"])
    assert admin_key.get("/api/admin/audit-log").status_code == 200
    denied = audit_entries(env.store, "admin_access_denied")
    assert len(denied) == 3 * len(ADMIN_ROUTES)
    assert {entry["actor_email"] for entry in denied} == {
        "c@example.com", "a@example.com", "k@example.com"
    }  # fmt: skip


def test_role_changes_are_audited_and_end_sessions(env: Env) -> None:
    admin = env.signed_in("boss@example.com", "admin")
    staff = env.signed_in("staff@example.com")
    me = staff.get("/api/auth/me").json()["user"]
    response = admin.post(f"/api/admin/users/{me['user_id']}/role", json={"role": "analyst"})
    assert response.status_code == 200
    assert staff.get("/api/auth/me").status_code == 401  # sessions ended
    own = admin.get("/api/auth/me").json()["user"]["user_id"]
    assert admin.post(f"/api/admin/users/{own}/role", json={"role": "customer"}).status_code == 409
    assert admin.post(f"/api/admin/users/{ID}/role", json={"role": "admin"}).status_code == 404
    change = audit_entries(env.store, "role_change")[0]
    assert change["actor_email"] == "boss@example.com" and change["target"] == me["user_id"]
    assert '"to": "analyst"' in change["detail"]
    log = admin.get("/api/admin/audit-log?action=role_change").json()
    assert [entry["action"] for entry in log] == ["role_change"]


def test_api_key_lifecycle(env: Env) -> None:
    admin = env.signed_in("keys@example.com", "admin")
    env.user("shop-bot@example.com", "analyst")
    body = {"email": "shop-bot@example.com", "name": "tracker", "scopes": ["events:write"]}
    created = admin.post("/api/admin/api-keys", json=body)
    assert created.status_code == 201
    key, key_id = created.json()["api_key"], created.json()["key_id"]
    stored = env.store.query("select key_hash from app.api_keys where key_id = ?", [key_id])
    assert stored == [(token_hash(key),)]
    listed = admin.get("/api/admin/api-keys").json()
    assert listed[0]["key_id"] == key_id and key not in str(listed)
    bot = env.client()
    bot.headers["Authorization"] = f"Bearer {key}"
    batch = {"session_id": "bot-session-1", "events": [{"stage": "SEARCH"}]}
    assert bot.post("/api/events", json=batch).status_code == 202  # no CSRF for bearer keys
    assert admin.delete(f"/api/admin/api-keys/{key_id}").status_code == 204
    assert bot.post("/api/events", json=batch).status_code == 401
    assert admin.delete(f"/api/admin/api-keys/{key_id}").status_code == 404
    escalate = {**body, "scopes": ["admin"]}
    assert admin.post("/api/admin/api-keys", json=escalate).status_code == 422
    actions = {entry["action"] for entry in audit_entries(env.store)}
    assert {"api_key_create", "api_key_revoke"} <= actions


def test_a_key_revoked_by_another_worker_stops_working_within_seconds(env: Env) -> None:
    owner = env.user("remembered@example.com", "analyst")
    key, prefix = new_api_key()
    key_id = create_api_key(env.store, owner.user_id, "bi", ["analytics:read"], token_hash(key),
                            prefix)  # fmt: skip
    bot = env.client()
    bot.headers["Authorization"] = f"Bearer {key}"
    assert bot.get("/api/auth/me").status_code == 200  # the key is now remembered
    with env.store.write():  # as another process would revoke it: no in-process signal
        env.store.execute("update app.api_keys set revoked_at = current_timestamp "
                          "where key_id = ?", [key_id])  # fmt: skip
    deadline = time.monotonic() + env.store.api_keys.seconds + 1
    while bot.get("/api/auth/me").status_code == 200:
        assert time.monotonic() < deadline, "the revoked key still works"
        time.sleep(0.1)
    assert bot.get("/api/auth/me").status_code == 401


def test_the_audit_log_is_append_only_on_postgres(env: Env) -> None:
    if env.store.dialect != "postgres":
        pytest.skip("DuckDB has no triggers; the API offers no way to change the log")
    env.signed_in("x@example.com", "admin").get("/api/admin/audit-log")
    with pytest.raises(WarehouseError, match="append-only"):
        env.store.execute("delete from app.audit_log")
    with pytest.raises(WarehouseError, match="append-only"):
        env.store.execute("update app.audit_log set outcome = 'forged'")
