"""Open a warehouse from its URL and bring its schema up to date."""

from __future__ import annotations

from globalcart.engines.base import Warehouse, WarehouseConnectionError
from globalcart.engines.migrations import migrate

_POSTGRES_SCHEMES = ("postgresql://", "postgres://", "postgresql+psycopg://")


def duckdb_path(url: str) -> str:
    """The file path of a ``duckdb:///path`` URL (``duckdb:////abs/path`` for absolute paths)."""
    path = url.removeprefix("duckdb:///") if url.startswith("duckdb:///") else ""
    if not path:
        raise WarehouseConnectionError(
            f"invalid DuckDB URL {url!r}: expected duckdb:///relative/path.duckdb, "
            "duckdb:////absolute/path.duckdb or duckdb:///:memory:"
        )
    return path


def connect(url: str, *, migrate_schema: bool = True, pool_size: int = 4) -> Warehouse:
    """Connect to ``duckdb:///…`` or ``postgresql://…`` and apply pending migrations.

    ``pool_size``: PostgreSQL connections kept for this process's threads (a server's request
    threads share them)."""
    warehouse: Warehouse
    if url.startswith("duckdb:"):
        from globalcart.engines.duckdb import DuckDBWarehouse

        warehouse = DuckDBWarehouse(duckdb_path(url), url=url)
    elif url.startswith(_POSTGRES_SCHEMES):
        from globalcart.engines.postgres import PostgresWarehouse

        plain = url.replace("postgresql+psycopg://", "postgresql://", 1)
        warehouse = PostgresWarehouse(plain, max_size=pool_size)
    else:
        scheme = url.split(":", 1)[0] if ":" in url else url
        raise WarehouseConnectionError(
            f"unsupported database URL scheme {scheme!r}: use duckdb:///path.duckdb "
            "or postgresql://user@host:port/db"
        )
    if migrate_schema:
        try:
            migrate(warehouse)
        except Exception:
            warehouse.close()
            raise
    return warehouse
