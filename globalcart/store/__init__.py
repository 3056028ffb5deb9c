"""The operational store of the storefront (schema ``app``): a source for the warehouse."""

from __future__ import annotations

from globalcart.store.db import Store, StoreError
from globalcart.store.migrations import migrate_app

__all__ = ["Store", "StoreError", "migrate_app"]
