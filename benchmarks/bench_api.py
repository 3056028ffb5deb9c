"""Benchmark the API service over HTTP, as a client sees it.

kpis      KPI endpoints on ONE uvicorn worker (``globalcart serve``) over a medium-scale DuckDB
          warehouse: p50/p95/p99 latency, requests/s and the server's CPU per request, per
          endpoint and for a mixed run. The load comes from ``wrk`` when it is on PATH (C, light
          enough to leave the server most of a 2-core machine; ``make bench-deps`` installs it):
          ``--wrk-threads`` threads, ``--concurrency`` connections, ``--seconds`` per endpoint
          (3x for the mixed run); otherwise (or with ``--client httpx``) from an asyncio httpx
          client with ``--concurrency`` requests in flight, ``--requests`` per endpoint.
          Both send the API key and ``Accept-Encoding: gzip``, as httpx does by default.
          Targets: p95 <= 50 ms and >= 1,000 requests/s.
checkout  Orders/s through the real storefront API on a fresh PostgreSQL database with
          ``--workers`` uvicorn workers. With wrk (the default when installed): ``--customers``
          customers with a session and a filled cart are written to the database, then wrk
          (``--wrk-threads``, ``--concurrency`` connections, ``--checkout-seconds``) sends each
          customer's checkout once with its own idempotency key (timed); with httpx: customers
          sign up and fill their carts over HTTP, then check out concurrently (timed). Then
          every checkout is retried with its key (must replay the same order, creating
          nothing). Target: >= 200 orders/s.

Usage: python benchmarks/bench_api.py [--part kpis|checkout|all] [--database duckdb:///…]
       [--client auto|wrk|httpx] [--seconds 5] [--wrk-threads 1] [--requests 1000]
       [--concurrency 32] [--customers 400] [--workers 2]
       [--postgres postgresql://…]  (default: GLOBALCART_TEST_DATABASE_URL)

Without ``--database`` the medium warehouse is built once into
``data/bench/api-medium.duckdb`` with ``globalcart pipeline --scale medium`` (a few minutes)
and reused afterwards. Prints tables and writes JSON to benchmarks/results/.
Customers are told apart by ``X-Forwarded-For`` (the service trusts it from 127.0.0.1 only), as
behind a local reverse proxy, so that the per-address sign-up limit applies per customer.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import platform
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import http_load as load
from api_checkout import bench_checkout, print_checkout
from http_load import Server, Wrk

ROOT = Path(__file__).resolve().parent
RESULTS = ROOT / "results"
PROJECT = ROOT.parent
BIN = Path(sys.executable).parent
DEFAULT_DATABASE = "duckdb:///./data/bench/api-medium.duckdb"
KPI_PATHS = (
    "/kpi/summary",
    "/metrics/daily",
    "/kpi/revenue",
    "/kpi/conversion?by=traffic_source",
    "/demand/top-products?limit=20",
    "/demand/by-category",
    "/cohorts/retention",
    "/api/kpis/net_revenue?compare=previous_period",
    "/api/kpis/orders?grain=week&start=2026-01-01&end=2026-06-30",
)
TARGET_P95_MS, TARGET_RPS = 50.0, 1000.0


def _globalcart(*args: str) -> str:
    done = subprocess.run(
        [str(BIN / "globalcart"), *args], cwd=PROJECT, capture_output=True, text=True
    )
    if done.returncode != 0:
        raise SystemExit(f"globalcart {' '.join(args)} failed:\n{done.stdout}{done.stderr}")
    return done.stdout


def _analyst_key(database: str) -> str:
    email = "bench-analyst@example.com"
    _globalcart("users", "create", "--email", email, "--role", "analyst", "--generate-password",
                "--exists-ok", "--database", database)  # fmt: skip
    out = _globalcart("users", "api-key", "--email", email, "--scope", "analytics:read",
                      "--name", "bench", "--database", database)  # fmt: skip
    found = re.search(r"gck_[A-Za-z0-9_-]+", out)
    if not found:
        raise SystemExit(f"no API key in the output of globalcart users api-key:\n{out}")
    return found.group(0)


async def _warm(
    server: Server, key: str, paths: tuple[str, ...], concurrency: int
) -> dict[str, float]:
    """The first (uncached) request of every path, then 50 more of each: wall ms of the first."""
    headers = {"Authorization": f"Bearer {key}"}
    cold: dict[str, float] = {}
    async with load.client(server.base, concurrency) as client:
        for path in paths:
            started = time.perf_counter()
            first = await client.get(path, headers=headers)
            cold[path] = round((time.perf_counter() - started) * 1000, 1)
            if first.status_code != 200:
                raise SystemExit(f"GET {path}: {first.status_code} {first.text[:500]}")
            await load.hammer(client, [path], 50, concurrency, headers)
    return cold


async def _kpis_httpx(server: Server, key: str, requests: int, concurrency: int) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {key}"}
    endpoints: dict[str, Any] = {}
    async with load.client(server.base, concurrency) as client:
        for path in KPI_PATHS:
            endpoints[path] = await load.measured(server, client, [path], requests, concurrency,
                                                  headers)  # fmt: skip
        mixed = await load.measured(server, client, KPI_PATHS, requests * 3, concurrency, headers)
    return {"endpoints": endpoints, "mixed": mixed}


def _kpis_wrk(server: Server, key: str, wrk: Wrk) -> dict[str, Any]:
    # the headers httpx sends by default that matter to the server: gzip is accepted
    headers = {"Authorization": f"Bearer {key}", "Accept-Encoding": "gzip, deflate"}
    endpoints = {path: load.wrk_measured(server, [path], headers, wrk) for path in KPI_PATHS}
    mixed_run = Wrk(wrk.threads, wrk.connections, wrk.seconds * 3)
    return {"endpoints": endpoints, "mixed": load.wrk_measured(server, KPI_PATHS, headers,
                                                               mixed_run)}  # fmt: skip


def bench_kpis(
    database: str, requests: int, concurrency: int, client: str, wrk: Wrk
) -> dict[str, Any]:
    if database == DEFAULT_DATABASE and not (PROJECT / "data/bench/api-medium.duckdb").exists():
        print("building the medium warehouse (a few minutes)…", flush=True)
        _globalcart("pipeline", "--scale", "medium", "--database", database)
    version = load.wrk_version()
    if client == "wrk" and version is None:
        raise SystemExit("wrk is not on PATH: `make bench-deps` (or apt-get install wrk)")
    use_wrk = client == "wrk" or (client == "auto" and version is not None)
    key = _analyst_key(database)
    load_before = os.getloadavg()[0]
    with load.server(database, workers=1) as server:
        cold = asyncio.run(_warm(server, key, KPI_PATHS, concurrency))
        if use_wrk:
            result = _kpis_wrk(server, key, wrk)
        else:
            result = asyncio.run(_kpis_httpx(server, key, requests, concurrency))
    for path, ms in cold.items():
        result["endpoints"][path] = {"first_request_ms": ms, **result["endpoints"][path]}
    if use_wrk:
        result["client"] = {"name": "wrk", "version": version, "threads": wrk.threads,
                            "connections": wrk.connections, "seconds_per_endpoint": wrk.seconds,
                            "seconds_mixed": wrk.seconds * 3}  # fmt: skip
    else:
        result["client"] = {"name": "httpx", "concurrency": concurrency,
                            "requests_per_endpoint": requests,
                            "requests_mixed": requests * 3}  # fmt: skip
    mixed = result["mixed"]
    worst_p95 = max(e["p95_ms"] for e in result["endpoints"].values())
    met = worst_p95 <= TARGET_P95_MS and mixed["rps"] >= TARGET_RPS
    result.update(
        database=database, concurrency=concurrency, within_target=met,
        load_average=round(max(load_before, os.getloadavg()[0]), 1),
        load_average_1_5_15=[round(x, 2) for x in os.getloadavg()],
    )  # fmt: skip
    return result


def _client_line(client: dict[str, Any]) -> str:
    if client["name"] == "wrk":
        return (f"client: wrk {client['version']} "
                f"(-t{client['threads']} -c{client['connections']}, "
                f"{client['seconds_per_endpoint']:g} s per endpoint, "
                f"{client['seconds_mixed']:g} s mixed)")  # fmt: skip
    return (f"client: httpx asyncio (concurrency {client['concurrency']}, "
            f"{client['requests_per_endpoint']} requests per endpoint, "
            f"{client['requests_mixed']} mixed; wrk not used)")  # fmt: skip


def _print_kpis(result: dict[str, Any]) -> None:
    print(f"\nKPI endpoints, 1 worker, DuckDB ({result['database']}), "
          f"concurrency {result['concurrency']}")  # fmt: skip
    print(_client_line(result["client"]))
    print(f"{'endpoint':<58} {'first':>6} {'p50':>7} {'p95':>7} {'p99':>7} {'req/s':>7} "
          f"{'err':>3} {'cpu ms':>7} {'req/s/core':>10}")  # fmt: skip
    rows = [*result["endpoints"].items(), ("mixed (all endpoints)", result["mixed"])]
    for path, s in rows:
        first = f"{s['first_request_ms']:.0f}" if "first_request_ms" in s else "-"
        print(f"{path:<58} {first:>6} {s['p50_ms']:>7} {s['p95_ms']:>7} {s['p99_ms']:>7} "
              f"{s['rps']:>7} {s['errors']:>3} {s['server_cpu_ms']:>7} "
              f"{s['rps_per_core'] or '-':>10}")  # fmt: skip
    print(f"targets p95 <= {TARGET_P95_MS:.0f} ms and >= {TARGET_RPS:.0f} req/s: "
          f"{'met' if result['within_target'] else 'MISSED'}; load average during the run: "
          f"{result['load_average']} (1/5/15 min after it: "
          f"{' '.join(map(str, result['load_average_1_5_15']))})")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--part", choices=("kpis", "checkout", "all"), default="all")
    parser.add_argument("--database", default=DEFAULT_DATABASE, help="DuckDB warehouse URL")
    parser.add_argument("--client", choices=("auto", "wrk", "httpx"), default="auto",
                        help="load generator (auto: wrk when on PATH)")  # fmt: skip
    parser.add_argument("--seconds", type=float, default=5.0, help="wrk: per KPI endpoint")
    parser.add_argument("--wrk-threads", type=int, default=1, help="wrk threads")
    parser.add_argument("--requests", type=int, default=1000, help="httpx: per KPI endpoint")
    parser.add_argument("--concurrency", type=int, default=32,
                        help="requests in flight (wrk: open connections)")  # fmt: skip
    parser.add_argument("--customers", type=int, default=None,
                        help="checkout: customers, one order each (default: 4000 with wrk, "
                        "which must outlast --checkout-seconds; 400 with httpx)")  # fmt: skip
    parser.add_argument("--checkout-seconds", type=float, default=5.0,
                        help="wrk: length of the checkout run")  # fmt: skip
    parser.add_argument("--workers", type=int, default=2, help="uvicorn workers (checkout)")
    parser.add_argument("--postgres", default=os.environ.get("GLOBALCART_TEST_DATABASE_URL"))
    args = parser.parse_args()
    results: dict[str, Any] = {
        "benchmark": "api", "at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
    }  # fmt: skip
    if args.part in ("kpis", "all"):
        wrk = Wrk(args.wrk_threads, args.concurrency, args.seconds)
        results["kpis"] = bench_kpis(args.database, args.requests, args.concurrency,
                                     args.client, wrk)  # fmt: skip
        _print_kpis(results["kpis"])
    if args.part in ("checkout", "all"):
        if not args.postgres:
            raise SystemExit(
                "checkout needs PostgreSQL: --postgres URL or GLOBALCART_TEST_DATABASE_URL"
            )
        wrk = Wrk(args.wrk_threads, args.concurrency, args.checkout_seconds)
        results["checkout"] = bench_checkout(args.postgres, args.customers, args.concurrency,
                                             args.workers, args.client, wrk)  # fmt: skip
        print_checkout(results["checkout"])
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"api-{dt.datetime.now(dt.UTC):%Y%m%dT%H%M%S}.json"
    out.write_text(json.dumps(results, indent=2))
    print(f"\nsaved {out.relative_to(PROJECT)}")


if __name__ == "__main__":
    main()
