"""``globalcart refresh [--watch]`` (the refresh worker) and ``globalcart simulate``."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.live import Live
from rich.table import Table

from globalcart.cli.app import DatabaseOption, console, fail, open_warehouse
from globalcart.config import get_settings


def _summary(result: object) -> str:
    from globalcart.refresh.core import RefreshResult

    assert isinstance(result, RefreshResult)
    if result.status == "skipped":
        return "another refresh is running: skipped"
    if result.status == "idle":
        return "nothing new"
    labels = f"; KPI snapshots {result.before_label or '–'} → {result.after_label or '–'}"
    return (
        f"refresh {result.run_id}: {result.app_rows:,} storefront rows, "
        f"{result.files_loaded} landing files, build {result.build_run_id} "
        f"in {result.duration_ms / 1000:.2f} s{labels}"
    )


def refresh_command(
    watch: Annotated[
        bool, typer.Option("--watch", help="Keep refreshing every --interval seconds (a worker).")
    ] = False,
    interval: Annotated[
        float | None,
        typer.Option(
            min=0.1, help="Seconds between refreshes (default: GLOBALCART_REFRESH_SECONDS)."
        ),
    ] = None,
    watch_dir: Annotated[
        Path | None,
        typer.Option(help="Folder of landing batches to pick up (default: GLOBALCART_WATCH_DIR)."),
    ] = None,
    database: DatabaseOption = None,
) -> None:
    """Bring new storefront rows and watched landing batches into the warehouse and KPIs.

    One refresh: ingest the storefront (app.*), load new batches of the watched folder, run the
    incremental build and keep KPI snapshots before and after it (only when something is new).
    With --watch it runs until stopped (Ctrl-C), retrying failures with exponential backoff; only
    one refresh runs at a time per database, a second worker skips.
    """
    from globalcart.refresh.core import RefreshError, refresh_once
    from globalcart.refresh.worker import RefreshWorker

    settings = get_settings()
    folder = watch_dir or settings.watch_dir
    seconds = interval if interval is not None else settings.refresh_seconds
    with open_warehouse(database) as warehouse:
        if not watch:
            try:
                with console.status("Refreshing …"):
                    result = refresh_once(warehouse, watch_dir=folder)
            except RefreshError as exc:
                raise fail(str(exc)) from None
            console.print(f"[green]Refresh[/]: {_summary(result)}.")
            return
        if seconds <= 0:
            raise fail("--watch needs an interval above 0 seconds (--interval)")

        def report(result: object | None, error: str | None) -> None:
            stamp = time.strftime("%H:%M:%S")
            if error is not None:
                console.print(f"{stamp} [red]failed[/]: {error}")
            elif result is not None and getattr(result, "status", "") != "idle":
                console.print(f"{stamp} {_summary(result)}")

        worker = RefreshWorker(
            warehouse,
            seconds,
            watch_dir=folder,
            max_backoff=settings.refresh_max_backoff_seconds,
            on_result=report,
        )
        console.print(
            f"Refreshing {warehouse.url.split('@')[-1]} every {seconds:g} s, watching {folder} "
            "(Ctrl-C stops)."
        )
        try:
            worker.run()
        except KeyboardInterrupt:
            console.print("Stopped.")


def _table(stats: object, rate: float) -> Table:
    from globalcart.refresh.simulate import SimulationStats

    assert isinstance(stats, SimulationStats)
    table = Table(title=f"Simulated store — {stats.elapsed:,.0f} s, target {rate:g} orders/s")
    table.add_column("what")
    table.add_column("count", justify="right")
    for name in ("signups", "sessions", "events", "carts", "orders", "payment_failures",
                 "cancellations", "deliveries", "returns", "refunds", "out_of_stock",
                 "skipped_behind", "errors"):  # fmt: skip
        table.add_row(name.replace("_", " "), f"{stats.get(name):,}")
    orders = stats.get("orders")
    table.add_row("orders / s", f"{orders / stats.elapsed:.2f}" if stats.elapsed else "–")
    if stats.last_error:
        table.caption = f"last error: {stats.last_error}"
    return table


def simulate_command(
    rate: Annotated[float, typer.Option(min=0.01, max=1000, help="Orders per second.")] = 1.0,
    duration: Annotated[
        float | None, typer.Option(min=1, help="Seconds to run (default: until Ctrl-C).")
    ] = None,
    base_url: Annotated[str, typer.Option(help="The running store.")] = "http://127.0.0.1:8000",
    api_key: Annotated[
        str | None,
        typer.Option(
            envvar="GLOBALCART_SIMULATE_API_KEY",
            help="Admin API key (scope admin) to also deliver orders and settle returns.",
        ),
    ] = None,
    seed: Annotated[int | None, typer.Option(help="Random seed.")] = None,
    workers: Annotated[int, typer.Option(min=1, max=64, help="Concurrent shoppers.")] = 4,
) -> None:
    """Play a live store through the storefront API: sign-ups, browsing, carts, checkouts
    (some payments fail), cancellations and — with an admin API key — deliveries, returns and
    refunds, at --rate orders per second. Run `globalcart serve` first."""
    import httpx

    from globalcart.refresh.simulate import SimulationConfig, SimulationError, StoreSimulator

    config = SimulationConfig(rate=rate, duration=duration, seed=seed, workers=workers)

    def make_client() -> httpx.Client:
        return httpx.Client(base_url=base_url, timeout=30.0)

    try:
        simulator = StoreSimulator(make_client, config, admin_key=api_key)
        simulator.connect()
    except SimulationError as exc:
        raise fail(str(exc)) from None
    if api_key is None:
        console.print("No admin API key: deliveries, returns and refunds are not simulated.")
    stop = threading.Event()
    runner = threading.Thread(target=simulator.run, args=(stop,), daemon=True)
    runner.start()
    try:
        with Live(_table(simulator.stats, rate), console=console, refresh_per_second=2) as live:
            while runner.is_alive():
                runner.join(0.5)
                live.update(_table(simulator.stats, rate))
    except KeyboardInterrupt:
        stop.set()
        runner.join(30)
    if not console.is_terminal:  # Live leaves no line break after its last frame there
        console.print()
    console.print(f"[green]Done[/]: {simulator.stats.get('orders'):,} orders placed.")
