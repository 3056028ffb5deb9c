"""The FastAPI application: ``create_app()`` wires settings, the store, middleware and routes."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from types import ModuleType

from fastapi import Depends, FastAPI

from globalcart import __version__
from globalcart.api import problems
from globalcart.api.deps import reject_nul
from globalcart.api.middleware import RequestIdMiddleware
from globalcart.api.routes import (
    admin,
    admin_customers,
    admin_freshness,
    admin_fulfilment,
    admin_funnel,
    admin_orders,
    admin_quality,
    analytics,
    auth,
    cart,
    catalog,
    events,
    health,
    orders,
)
from globalcart.api.security import Limiters, Limits
from globalcart.config import Settings, get_settings
from globalcart.engines import connect
from globalcart.refresh.worker import start_background
from globalcart.store import Store, migrate_app
from globalcart.store.catalog import seed_catalog
from globalcart.store.orders import release_stale_reservations

log = logging.getLogger("globalcart.api")
STALE_RESERVATION = dt.timedelta(minutes=15)


def open_store(settings: Settings) -> Store:
    """Connect, migrate the warehouse and ``app`` schemas, and seed an empty catalog."""
    store = Store(connect(settings.database_url, pool_size=settings.db_pool_size))
    migrate_app(store.warehouse)
    seed_catalog(store, settings.data_dir / "landing", settings.shop_initial_stock)
    released = release_stale_reservations(store, STALE_RESERVATION)
    if released:
        log.warning("released the stock of %d orders stuck awaiting payment", released)
    return store


def create_app(
    settings: Settings | None = None, *, store: Store | None = None, limits: Limits | None = None
) -> FastAPI:
    """The API service. Without ``store`` it opens (and closes) the configured database."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        own = store is None
        app.state.store = open_store(settings) if store is None else store
        app.state.limiters.use_store(app.state.store)
        app.state.refresh = start_background(settings, app.state.store.warehouse, owned=own)
        try:
            yield
        finally:
            if app.state.refresh is not None:
                app.state.refresh.stop()
            if own:
                app.state.store.warehouse.close()

    app = FastAPI(
        title="GlobalCart API",
        version=__version__,
        description="Storefront, authentication, analytics and admin API of GlobalCart.",
        lifespan=lifespan,
        dependencies=[Depends(reject_nul)],
    )
    app.state.settings = settings
    app.state.limiters = Limiters(limits or Limits())
    if store is not None:
        migrate_app(store.warehouse)
        app.state.store = store
        app.state.limiters.use_store(store)
    problems.install(app)
    app.add_middleware(RequestIdMiddleware)
    # analytics first: a request is matched against the routes in order, and the KPI routes
    # take the most traffic (none of their paths overlaps another router's)
    routers: tuple[ModuleType, ...] = (analytics, health, auth, catalog, cart, orders, events)
    routers += (admin, admin_orders, admin_funnel, admin_customers, admin_quality)
    routers += (admin_freshness, admin_fulfilment)
    for module in routers:
        app.include_router(module.router)
    from globalcart.web.routes import mount_web  # the web UI builds on the API modules

    mount_web(app)
    return app
