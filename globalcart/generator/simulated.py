"""A chunk of simulated orders with their whole future, and the subset still pending at a time."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

import numpy as np
import numpy.typing as npt

from globalcart.generator.lifecycle import Lifecycle, Returns
from globalcart.generator.orders import OrderBatch
from globalcart.generator.payments import PaymentChoice

I64 = npt.NDArray[np.int64]


@dataclass
class SimulatedOrders:
    """Orders, lines, payments and returns of one chunk, keyed by their landing ids."""

    batch: OrderBatch
    life: Lifecycle
    returns: Returns
    payment: PaymentChoice
    failed_attempts: I64
    order_id: I64
    session_id: I64
    customer_id: I64
    first_payment_id: I64  # payment ids of an order are first_payment_id + attempt index
    shipment_id: I64
    return_id: I64  # per return

    def last_event_us(self) -> I64:
        """Latest instant at which anything about each order changes."""
        life = self.life
        latest: I64 = np.maximum.reduce(
            [
                self.batch.ts_us,
                life.paid_us,
                life.fulfilled_us,
                life.shipped_us,
                life.delivered_us,
                life.cancelled_us,
                life.chargeback_us,
            ]
        )
        if len(self.returns.line):
            order_of_return = self.batch.line_order[self.returns.line]
            ret_latest = np.maximum.reduce(
                [self.returns.requested_us, self.returns.received_us, self.returns.refunded_us]
            )
            np.maximum.at(latest, order_of_return, ret_latest)
        return latest

    def subset(self, keep: npt.NDArray[np.bool_]) -> SimulatedOrders:
        """The orders where ``keep`` is true, with their lines and returns."""
        order_idx = np.flatnonzero(keep)
        new_index = np.full(len(keep), -1, dtype=np.int64)
        new_index[order_idx] = np.arange(len(order_idx))
        line_keep = keep[self.batch.line_order]
        line_idx = np.flatnonzero(line_keep)
        new_line = np.full(len(line_keep), -1, dtype=np.int64)
        new_line[line_idx] = np.arange(len(line_idx))
        ret_keep = line_keep[self.returns.line]

        def pick(obj: Any, index: npt.NDArray[Any], size: int) -> dict[str, Any]:
            return {
                f.name: getattr(obj, f.name)[index]
                if len(getattr(obj, f.name)) == size
                else getattr(obj, f.name)
                for f in fields(obj)
            }

        n, n_lines = len(keep), len(line_keep)
        batch_values = {}
        for f in fields(self.batch):
            values = getattr(self.batch, f.name)
            is_line = f.name in LINE_FIELDS
            batch_values[f.name] = values[line_idx] if is_line else values[order_idx]
        batch_values["line_order"] = new_index[self.batch.line_order[line_idx]]
        returns = Returns(**pick(self.returns, ret_keep, len(ret_keep)))
        returns.line = new_line[returns.line]
        del n_lines
        return SimulatedOrders(
            batch=OrderBatch(**batch_values),
            life=Lifecycle(**pick(self.life, order_idx, n)),
            returns=returns,
            payment=PaymentChoice(**pick(self.payment, order_idx, n)),
            failed_attempts=self.failed_attempts[order_idx],
            order_id=self.order_id[order_idx],
            session_id=self.session_id[order_idx],
            customer_id=self.customer_id[order_idx],
            first_payment_id=self.first_payment_id[order_idx],
            shipment_id=self.shipment_id[order_idx],
            return_id=self.return_id[ret_keep],
        )

    def pending_at(self, t_us: int) -> SimulatedOrders:
        return self.subset(self.last_event_us() > t_us)


LINE_FIELDS = frozenset(
    {
        "line_order",
        "line_no",
        "product",
        "qty",
        "list_cents",
        "sell_cents",
        "line_discount",
        "line_tax",
        "cost_usd_cents",
    }
)


# The per-order id columns of SimulatedOrders, and its nested per-order/per-line parts.
ID_FIELDS = (
    "failed_attempts",
    "order_id",
    "session_id",
    "customer_id",
    "first_payment_id",
    "shipment_id",
    "return_id",
)
NESTED: dict[str, type] = {
    "batch": OrderBatch,
    "life": Lifecycle,
    "returns": Returns,
    "payment": PaymentChoice,
}


def _empty_part(cls: type) -> Any:
    def dtype(name: str) -> type:
        if name == "fail_p":
            return np.float64
        return np.bool_ if name in ("is_paid", "restocked") else np.int64

    return cls(**{f.name: np.array([], dtype=dtype(f.name)) for f in fields(cls)})


def empty_orders() -> SimulatedOrders:
    """No orders at all: what a new run has pending."""
    values: dict[str, Any] = {name: _empty_part(cls) for name, cls in NESTED.items()}
    values |= {name: np.array([], dtype=np.int64) for name in ID_FIELDS}
    return SimulatedOrders(**values)


def concat_orders(parts: list[SimulatedOrders]) -> SimulatedOrders:
    """All orders of ``parts`` in one set (line and return indices re-based)."""
    parts = [p for p in parts if p.batch.n]
    if not parts:
        return empty_orders()
    order_offsets = np.cumsum([0] + [p.batch.n for p in parts[:-1]])
    line_offsets = np.cumsum([0] + [len(p.batch.line_order) for p in parts[:-1]])
    shifts = {("batch", "line_order"): order_offsets, ("returns", "line"): line_offsets}

    def join(name: str, cls: type) -> Any:
        values = {}
        for f in fields(cls):
            arrays = [getattr(getattr(p, name), f.name) for p in parts]
            if (name, f.name) in shifts:
                arrays = [a + o for a, o in zip(arrays, shifts[name, f.name], strict=True)]
            values[f.name] = np.concatenate(arrays)
        return cls(**values)

    values: dict[str, Any] = {name: join(name, cls) for name, cls in NESTED.items()}
    values |= {name: np.concatenate([getattr(p, name) for p in parts]) for name in ID_FIELDS}
    return SimulatedOrders(**values)
