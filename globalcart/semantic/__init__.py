"""The governed KPI layer: the registry (``kpis.yml``), its views in ``marts`` and KPI queries.

Consumers (CLI, API, reports) read KPIs only through :mod:`globalcart.semantic.query`.
"""

from __future__ import annotations

from globalcart.semantic.query import (
    COMPARES,
    Compare,
    KpiQueryError,
    KpiResult,
    compute,
    list_kpis,
)
from globalcart.semantic.registry import GRAINS, Grain, Kpi, Registry, RegistryError, load_registry

__all__ = [
    "COMPARES",
    "GRAINS",
    "Compare",
    "Grain",
    "Kpi",
    "KpiQueryError",
    "KpiResult",
    "Registry",
    "RegistryError",
    "compute",
    "list_kpis",
    "load_registry",
]
