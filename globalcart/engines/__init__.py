"""Warehouse engines: one interface (``Warehouse``), a DuckDB and a PostgreSQL implementation."""

from __future__ import annotations

from globalcart.engines.base import Warehouse, WarehouseConnectionError, WarehouseError
from globalcart.engines.factory import connect

__all__ = ["Warehouse", "WarehouseConnectionError", "WarehouseError", "connect"]
