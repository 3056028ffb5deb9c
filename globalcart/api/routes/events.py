"""``POST /api/events``: batched storefront funnel events (validated, rate-limited)."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Request, status

from globalcart.api.deps import LimitersDep, OptionalPrincipal, StoreDep, client_ip
from globalcart.api.problems import ProblemError
from globalcart.api.schemas import EventBatchIn, EventsAccepted
from globalcart.store.events import Event, record_events

router = APIRouter(prefix="/api", tags=["events"])

EVENTS_SCOPE = "events:write"


def _naive_utc(ts: dt.datetime | None) -> dt.datetime | None:
    if ts is None or ts.tzinfo is None:
        return ts
    return ts.astimezone(dt.UTC).replace(tzinfo=None)


@router.post("/events", status_code=status.HTTP_202_ACCEPTED)
def post_events(
    body: EventBatchIn,
    request: Request,
    principal: OptionalPrincipal,
    store: StoreDep,
    limiters: LimitersDep,
) -> EventsAccepted:
    """Record up to 100 funnel events of one storefront session.

    Anonymous visitors may send events; an API key needs the ``events:write`` scope. Each event
    counts against the caller's rate limit.
    """
    if (
        principal is not None
        and principal.via == "api_key"
        and EVENTS_SCOPE not in principal.scopes
    ):
        raise ProblemError(403, f"the API key lacks the {EVENTS_SCOPE} scope", kind="forbidden")
    caller = principal.user.user_id if principal else client_ip(request)
    wait = limiters.events.hit(caller, cost=len(body.events))
    if wait is not None:
        raise ProblemError(
            429,
            "too many events; slow down",
            kind="rate-limited",
            headers={"Retry-After": str(int(wait) + 1)},
        )
    events = [
        Event(e.stage, e.product_id, e.order_id, e.failure_reason, _naive_utc(e.ts), e.query)
        for e in body.events
    ]
    user_id = principal.user.user_id if principal and principal.via == "session" else None
    record_events(store, body.session_id, user_id, events)
    return EventsAccepted(accepted=len(events))
