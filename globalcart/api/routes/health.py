"""Liveness and readiness probes."""

from __future__ import annotations

from fastapi import APIRouter

from globalcart.api.deps import StoreDep
from globalcart.api.problems import ProblemError
from globalcart.api.schemas import Health

router = APIRouter(tags=["health"])


@router.get("/healthz")
def healthz() -> Health:
    """The process is up."""
    return Health(status="ok")


@router.get("/readyz")
def readyz(store: StoreDep) -> Health:
    """The database answers and the operational schema is in place."""
    if not store.ping():
        raise ProblemError(503, "the database is not reachable or not migrated", kind="not-ready")
    return Health(status="ready")
