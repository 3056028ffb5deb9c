"""Benchmark the warehouse build: full build and a ~1 % incremental batch, on both engines.

Usage: python benchmarks/bench_build.py [--scale medium] [--engines duckdb,postgres]
       [--data DIR] [--postgres-url URL]

Generates (or reuses) a base batch and one incremental batch, then for each engine, in a fresh
process and a fresh database: load base, full build, load the increment, incremental build.
Prints a table and writes JSON to benchmarks/results/. Peak memory is the maximum resident set
of the benchmark process (for PostgreSQL the server's memory is not included).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import resource
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

from results_io import save

ROOT = Path(__file__).resolve().parent
DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/test"


def _generate(scale: str, data: Path) -> tuple[Path, Path]:
    from globalcart.generator import SCALES, GenerateParams, generate

    base, increment = data / f"{scale}-base", data / f"{scale}-inc"
    if not (base / "manifest.json").exists():
        generate(GenerateParams(scale=scale, out=base), overwrite=True)  # type: ignore[arg-type]
    if not (increment / "manifest.json").exists():
        orders = max(1, SCALES[scale].orders // 100)
        params = GenerateParams(scale=scale, orders=orders, days=7, out=increment)  # type: ignore[arg-type]
        generate(params, overwrite=True, from_dir=base)
    return base, increment


def _worker(url: str, base: Path, increment: Path) -> dict[str, Any]:
    """Runs in a child process: the timed steps on one engine."""
    from globalcart.engines import connect
    from globalcart.pipeline.load import load_landing
    from globalcart.pipeline.runner import build

    timings: dict[str, Any] = {}
    warehouse = connect(url)
    try:
        for step, action in (
            ("load_base_s", lambda: load_landing(warehouse, base)),
            ("full_build_s", lambda: build(warehouse, full=True)),
            ("load_increment_s", lambda: load_landing(warehouse, increment)),
            ("incremental_build_s", lambda: build(warehouse)),
        ):
            started = time.perf_counter()
            result = action()
            timings[step] = round(time.perf_counter() - started, 2)
            if step.endswith("build_s"):
                models = result.models  # type: ignore[union-attr]
                timings[step.replace("_s", "_models")] = len(models)
                slowest = sorted(models, key=lambda m: m.duration_ms, reverse=True)[:8]
                timings[step.replace("_s", "_slowest_ms")] = {
                    m.name: m.duration_ms for m in slowest
                }
                timings[step.replace("_s", "_phases_ms")] = result.phase_ms  # type: ignore[union-attr]
        timings["fct_orders_rows"] = warehouse.row_count("dw.fct_orders")
    finally:
        started = time.perf_counter()
        warehouse.close()  # DuckDB folds its write-ahead log into the file here
        timings["close_checkpoint_s"] = round(time.perf_counter() - started, 2)
    timings["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    return timings


def _fresh_postgres(admin_url: str) -> tuple[str, str]:
    import psycopg

    name = f"globalcart_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'create database "{name}"')
    return admin_url.rsplit("/", 1)[0] + f"/{name}", name


def _drop_postgres(admin_url: str, name: str) -> None:
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'drop database if exists "{name}" with (force)')


def _run_engine(engine: str, args: argparse.Namespace, base: Path, inc: Path) -> dict[str, Any]:
    dropped: str | None = None
    if engine == "duckdb":
        path = args.data / f"bench-{uuid.uuid4().hex[:8]}.duckdb"
        url = f"duckdb:///{path}" if path.is_absolute() else f"duckdb:///./{path}"
    else:
        url, dropped = _fresh_postgres(args.postgres_url)
    try:
        command = [sys.executable, __file__, "--worker", url, str(base), str(inc)]
        done = subprocess.run(command, check=False, capture_output=True, text=True)
        if done.returncode != 0:
            tail = "\n".join(done.stderr.strip().splitlines()[-15:])
            raise SystemExit(f"{engine} benchmark failed:\n{tail}")
        timings: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    finally:
        if dropped:
            _drop_postgres(args.postgres_url, dropped)
        elif engine == "duckdb":
            for leftover in args.data.glob(f"{Path(url).name}*"):
                leftover.unlink()
    full, incremental = timings["full_build_s"], timings["incremental_build_s"]
    timings["incremental_share_of_full"] = round(incremental / full, 3) if full else None
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--scale", default="medium")
    parser.add_argument("--engines", default="duckdb,postgres")
    parser.add_argument("--data", type=Path, default=ROOT.parent / "data" / "bench")
    parser.add_argument(
        "--postgres-url", default=os.environ.get("GLOBALCART_BENCH_DATABASE_URL", DEFAULT_PG)
    )
    parser.add_argument("--worker", nargs=3, metavar=("URL", "BASE", "INCREMENT"))
    args = parser.parse_args()
    if args.worker:
        url, base, increment = args.worker
        print(json.dumps(_worker(url, Path(base), Path(increment))))
        return
    args.data.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    base, increment = _generate(args.scale, args.data)
    print(f"landing data ready in {time.perf_counter() - started:.1f}s: {base}, {increment}")
    results: dict[str, Any] = {
        "scale": args.scale,
        "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "engines": {},
    }
    for engine in args.engines.split(","):
        print(f"running {engine} …", flush=True)
        results["engines"][engine] = _run_engine(engine, args, base, increment)
        print(json.dumps(results["engines"][engine], indent=2), flush=True)
    save(f"build-{args.scale}", results)


if __name__ == "__main__":
    main()
