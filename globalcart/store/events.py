"""Storefront funnel events (a source for ``landing.funnel_events``)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pyarrow as pa

from globalcart.store.db import Store, new_id, utcnow


@dataclass(frozen=True)
class Event:
    stage: str
    product_id: int | None = None
    order_id: str | None = None
    failure_reason: str | None = None
    client_ts: dt.datetime | None = None
    query: str | None = None  # what a SEARCH event searched for


def record_events(
    store: Store, session_id: str, user_id: str | None, events: list[Event]
) -> list[str]:
    """Append a batch of events in one bulk insert; returns their ids."""
    now = utcnow()
    ids = [new_id() for _ in events]
    table = pa.table(
        {
            "event_id": ids,
            "session_id": [session_id] * len(events),
            "user_id": pa.array([user_id] * len(events), pa.string()),
            "stage": [e.stage for e in events],
            "product_id": pa.array([e.product_id for e in events], pa.int64()),
            "order_id": pa.array([e.order_id for e in events], pa.string()),
            "failure_reason": pa.array([e.failure_reason for e in events], pa.string()),
            "client_ts": pa.array([e.client_ts for e in events], pa.timestamp("us")),
            "query": pa.array([e.query for e in events], pa.string()),
            "event_ts": pa.array([now] * len(events), pa.timestamp("us")),
        }
    )
    with store.write():
        store.warehouse.load_arrow("app.events", table)
    return ids
