"""Server-side sessions, API keys and one-time codes (only hashes are stored)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import cast

from globalcart.store.db import Store, new_id, utcnow
from globalcart.store.users import User


@dataclass(frozen=True)
class SessionRecord:
    user: User
    csrf_token: str
    created_at: dt.datetime
    last_seen_at: dt.datetime
    expires_at: dt.datetime
    revoked: bool


def create_session(
    store: Store,
    user_id: str,
    token_hash: str,
    csrf_token: str,
    lifetime: dt.timedelta,
    ip: str | None,
    user_agent: str | None,
) -> None:
    now = utcnow()
    with store.write():
        store.execute(
            "insert into app.sessions (session_hash, user_id, csrf_token, created_at, "
            "last_seen_at, expires_at, ip, user_agent) values (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                token_hash,
                user_id,
                csrf_token,
                now,
                now,
                now + lifetime,
                ip,
                (user_agent or "")[:200],
            ],
        )


def get_session(store: Store, token_hash: str) -> SessionRecord | None:
    row = store.one(
        "select u.user_id, u.email, u.role, u.full_name, u.is_active, u.password_hash, "
        "s.csrf_token, s.created_at, s.last_seen_at, s.expires_at, s.revoked_at "
        "from app.sessions as s inner join app.users as u on u.user_id = s.user_id "
        "where s.session_hash = ?",
        [token_hash],
    )
    if row is None:
        return None
    user = User(str(row[0]), str(row[1]), str(row[2]), row[3], bool(row[4]), row[5])
    return SessionRecord(user, str(row[6]), row[7], row[8], row[9], row[10] is not None)


def touch_session(store: Store, token_hash: str) -> None:
    with store.write():
        store.execute(
            "update app.sessions set last_seen_at = ? where session_hash = ?",
            [utcnow(), token_hash],
        )


def revoke_session(store: Store, token_hash: str) -> None:
    with store.write():
        store.execute(
            "update app.sessions set revoked_at = ? where session_hash = ? and revoked_at is null",
            [utcnow(), token_hash],
        )


def create_api_key(
    store: Store, user_id: str, name: str, scopes: list[str], key_hash: str, prefix: str
) -> str:
    key_id = new_id()
    with store.write():
        store.execute(
            "insert into app.api_keys (key_id, key_hash, prefix, name, user_id, scopes, "
            "created_at) values (?, ?, ?, ?, ?, ?, ?)",
            [key_id, key_hash, prefix, name, user_id, " ".join(sorted(scopes)), utcnow()],
        )
    return key_id


ApiKey = tuple[str, User, frozenset[str]]


def get_api_key(store: Store, key_hash: str) -> ApiKey | None:
    """(key id, owner, scopes) of an active key, else None.

    A found key is remembered for ``store.api_keys.seconds`` (2 s): integrations send many
    requests per second, and the lookup would cost more than the answer. Revoking a key or
    changing a role forgets them all at once in this process; other worker processes (PostgreSQL)
    notice within those seconds.
    """
    cached = store.api_keys.get(key_hash)
    if cached is not None:
        return cast(ApiKey, cached)
    found = _lookup_api_key(store, key_hash)
    if found is not None:
        store.api_keys.put(key_hash, found)
    return found


def _lookup_api_key(store: Store, key_hash: str) -> ApiKey | None:
    row = store.one(
        "select k.key_id, k.scopes, u.user_id, u.email, u.role, u.full_name, u.is_active, "
        "u.password_hash from app.api_keys as k inner join app.users as u "
        "on u.user_id = k.user_id where k.key_hash = ? and k.revoked_at is null",
        [key_hash],
    )
    if row is None:
        return None
    user = User(str(row[2]), str(row[3]), str(row[4]), row[5], bool(row[6]), row[7])
    return str(row[0]), user, frozenset(str(row[1]).split())


def list_api_keys(store: Store) -> list[dict[str, object]]:
    """Every API key (never its hash), newest first."""
    keys = ("key_id", "prefix", "name", "email", "scopes", "created_at", "last_used_at")
    rows = store.query(
        "select k.key_id, k.prefix, k.name, u.email, k.scopes, k.created_at, k.last_used_at, "
        "k.revoked_at from app.api_keys as k inner join app.users as u on u.user_id = k.user_id "
        "order by k.created_at desc, k.key_id"
    )
    return [
        {
            **dict(zip(keys, r[:7], strict=True)),
            "scopes": str(r[4]).split(),
            "revoked": r[7] is not None,
        }
        for r in rows
    ]


def revoke_api_key(store: Store, key_id: str) -> bool:
    """Revoke a key; False when there is no such active key."""
    with store.write():
        rows = store.query(
            "update app.api_keys set revoked_at = ? where key_id = ? and revoked_at is null "
            "returning key_id",
            [utcnow(), key_id],
        )
    store.api_keys.clear()
    return bool(rows)


def create_otp(store: Store, user_id: str, code_hash: str, lifetime: dt.timedelta) -> None:
    """Store a new code for ``user_id``; earlier open codes stop working."""
    now = utcnow()
    with store.write():
        store.execute(
            "update app.otp_codes set consumed_at = ? where user_id = ? and consumed_at is null",
            [now, user_id],
        )
        store.execute(
            "insert into app.otp_codes (otp_id, user_id, code_hash, created_at, expires_at, "
            "attempts) values (?, ?, ?, ?, ?, 0)",
            [new_id(), user_id, code_hash, now, now + lifetime],
        )


def open_otp(store: Store, user_id: str) -> tuple[str, str, int] | None:
    """(otp id, code hash, attempts so far) of the user's unexpired, unused code."""
    row = store.one(
        "select otp_id, code_hash, attempts from app.otp_codes where user_id = ? "
        "and consumed_at is null and expires_at > ? order by created_at desc limit 1",
        [user_id, utcnow()],
    )
    return None if row is None else (str(row[0]), str(row[1]), int(row[2]))


def record_otp_attempt(store: Store, otp_id: str, *, success: bool, max_attempts: int) -> None:
    """Count an attempt; a success or the last allowed failure consumes the code."""
    with store.write():
        store.execute(
            "update app.otp_codes set attempts = attempts + 1, consumed_at = case "
            "when ? or attempts + 1 >= ? then ? else consumed_at end where otp_id = ?",
            [success, max_attempts, utcnow(), otp_id],
        )
