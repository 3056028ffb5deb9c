"""Benchmark every KPI on DuckDB: each ``marts.kpi_*`` view read in full, and each metric through
``globalcart.semantic.compute`` (last 30 days with a previous-period comparison, and broken
down by its first dimension). Target: ≤ 200 ms per KPI view at medium scale.

Usage: python benchmarks/bench_kpis.py [--scale medium] [--database duckdb:///path]
       [--data DIR] [--repeat 5]

Without ``--database`` it generates (or reuses) ``DIR/<scale>-base`` and builds it into
``DIR/kpis-<scale>.duckdb`` (reused when already built). Prints a table and writes JSON to
benchmarks/results/.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from results_io import save

from globalcart.engines import Warehouse, connect
from globalcart.semantic import compute, list_kpis

ROOT = Path(__file__).resolve().parent
TARGET_MS = 200.0


def _prepare(scale: str, data: Path) -> str:
    from globalcart.generator import GenerateParams, generate
    from globalcart.pipeline.load import load_landing
    from globalcart.pipeline.runner import build

    base = data / f"{scale}-base"
    if not (base / "manifest.json").exists():
        generate(GenerateParams(scale=scale, out=base), overwrite=True)  # type: ignore[arg-type]
    url = f"duckdb:///{data / f'kpis-{scale}.duckdb'}"
    warehouse = connect(url)
    try:
        load_landing(warehouse, base)
        build(warehouse)
    finally:
        warehouse.close()
    return url


def _time(action: Callable[[], object], repeat: int) -> dict[str, float]:
    action()  # warm-up (first read of the columns)
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return {
        "median_ms": round(statistics.median(samples), 1),
        "max_ms": round(samples[-1], 1),
    }


def run(warehouse: Warehouse, repeat: int) -> list[dict[str, Any]]:
    results: list[dict[str, Any]] = []
    for kpi in list_kpis():
        row: dict[str, Any] = {"kpi": kpi.name, "kind": kpi.kind}
        row["view"] = _time(partial(warehouse.query, f"select * from {kpi.view}"), repeat)
        if kpi.kind == "metric":
            row["compute_30d_compare"] = _time(
                partial(compute, warehouse, kpi.name, compare="previous_period"), repeat
            )
            if kpi.dimensions:
                by = kpi.dimensions[0]
                row["compute_by"] = by
                row["compute_30d_by"] = _time(partial(compute, warehouse, kpi.name, by=by), repeat)
        timings = [v["median_ms"] for v in row.values() if isinstance(v, dict)]
        row["within_target"] = max(timings) <= TARGET_MS
        results.append(row)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--scale", default="medium")
    parser.add_argument("--database", default=None, help="an already built DuckDB warehouse")
    parser.add_argument("--data", type=Path, default=Path("data/bench"))
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    url = args.database or _prepare(args.scale, args.data)
    if not url.startswith("duckdb:"):
        parser.error("this benchmark times DuckDB (use a duckdb:/// URL)")
    warehouse = connect(url)
    try:
        orders = warehouse.row_count("dw.fct_orders")
        results = run(warehouse, args.repeat)
    finally:
        warehouse.close()
    print(f"{'kpi':<32} {'view ms':>9} {'30d+cmp ms':>11} {'by ms':>9}  ok")
    for row in results:
        cells = [row["view"], row.get("compute_30d_compare"), row.get("compute_30d_by")]
        text = [f"{c['median_ms']:>9.1f}" if c else f"{'':>9}" for c in cells]
        print(f"{row['kpi']:<32} {text[0]} {text[1]:>11} {text[2]}  {row['within_target']}")
    slow = [row["kpi"] for row in results if not row["within_target"]]
    print(f"{len(results)} KPIs, {orders:,} orders; over {TARGET_MS:.0f} ms: {slow or 'none'}")
    payload = {
        "benchmark": "kpis",
        "scale": args.scale,
        "database": url,
        "orders": orders,
        "repeat": args.repeat,
        "target_ms": TARGET_MS,
        "machine": {"python": platform.python_version(), "platform": platform.platform()},
        "kpis": results,
        "slow": slow,
    }
    save(f"kpis-{args.scale}", payload)


if __name__ == "__main__":
    main()
