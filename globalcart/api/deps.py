"""Dependencies: the store, the caller (cookie session or bearer API key), roles, CSRF."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Annotated, Literal

from fastapi import Depends, Request
from starlette.concurrency import run_in_threadpool

from globalcart.api.problems import ProblemError
from globalcart.api.security import Limiters, same, token_hash
from globalcart.config import Settings
from globalcart.store import Store
from globalcart.store.auth import get_api_key, get_session, touch_session
from globalcart.store.db import utcnow
from globalcart.store.users import User, audit

SESSION_COOKIE = "gc_session"
CSRF_COOKIE = "gc_csrf"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
TOUCH_EVERY = dt.timedelta(seconds=60)


@dataclass(frozen=True)
class Principal:
    """Who is calling: a user and how they proved it."""

    user: User
    via: Literal["session", "api_key"]
    credential_hash: str
    csrf_token: str | None = None
    scopes: frozenset[str] = field(default_factory=frozenset)


# Dependencies that do no I/O are ``async`` so that FastAPI runs them on the event loop instead
# of handing each to a worker thread; those that may query the database hand only that part over.


async def get_store(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


async def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def get_limiters(request: Request) -> Limiters:
    limiters: Limiters = request.app.state.limiters
    return limiters


StoreDep = Annotated[Store, Depends(get_store)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
LimitersDep = Annotated[Limiters, Depends(get_limiters)]


async def reject_nul(request: Request) -> None:
    """Refuse NUL characters in the path, query or body up front (on both engines alike):
    PostgreSQL text cannot hold them, and no field of this API has a use for them."""
    scope = request.scope
    # the query string as sent: only ``%00`` (or a raw NUL) decodes to NUL
    query = scope.get("query_string", b"")
    found = "\x00" in scope["path"] or b"%00" in query or b"\x00" in query
    if not found and request.method not in SAFE_METHODS:
        body = await request.body()
        found = b"\x00" in body or b"\\u0000" in body
    if found:
        raise ProblemError(422, "the request contains a NUL character", kind="validation-error")


def client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def security_event(store: Store, request: Request, action: str, user: User | None) -> None:
    """Append a refused request to the audit log."""
    audit(
        store,
        action,
        outcome="denied",
        actor=user,
        target=f"{request.method} {request.url.path}",
        ip=client_ip(request),
        request_id=getattr(request.state, "request_id", None),
    )


def _from_api_key(store: Store, token: str) -> Principal:
    found = get_api_key(store, token_hash(token))
    if found is None or not found[1].is_active:
        raise ProblemError(
            401,
            "the API key is invalid or revoked",
            kind="invalid-credentials",
            headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
        )
    _, user, scopes = found
    return Principal(user, "api_key", token_hash(token), scopes=scopes)


def _from_session(store: Store, settings: Settings, token: str) -> Principal | None:
    digest = token_hash(token)
    record = get_session(store, digest)
    if record is None or record.revoked or not record.user.is_active:
        return None
    now = utcnow()
    idle = dt.timedelta(minutes=settings.session_idle_minutes)
    if now >= record.expires_at or now - record.last_seen_at >= idle:
        return None
    if now - record.last_seen_at >= TOUCH_EVERY:
        touch_session(store, digest)
    return Principal(record.user, "session", digest, csrf_token=record.csrf_token)


_PRINCIPAL = "globalcart.principal"  # the scope key of the caller, resolved once per request


async def caller(request: Request) -> Principal | None:
    """The caller, or None when anonymous (an expired or unknown session counts as anonymous),
    resolved once per request. A plain function, not a dependency with sub-dependencies: the
    analytics routes call it on every request and FastAPI's dependency solving costs more than
    the lookup of a remembered API key.

    Cookie sessions must echo their CSRF token in ``X-CSRF-Token`` on state-changing requests.
    """
    scope = request.scope
    if _PRINCIPAL in scope:
        principal: Principal | None = scope[_PRINCIPAL]
        return principal
    principal = await _resolve(request, request.app.state.store, request.app.state.settings)
    scope[_PRINCIPAL] = principal
    return principal


async def _resolve(request: Request, store: Store, settings: Settings) -> Principal | None:
    authorization = request.headers.get("authorization", "")
    if authorization:
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise ProblemError(
                401, "use 'Authorization: Bearer <api key>'", kind="invalid-credentials"
            )
        token = token.strip()
        if store.api_keys.get(token_hash(token)) is not None:  # remembered: no query
            return _from_api_key(store, token)
        return await run_in_threadpool(_from_api_key, store, token)
    cookie = request.cookies.get(SESSION_COOKIE)
    if not cookie or len(cookie) > 200:
        return None
    principal = await run_in_threadpool(_from_session, store, settings, cookie)
    if principal is not None and request.method not in SAFE_METHODS:
        sent = request.headers.get(CSRF_HEADER, "")
        if not sent or not same(sent, principal.csrf_token or ""):
            await run_in_threadpool(security_event, store, request, "csrf_rejected", principal.user)
            raise ProblemError(
                403, f"missing or wrong {CSRF_HEADER} header", kind="csrf-token-mismatch"
            )
    return principal


async def optional_principal(request: Request) -> Principal | None:
    """The caller or None (see :func:`caller`)."""
    return await caller(request)


OptionalPrincipal = Annotated[Principal | None, Depends(optional_principal)]


def signed_in(principal: Principal | None, detail: str = "sign in first") -> Principal:
    """The caller, or a 401 saying ``detail`` for an anonymous one."""
    if principal is None:
        raise ProblemError(
            401,
            detail,
            kind="authentication-required",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return principal


async def require_principal(principal: OptionalPrincipal) -> Principal:
    return signed_in(principal)


AuthPrincipal = Annotated[Principal, Depends(require_principal)]


async def require_customer(principal: AuthPrincipal) -> Principal:
    """A signed-in customer (browser session): the storefront's cart and order routes."""
    if principal.user.role != "customer" or principal.via != "session":
        raise ProblemError(403, "this route is for signed-in customers", kind="forbidden")
    return principal


Customer = Annotated[Principal, Depends(require_customer)]
