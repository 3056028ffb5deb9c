"""Idempotency keys: a retried request returns the stored response and changes nothing."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any, Literal

from globalcart.engines import WarehouseError
from globalcart.store.db import Store, StoreError, is_unique_violation, utcnow

Outcome = Literal["new", "replay", "mismatch", "in_progress"]
ABANDONED_AFTER = dt.timedelta(minutes=15)
Stored = tuple[int, str]  # status code and JSON text of a response

_SELECT = (
    "select request_hash, status_code, response_body, created_at from app.idempotency_keys "
    "where user_id = ? and idem_key = ?"
)
_CLAIM = (
    "insert into app.idempotency_keys (user_id, idem_key, request_hash, created_at) "
    "values (?, ?, ?, ?) on conflict (user_id, idem_key) do nothing returning 1"
)


def _earlier(
    store: Store, user_id: str, key: str, request_hash: str
) -> tuple[Outcome, Stored | None] | None:
    """How the request that holds ``key`` went; None when nobody holds it (any more): a claim
    abandoned long ago (its request died) is released on the way."""
    row = store.one(_SELECT, [user_id, key])
    if row is None:
        return None
    if row[0] != request_hash:
        return "mismatch", None
    if row[1] is None and row[3] < utcnow() - ABANDONED_AFTER:
        abandon(store, user_id, key)
        return None
    if row[1] is None:
        return "in_progress", None
    return "replay", (int(row[1]), str(row[2]))


def begin(
    store: Store, user_id: str, key: str, request_hash: str
) -> tuple[Outcome, tuple[int, Any] | None]:
    """Claim ``key`` for a request (committed at once); or say how an earlier request with that
    key went. :func:`run` does the claim, the work and the answer in one transaction instead."""
    for _ in range(2):
        found = _earlier(store, user_id, key, request_hash)
        if found is not None:
            state, stored = found
            return state, None if stored is None else (stored[0], json.loads(stored[1]))
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


def run(
    store: Store,
    user_id: str,
    key: str,
    request_hash: str,
    work: Callable[[], Stored],
    refused: Callable[[StoreError], Stored],
) -> tuple[Outcome, Stored | None]:
    """Run ``work`` once for ``key``: the claim of the key, the work and its stored answer
    commit together, so a crash leaves nothing behind, and a concurrent request with the same
    key waits for the first one (PostgreSQL's unique index) and then replays its answer.

    ``work`` raising ``StoreError`` rolls everything back; ``refused`` turns the error into the
    answer that is then stored under the key (a retry gets the same refusal).
    """
    for _ in range(2):
        try:
            with store.write():
                if not store.query(_CLAIM, [user_id, key, request_hash, utcnow()]):
                    found = _earlier(store, user_id, key, request_hash)
                    if found is None:
                        continue  # released an abandoned claim: try again
                    return found
                answer = work()
                store.defer(
                    "update app.idempotency_keys set status_code = ?, response_body = ? "
                    "where user_id = ? and idem_key = ?",
                    [answer[0], answer[1], user_id, key],
                )
                return "new", answer
        except StoreError as exc:
            answer = refused(exc)
            break
    else:
        return "in_progress", None
    with store.write():
        if store.query(
            "insert into app.idempotency_keys (user_id, idem_key, request_hash, status_code, "
            "response_body, created_at) values (?, ?, ?, ?, ?, ?) "
            "on conflict (user_id, idem_key) do nothing returning 1",
            [user_id, key, request_hash, answer[0], answer[1], utcnow()],
        ):
            return "new", answer
        return _earlier(store, user_id, key, request_hash) or ("in_progress", None)


def abandon(store: Store, user_id: str, key: str) -> None:
    """Release ``key`` after an unexpected failure so that a retry can run again."""
    with store.write():
        store.execute(
            "delete from app.idempotency_keys where user_id = ? and idem_key = ? "
            "and status_code is null",
            [user_id, key],
        )
