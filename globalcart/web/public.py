"""Data of the public dashboard: the panels of ``/`` (``GET /api/public/panels/{panel}``).

Readable by anyone when the operator sets ``GLOBALCART_PUBLIC_DASHBOARD=1``; otherwise by an
analyst or admin session, or an API key with the ``analytics:read`` scope — the same callers as
the analytics routes, whose functions compute every panel (one source of numbers).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, Literal, cast

from fastapi import APIRouter, Path, Request
from pydantic import BaseModel, Field

from globalcart.api.deps import OptionalPrincipal, Principal, SettingsDep, StoreDep, signed_in
from globalcart.api.problems import ProblemError
from globalcart.api.routes import analytics
from globalcart.api.routes.kpi_tables import CSV_RESPONSES, FormatQuery, Table, require_analytics
from globalcart.store import Store

Panel = Literal[
    "summary",
    "conversion-by-source",
    "cohort-retention",
    "repeat-purchase",
    "growth",
    "top-products",
    "category-demand",
]
# The analytics functions ignore their caller argument (access is checked here).
_CHECKED = cast(Principal, None)
PANELS: dict[str, Callable[[Store, Any], Any]] = {
    "summary": lambda store, fmt: analytics.kpi_summary(_CHECKED, store, fmt=fmt),
    "conversion-by-source": lambda store, fmt: analytics.kpi_conversion(
        _CHECKED, store, by="traffic_source", fmt=fmt
    ),
    "cohort-retention": lambda store, fmt: analytics.cohorts_retention(_CHECKED, store, fmt=fmt),
    "repeat-purchase": lambda store, fmt: analytics.cohorts_repeat_purchase(
        _CHECKED, store, fmt=fmt
    ),
    "growth": lambda store, fmt: analytics.demand_growth(_CHECKED, store, fmt=fmt),
    "top-products": lambda store, fmt: analytics.demand_top_products(
        _CHECKED, store, limit=10, fmt=fmt
    ),
    "category-demand": lambda store, fmt: analytics.demand_by_category(_CHECKED, store, fmt=fmt),
}

router = APIRouter(prefix="/api/public", tags=["public dashboard"])


class Access(BaseModel):
    open: bool = Field(description="Whether this caller may read the panels.")
    public: bool = Field(description="Whether the operator made the dashboard public.")


def _allowed(request: Request, principal: Principal | None, store: Store) -> bool:
    if principal is None:
        return False
    try:
        require_analytics(principal, store, request)
    except ProblemError:
        return False
    return True


@router.get("/access")
def access(
    request: Request, principal: OptionalPrincipal, store: StoreDep, settings: SettingsDep
) -> Access:
    """Whether the caller may read the dashboard (so that the page can ask for a key first)."""
    public = settings.public_dashboard
    return Access(open=public or _allowed(request, principal, store), public=public)


@router.get("/panels/{panel}", response_model=Table, responses=CSV_RESPONSES)
def panel(
    panel: Annotated[Panel, Path(description="Which panel of the public dashboard.")],
    request: Request,
    principal: OptionalPrincipal,
    store: StoreDep,
    settings: SettingsDep,
    fmt: FormatQuery = "json",
) -> Any:
    """One panel of the public dashboard (JSON, or CSV with ``?format=csv``)."""
    if not settings.public_dashboard:
        private = "the dashboard is private: sign in as an analyst or send an API key"
        require_analytics(signed_in(principal, private), store, request)
    return PANELS[panel](store, fmt)
