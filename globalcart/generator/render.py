"""Landing rows of simulated orders as an extract taken at time T would show them.

With ``since`` (the previous extract time) only rows that are new or changed after it are
rendered: that is what an incremental batch delivers.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from globalcart.contract import (
    ORDER_STATUSES,
    PAYMENT_STATUSES,
    RETURN_STATUSES,
    SHIPMENT_STATUSES,
)
from globalcart.generator.clickstream import failure_reason_codes
from globalcart.generator.frames import NULL_ID, NULL_TS, Frame, categorical
from globalcart.generator.payments import ATTEMPT_GAP_US, PROVIDER_NAMES, gateway_fee_cents
from globalcart.generator.pools import (
    FAILURE_REASONS,
    PAYMENT_METHODS,
    PROMO_CODES,
    RETURN_REASONS,
    SALES_CHANNELS,
)
from globalcart.generator.reference import CURRENCIES, carrier_table
from globalcart.generator.simulated import SimulatedOrders

I64 = npt.NDArray[np.int64]
Bools = npt.NDArray[np.bool_]
STATUS = {name: i for i, name in enumerate(ORDER_STATUSES)}


def _happened(ts: I64, t: int) -> Bools:
    happened: Bools = (ts != NULL_TS) & (ts <= t)
    return happened


def _cents(values: I64) -> npt.NDArray[np.float64]:
    return values / 100.0


def _text(pool: tuple[str, ...], codes: I64) -> object:
    return categorical(pool, codes)


def order_status(sim: SimulatedOrders, t: int) -> tuple[I64, I64]:
    """Status code and the time it was reached, per order, as of ``t``."""
    b, life = sim.batch, sim.life
    status = np.full(b.n, STATUS["created"], dtype=np.int64)
    changed = b.ts_us + sim.failed_attempts * ATTEMPT_GAP_US
    returned_at = np.full(b.n, NULL_TS, dtype=np.int64)
    r = sim.returns
    seen = _happened(r.requested_us, t)
    np.maximum.at(returned_at, b.line_order[r.line[seen]], r.requested_us[seen])
    steps = [
        ("paid", life.paid_us),
        ("fulfilled", life.fulfilled_us),
        ("shipped", life.shipped_us),
        ("delivered", life.delivered_us),
        ("returned", returned_at),
        ("cancelled", life.cancelled_us),
    ]
    for name, ts in steps:
        done = _happened(ts, t)
        status = np.where(done, STATUS[name], status)
        changed = np.where(done, ts, changed)
    return status, changed


def order_rows(sim: SimulatedOrders, t: int, since: int | None) -> Frame:
    b = sim.batch
    status, updated = order_status(sim, t)
    keep = np.ones(b.n, dtype=bool) if since is None else (updated > since) | (b.ts_us > since)
    return {
        "order_id": sim.order_id[keep],
        "customer_id": sim.customer_id[keep],
        "session_id": sim.session_id[keep],
        "order_ts": b.ts_us[keep],
        "status": categorical(ORDER_STATUSES, status[keep]),
        "channel": categorical(SALES_CHANNELS, b.channel[keep]),
        "currency": categorical(CURRENCIES, b.currency[keep]),
        "gross_amount": _cents(b.gross[keep]),
        "discount_amount": _cents(b.discount[keep]),
        "tax_amount": _cents(b.tax[keep]),
        "shipping_fee": _cents(b.shipping_fee[keep]),
        "net_amount": _cents(b.net[keep]),
        "promo_code": _text(PROMO_CODES, b.promo[keep]),
        "ship_to_geo_id": b.geo_index[keep] + 1,
        "updated_at": updated[keep],
    }


def item_rows(sim: SimulatedOrders, since: int | None) -> Frame:
    b = sim.batch
    keep = np.ones(len(b.line_order), bool) if since is None else b.ts_us[b.line_order] > since
    o = b.line_order[keep]
    return {
        "order_id": sim.order_id[o],
        "line_no": b.line_no[keep],
        "product_id": b.product[keep] + 1,
        "qty": b.qty[keep],
        "unit_list_price": _cents(b.list_cents[keep]),
        "unit_sell_price": _cents(b.sell_cents[keep]),
        "line_discount": _cents(b.line_discount[keep]),
        "line_tax": _cents(b.line_tax[keep]),
        "updated_at": b.ts_us[o],
    }


def payment_rows(sim: SimulatedOrders, t: int, since: int | None) -> Frame:
    b, life = sim.batch, sim.life
    attempts = sim.failed_attempts + b.is_paid.astype(np.int64)
    o = np.repeat(np.arange(b.n, dtype=np.int64), attempts)
    a = np.arange(len(o)) - np.repeat(np.cumsum(attempts) - attempts, attempts)
    failed = a < sim.failed_attempts[o]
    created = b.ts_us[o] + (a + 1) * ATTEMPT_GAP_US
    code = PAYMENT_STATUSES.index
    status = np.where(failed, code("failed"), code("authorized"))
    captured = np.where(~failed & _happened(life.fulfilled_us[o], t), life.fulfilled_us[o], NULL_TS)
    updated = np.where(captured != NULL_TS, captured, created)
    status = np.where(captured != NULL_TS, code("captured"), status)
    for name, ts in (("refunded", life.cancelled_us[o]), ("chargeback", life.chargeback_us[o])):
        done = ~failed & _happened(ts, t)
        status = np.where(done, code(name), status)
        updated = np.where(done, ts, updated)
    amount = b.net[o]
    fee = np.where(captured != NULL_TS, gateway_fee_cents(amount), 0)
    reason = np.where(failed, failure_reason_codes(sim, o, a), -1)
    keep = np.ones(len(o), bool) if since is None else updated > since
    return {
        "payment_id": (sim.first_payment_id[o] + a)[keep],
        "order_id": sim.order_id[o][keep],
        "attempt_no": (a + 1)[keep],
        "method": categorical(PAYMENT_METHODS, sim.payment.method[o][keep]),
        "provider": categorical(PROVIDER_NAMES, sim.payment.provider[o][keep]),
        "status": categorical(PAYMENT_STATUSES, status[keep]),
        "amount": _cents(amount[keep]),
        "currency": categorical(CURRENCIES, b.currency[o][keep]),
        "gateway_fee": _cents(fee[keep]),
        "failure_reason": _text(FAILURE_REASONS, reason[keep]),
        "created_at": created[keep],
        "captured_at": captured[keep],
        "updated_at": updated[keep],
    }


def shipment_rows(sim: SimulatedOrders, t: int, since: int | None) -> Frame:
    life = sim.life
    shipped = _happened(life.shipped_us, t)
    delivered = _happened(life.delivered_us, t)
    updated = np.where(delivered, life.delivered_us, life.shipped_us)
    keep = shipped if since is None else shipped & (updated > since)
    carriers, _ = carrier_table()
    return {
        "shipment_id": sim.shipment_id[keep],
        "order_id": sim.order_id[keep],
        "fc_id": life.fc[keep] + 1,
        "carrier": categorical(carriers, life.carrier[keep]),
        "shipped_at": life.shipped_us[keep],
        "promised_delivery_date": life.promised_day[keep].astype("datetime64[D]").astype(str),
        "delivered_at": np.where(delivered, life.delivered_us, NULL_TS)[keep],
        "shipping_cost": _cents(life.shipping_cost_cents[keep]),
        "status": categorical(SHIPMENT_STATUSES, delivered[keep].astype(np.int64)),
        "updated_at": updated[keep],
    }


def return_rows(sim: SimulatedOrders, t: int, since: int | None) -> Frame:
    r, b = sim.returns, sim.batch
    requested = _happened(r.requested_us, t)
    rejected = r.refunded_us == NULL_TS
    received = _happened(r.received_us, t) & ~rejected
    refunded = _happened(r.refunded_us, t)
    status = np.full(len(r.line), RETURN_STATUSES.index("requested"))
    status = np.where(received, RETURN_STATUSES.index("received"), status)
    status = np.where(refunded, RETURN_STATUSES.index("refunded"), status)
    status = np.where(rejected, RETURN_STATUSES.index("rejected"), status)
    changed = np.maximum.reduce(
        [
            np.where(requested, r.requested_us, NULL_TS),
            np.where(received, r.received_us, NULL_TS),
            np.where(refunded, r.refunded_us, NULL_TS),
        ]
    )
    keep = requested if since is None else requested & (changed > since)
    o = b.line_order[r.line]
    return {
        "return_id": sim.return_id[keep],
        "order_id": sim.order_id[o][keep],
        "line_no": b.line_no[r.line][keep],
        "product_id": b.product[r.line][keep] + 1,
        "qty": r.qty[keep],
        "reason": categorical(RETURN_REASONS, r.reason[keep]),
        "requested_at": r.requested_us[keep],
        "received_at": np.where(received, r.received_us, NULL_TS)[keep],
        "refund_amount": np.where(refunded, _cents(r.refund_cents), np.nan)[keep],
        "refunded_at": np.where(refunded, r.refunded_us, NULL_TS)[keep],
        "status": categorical(RETURN_STATUSES, status[keep]),
        "restocked": (r.restocked & received)[keep],
    }


__all__ = ["NULL_ID", "item_rows", "order_rows", "payment_rows", "return_rows", "shipment_rows"]
