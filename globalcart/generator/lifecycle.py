"""What happens to an order after checkout: fulfilment, shipping, delivery, returns, refunds.

The whole future of every order is sampled when the order is created; an extract taken at time T
only reveals what happened up to T. That makes incremental batches continue a base run exactly.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from globalcart.generator.calendar import US_PER_DAY, US_PER_HOUR
from globalcart.generator.frames import NULL_TS, choice_codes
from globalcart.generator.orders import OrderBatch
from globalcart.generator.pools import (
    CARRIERS,
    CATEGORIES,
    RETURN_REASON_WEIGHTS,
    RETURN_REASONS,
)
from globalcart.generator.reference import Geography, carrier_table, fc_for_region

I64 = npt.NDArray[np.int64]
REFUND_WINDOW_DAYS = 30
CANCEL_RATE = 0.03
CHARGEBACK_RATE = 0.004
CATEGORY_RETURN_RATE = 0.6 * np.array([spec[3] for spec in CATEGORIES.values()])
# Fulfillment centers differ in how late they run: a multiplier on transit time.
FC_DELAY = np.array([1.0, 1.12, 0.95, 1.2, 1.05])


@dataclass
class Lifecycle:
    """Per-order timestamps (NULL_TS when it never happens) and shipping facts."""

    paid_us: I64
    fulfilled_us: I64
    shipped_us: I64
    delivered_us: I64
    cancelled_us: I64
    chargeback_us: I64
    fc: I64
    carrier: I64
    promised_day: I64  # epoch day
    shipping_cost_cents: I64  # USD


@dataclass
class Returns:
    """Returned lines: index into the batch's lines, and the return's own timeline."""

    line: I64
    qty: I64
    reason: I64
    requested_us: I64
    received_us: I64
    refunded_us: I64  # NULL_TS when rejected (requested after the 30-day window)
    refund_cents: I64
    restocked: npt.NDArray[np.bool_]


def simulate_lifecycle(
    rng: np.random.Generator,
    batch: OrderBatch,
    paid_us: I64,
    geo: Geography,
    category_of_product: I64,
) -> tuple[Lifecycle, Returns]:
    n = batch.n
    paid = batch.is_paid
    fulfilled = paid_us + (rng.uniform(2, 30, n) * US_PER_HOUR).astype(np.int64)
    shipped = fulfilled + (rng.uniform(0.5, 20, n) * US_PER_HOUR).astype(np.int64)
    cancelled = np.where(
        paid & (rng.random(n) < CANCEL_RATE),
        paid_us + (rng.uniform(0.3, 1.0, n) * (fulfilled - paid_us)).astype(np.int64),
        NULL_TS,
    )
    regions = geo.region_name(batch.geo_index)
    fc = fc_for_region(rng, regions)
    _names, by_region = carrier_table()
    carrier = np.empty(n, dtype=np.int64)
    sla = np.empty(n, dtype=np.int64)
    transit_mean = np.empty(n)
    base_cost = np.empty(n)
    for region, services in by_region.items():
        mask = regions == region
        pick = np.array(services)[rng.integers(0, len(services), int(mask.sum()))]
        carrier[mask] = pick
        options = [opt for opts in CARRIERS.values() for opt in opts]
        sla[mask] = np.array([options[s][1] for s in pick])
        transit_mean[mask] = np.array([options[s][2] for s in pick])
        base_cost[mask] = np.array([options[s][3] for s in pick])
    transit_days = rng.gamma(6.0, 0.72 * transit_mean * FC_DELAY[fc] / 6.0)
    delivered = shipped + (transit_days * US_PER_DAY).astype(np.int64)
    promised_day = shipped // US_PER_DAY + sla
    units = np.bincount(batch.line_order, batch.qty, minlength=n)
    cost = base_cost * (1 + 0.15 * (units - 1)) * rng.uniform(0.9, 1.1, n)
    chargeback = np.where(
        rng.random(n) < CHARGEBACK_RATE,
        delivered + (rng.uniform(10, 60, n) * US_PER_DAY).astype(np.int64),
        NULL_TS,
    )
    live = paid & (cancelled == NULL_TS)
    life = Lifecycle(
        paid_us=np.where(paid, paid_us, NULL_TS),
        fulfilled_us=np.where(live, fulfilled, NULL_TS),
        shipped_us=np.where(live, shipped, NULL_TS),
        delivered_us=np.where(live, delivered, NULL_TS),
        cancelled_us=cancelled,
        chargeback_us=np.where(live, chargeback, NULL_TS),
        fc=fc,
        carrier=carrier,
        promised_day=promised_day,
        shipping_cost_cents=np.round(cost * 100).astype(np.int64),
    )
    late = delivered // US_PER_DAY > promised_day
    return life, sample_returns(rng, batch, life, late, category_of_product)


def sample_returns(
    rng: np.random.Generator,
    batch: OrderBatch,
    life: Lifecycle,
    late: npt.NDArray[np.bool_],
    category_of_product: I64,
) -> Returns:
    order = batch.line_order
    delivered = life.delivered_us[order]
    p = CATEGORY_RETURN_RATE[category_of_product[batch.product]] * np.where(late[order], 1.6, 1.0)
    line = np.flatnonzero((delivered != NULL_TS) & (rng.random(len(order)) < p))
    k = len(line)
    qty = 1 + (rng.random(k) * batch.qty[line]).astype(np.int64)
    reason = choice_codes(rng, RETURN_REASON_WEIGHTS, k)
    reason = np.where(
        late[order[line]] & (rng.random(k) < 0.5), RETURN_REASONS.index("late_delivery"), reason
    )
    # Most returns come within two weeks; a tail arrives after the 30-day refund window.
    days_after = np.where(rng.random(k) < 0.9, rng.exponential(8.0, k), rng.uniform(31, 60, k))
    requested = delivered[line] + ((0.2 + days_after) * US_PER_DAY).astype(np.int64)
    received = requested + (rng.uniform(2, 9, k) * US_PER_DAY).astype(np.int64)
    in_window = requested - delivered[line] <= REFUND_WINDOW_DAYS * US_PER_DAY
    refunded = np.where(
        in_window, received + (rng.uniform(0.5, 3, k) * US_PER_DAY).astype(np.int64), NULL_TS
    )
    line_net = batch.qty[line] * batch.sell_cents[line] - batch.line_discount[line]
    refund = np.where(in_window, np.round(line_net * qty / batch.qty[line]), 0).astype(np.int64)
    restocked = ~np.isin(
        reason, [RETURN_REASONS.index("damaged"), RETURN_REASONS.index("defective")]
    )
    return Returns(line, qty, reason, requested, received, refunded, refund, restocked)
