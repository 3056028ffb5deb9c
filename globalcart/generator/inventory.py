"""Inventory positions per product and fulfillment center, consistent with what shipped.

Stock is simulated day by day over the snapshot period with a reorder-point policy; receipts are
expedited when demand would exceed stock, so on-hand never goes negative.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from globalcart.generator.calendar import US_PER_DAY, Window
from globalcart.generator.frames import NULL_TS, Frame, concat
from globalcart.generator.pools import FULFILLMENT_CENTERS
from globalcart.generator.simulated import SimulatedOrders

I64 = npt.NDArray[np.int64]
LEAD_TIME_DAYS = (5, 12)


@dataclass
class StockState:
    """Stock of every (product, fc) cell, carried between batches."""

    on_hand: I64
    inbound: I64
    arrival_day: I64  # epoch day the inbound quantity arrives (-1: nothing inbound)
    reorder_point: I64
    order_qty: I64


@dataclass
class Demand:
    """Units shipped per day and allocated at snapshot times, for a run of days."""

    first_day: int  # epoch day
    shipped: npt.NDArray[np.int32]  # [day, cell]
    allocated: npt.NDArray[np.int32]  # [snapshot, cell]
    snapshot_days: I64  # epoch days

    @classmethod
    def empty(cls, first_day: int, n_days: int, n_cells: int, snapshot_days: I64) -> Demand:
        return cls(
            first_day,
            np.zeros((n_days, n_cells), np.int32),
            np.zeros((len(snapshot_days), n_cells), np.int32),
            snapshot_days,
        )

    def add(self, cell: I64, qty: I64, paid_us: I64, shipped_us: I64, null_ts: int) -> None:
        """Account lines of one chunk: shipped units by day, and units waiting at snapshots."""
        n_days = self.shipped.shape[0]
        has_ship = shipped_us != null_ts
        day = np.where(has_ship, shipped_us // US_PER_DAY - self.first_day, -1)
        ok = (day >= 0) & (day < n_days)
        np.add.at(self.shipped, (day[ok], cell[ok]), qty[ok].astype(np.int32))
        snap_end = (self.snapshot_days + 1) * US_PER_DAY  # end of each snapshot day
        k = np.searchsorted(snap_end, paid_us, side="left")
        valid = (paid_us != null_ts) & (k < len(snap_end))
        kk = np.minimum(k, len(snap_end) - 1)
        waiting = valid & (~has_ship | (shipped_us >= snap_end[kk]))
        np.add.at(self.allocated, (kk[waiting], cell[waiting]), qty[waiting].astype(np.int32))


def initial_stock(rng: np.random.Generator, demand: Demand) -> StockState:
    daily = demand.shipped.mean(axis=0) + 0.05
    lead = np.mean(LEAD_TIME_DAYS)
    rop = np.ceil(daily * lead * 1.3 + 2).astype(np.int64)
    qty = np.ceil(daily * 35 + 5).astype(np.int64)
    on_hand = (rop + rng.integers(0, 1, len(rop)) + qty * rng.uniform(0.2, 1.2, len(rop))).astype(
        np.int64
    )
    n = len(rop)
    return StockState(on_hand, np.zeros(n, np.int64), np.full(n, -1, np.int64), rop, qty)


def simulate_stock(
    rng: np.random.Generator, state: StockState, demand: Demand, products: I64, fcs: I64
) -> Frame:
    """Advance ``state`` through the demand's days and return the snapshot rows."""
    n_days, n_cells = demand.shipped.shape
    snap_index = {int(d): i for i, d in enumerate(demand.snapshot_days)}
    out: list[Frame] = []
    for d in range(n_days):
        day = demand.first_day + d
        arriving = state.arrival_day == day
        state.on_hand += np.where(arriving, state.inbound, 0)
        state.inbound = np.where(arriving, 0, state.inbound)
        state.arrival_day = np.where(arriving, -1, state.arrival_day)
        need = demand.shipped[d].astype(np.int64)
        short = need > state.on_hand
        if short.any():  # expedite what is inbound, then an emergency receipt
            state.on_hand += np.where(short, state.inbound, 0)
            state.inbound = np.where(short, 0, state.inbound)
            state.arrival_day = np.where(short, -1, state.arrival_day)
            still = need > state.on_hand
            state.on_hand += np.where(still, need - state.on_hand + state.order_qty, 0)
        state.on_hand -= need
        reorder = (state.on_hand < state.reorder_point) & (state.arrival_day < 0)
        lead = rng.integers(LEAD_TIME_DAYS[0], LEAD_TIME_DAYS[1] + 1, n_cells)
        state.inbound = np.where(reorder, state.order_qty, state.inbound)
        state.arrival_day = np.where(reorder, day + lead, state.arrival_day)
        if day in snap_index:
            allocated = np.minimum(
                demand.allocated[snap_index[day]].astype(np.int64), state.on_hand
            )
            out.append(
                {
                    "date": np.full(n_cells, str(np.datetime64(day, "D"))),
                    "product_id": products,
                    "fc_id": fcs,
                    "on_hand": state.on_hand.copy(),
                    "allocated": allocated,
                    "reorder_point": state.reorder_point.copy(),
                    "inbound": state.inbound.copy(),
                }
            )
    return concat(out)


def snapshot_days(window: Window, anchor_day: int, weeks: int | None) -> I64:
    """Weekly snapshot days (≡ anchor mod 7) inside the window, over the last ``weeks`` weeks
    when given, and always the window's last day."""
    first = window.start_us // US_PER_DAY
    last = window.end_us // US_PER_DAY - 1
    if weeks is not None:
        first = max(first, last - 7 * weeks)
    days = np.arange(first, last + 1, dtype=np.int64)
    on_cadence = (days - anchor_day) % 7 == 0
    return np.unique(np.append(days[on_cadence], last))


def demand_for_window(window: Window, anchor_day: int, weeks: int | None, n_cells: int) -> Demand:
    """Empty demand over the days to simulate: the snapshot period plus a two-week warm-up on a
    base run (``weeks`` given), the whole window on an incremental one."""
    snapshots = snapshot_days(window, anchor_day, weeks)
    window_first = window.start_us // US_PER_DAY
    first_day = max(int(snapshots[0]) - 14, window_first) if weeks is not None else window_first
    return Demand.empty(first_day, window.end_us // US_PER_DAY - first_day, n_cells, snapshots)


def account_demand(demand: Demand, sim: SimulatedOrders) -> None:
    """Add the shipped and waiting units of ``sim``'s lines to ``demand``."""
    b = sim.batch
    cell = b.product * len(FULFILLMENT_CENTERS) + sim.life.fc[b.line_order]
    order = b.line_order
    demand.add(cell, b.qty, sim.life.paid_us[order], sim.life.shipped_us[order], NULL_TS)
