"""Admin routes that need no KPI registry: audit log, user roles, API keys (all audited)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request, status
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from globalcart.api.deps import AuthPrincipal, Principal, StoreDep, client_ip, security_event
from globalcart.api.problems import ProblemError
from globalcart.api.routes.cart import store_problem
from globalcart.api.security import new_api_key, token_hash
from globalcart.store import StoreError, users
from globalcart.store import auth as keys

ADMIN_SCOPE = "admin"
SCOPES = ("admin", "analytics:read", "events:write")
Scope = Literal["admin", "analytics:read", "events:write"]
Role = Literal["customer", "analyst", "admin"]


async def require_admin(principal: AuthPrincipal, store: StoreDep, request: Request) -> Principal:
    """An admin: a browser session, or an API key with the ``admin`` scope."""
    allowed = principal.via == "session" or ADMIN_SCOPE in principal.scopes
    if principal.user.role != "admin" or not allowed:
        await run_in_threadpool(security_event, store, request, "admin_access_denied",
                                principal.user)  # fmt: skip
        raise ProblemError(403, "this route is for administrators", kind="forbidden")
    return principal


Admin = Annotated[Principal, Depends(require_admin)]
router = APIRouter(prefix="/api/admin", tags=["admin"])


class AuditEntry(BaseModel):
    occurred_at: dt.datetime
    actor_email: str | None
    action: str
    target: str | None
    outcome: str
    ip: str | None
    request_id: str | None
    detail: str | None


class RoleIn(BaseModel):
    role: Role


class ApiKeyIn(BaseModel):
    email: str = Field(min_length=3, max_length=254)
    name: str = Field(min_length=1, max_length=100)
    scopes: list[Scope] = Field(min_length=1, max_length=len(SCOPES))


class ApiKeyCreated(BaseModel):
    key_id: str
    api_key: str = Field(description="Shown once; only its hash is stored.")
    scopes: list[str]


class ApiKeyPublic(BaseModel):
    key_id: str
    prefix: str
    name: str
    email: str
    scopes: list[str]
    created_at: dt.datetime
    last_used_at: dt.datetime | None
    revoked: bool


def _audit(store: StoreDep, request: Request, admin: Principal, action: str, **kw: Any) -> None:
    users.audit(
        store,
        action,
        actor=admin.user,
        ip=client_ip(request),
        request_id=getattr(request.state, "request_id", None),
        **kw,
    )


@router.get("/audit-log")
def audit_log(
    admin: Admin,
    store: StoreDep,
    request: Request,
    action: Annotated[str | None, Query(max_length=50)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> list[AuditEntry]:
    """The append-only audit log, newest first."""
    entries = users.audit_entries(store, action, limit, offset)
    _audit(store, request, admin, "audit_log_read")
    return [AuditEntry(**entry) for entry in entries]


@router.post("/users/{user_id}/role")
def change_role(
    user_id: str, body: RoleIn, admin: Admin, store: StoreDep, request: Request
) -> dict[str, str]:
    """Give a user another role (their sessions end)."""
    if user_id == admin.user.user_id:
        raise ProblemError(409, "administrators cannot change their own role", kind="conflict")
    try:
        previous = users.set_role(store, user_id, body.role)
    except StoreError as exc:
        raise store_problem(exc) from None
    _audit(store, request, admin, "role_change", target=user_id,
           detail={"from": previous, "to": body.role})  # fmt: skip
    return {"user_id": user_id, "role": body.role}


@router.get("/api-keys")
def list_keys(admin: Admin, store: StoreDep) -> list[ApiKeyPublic]:
    """Every API key (prefix, owner, scopes; never the key)."""
    return [ApiKeyPublic(**row) for row in keys.list_api_keys(store)]


@router.post("/api-keys", status_code=status.HTTP_201_CREATED)
def create_key(body: ApiKeyIn, admin: Admin, store: StoreDep, request: Request) -> ApiKeyCreated:
    """Create a scoped API key for a user."""
    owner = users.get_user_by_email(store, body.email)
    if owner is None:
        raise ProblemError(404, "no user with this e-mail", kind="not-found")
    if ADMIN_SCOPE in body.scopes and owner.role != "admin":
        raise ProblemError(422, "only administrators can hold the admin scope", kind="invalid")
    key, prefix = new_api_key()
    scopes: list[str] = sorted(set(body.scopes))
    key_id = keys.create_api_key(store, owner.user_id, body.name, scopes, token_hash(key), prefix)
    _audit(store, request, admin, "api_key_create", target=key_id, detail={"scopes": scopes})
    return ApiKeyCreated(key_id=key_id, api_key=key, scopes=scopes)


@router.delete("/api-keys/{key_id}", status_code=status.HTTP_204_NO_CONTENT)
def revoke_key(key_id: str, admin: Admin, store: StoreDep, request: Request) -> None:
    """Revoke an API key (effective immediately)."""
    if not keys.revoke_api_key(store, key_id):
        raise ProblemError(404, "no active API key with this id", kind="not-found")
    _audit(store, request, admin, "api_key_revoke", target=key_id)
