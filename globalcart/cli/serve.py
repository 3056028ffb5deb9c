"""``globalcart serve``: the API service under uvicorn (one process on DuckDB, which allows no
more; several worker processes on PostgreSQL)."""

from __future__ import annotations

import os
from typing import Annotated, Any

import typer

from globalcart.cli.app import console, fail
from globalcart.config import get_settings


def serve_command(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="TCP port.")] = 8000,
    database: Annotated[
        str | None,
        typer.Option("--database", help="Database URL (default: GLOBALCART_DATABASE_URL setting)."),
    ] = None,
    refresh: Annotated[
        bool | None,
        typer.Option(
            "--refresh/--no-refresh",
            help="Refresh the warehouse in the background every GLOBALCART_REFRESH_SECONDS "
            "(default: on DuckDB only; on PostgreSQL run `globalcart refresh --watch`).",
        ),
    ] = None,
    workers: Annotated[
        int,
        typer.Option(min=1, max=64, help="Worker processes (PostgreSQL only; DuckDB: 1)."),
    ] = 1,
) -> None:
    """Serve the REST API and the storefront backend (OpenAPI docs at /docs).

    On DuckDB the server also refreshes the warehouse and KPIs in the background (storefront
    orders and batches dropped in GLOBALCART_WATCH_DIR show up within seconds)."""
    import uvicorn

    from globalcart.api.app import create_app
    from globalcart.api.middleware import configure_logging
    from globalcart.engines import WarehouseError

    settings = get_settings()
    if database:
        settings = settings.model_copy(update={"database_url": database})
    if refresh is not None:
        settings = settings.model_copy(update={"serve_refresh": "on" if refresh else "off"})
    configure_logging(settings.log_level)
    options: dict[str, Any] = {
        "host": host,
        "port": port,
        "proxy_headers": True,
        "forwarded_allow_ips": "127.0.0.1",
        "log_config": None,
        "server_header": False,
    }
    try:
        if workers > 1:
            if not settings.database_url.startswith("postgres"):
                raise fail("--workers > 1 needs PostgreSQL: a DuckDB file allows one process")
            # each worker builds its app from the environment
            os.environ["GLOBALCART_DATABASE_URL"] = settings.database_url
            os.environ["GLOBALCART_SERVE_REFRESH"] = settings.serve_refresh
            console.print(f"GlobalCart API on http://{host}:{port} ({workers} workers)")
            target = "globalcart.api.app:create_app"
            uvicorn.run(target, factory=True, workers=workers, **options)
            return
        app = create_app(settings)
        console.print(f"GlobalCart API on http://{host}:{port} (docs at /docs)")
        uvicorn.run(app, workers=1, **options)
    except WarehouseError as exc:
        raise fail(str(exc)) from None
