"""Idempotency keys: a retried request returns the stored response and changes nothing."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any, Literal

from globalcart.engines import WarehouseError
from globalcart.store.db import Store, is_unique_violation, utcnow

Outcome = Literal["new", "replay", "mismatch", "in_progress"]
ABANDONED_AFTER = dt.timedelta(minutes=15)


def begin(
    store: Store, user_id: str, key: str, request_hash: str
) -> tuple[Outcome, tuple[int, Any] | None]:
    """Claim ``key`` for a request; or say how an earlier request with that key went."""
    for _ in range(2):
        row = store.one(
            "select request_hash, status_code, response_body, created_at from app.idempotency_keys "
            "where user_id = ? and idem_key = ?",
            [user_id, key],
        )
        if row is not None:
            if row[0] != request_hash:
                return "mismatch", None
            if row[1] is None and row[3] < utcnow() - ABANDONED_AFTER:
                abandon(store, user_id, key)  # its request died long ago
                continue
            if row[1] is None:
                return "in_progress", None
            return "replay", (int(row[1]), json.loads(row[2]))
        try:
            with store.write():
                store.execute(
                    "insert into app.idempotency_keys (user_id, idem_key, request_hash, "
                    "created_at) values (?, ?, ?, ?)",
                    [user_id, key, request_hash, utcnow()],
                )
        except WarehouseError as exc:
            if not is_unique_violation(exc):
                raise
            continue
        return "new", None
    return "in_progress", None


def complete(store: Store, user_id: str, key: str, status_code: int, body: Any) -> None:
    """Store the response of the request that claimed ``key``."""
    with store.write():
        store.execute(
            "update app.idempotency_keys set status_code = ?, response_body = ? "
            "where user_id = ? and idem_key = ?",
            [status_code, json.dumps(body, default=str), user_id, key],
        )


def abandon(store: Store, user_id: str, key: str) -> None:
    """Release ``key`` after an unexpected failure so that a retry can run again."""
    with store.write():
        store.execute(
            "delete from app.idempotency_keys where user_id = ? and idem_key = ? "
            "and status_code is null",
            [user_id, key],
        )
