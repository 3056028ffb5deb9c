"""Orders and their lines: who buys when, what, at which price, with which discount and tax.

Money is computed in integer cents of the order currency so that header totals equal the sum of
their lines exactly.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from globalcart.generator.calendar import US_PER_DAY, US_PER_HOUR, Window
from globalcart.generator.catalog import Catalog
from globalcart.generator.customers import CustomerBase
from globalcart.generator.frames import choice_codes, draw
from globalcart.generator.pools import (
    COUNTRIES,
    DEVICE_BY_CHANNEL,
    PROMO_CODES,
    SALES_CHANNEL_WEIGHTS,
    SEGMENT_BASKET,
)
from globalcart.generator.reference import Geography

I64 = npt.NDArray[np.int64]
PROMO_PERCENT = np.array([10, 15, 20, 25, 0, 20])
FREE_SHIPPING_CODE = PROMO_CODES.index("FREESHIP")
FREE_SHIPPING_OVER_USD_CENTS = 5_000
SHIPPING_FEE_USD_CENTS = 599


@dataclass
class OrderBatch:
    """Orders of one chunk (index i) and their lines (index j, ``line_order`` maps j → i)."""

    customer: I64  # index into CustomerBase
    ts_us: I64
    is_paid: npt.NDArray[np.bool_]  # False: checkout whose payments all failed (status 'created')
    channel: I64
    device: I64
    geo_index: I64
    currency: I64
    promo: I64  # NULL_CODE (-1) when no promo code
    gross: I64
    discount: I64
    tax: I64
    shipping_fee: I64
    line_order: I64
    line_no: I64
    product: I64
    qty: I64
    list_cents: I64
    sell_cents: I64
    line_discount: I64
    line_tax: I64
    cost_usd_cents: I64

    @property
    def n(self) -> int:
        return len(self.ts_us)

    @property
    def net(self) -> I64:
        return self.gross - self.discount + self.tax + self.shipping_fee


def allocate_orders(
    rng: np.random.Generator,
    customers: CustomerBase,
    n_orders: int,
    window: Window,
    weights: npt.NDArray[np.float64],
) -> tuple[I64, I64]:
    """Give ``n_orders`` orders to customers (over-dispersed by propensity) and time them, each
    inside the span the customer is active (from sign-up until they lapse)."""
    active_from = np.maximum(customers.created_us, window.start_us)
    active_to = np.minimum(customers.lapse_us, window.end_us)
    span = np.clip(active_to - active_from, 0, None) / (window.end_us - window.start_us)
    p = customers.propensity * np.maximum(span, 0.01 * (active_to > active_from))
    if p.sum() == 0:  # everyone has lapsed: the orders go to whoever was most recently active
        p = (customers.lapse_us == customers.lapse_us.max()).astype(np.float64)
    counts = rng.multinomial(n_orders, p / p.sum())
    buyer = np.repeat(np.arange(customers.n, dtype=np.int64), counts)
    # The first purchase follows sign-up by hours to weeks.
    delay = (rng.exponential(2.5, len(buyer)) * US_PER_DAY).astype(np.int64)
    from globalcart.generator.calendar import sample_times

    first = np.minimum(active_from[buyer] + delay, np.maximum(active_to[buyer], active_from[buyer]))
    ts = sample_times(rng, weights, window, first, np.maximum(active_to[buyer], first))
    order = np.argsort(ts, kind="stable")
    return buyer[order], ts[order]


def build_orders(
    rng: np.random.Generator,
    buyer: I64,
    ts_us: I64,
    is_paid: npt.NDArray[np.bool_],
    customers: CustomerBase,
    catalog: Catalog,
    geo: Geography,
    rates: npt.NDArray[np.float64],
    window: Window,
    promo_days: npt.NDArray[np.bool_],
    cdfs: list[npt.NDArray[np.int32]],
) -> OrderBatch:
    n = len(buyer)
    segment = customers.segment[buyer]
    geo_index = customers.geo_index[buyer]
    currency = geo.currency_code()[geo_index]
    day = np.clip((ts_us - window.start_us) // US_PER_DAY, 0, window.n_days - 1)
    on_promo_day = promo_days[day]
    channel = choice_codes(rng, SALES_CHANNEL_WEIGHTS, n)
    device = np.empty(n, dtype=np.int64)
    for c, mix in enumerate(DEVICE_BY_CHANNEL):
        mask = channel == c
        device[mask] = choice_codes(rng, mix, int(mask.sum()))

    lines = np.minimum(1 + rng.poisson(np.array(SEGMENT_BASKET)[segment]), 8)
    line_order = np.repeat(np.arange(n, dtype=np.int64), lines)
    starts = np.cumsum(lines) - lines
    line_no = np.arange(len(line_order), dtype=np.int64) - starts[line_order] + 1
    product = np.empty(len(line_order), dtype=np.int64)
    line_segment = segment[line_order]
    for s, cdf in enumerate(cdfs):
        mask = line_segment == s
        product[mask] = draw(rng, cdf, int(mask.sum()))
    qty = 1 + rng.poisson(0.25, len(line_order))

    version = catalog.version_at(product, ts_us[line_order])
    rate = rates[currency[line_order], day[line_order]]
    list_cents = np.maximum(np.round(catalog.version_list_cents[version] / rate), 1).astype(
        np.int64
    )
    markdown_p = np.where(on_promo_day[line_order], 0.45, 0.2)
    markdown = np.where(
        rng.random(len(line_order)) < markdown_p,
        rng.choice(np.array([0.1, 0.15, 0.2, 0.3]), len(line_order)),
        0.0,
    )
    sell_cents = np.maximum(np.round(list_cents * (1 - markdown)), 1).astype(np.int64)

    promo = np.where(
        rng.random(n) < np.where(on_promo_day, 0.3, 0.14), rng.integers(0, len(PROMO_CODES), n), -1
    )
    pct = np.where(promo >= 0, PROMO_PERCENT[np.maximum(promo, 0)], 0)[line_order]
    subtotal = qty * sell_cents
    line_discount = np.round(subtotal * pct / 100).astype(np.int64)
    tax_rate = np.array([c.tax_rate for c in COUNTRIES])[geo.country_index[geo_index]]
    line_tax = np.round((subtotal - line_discount) * tax_rate[line_order]).astype(np.int64)

    gross = np.bincount(line_order, subtotal, minlength=n).astype(np.int64)
    discount = np.bincount(line_order, line_discount, minlength=n).astype(np.int64)
    tax = np.bincount(line_order, line_tax, minlength=n).astype(np.int64)
    order_rate = rates[currency, day]
    gross_usd = gross * order_rate
    free = (gross_usd >= FREE_SHIPPING_OVER_USD_CENTS) | (promo == FREE_SHIPPING_CODE)
    shipping_fee = np.where(free, 0, np.round(SHIPPING_FEE_USD_CENTS / order_rate)).astype(np.int64)
    return OrderBatch(
        customer=buyer,
        ts_us=ts_us,
        is_paid=is_paid,
        channel=channel,
        device=device,
        geo_index=geo_index,
        currency=currency,
        promo=promo,
        gross=gross,
        discount=discount,
        tax=tax,
        shipping_fee=shipping_fee,
        line_order=line_order,
        line_no=line_no,
        product=product,
        qty=qty,
        list_cents=list_cents,
        sell_cents=sell_cents,
        line_discount=line_discount,
        line_tax=line_tax,
        cost_usd_cents=catalog.version_cost_cents[version],
    )


def checkout_failures(
    rng: np.random.Generator, n_paid: int, buyer: I64, ts_us: I64, fail_p: npt.NDArray[np.float64]
) -> tuple[I64, I64]:
    """Abandoned checkouts whose payments all failed: one per paid order with probability ~p.

    They become orders in status 'created' a few hours before the buyer's successful order.
    """
    spawn = np.flatnonzero(rng.random(n_paid) < fail_p * 0.6)
    earlier = (rng.uniform(0.2, 30, len(spawn)) * US_PER_HOUR).astype(np.int64)
    return buyer[spawn], ts_us[spawn] - earlier
