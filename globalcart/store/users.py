"""Users, the audit log and the e-mail outbox of the operational store."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from globalcart.engines import WarehouseError
from globalcart.store.db import Store, StoreError, is_unique_violation, new_id, utcnow

ROLES = ("customer", "analyst", "admin")


@dataclass(frozen=True)
class User:
    user_id: str
    email: str
    role: str
    full_name: str | None
    is_active: bool
    password_hash: str | None


_USER_COLUMNS = "user_id, email, role, full_name, is_active, password_hash"


def normalize_email(email: str) -> str:
    return email.strip().lower()


def _user(row: tuple[Any, ...] | None) -> User | None:
    if row is None:
        return None
    return User(str(row[0]), str(row[1]), str(row[2]), row[3], bool(row[4]), row[5])


def create_user(
    store: Store, email: str, password_hash: str | None, role: str, full_name: str | None = None
) -> User:
    """Insert a user; ``StoreError('conflict')`` when the e-mail is taken."""
    if role not in ROLES:
        raise StoreError("invalid", f"unknown role {role!r}")
    now = utcnow()
    user = User(new_id(), normalize_email(email), role, full_name, True, password_hash)
    try:
        with store.write():
            store.execute(
                "insert into app.users (user_id, email, password_hash, role, full_name, "
                "is_active, created_at, updated_at) values (?, ?, ?, ?, ?, true, ?, ?)",
                [user.user_id, user.email, password_hash, role, full_name, now, now],
            )
    except WarehouseError as exc:
        if is_unique_violation(exc):
            raise StoreError("conflict", "a user with this e-mail already exists") from None
        raise
    return user


def get_user_by_email(store: Store, email: str) -> User | None:
    return _user(
        store.one(
            f"select {_USER_COLUMNS} from app.users where email = ?", [normalize_email(email)]
        )
    )


def get_user(store: Store, user_id: str) -> User | None:
    return _user(store.one(f"select {_USER_COLUMNS} from app.users where user_id = ?", [user_id]))


def set_password_hash(store: Store, user_id: str, password_hash: str) -> None:
    with store.write():
        store.execute(
            "update app.users set password_hash = ?, updated_at = ? where user_id = ?",
            [password_hash, utcnow(), user_id],
        )


def audit(
    store: Store,
    action: str,
    *,
    outcome: str = "success",
    actor: User | None = None,
    actor_email: str | None = None,
    target: str | None = None,
    ip: str | None = None,
    request_id: str | None = None,
    detail: dict[str, Any] | None = None,
) -> None:
    """Append one record to the audit log (never updated or deleted)."""
    with store.write():
        store.execute(
            "insert into app.audit_log (audit_id, occurred_at, actor_user_id, actor_email, action, "
            "target, outcome, ip, request_id, detail) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                new_id(),
                utcnow(),
                actor.user_id if actor else None,
                actor.email if actor else actor_email,
                action,
                target,
                outcome,
                ip,
                request_id,
                json.dumps(detail, sort_keys=True) if detail else None,
            ],
        )


def audit_entries(
    store: Store, action: str | None = None, limit: int = 1000, offset: int = 0
) -> list[dict[str, Any]]:
    """Audit records, newest first (optionally of one action)."""
    where, params = ("where action = ?", [action]) if action else ("", [])
    rows = store.query(
        "select occurred_at, actor_email, action, target, outcome, ip, request_id, detail "
        f"from app.audit_log {where} order by occurred_at desc, audit_id limit ? offset ?",
        [*params, limit, offset],
    )
    keys = (
        "occurred_at", "actor_email", "action", "target", "outcome", "ip", "request_id", "detail",
    )  # fmt: skip
    return [dict(zip(keys, row, strict=True)) for row in rows]


def set_role(store: Store, user_id: str, role: str) -> str:
    """Change a user's role (their sessions end); returns the previous role."""
    if role not in ROLES:
        raise StoreError("invalid", f"unknown role {role!r}")
    with store.write():
        row = store.one("select role from app.users where user_id = ?", [user_id])
        if row is None:
            raise StoreError("not_found", "user not found")
        now = utcnow()
        store.execute(
            "update app.users set role = ?, updated_at = ? where user_id = ?", [role, now, user_id]
        )
        store.execute(
            "update app.sessions set revoked_at = ? where user_id = ? and revoked_at is null",
            [now, user_id],
        )
    store.api_keys.clear()  # the keys' owner changed role
    return str(row[0])


def enqueue_email(store: Store, to_email: str, subject: str, body: str) -> str:
    """Queue an e-mail in the outbox (a mailer delivers and marks it sent)."""
    message_id = new_id()
    with store.write():
        store.execute(
            "insert into app.outbox (message_id, to_email, subject, body, created_at) "
            "values (?, ?, ?, ?, ?)",
            [message_id, normalize_email(to_email), subject, body, utcnow()],
        )
    return message_id


def outbox_for(store: Store, to_email: str) -> list[tuple[str, str]]:
    """(subject, body) of the queued e-mails to ``to_email``, newest first."""
    rows = store.query(
        "select subject, body from app.outbox where to_email = ? order by created_at desc, "
        "message_id",
        [normalize_email(to_email)],
    )
    return [(str(r[0]), str(r[1])) for r in rows]
