"""Which KPIs the warehouse has the inputs for: a KPI whose inputs a source lacks is
*unavailable* (reported as such, never as 0).

A source such as an imported order log has orders but no sessions, payments, shipments or
product costs. Each KPI depends on *inputs* (a fact with at least one row, or a dimension
attribute that is filled in): those of the relation it reads (its source view, or the relations
a table KPI's SQL names) plus, for a few KPIs, extra ones (refunds count only against a
delivery, so they need shipments). An input is present when its probe finds one row.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from globalcart.engines.base import Warehouse
from globalcart.semantic.registry import Kpi, Registry

# input: (relation, condition, what it is)
INPUTS: dict[str, tuple[str, str, str]] = {
    "orders": ("dw.fct_orders", "1 = 1", "orders"),
    "sessions": ("dw.fct_sessions", "1 = 1", "sessions and funnel events (clickstream)"),
    "payments": ("dw.fct_payments", "1 = 1", "payment attempts"),
    "shipments": ("dw.fct_shipments", "1 = 1", "shipments and deliveries"),
    "returns": ("dw.fct_returns", "1 = 1", "returns"),
    "inventory": ("dw.fct_inventory_daily", "1 = 1", "inventory snapshots"),
    "marketing_spend": ("dw.fct_marketing_spend", "1 = 1", "marketing spend"),
    "product_costs": ("dw.dim_product", "unit_cost_usd is not null", "product unit costs"),
    "signups": ("dw.dim_customer", "created_at is not null", "customer sign-up dates"),
}
# Inputs of every relation a KPI reads (views of the registry and tables named by table KPIs).
RELATION_INPUTS: dict[str, tuple[str, ...]] = {
    "vw_orders_core": ("orders",),
    "vw_item_profitability": ("orders",),
    "vw_customers_core": ("orders",),
    "vw_revenue_leakage": ("orders",),
    "vw_admin_order_summary": ("orders",),
    "vw_sessions_core": ("sessions",),
    "vw_funnel_daily_metrics": ("sessions",),
    "vw_payments_core": ("payments",),
    "vw_shipments_core": ("shipments",),
    "vw_returns_core": ("returns",),
    "vw_inventory_core": ("inventory",),
    "vw_marketing_daily": ("marketing_spend", "sessions"),
    "dim_date": (),
    "fct_revenue_daily": ("orders",),
    "fct_cohort_ltv": ("orders",),
    "fct_inventory_daily": ("inventory",),
    "mart_cohort_retention": ("orders",),
    "mart_product_performance": ("orders",),
    "mart_item_profitability": ("orders",),
    "mart_finance_profitability": ("orders",),
}
# Inputs some KPIs need beyond their relation's.
KPI_INPUTS: dict[str, tuple[str, ...]] = {
    "refunds": ("shipments", "returns"),
    "refund_leakage": ("shipments", "returns"),
    "return_rate": ("returns",),
    "payment_failure_loss": ("payments",),
    "cart_abandonment_loss": ("sessions",),
    "net_revenue_after_leakage": ("payments", "sessions"),
    "cogs": ("product_costs",),
    "gross_profit": ("product_costs",),
    "gross_margin": ("product_costs",),
    "order_profit": ("product_costs", "shipments", "payments"),
    "loss_making_order_rate": ("product_costs", "shipments", "payments"),
    "shipping_cost": ("shipments",),
    "shipping_cost_share": ("shipments",),
    "gateway_fees": ("payments",),
    "days_to_first_purchase": ("signups",),
    "product_leakage": ("sessions",),
}
_RELATION = re.compile(r"\b(?:marts|dw)\.([a-z_][a-z0-9_]*)")


@dataclass(frozen=True)
class Availability:
    """Whether a KPI can be computed; ``missing`` lists the absent inputs."""

    available: bool
    missing: tuple[str, ...] = ()

    @property
    def reason(self) -> str | None:
        if self.available:
            return None
        what = ", ".join(INPUTS[name][2] for name in self.missing)
        return f"unavailable: the warehouse has no {what}"


def relations(kpi: Kpi) -> list[str]:
    """The relations a KPI reads: its source view, or those named in a table KPI's SQL."""
    if kpi.kind == "metric":
        return [kpi.source] if kpi.source else []
    return sorted(set(_RELATION.findall(kpi.formula)))


def kpi_inputs(kpi: Kpi) -> tuple[str, ...]:
    """Every input of ``kpi`` (a ``KeyError`` names a relation without declared inputs)."""
    names: list[str] = []
    for relation in relations(kpi):
        try:
            names.extend(RELATION_INPUTS[relation])
        except KeyError:
            raise KeyError(f"{kpi.name}: no inputs declared for relation {relation}") from None
    names.extend(KPI_INPUTS.get(kpi.name, ()))
    return tuple(dict.fromkeys(names))


def present_inputs(warehouse: Warehouse, names: tuple[str, ...] | None = None) -> set[str]:
    """The inputs (of ``names``, default all) the warehouse has: one single-row probe each."""
    present: set[str] = set()
    for name in INPUTS if names is None else names:
        relation, condition, _ = INPUTS[name]
        if not warehouse.table_exists(relation):
            continue
        if warehouse.query(f"select 1 from {relation} where {condition} limit 1"):
            present.add(name)
    return present


def kpi_availability(kpi: Kpi, present: set[str]) -> Availability:
    """Availability of ``kpi`` given the inputs ``present``."""
    missing = tuple(name for name in kpi_inputs(kpi) if name not in present)
    return Availability(not missing, missing)


def check_kpi(warehouse: Warehouse, kpi: Kpi) -> Availability:
    """Availability of one KPI, probing only its own inputs."""
    inputs = kpi_inputs(kpi)
    return kpi_availability(kpi, present_inputs(warehouse, inputs))


def availability(warehouse: Warehouse, registry: Registry) -> dict[str, Availability]:
    """Every KPI of the registry → its availability in ``warehouse``."""
    present = present_inputs(warehouse)
    return {kpi.name: kpi_availability(kpi, present) for kpi in registry.kpis}
