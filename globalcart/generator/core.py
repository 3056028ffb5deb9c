"""Run one batch of the synthetic store: the base run, or an incremental continuation."""

from __future__ import annotations

import datetime as dt
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from globalcart import __version__
from globalcart.generator import render
from globalcart.generator.anomalies import BAD_ID_BASE, AnomalyInjector
from globalcart.generator.arrow import to_arrow
from globalcart.generator.calendar import (
    US_PER_DAY,
    Window,
    day_weights,
    promo_day_mask,
)
from globalcart.generator.catalog import Catalog, build_catalog, price_changes, product_rows
from globalcart.generator.clickstream import (
    NON_CONVERTING_PER_ORDER,
    Events,
    browsing_sessions,
    event_frame,
    join_sessions,
    order_sessions,
    session_frame,
)
from globalcart.generator.customers import (
    CustomerBase,
    customer_changes,
    customer_rows,
    new_customers,
    withhold_late_customers,
)
from globalcart.generator.frames import NULL_ID, Frame, concat, take
from globalcart.generator.inventory import (
    Demand,
    StockState,
    account_demand,
    demand_for_window,
    initial_stock,
    simulate_stock,
)
from globalcart.generator.lifecycle import simulate_lifecycle
from globalcart.generator.orders import allocate_orders, build_orders, checkout_failures
from globalcart.generator.output import (
    STATE_DIR,
    LandingWriter,
    ProgressCallback,
    _noop,
    prepare_out,
    write_manifest,
)
from globalcart.generator.params import ORDERS_PER_CHUNK, GenerateParams
from globalcart.generator.payments import ATTEMPT_GAP_US, choose_payment, failed_attempts
from globalcart.generator.pools import (
    FULFILLMENT_CENTERS,
    name_pools,
)
from globalcart.generator.reference import (
    build_campaigns,
    build_geography,
    campaign_frame,
    fc_frame,
    fx_frame,
    geo_frame,
    rate_matrix,
    spend_frame,
)
from globalcart.generator.simulated import SimulatedOrders, concat_orders, empty_orders
from globalcart.generator.state import GeneratorState, load_state, save_state

I64 = npt.NDArray[np.int64]
NEW_CUSTOMERS_PER_ORDER = {True: 0.5, False: 0.2}  # base run, incremental batch
ID_NAMES = ("customer", "session", "event", "order", "payment", "shipment", "return", "bad")


@dataclass
class BatchContext:
    params: GenerateParams
    state: GeneratorState
    window: Window
    writer: LandingWriter
    injector: AnomalyInjector
    streams: list[np.random.Generator]

    @property
    def as_of(self) -> int:
        return self.window.end_us

    def next_ids(self, name: str, n: int) -> I64:
        first = self.state.next_ids[name]
        self.state.next_ids[name] = first + n
        return np.arange(first, first + n, dtype=np.int64)


