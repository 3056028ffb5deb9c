"""``/api/admin/freshness``: per source, the last event, the last refresh and the lag."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel

from globalcart.api.deps import StoreDep
from globalcart.api.routes.admin import Admin
from globalcart.refresh.freshness import freshness
from globalcart.refresh.worker import RefreshWorker

router = APIRouter(prefix="/api/admin", tags=["admin"])


class SourceOut(BaseModel):
    source: str
    kind: str
    last_event_at: dt.datetime | None
    pending: bool
    lag_seconds: float
    last_refresh_at: dt.datetime | None


class RefreshOut(BaseModel):
    run_id: int
    status: str
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    error: str | None


class WorkerOut(BaseModel):
    interval_seconds: float
    last_checked_at: dt.datetime | None
    consecutive_failures: int
    last_error: str | None
    next_attempt_at: dt.datetime | None


class FreshnessOut(BaseModel):
    checked_at: dt.datetime
    last_refresh: RefreshOut | None
    last_successful_refresh_at: dt.datetime | None
    last_build_at: dt.datetime | None
    worker: WorkerOut | None
    sources: list[SourceOut]


@router.get("/freshness")
def get_freshness(admin: Admin, store: StoreDep, request: Request) -> FreshnessOut:
    """How far the warehouse trails each source, and how the refresh is doing.

    ``lag_seconds`` is how long the oldest event not yet in the warehouse has waited (0 when
    nothing is pending); ``worker`` describes the background refresh of this server (null
    when it runs elsewhere, e.g. a ``globalcart refresh --watch`` worker on PostgreSQL).
    """
    del admin
    worker: RefreshWorker | None = getattr(request.app.state, "refresh", None)
    report = freshness(store.warehouse, worker.state if worker is not None else None)
    data: dict[str, Any] = {
        "checked_at": report.checked_at,
        "last_refresh": report.last_refresh,
        "last_successful_refresh_at": report.last_successful_refresh_at,
        "last_build_at": report.last_build_at,
        "worker": report.worker,
        "sources": [vars(source) for source in report.sources],
    }
    return FreshnessOut.model_validate(data)
