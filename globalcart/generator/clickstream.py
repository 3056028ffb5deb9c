"""Sessions and funnel events: converting sessions behind every order, and the many that are not."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from globalcart.contract import FUNNEL_STAGES
from globalcart.generator.calendar import US_PER_SECOND, Window, day_weights, sample_times
from globalcart.generator.customers import CustomerBase
from globalcart.generator.frames import (
    NULL_CODE,
    NULL_ID,
    NULL_TS,
    Frame,
    categorical,
    choice_codes,
    draw,
)
from globalcart.generator.payments import ATTEMPT_GAP_US
from globalcart.generator.pools import (
    CAMPAIGN_CHANNELS,
    DEVICE_CONVERSION,
    DEVICES,
    FAILURE_REASONS,
    LANDING_PAGES,
    SOURCE_CAMPAIGN_CHANNEL,
    TRAFFIC_CONVERSION,
    TRAFFIC_SOURCES,
    TRAFFIC_WEIGHTS,
)
from globalcart.generator.simulated import SimulatedOrders

I64 = npt.NDArray[np.int64]
STAGE = {name: i for i, name in enumerate(FUNNEL_STAGES)}
NON_CONVERTING_PER_ORDER = 1.2
KIND_WEIGHTS = (0.62, 0.25, 0.13)  # browse only, cart abandoned, checkout abandoned
SECOND = US_PER_SECOND


@dataclass
class Sessions:
    """Session attributes (index ⇔ session) before ids are assigned."""

    customer_id: I64
    started_us: I64
    device: I64
    source: I64
    campaign_id: I64
    geo_id: I64
    landing_page: I64

    @property
    def n(self) -> int:
        return len(self.started_us)


@dataclass
class Events:
    """Funnel events, as column lists that are concatenated once complete.

    Codes and indices are kept as int32 and each list is released as it is concatenated: the
    clickstream is by far the largest table, and this keeps the peak memory of a chunk down.
    """

    session: list[npt.NDArray[np.int32]] = field(default_factory=list)  # index into sessions
    ts: list[I64] = field(default_factory=list)
    stage: list[npt.NDArray[np.int8]] = field(default_factory=list)
    product: list[npt.NDArray[np.int32]] = field(default_factory=list)  # index, NULL_ID for none
    order_id: list[I64] = field(default_factory=list)
    reason: list[npt.NDArray[np.int8]] = field(default_factory=list)

    def add(
        self,
        session: I64,
        ts: I64,
        stage: str,
        product: I64 | None = None,
        order_id: I64 | None = None,
        reason: I64 | None = None,
    ) -> None:
        n = len(session)
        self.session.append(session.astype(np.int32))
        self.ts.append(ts)
        self.stage.append(np.full(n, STAGE[stage], dtype=np.int8))
        self.product.append(
            product.astype(np.int32) if product is not None else np.full(n, NULL_ID, np.int32)
        )
        self.order_id.append(order_id if order_id is not None else np.full(n, NULL_ID, np.int64))
        self.reason.append(
            reason.astype(np.int8) if reason is not None else np.full(n, NULL_CODE, np.int8)
        )

    def size(self) -> int:
        return sum(len(part) for part in self.ts)

    def pop_column(self, name: str) -> npt.NDArray[Any]:
        """The concatenated column; the parts are released."""
        parts = getattr(self, name)
        column = np.concatenate(parts) if parts else np.array([], dtype=np.int64)
        parts.clear()
        return column


def _weights(
    base: tuple[float, ...], tilt: tuple[float, ...], converting: bool
) -> npt.NDArray[np.float64]:
    b, t = np.array(base), np.array(tilt)
    return b * t if converting else b * np.maximum(2.2 - t, 0.2)


def _campaigns(
    rng: np.random.Generator, source: I64, started: I64, lookup: I64, first_day: int
) -> I64:
    channel_of_source = np.array(
        [CAMPAIGN_CHANNELS.index(c) if c else -1 for c in SOURCE_CAMPAIGN_CHANNEL]
    )
    ch = channel_of_source[source]
    day = np.clip(started // (86_400 * SECOND) - first_day, 0, lookup.shape[1] - 1)
    campaign = np.where(ch >= 0, lookup[np.maximum(ch, 0), day], NULL_ID)
    del rng
    return campaign.astype(np.int64)


def order_sessions(
    rng: np.random.Generator,
    sim: SimulatedOrders,
    lookup: I64,
    first_day: int,
    product_cdf: npt.NDArray[np.int32],
    events: Events,
) -> Sessions:
    """One session per order (index i ⇔ order i) with the full path to checkout."""
    b, n = sim.batch, sim.batch.n
    started = b.ts_us - (rng.uniform(4, 40, n) * 60 * SECOND).astype(np.int64)
    source = choice_codes(rng, _weights(TRAFFIC_WEIGHTS, TRAFFIC_CONVERSION, True), n)
    sessions = Sessions(
        customer_id=sim.customer_id,
        started_us=started,
        device=b.device,
        source=source,
        campaign_id=_campaigns(rng, source, started, lookup, first_day),
        geo_id=b.geo_index + 1,
        landing_page=choice_codes(rng, (0.3, 0.2, 0.35, 0.1, 0.04, 0.01), n),
    )
    idx = np.arange(n, dtype=np.int64)
    span = b.ts_us - started
    line_session = b.line_order
    view_ts = started[line_session] + (
        rng.uniform(0, 0.5, len(line_session)) * span[line_session]
    ).astype(np.int64)
    events.add(line_session, view_ts, "VIEW_PRODUCT", b.product)
    events.add(
        line_session,
        view_ts + rng.integers(10, 120, len(line_session)) * SECOND,
        "ADD_TO_CART",
        b.product,
    )
    extra = np.repeat(idx, rng.poisson(0.4, n))
    events.add(
        extra,
        started[extra] + (rng.uniform(0, 0.6, len(extra)) * span[extra]).astype(np.int64),
        "VIEW_PRODUCT",
        draw(rng, product_cdf, len(extra)),
    )
    search = idx[rng.random(n) < 0.4]
    events.add(search, started[search] + 5 * SECOND, "SEARCH")
    removed = idx[rng.random(n) < 0.1]
    removed_product = draw(rng, product_cdf, len(removed))
    mid = started[removed] + span[removed] // 2
    events.add(removed, mid, "ADD_TO_CART", removed_product)
    events.add(removed, mid + 30 * SECOND, "REMOVE_FROM_CART", removed_product)
    events.add(idx, b.ts_us - rng.integers(30, 300, n) * SECOND, "CHECKOUT_STARTED")
    attempts = sim.failed_attempts + b.is_paid.astype(np.int64)
    att_session = np.repeat(idx, attempts)
    att_no = np.arange(len(att_session)) - np.repeat(np.cumsum(attempts) - attempts, attempts)
    att_ts = b.ts_us[att_session] + (att_no + 1) * ATTEMPT_GAP_US
    events.add(att_session, att_ts, "PAYMENT_ATTEMPTED", order_id=sim.order_id[att_session])
    failed = att_no < sim.failed_attempts[att_session]
    f_session = att_session[failed]
    events.add(
        f_session,
        att_ts[failed] + 2 * SECOND,
        "PAYMENT_FAILED",
        order_id=sim.order_id[f_session],
        reason=failure_reason_codes(sim, f_session, att_no[failed]),
    )
    placed = idx[b.is_paid]
    events.add(
        placed, sim.life.paid_us[placed] + SECOND, "ORDER_PLACED", order_id=sim.order_id[placed]
    )
    return sessions


def failure_reason_codes(sim: SimulatedOrders, order: I64, attempt: I64) -> I64:
    """Deterministic reason per failed attempt, shared by payments and funnel events."""
    from globalcart.generator.pools import FAILURE_REASON_WEIGHTS

    cdf = np.cumsum(FAILURE_REASON_WEIGHTS) / np.sum(FAILURE_REASON_WEIGHTS)
    u = ((sim.order_id[order] * 2_654_435_761 + attempt * 40_503) % 1_000_003) / 1_000_003
    return np.searchsorted(cdf, u, side="right").astype(np.int64)


def browsing_sessions(
    rng: np.random.Generator,
    n: int,
    customers: CustomerBase,
    window: Window,
    geo_weight: npt.NDArray[np.float64],
    lookup: I64,
    first_day: int,
    product_cdf: npt.NDArray[np.int32],
    events: Events,
    offset: int,
) -> Sessions:
    """Sessions that end without an order: browsing, abandoned carts, abandoned checkouts."""
    known = rng.random(n) >= 0.45
    p = customers.propensity / customers.propensity.sum()
    who = np.searchsorted(np.cumsum(p), rng.random(n), side="right").clip(0, customers.n - 1)
    not_before = np.maximum(np.where(known, customers.created_us[who], 0), window.start_us)
    started = sample_times(rng, day_weights(window), window, not_before)
    # A visit before sign-up or after the customer lapsed is an anonymous one.
    known &= (started >= customers.created_us[who]) & (started <= customers.lapse_us[who])
    customer_id = np.where(known, customers.ids[who], NULL_ID)
    geo_index = np.where(known, customers.geo_index[who], choice_codes(rng, geo_weight, n))
    source = choice_codes(rng, _weights(TRAFFIC_WEIGHTS, TRAFFIC_CONVERSION, False), n)
    sessions = Sessions(
        customer_id=customer_id.astype(np.int64),
        started_us=started,
        device=choice_codes(rng, _weights((0.45, 0.47, 0.08), DEVICE_CONVERSION, False), n),
        source=source,
        campaign_id=_campaigns(rng, source, started, lookup, first_day),
        geo_id=(geo_index + 1).astype(np.int64),
        landing_page=choice_codes(rng, (0.3, 0.25, 0.25, 0.1, 0.07, 0.03), n),
    )
    idx = np.arange(n, dtype=np.int64) + offset
    kind = choice_codes(rng, KIND_WEIGHTS, n)
    views = 1 + rng.poisson(0.5, n)
    v_session = np.repeat(idx, views)
    v_product = draw(rng, product_cdf, len(v_session))
    local = v_session - offset
    v_ts = started[local] + rng.integers(5, 600, len(v_session)) * SECOND
    events.add(v_session, v_ts, "VIEW_PRODUCT", v_product)
    search = np.flatnonzero(rng.random(n) < 0.3)
    events.add(search + offset, started[search] + 3 * SECOND, "SEARCH")
    first_view = np.cumsum(views) - views
    carts = np.flatnonzero(kind >= 1)
    cart_product = v_product[first_view[carts]]
    cart_ts = v_ts[first_view[carts]] + rng.integers(20, 200, len(carts)) * SECOND
    events.add(carts + offset, cart_ts, "ADD_TO_CART", cart_product)
    removes = carts[rng.random(len(carts)) < 0.2]
    events.add(
        removes + offset,
        started[removes] + 900 * SECOND,
        "REMOVE_FROM_CART",
        v_product[first_view[removes]],
    )
    checkouts = np.flatnonzero(kind == 2)
    events.add(checkouts + offset, started[checkouts] + 1_200 * SECOND, "CHECKOUT_STARTED")
    return sessions


__all__ = ["NULL_TS", "Events", "Sessions", "browsing_sessions", "order_sessions"]


def join_sessions(a: Sessions, b: Sessions) -> Sessions:
    return Sessions(
        **{
            name: np.concatenate([getattr(a, name), getattr(b, name)])
            for name in Sessions.__dataclass_fields__
        }
    )


def session_frame(s: Sessions, ids: I64) -> Frame:
    return {
        "session_id": ids,
        "customer_id": s.customer_id,
        "started_at": s.started_us,
        "device": categorical(DEVICES, s.device),
        "traffic_source": categorical(TRAFFIC_SOURCES, s.source),
        "campaign_id": s.campaign_id,
        "geo_id": s.geo_id,
        "landing_page": categorical(LANDING_PAGES, s.landing_page),
    }


def event_frame(events: Events, session_ids: I64, event_ids: I64) -> Frame:
    """Landing rows of the events; consumes ``events``."""
    product = events.pop_column("product")
    return {
        "event_id": event_ids,
        "session_id": session_ids[events.pop_column("session")],
        "event_ts": events.pop_column("ts"),
        "stage": categorical(FUNNEL_STAGES, events.pop_column("stage")),
        "product_id": np.where(product >= 0, product.astype(np.int64) + 1, NULL_ID),
        "order_id": events.pop_column("order_id"),
        "failure_reason": categorical(FAILURE_REASONS, events.pop_column("reason")),
    }