def generate(
    params: GenerateParams,
    progress: ProgressCallback = _noop,
    overwrite: bool = False,
    from_dir: Path | None = None,
) -> dict[str, Any]:
    """Generate a landing batch into ``params.out`` and return its manifest.

    Without ``from_dir`` this is a base run over ``params.n_days`` days ending at
    ``params.end_date``; with it, an incremental batch that continues the run found there.
    """
    params.validate()
    if from_dir is not None and from_dir.resolve() == params.out.resolve():
        raise FileExistsError("--out must differ from --from for an incremental batch")
    previous = load_state(from_dir / STATE_DIR) if from_dir is not None else None
    prepare_out(params.out, overwrite)
    if previous is None:
        window = Window(params.end_date - dt.timedelta(days=params.n_days - 1), params.end_date)
    else:
        start = dt.date(1970, 1, 1) + dt.timedelta(days=previous.last_end_us // US_PER_DAY)
        window = Window(start, start + dt.timedelta(days=params.n_days - 1))
    seed = params.seed if previous is None else previous.seed
    batch_no = 0 if previous is None else previous.batch_no + 1
    streams = [np.random.default_rng(s) for s in np.random.SeedSequence([seed, batch_no]).spawn(16)]
    state = previous if previous is not None else _initial_state(params, window, streams[0])
    state.batch_no = batch_no
    writer = LandingWriter(
        params.out,
        params.file_format,
        chunked=params.n_orders > ORDERS_PER_CHUNK,
        progress=progress,
    )
    injector = AnomalyInjector(
        streams[1], params.bad_rate, window.extracted_us, next_bad_id=state.next_ids["bad"]
    )
    ctx = BatchContext(params, state, window, writer, injector, streams)
    try:
        _run_batch(ctx, is_base=previous is None)
    finally:
        writer.finish()
    state.next_ids["bad"] = injector.next_bad_id
    state.last_end_us = window.end_us
    save_state(params.out / STATE_DIR, state)
    header = {
        "generator": f"globalcart {__version__}",
        "batch_id": "base" if batch_no == 0 else f"incremental-{batch_no:03d}",
        "batch_no": batch_no,
        "incremental_from": str(from_dir) if from_dir is not None else None,
        "parameters": {**params.as_json(), "seed": seed},
        "window": {"start": f"{window.start} 00:00:00", "end": f"{window.end} 23:59:59"},
        "extracted_at": str(np.datetime64(window.extracted_us, "us").astype("datetime64[s]")),
    }
    return write_manifest(params.out, writer, header, injector.counts)


def _initial_state(
    params: GenerateParams, window: Window, rng: np.random.Generator
) -> GeneratorState:
    catalog = build_catalog(rng, params.spec.products, window.start_us - 30 * US_PER_DAY)
    campaigns = build_campaigns(rng, window, params.n_orders / window.n_days)
    n_cells = catalog.n * len(FULFILLMENT_CENTERS)
    empty_stock = StockState(*(np.zeros(n_cells, np.int64) for _ in range(5)))
    return GeneratorState(
        seed=params.seed,
        batch_no=0,
        scale=params.scale,
        last_end_us=window.start_us,
        snapshot_anchor_day=window.end_us // US_PER_DAY - 1,
        next_ids=dict.fromkeys(ID_NAMES, 1) | {"bad": BAD_ID_BASE},
        customers=CustomerBase(
            ids=np.array([], np.int64),
            created_us=np.array([], np.int64),
            segment=np.array([], np.int64),
            geo_index=np.array([], np.int64),
            propensity=np.array([], np.float64),
            lapse_us=np.array([], np.int64),
        ),
        catalog=catalog,
        campaigns=campaigns,
        stock=empty_stock,
        pending=empty_orders(),
        withheld={},
    )


def _emit(ctx: BatchContext, table: str, frame: Frame, part: int | None = None) -> None:
    _write(ctx, table, to_arrow(table, frame, ctx.window.extracted_us), part)


def _write(ctx: BatchContext, table: str, data: pa.Table, part: int | None = None) -> None:
    ctx.writer.write(table, ctx.injector.inject(table, data), part)


def _run_batch(ctx: BatchContext, is_base: bool) -> None:
    params, state, window, rng = ctx.params, ctx.state, ctx.window, ctx.streams
    geo = build_geography()
    pools = name_pools(state.seed)
    if is_base:
        _emit(ctx, "geo", geo_frame(geo))
        _emit(ctx, "fulfillment_centers", fc_frame(geo))
        _emit(ctx, "campaigns", campaign_frame(state.campaigns))
    _emit(ctx, "fx_rates", fx_frame(window, state.seed))
    _emit(ctx, "marketing_spend", spend_frame(rng[2], state.campaigns, window))

    previous_count = state.customers.n
    n_new = max(1, round(params.n_orders * NEW_CUSTOMERS_PER_ORDER[is_base]))
    joined = new_customers(rng[3], n_new, state.next_ids["customer"], window, geo)
    ctx.next_ids("customer", n_new)
    state.customers = state.customers.extend(joined)
    new_rows = customer_rows(joined, pools, state.seed)
    changes = customer_changes(
        rng[3], state.customers, pools, state.seed, geo, window.start_us, window.end_us
    )

    price_changes(rng[4], state.catalog, window)
    products = product_rows(state.catalog, pools, None if is_base else window.start_us)
    _emit(ctx, "products", products)

    buyer, ts = allocate_orders(
        rng[5], state.customers, params.n_orders, window, day_weights(window)
    )
    rate = params.bad_rate
    withheld = withhold_late_customers(rng[6], joined, buyer, previous_count, window, rate)
    held_ids = joined.ids[withheld.held]
    change_held = np.isin(np.asarray(changes.get("customer_id", [])), held_ids)
    delivered = [dict(state.withheld), take(new_rows, withheld.keep)]
    if changes:
        delivered.append(take(changes, np.flatnonzero(~change_held)))
    _emit(ctx, "customers", concat(delivered))
    held_rows = [take(new_rows, withheld.held)]
    if changes:
        held_rows.append(take(changes, np.flatnonzero(change_held)))
    state.withheld = concat(held_rows)
    ctx.injector.count("customers", "late_arriving_customer", len(withheld.held))

    _simulate_orders(ctx, buyer, ts, geo)


def _simulate_orders(ctx: BatchContext, buyer: I64, ts: I64, geo: Any) -> None:
    _params, state, window = ctx.params, ctx.state, ctx.window
    rates = rate_matrix(window, state.seed)
    promo_days = promo_day_mask(window)
    cdfs = state.catalog.sampling_tables()
    first_day = int(state.campaigns.start_day.min())
    lookup = state.campaigns.active_lookup(
        ctx.streams[7], first_day, int(state.campaigns.end_day.max()) - first_day + 1
    )
    demand = _demand_for_window(ctx)
    n_chunks = max(1, -(-len(buyer) // ORDERS_PER_CHUNK))
    unknown_left = _unknown_customer_budget(ctx, len(buyer))
    pending: list[SimulatedOrders] = []
    for c in range(n_chunks):
        rng = np.random.default_rng(np.random.SeedSequence([state.seed, state.batch_no, 100 + c]))
        part = c if ctx.writer.chunked else None
        lo, hi = c * ORDERS_PER_CHUNK, min((c + 1) * ORDERS_PER_CHUNK, len(buyer))
        sim = _chunk_orders(ctx, rng, buyer[lo:hi], ts[lo:hi], geo, rates, promo_days, cdfs)
        if unknown_left:
            held = np.asarray(state.withheld.get("customer_id", np.array([], dtype=np.int64)))
            unknown_left -= ctx.injector.unknown_customers(rng, sim.customer_id, held, unknown_left)
        previous = state.pending if c == 0 else None
        _emit_chunk(ctx, rng, sim, previous, lookup, first_day, cdfs[1], geo, part)
        account_demand(demand, sim)
        if previous is not None:
            account_demand(demand, previous)
            pending.append(previous.pending_at(ctx.as_of))
        pending.append(sim.pending_at(ctx.as_of))
    state.pending = concat_orders(pending)
    _emit_inventory(ctx, demand)


def _chunk_orders(
    ctx: BatchContext,
    rng: np.random.Generator,
    buyer: I64,
    ts: I64,
    geo: Any,
    rates: npt.NDArray[np.float64],
    promo_days: npt.NDArray[np.bool_],
    cdfs: list[npt.NDArray[np.int32]],
) -> SimulatedOrders:
    customers = ctx.state.customers
    country = geo.country_index[customers.geo_index[buyer]]
    choice = choose_payment(rng, country)
    spawn_buyer, spawn_ts = checkout_failures(rng, len(buyer), buyer, ts, choice.fail_p)
    all_buyer = np.concatenate([buyer, spawn_buyer])
    # Checkout (and all its payment attempts) completes before the extract closes the window.
    latest_checkout = ctx.window.end_us - 600 * 1_000_000
    all_ts = np.clip(np.concatenate([ts, spawn_ts]), ctx.window.start_us, latest_checkout)
    is_paid = np.concatenate([np.ones(len(buyer), bool), np.zeros(len(spawn_buyer), bool)])
    order = np.argsort(all_ts, kind="stable")
    all_buyer, all_ts, is_paid = all_buyer[order], all_ts[order], is_paid[order]
    country = geo.country_index[customers.geo_index[all_buyer]]
    choice = choose_payment(rng, country)
    batch = build_orders(
        rng,
        all_buyer,
        all_ts,
        is_paid,
        customers,
        ctx.state.catalog,
        geo,
        rates,
        ctx.window,
        promo_days,
        cdfs,
    )
    fails = failed_attempts(rng, choice.fail_p, is_paid)
    paid_us = all_ts + (fails + 1) * ATTEMPT_GAP_US
    life, returns = simulate_lifecycle(rng, batch, paid_us, geo, ctx.state.catalog.category)
    n = batch.n
    attempts = fails + is_paid.astype(np.int64)
    first_payment = ctx.next_ids("payment", int(attempts.sum()))[0] if n else 1
    return SimulatedOrders(
        batch=batch,
        life=life,
        returns=returns,
        payment=choice,
        failed_attempts=fails,
        order_id=ctx.next_ids("order", n),
        session_id=np.full(n, NULL_ID, dtype=np.int64),
        customer_id=customers.ids[all_buyer],
        first_payment_id=first_payment + np.cumsum(attempts) - attempts,
        shipment_id=ctx.next_ids("shipment", n),
        return_id=ctx.next_ids("return", len(returns.line)),
    )


def _unknown_customer_budget(ctx: BatchContext, n_orders: int) -> int:
    if ctx.params.bad_rate <= 0:
        return 0
    return max(1, round(ctx.params.bad_rate * n_orders / 4))


def _emit_chunk(
    ctx: BatchContext,
    rng: np.random.Generator,
    sim: SimulatedOrders,
    previous: SimulatedOrders | None,
    lookup: I64,
    first_day: int,
    product_cdf: npt.NDArray[np.int32],
    geo: Any,
    part: int | None,
) -> None:
    events = Events()
    ordered = order_sessions(rng, sim, lookup, first_day, product_cdf, events)
    n_browse = round(sim.batch.is_paid.sum() * NON_CONVERTING_PER_ORDER)
    span = _chunk_window(ctx.window, sim.batch.ts_us)
    browse = browsing_sessions(
        rng,
        n_browse,
        ctx.state.customers,
        span,
        geo.weight,
        lookup,
        first_day,
        product_cdf,
        events,
        offset=ordered.n,
    )
    sessions = join_sessions(ordered, browse)
    rank = np.empty(sessions.n, dtype=np.int64)
    rank[np.argsort(sessions.started_us, kind="stable")] = np.arange(sessions.n)
    session_ids = ctx.next_ids("session", sessions.n)[rank]
    sim.session_id = session_ids[: sim.batch.n]
    event_ids = ctx.next_ids("event", events.size())
    extracted = ctx.window.extracted_us

    def clickstream_tables() -> tuple[pa.Table, pa.Table]:
        events_table = to_arrow(
            "funnel_events", event_frame(events, session_ids, event_ids), extracted
        )
        return events_table, to_arrow("sessions", session_frame(sessions, session_ids), extracted)

    # The clickstream is the biggest output: build its Arrow tables on a second thread (Arrow
    # releases the GIL) while this one renders the orders. Anomalies are still injected here,
    # in a fixed order, so the files stay deterministic.
    with ThreadPoolExecutor(max_workers=1) as converter:
        clickstream = converter.submit(clickstream_tables)
        _emit_orders(ctx, sim, previous, part)
        events_table, sessions_table = clickstream.result()
    _write(ctx, "funnel_events", events_table, part)
    _write(ctx, "sessions", sessions_table, part)


def _emit_orders(
    ctx: BatchContext, sim: SimulatedOrders, previous: SimulatedOrders | None, part: int | None
) -> None:
    """The order tables of a chunk, plus what changed since the last batch for pending orders."""
    as_of, since = ctx.as_of, ctx.state.last_end_us
    frames: dict[str, list[Frame]] = {
        "orders": [render.order_rows(sim, as_of, None)],
        "order_items": [render.item_rows(sim, None)],
        "payments": [render.payment_rows(sim, as_of, None)],
        "shipments": [render.shipment_rows(sim, as_of, None)],
        "returns": [render.return_rows(sim, as_of, None)],
    }
    if previous is not None and previous.batch.n:
        frames["orders"].append(render.order_rows(previous, as_of, since))
        frames["payments"].append(render.payment_rows(previous, as_of, since))
        frames["shipments"].append(render.shipment_rows(previous, as_of, since))
        frames["returns"].append(render.return_rows(previous, as_of, since))
    for table, parts in frames.items():
        _emit(ctx, table, concat(parts), part)


def _chunk_window(window: Window, ts: I64) -> Window:
    first = dt.date(1970, 1, 1) + dt.timedelta(days=int(ts.min() // US_PER_DAY))
    last = dt.date(1970, 1, 1) + dt.timedelta(days=int(ts.max() // US_PER_DAY))
    return Window(max(first, window.start), min(last, window.end))


def _demand_for_window(ctx: BatchContext) -> Demand:
    anchor = ctx.state.snapshot_anchor_day
    weeks = ctx.params.spec.inventory_weeks if ctx.state.batch_no == 0 else None
    return demand_for_window(
        ctx.window, anchor, weeks, ctx.state.catalog.n * len(FULFILLMENT_CENTERS)
    )


def _emit_inventory(ctx: BatchContext, demand: Demand) -> None:
    state = ctx.state
    n_fc = len(FULFILLMENT_CENTERS)
    if state.batch_no == 0:
        state.stock = initial_stock(ctx.streams[8], demand)
    products = np.repeat(np.arange(1, state.catalog.n + 1, dtype=np.int64), n_fc)
    fcs = np.tile(np.arange(1, n_fc + 1, dtype=np.int64), state.catalog.n)
    frame = simulate_stock(ctx.streams[9], state.stock, demand, products, fcs)
    _emit(ctx, "inventory_snapshots", frame)


__all__ = ["Catalog", "generate"]
