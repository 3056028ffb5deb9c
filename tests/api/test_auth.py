"""Sign-up, sessions (cookies, rotation, expiry, revocation, CSRF), OTP, brute force, hashing."""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Callable

import pytest
from argon2 import PasswordHasher

from globalcart.api import security
from globalcart.api.security import Limit, Limits
from globalcart.store.users import audit_entries, outbox_for
from tests.api.conftest import PASSWORD, Env


def _signup(env: Env, email: str, password: str = PASSWORD) -> tuple[object, str]:
    client = env.client()
    response = client.post("/api/auth/signup", json={"email": email, "password": password})
    assert response.status_code == 201, response.text
    return client, response.json()["csrf_token"]


def test_password_hashing_uses_argon2id_with_at_least_owasp_parameters() -> None:
    digest = security.hash_password(PASSWORD)
    assert digest.startswith("$argon2id$")
    params = dict(p.split("=") for p in digest.split("$")[3].split(","))
    assert int(params["m"]) >= 19456 and int(params["t"]) >= 2
    assert PasswordHasher().verify(digest, PASSWORD)
    assert security.verify_password(digest, PASSWORD)
    assert not security.verify_password(digest, PASSWORD + "x")
    assert not security.verify_password(None, PASSWORD)


def test_signup_sets_secure_cookies_and_stores_only_a_hash(env: Env) -> None:
    client = env.client()
    response = client.post(
        "/api/auth/signup", json={"email": "Ann@Example.com", "password": PASSWORD}
    )
    assert response.status_code == 201
    assert response.json()["user"] == {
        "user_id": response.json()["user"]["user_id"], "email": "ann@example.com",
        "role": "customer", "full_name": None,
    }  # fmt: skip
    cookies = {c.split("=")[0]: c for c in response.headers.get_list("set-cookie")}
    session = cookies["gc_session"]
    assert "HttpOnly" in session and "samesite=lax" in session.lower()
    assert "HttpOnly" not in cookies["gc_csrf"]
    token = session.split(";")[0].split("=", 1)[1]
    stored = env.store.query("select session_hash, user_id from app.sessions")
    assert len(stored) == 1 and stored[0][0] == security.token_hash(token) != token
    (password_hash,) = env.store.one("select password_hash from app.users") or ("",)
    assert str(password_hash).startswith("$argon2id$") and PASSWORD not in str(password_hash)
    assert client.get("/api/auth/me").json()["user"]["email"] == "ann@example.com"


def test_cookies_are_secure_over_https(env: Env) -> None:
    client = env.client()
    client.base_url = client.base_url.copy_with(scheme="https")
    response = client.post(
        "/api/auth/signup", json={"email": "s@example.com", "password": PASSWORD}
    )
    assert all("Secure" in c for c in response.headers.get_list("set-cookie"))


def test_weak_passwords_and_duplicate_emails_are_refused(env: Env) -> None:
    client = env.client()
    for weak in ("short1!", "password1234", "w@example.com"):
        response = client.post(
            "/api/auth/signup", json={"email": "w@example.com", "password": weak}
        )
        assert response.status_code == 422, weak
        assert response.headers["content-type"].startswith("application/problem+json")
        assert weak not in response.text
    _signup(env, "dup@example.com")
    response = client.post(
        "/api/auth/signup", json={"email": "DUP@example.com", "password": PASSWORD}
    )
    assert response.status_code == 409


def test_login_rotates_the_session_and_logout_revokes_it(env: Env) -> None:
    env.user("bob@example.com")
    client = env.client()
    first = client.post("/api/auth/login", json={"email": "bob@example.com", "password": PASSWORD})
    assert first.status_code == 200
    old_token = client.cookies["gc_session"]
    second = client.post("/api/auth/login", json={"email": "bob@example.com", "password": PASSWORD})
    new_token, csrf = client.cookies["gc_session"], second.json()["csrf_token"]
    assert new_token != old_token
    stale = env.client()
    stale.cookies.set("gc_session", old_token)
    assert stale.get("/api/auth/me").status_code == 401
    assert client.post("/api/auth/logout").status_code == 403  # no CSRF header
    assert client.post("/api/auth/logout", headers={"X-CSRF-Token": csrf}).status_code == 204
    replay = env.client()
    replay.cookies.set("gc_session", new_token)
    assert replay.get("/api/auth/me").status_code == 401
    actions = [(e["action"], e["outcome"]) for e in audit_entries(env.store)]
    assert ("logout", "success") in actions and actions.count(("login", "success")) == 2


def test_idle_and_absolute_expiry(env: Env) -> None:
    client = env.signed_in("idle@example.com")
    assert client.get("/api/auth/me").status_code == 200
    past = dt.datetime.now(dt.UTC).replace(tzinfo=None) - dt.timedelta(minutes=31)
    env.store.execute("update app.sessions set last_seen_at = ?", [past])
    assert client.get("/api/auth/me").status_code == 401
    other = env.signed_in("abs@example.com")
    env.store.execute(
        "update app.sessions set expires_at = ? where user_id = "
        "(select user_id from app.users where email = 'abs@example.com')",
        [past],
    )
    assert other.get("/api/auth/me").status_code == 401


