"""A live store played through the real storefront HTTP API (``globalcart simulate``).

Each journey is one shopper's visit: browsing events, a cart, a checkout whose simulated payment
sometimes fails (then is retried or abandoned), and afterwards a cancellation, or — with an
admin API key — a delivery, a return and its refund. Visits that only browse come between
orders. Journeys start at ``rate`` orders per second on a small thread pool; the HTTP client
can be an ``httpx.Client`` on a server or a ``TestClient`` on an app in the same process.
"""

from __future__ import annotations

import random
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import httpx

ClientFactory = Callable[[], httpx.Client]
PASSWORD = "Simulated-shopper-2026!"
RETURN_REASONS = ("damaged", "wrong_item", "not_as_described", "changed_mind")


class SimulationError(Exception):
    """The store cannot be simulated (server unreachable, no products, bad options)."""


@dataclass(frozen=True)
class SimulationConfig:
    rate: float  # orders per second
    duration: float | None = None  # seconds; None runs until stopped
    seed: int | None = None
    shoppers: int = 15  # sign-ups are rate-limited per address: shoppers come back
    payment_failure_rate: float = 0.12
    retry_rate: float = 0.6  # a failed payment is retried (else the cart is abandoned)
    cancel_rate: float = 0.05
    deliver_rate: float = 0.7  # needs an admin API key
    return_rate: float = 0.12  # of delivered orders
    refund_rate: float = 0.9  # of returns
    browse_sessions: float = 1.2  # browse-only visits per order
    workers: int = 4


@dataclass
class SimulationStats:
    started: float = field(default_factory=time.monotonic)
    counts: dict[str, int] = field(default_factory=dict)
    last_error: str | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, name: str, n: int = 1) -> None:
        with self._lock:
            self.counts[name] = self.counts.get(name, 0) + n

    def error(self, message: str) -> None:
        with self._lock:
            self.counts["errors"] = self.counts.get("errors", 0) + 1
            self.last_error = message[:300]

    def get(self, name: str) -> int:
        return self.counts.get(name, 0)

    @property
    def elapsed(self) -> float:
        return time.monotonic() - self.started


@dataclass
class Shopper:
    client: httpx.Client
    lock: threading.Lock = field(default_factory=threading.Lock)


