"""Benchmark the requests behind each web page: none may block for more than 1 s at small scale.

Serves the app (one uvicorn worker, in a thread) over a small-scale DuckDB warehouse and times,
with a signed-in admin, every API request that the admin overview, the admin analysis pages,
the public dashboard and the storefront catalog make when they open (several runs each; the
slowest run counts). Target: every request <= 1 s.

Usage: python benchmarks/bench_web.py [--database duckdb:///…] [--runs 3]

Without ``--database`` the small warehouse is built once into ``data/bench/web-small.duckdb``
with ``globalcart pipeline --scale small`` and reused afterwards. Prints a table and writes JSON
to benchmarks/results/.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import platform
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import uvicorn

from globalcart.api.app import create_app
from globalcart.api.security import hash_password
from globalcart.config import Settings
from globalcart.store.users import create_user, get_user_by_email

ROOT = Path(__file__).resolve().parent
RESULTS = ROOT / "results"
PROJECT = ROOT.parent
DEFAULT_DATABASE = "duckdb:///./data/bench/web-small.duckdb"
TARGET_SECONDS = 1.0
ADMIN = "bench-admin@example.com"
PASSWORD = "bench-Admin-password-1"
PAGES: dict[str, list[str]] = {
    "admin overview": [
        "/api/kpis/net_revenue", "/api/kpis", "/kpi/summary", "/metrics/daily",
        "/kpi/revenue?grain=day", "/kpi/revenue?by=country&compare=previous_period",
        "/api/admin/funnel/summary", "/api/admin/insights/forecast?horizon=28",
    ],
    "admin customers": [
        "/cohorts/retention", "/api/kpis/ltv_cohorts", "/api/admin/insights/rfm-segments",
        "/api/kpis/clv_by_segment", "/api/admin/insights/churn-risk?limit=15",
    ],
    "admin products & ops": [
        "/inventory/alerts?limit=200", "/api/kpis/gross_profit?by=category",
        "/api/kpis/gross_margin?by=brand", "/api/kpis/sla_breach_rate?by=carrier",
    ],
    "admin operations": [
        "/api/admin/orders?limit=25", "/api/admin/customers?limit=25",
        "/api/admin/journeys/sessions?limit=25", "/api/admin/quality/checks?limit=10000",
        "/api/admin/runs?limit=200", "/api/admin/audit-log?limit=50",
    ],
    "public dashboard": [
        f"/api/public/panels/{p}" for p in ("summary", "growth", "conversion-by-source",
                                              "cohort-retention", "repeat-purchase",
                                              "top-products", "category-demand")
    ],
    "storefront": ["/api/customer/session", "/api/customer/categories",
                   "/api/customer/products?limit=12", "/api/customer/products?q=a&limit=12"],
}  # fmt: skip


def _warehouse(database: str | None) -> str:
    if database:
        return database
    path = PROJECT / "data" / "bench" / "web-small.duckdb"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        landing = path.parent / "web-small-landing"
        subprocess.run(
            [str(Path(sys.executable).parent / "globalcart"), "pipeline", "--scale", "small",
             "--landing", str(landing), "--database", f"duckdb:///{path}"],
            check=True, cwd=PROJECT,
        )  # fmt: skip
    return f"duckdb:///{path}"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", help="Warehouse URL (default: built small DuckDB).")
    parser.add_argument("--runs", type=int, default=3, help="Times each request is made.")
    args = parser.parse_args()
    url = _warehouse(args.database)
    app = create_app(Settings(database_url=url, public_dashboard=True))
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    store = app.state.store
    if get_user_by_email(store, ADMIN) is None:
        create_user(store, ADMIN, hash_password(PASSWORD), "admin")
    rows: list[dict[str, object]] = []
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60) as client:
        client.post("/api/auth/login", json={"email": ADMIN, "password": PASSWORD})
        for page, paths in PAGES.items():
            for path in paths:
                seconds = []
                for _ in range(args.runs):
                    started = time.perf_counter()
                    answer = client.get(path)
                    seconds.append(time.perf_counter() - started)
                    answer.raise_for_status()
                rows.append({"page": page, "request": path, "max_ms": round(max(seconds) * 1000),
                             "min_ms": round(min(seconds) * 1000)})  # fmt: skip
    server.should_exit = True
    thread.join(timeout=10)
    worst = max(rows, key=lambda r: int(str(r["max_ms"])))
    for row in rows:
        print(f"{row['page']:<22} {row['request']:<60} {row['max_ms']:>6} ms")
    passed = int(str(worst["max_ms"])) <= TARGET_SECONDS * 1000
    print(f"slowest: {worst['request']} {worst['max_ms']} ms — target <= 1000 ms: "
          f"{'met' if passed else 'MISSED'}")  # fmt: skip
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"web-{dt.datetime.now(dt.UTC):%Y%m%dT%H%M%S}.json"
    summary = {"database": url, "runs": args.runs, "machine": platform.node(),
               "target_ms": 1000, "met": passed, "requests": rows}  # fmt: skip
    out.write_text(json.dumps(summary, indent=2))
    print(f"→ {out}")


if __name__ == "__main__":
    main()