def test_csrf_is_required_on_changes_but_not_on_reads(env: Env) -> None:
    client = env.signed_in("csrf@example.com")
    csrf = client.headers.pop("X-CSRF-Token")
    assert client.get("/api/customer/cart").status_code == 200
    item = {"product_id": 101, "qty": 1}
    denied = client.post("/api/customer/cart/items", json=item)
    assert denied.status_code == 403 and denied.json()["type"].endswith("csrf-token-mismatch")
    wrong = client.post("/api/customer/cart/items", json=item, headers={"X-CSRF-Token": "x" * 43})
    assert wrong.status_code == 403
    ok = client.post("/api/customer/cart/items", json=item, headers={"X-CSRF-Token": csrf})
    assert ok.status_code == 200
    assert len(audit_entries(env.store, "csrf_rejected")) == 2


def test_login_brute_force_is_blocked(make_env: Callable[..., Env]) -> None:
    env = make_env(Limits(login_per_account=Limit(5, 300)))
    env.user("target@example.com")
    client = env.client()
    body = {"email": "target@example.com", "password": "wrong-password-123"}
    codes = [client.post("/api/auth/login", json=body).status_code for _ in range(5)]
    assert codes == [401] * 5
    blocked = client.post("/api/auth/login", json={**body, "password": PASSWORD})
    assert blocked.status_code == 429 and int(blocked.headers["Retry-After"]) > 0
    outcomes = [e["outcome"] for e in audit_entries(env.store, "login")]
    assert outcomes.count("failure") == 5 and "rate_limited" in outcomes


def test_email_code_sign_in(env: Env) -> None:
    env.user("otp@example.com")
    client = env.client()
    response = client.post("/api/auth/otp/request", json={"email": "otp@example.com"})
    assert response.status_code == 202
    unknown = client.post("/api/auth/otp/request", json={"email": "nobody@example.com"})
    assert unknown.status_code == 202 and unknown.json() == response.json()
    (_, body), *_ = outbox_for(env.store, "otp@example.com")
    code = re.search(r"\b(\d{6})\b", body)
    assert code is not None and code.group(1) not in response.text
    stored = env.store.query("select code_hash from app.otp_codes")
    assert stored and code.group(1) not in str(stored[0][0])
    ok = client.post(
        "/api/auth/otp/verify", json={"email": "otp@example.com", "code": code.group(1)}
    )
    assert ok.status_code == 200 and client.get("/api/auth/me").status_code == 200
    again = client.post(
        "/api/auth/otp/verify", json={"email": "otp@example.com", "code": code.group(1)}
    )
    assert again.status_code == 401  # single use


def test_email_code_brute_force_is_blocked(env: Env) -> None:
    env.user("guess@example.com")
    client = env.client()
    client.post("/api/auth/otp/request", json={"email": "guess@example.com"})
    (_, body), *_ = outbox_for(env.store, "guess@example.com")
    code = re.search(r"\b(\d{6})\b", body)
    assert code is not None
    wrong = f"{(int(code.group(1)) + 1) % 1_000_000:06d}"
    for _ in range(5):
        bad = {"email": "guess@example.com", "code": wrong}
        assert client.post("/api/auth/otp/verify", json=bad).status_code == 401
    good = {"email": "guess@example.com", "code": code.group(1)}
    assert client.post("/api/auth/otp/verify", json=good).status_code == 401  # code burnt
    requests = [client.post("/api/auth/otp/request", json={"email": "guess@example.com"})]
    requests += [client.post("/api/auth/otp/request", json={"email": "guess@example.com"})]
    requests += [client.post("/api/auth/otp/request", json={"email": "guess@example.com"})]
    assert [r.status_code for r in requests] == [202, 202, 429]


def test_errors_are_problem_documents_with_request_ids(env: Env) -> None:
    client = env.client()
    response = client.get(
        "/api/customer/products?limit=1000", headers={"X-Request-ID": "req-12345678"}
    )
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert {"type", "title", "status", "detail", "instance"} <= body.keys()
    assert body["request_id"] == response.headers["x-request-id"] == "req-12345678"
    assert client.get("/nope").json()["status"] == 404
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["cache-control"] == "no-store"


def test_unexpected_errors_hide_the_traceback(env: Env) -> None:
    @env.app.get("/boom")
    def boom() -> None:
        raise RuntimeError("secret internals")

    response = env.client().get("/boom")
    assert response.status_code == 500
    assert "secret internals" not in response.text and "Traceback" not in response.text
    assert response.json()["request_id"]


def test_health_probes(env: Env) -> None:
    client = env.client()
    assert client.get("/healthz").json() == {"status": "ok"}
    assert client.get("/readyz").json() == {"status": "ready"}


def test_codes_reach_the_console_only_in_demo_mode(
    make_env: Callable[..., Env], caplog: pytest.LogCaptureFixture
) -> None:
    for demo in (False, True):
        env = make_env(demo_mode=demo)
        email = f"demo-{demo}@example.com".lower()
        env.user(email)
        with caplog.at_level(logging.INFO, logger="globalcart"):
            caplog.clear()
            env.client().post("/api/auth/otp/request", json={"email": email})
        (_, body), *_ = outbox_for(env.store, email)
        code = re.search(r"\b(\d{6})\b", body)
        assert code is not None
        assert (code.group(1) in caplog.text) is demo