class StoreSimulator:
    """Plays shoppers against the API behind ``make_client`` (one client per shopper)."""

    def __init__(
        self, make_client: ClientFactory, config: SimulationConfig, admin_key: str | None = None
    ) -> None:
        if config.rate <= 0:
            raise SimulationError("the rate must be above 0 orders per second")
        self.make_client, self.config = make_client, config
        self.stats = SimulationStats()
        self.random = random.Random(config.seed)
        self.shoppers: list[Shopper] = []
        self.products: list[int] = []
        self.signups_open = True
        self._pick = threading.Lock()
        self.anonymous = make_client()
        self.admin = make_client() if admin_key else None
        if self.admin is not None:
            self.admin.headers["Authorization"] = f"Bearer {admin_key}"

    # -- setup ---------------------------------------------------------------------------------
    def connect(self) -> None:
        """Check the server answers and load the catalog; ``SimulationError`` otherwise."""
        client = self.make_client()
        try:
            answer = client.get("/healthz")
            if answer.status_code != 200:
                raise SimulationError(f"the server is not healthy: HTTP {answer.status_code}")
            for offset in range(0, 300, 100):
                page = client.get("/api/customer/products", params={"limit": 100, "offset": offset})
                if page.status_code != 200:
                    raise SimulationError(f"cannot list products: HTTP {page.status_code}")
                items = page.json()["items"]
                self.products += [int(i["product_id"]) for i in items if i["available"] > 0]
                if len(items) < 100:
                    break
        except httpx.TransportError as exc:
            raise SimulationError(
                f"cannot reach the store at {client.base_url}: {exc} (is `globalcart serve` "
                "running?)"
            ) from None
        if not self.products:
            raise SimulationError("the store has no products in stock to sell")
        if self.admin is not None:
            probe = self.admin.get("/api/admin/freshness")
            if probe.status_code != 200:
                raise SimulationError(f"the admin API key was refused: HTTP {probe.status_code}")

    def _shopper(self) -> Shopper | None:
        with self._pick:
            grow = self.signups_open and len(self.shoppers) < self.config.shoppers
            if not grow and self.shoppers:
                return self.random.choice(self.shoppers)
        if grow:
            client = self.make_client()
            email = f"sim-{uuid.uuid4().hex[:12]}@shop.example"
            answer = client.post("/api/auth/signup", json={"email": email, "password": PASSWORD})
            if answer.status_code == 201:
                client.headers["X-CSRF-Token"] = answer.json()["csrf_token"]
                shopper = Shopper(client)
                with self._pick:
                    self.shoppers.append(shopper)
                self.stats.add("signups")
                return shopper
            if answer.status_code == 429:  # sign-ups limited: the known shoppers come back
                self.signups_open = False
            else:
                self.stats.error(f"sign-up: HTTP {answer.status_code} {answer.text[:120]}")
        with self._pick:
            return self.random.choice(self.shoppers) if self.shoppers else None

    # -- one visit ----------------------------------------------------------------------------
    def _events(self, client: httpx.Client, session: str, events: list[dict[str, Any]]) -> None:
        answer = client.post("/api/events", json={"session_id": session, "events": events})
        if answer.status_code == 202:
            self.stats.add("events", len(events))
        else:
            self.stats.error(f"events: HTTP {answer.status_code}")

    def browse(self) -> None:
        """A visit that looks around and leaves (sometimes after adding to the cart)."""
        shopper = self._shopper()
        client = shopper.client if shopper else self.anonymous
        session = f"sim-{uuid.uuid4().hex}"
        picks = self.random.sample(self.products, min(len(self.products), 3))
        events = [{"stage": "VIEW_PRODUCT", "product_id": p} for p in picks]
        if self.random.random() < 0.3:
            events.append({"stage": "ADD_TO_CART", "product_id": picks[0]})
            events.append({"stage": "REMOVE_FROM_CART", "product_id": picks[0]})
        self._events(client, session, events)
        self.stats.add("sessions")

    def order(self) -> None:
        """A visit that buys (unless every payment attempt fails)."""
        shopper = self._shopper()
        if shopper is None:
            self.stats.error("no shopper could sign up")
            return
        with shopper.lock:  # one visit at a time per account: carts are per customer
            self._order(shopper.client)

    def _order(self, client: httpx.Client) -> None:
        cfg, rnd = self.config, self.random
        session = f"sim-{uuid.uuid4().hex}"
        self.stats.add("sessions")
        picks = rnd.sample(self.products, min(len(self.products), rnd.randint(1, 3)))
        self._events(client, session, [{"stage": "VIEW_PRODUCT", "product_id": p} for p in picks])
        for product in picks:
            added = client.post(
                "/api/customer/cart/items", json={"product_id": product, "qty": rnd.randint(1, 2)}
            )
            if added.status_code != 200:
                self.stats.add("out_of_stock" if added.status_code == 409 else "cart_errors")
                self._empty_cart(client)
                return
        self.stats.add("carts")
        cart = [{"stage": "ADD_TO_CART", "product_id": p} for p in picks]
        self._events(client, session, [*cart, {"stage": "CHECKOUT_STARTED"}])
        order_id = self._pay(client, session)
        if order_id is None:
            return
        if rnd.random() < cfg.cancel_rate:
            answer = client.post(f"/api/customer/orders/{order_id}/cancel")
            self.stats.add("cancellations" if answer.status_code == 200 else "cancel_errors")
        elif self.admin is not None and rnd.random() < cfg.deliver_rate:
            self._deliver_and_return(client, order_id)

    def _pay(self, client: httpx.Client, session: str) -> str | None:
        cfg, rnd = self.config, self.random
        while True:
            failing = rnd.random() < cfg.payment_failure_rate
            outcome = rnd.choice(("card_declined", "bank_down")) if failing else "success"
            answer = client.post(
                "/api/customer/checkout",
                json={"simulate": outcome},
                headers={"Idempotency-Key": f"sim-{uuid.uuid4().hex}"},
            )
            self._events(client, session, [{"stage": "PAYMENT_ATTEMPTED"}])
            if answer.status_code == 201:
                order_id = str(answer.json()["order_id"])
                self._events(client, session, [{"stage": "ORDER_PLACED", "order_id": order_id}])
                self.stats.add("orders")
                return order_id
            if answer.status_code == 402:
                self.stats.add("payment_failures")
                failed = {"stage": "PAYMENT_FAILED", "failure_reason": outcome}
                self._events(client, session, [failed])
                if rnd.random() < cfg.retry_rate:
                    continue
                self._empty_cart(client)
                return None
            self.stats.add("out_of_stock" if answer.status_code == 409 else "checkout_errors")
            if answer.status_code != 409:
                self.stats.error(f"checkout: HTTP {answer.status_code} {answer.text[:120]}")
            self._empty_cart(client)
            return None

    def _empty_cart(self, client: httpx.Client) -> None:
        cart = client.get("/api/customer/cart")
        if cart.status_code == 200:
            for line in cart.json()["lines"]:
                client.delete(f"/api/customer/cart/lines/{line['line_id']}")

    def _deliver_and_return(self, client: httpx.Client, order_id: str) -> None:
        assert self.admin is not None
        cfg, rnd = self.config, self.random
        delivered = self.admin.post(f"/api/admin/shop/orders/{order_id}/deliver")
        if delivered.status_code != 200:
            self.stats.error(f"deliver: HTTP {delivered.status_code} {delivered.text[:120]}")
            return
        self.stats.add("deliveries")
        if rnd.random() >= cfg.return_rate:
            return
        body = {"line_no": 1, "qty": 1, "reason": rnd.choice(RETURN_REASONS)}
        requested = client.post(f"/api/customer/orders/{order_id}/returns", json=body)
        if requested.status_code != 201:
            self.stats.error(f"return: HTTP {requested.status_code} {requested.text[:120]}")
            return
        self.stats.add("returns")
        approve = rnd.random() < cfg.refund_rate
        settled = self.admin.post(
            f"/api/admin/shop/returns/{requested.json()['return_id']}/settle",
            json={"approve": approve},
        )
        if settled.status_code == 200 and settled.json()["status"] == "refunded":
            self.stats.add("refunds")

    # -- the clock -------------------------------------------------------------------------------
    def _safely(self, journey: Callable[[], None]) -> None:
        try:
            journey()
        except httpx.TransportError as exc:
            self.stats.error(f"connection: {exc}")
        except (KeyError, ValueError) as exc:
            self.stats.error(f"unexpected answer: {exc}")

    def run(self, stop: threading.Event | None = None) -> SimulationStats:
        """Start journeys at the configured rate until ``duration`` passes or ``stop`` is set."""
        stop = stop or threading.Event()
        cfg = self.config
        self.stats.started = time.monotonic()
        pending: list[Future[None]] = []
        with ThreadPoolExecutor(max_workers=cfg.workers, thread_name_prefix="sim") as pool:
            tick, started = 0, time.monotonic()
            while not stop.is_set():
                if cfg.duration is not None and time.monotonic() - started >= cfg.duration:
                    break
                pending = [f for f in pending if not f.done()]
                if len(pending) < cfg.workers * 4:  # behind schedule: skip rather than pile up
                    pending.append(pool.submit(self._safely, self.order))
                    visits = int(cfg.browse_sessions) + (
                        self.random.random() < cfg.browse_sessions % 1
                    )
                    pending += [pool.submit(self._safely, self.browse) for _ in range(visits)]
                else:
                    self.stats.add("skipped_behind")
                tick += 1
                stop.wait(max(0.0, started + tick / cfg.rate - time.monotonic()))
        return self.stats
