"""Benchmark: `globalcart import online-retail` of the full UCI Online Retail file on DuckDB —
read + classify, write the landing folder, load, build — per step (prints and saves JSON).

Target: the whole import and build in at most 60 s.

Usage: python benchmarks/bench_import.py [--file PATH ...] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

from globalcart.engines import connect
from globalcart.importers import import_online_retail, write_batch
from globalcart.pipeline.load import load_landing
from globalcart.pipeline.runner import build

RESULTS = Path(__file__).parent / "results"
DEFAULT = (
    Path(__file__).resolve().parents[1].parent
    / "shared/datasets/uci-online-retail/online_retail.parquet"
)
TARGET_SECONDS = 60.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--file", type=Path, action="append", help=f"default: {DEFAULT}")
    parser.add_argument("--keep", type=Path, default=None, help="Keep landing + warehouse here")
    args = parser.parse_args()
    files: list[Path] = args.file or [DEFAULT]
    missing = [str(f) for f in files if not f.is_file()]
    if missing:
        print(f"missing input: {', '.join(missing)}", file=sys.stderr)
        return 2
    work = args.keep or Path(tempfile.mkdtemp(prefix="gc-bench-import-"))
    work.mkdir(parents=True, exist_ok=True)
    seconds: dict[str, float] = {}

    started = time.perf_counter()
    batch = import_online_retail(files)
    seconds["read_and_classify"] = time.perf_counter() - started
    step = time.perf_counter()
    write_batch(batch, work / "landing", overwrite=True)
    seconds["write_landing"] = time.perf_counter() - step
    database = work / "warehouse.duckdb"
    database.unlink(missing_ok=True)
    warehouse = connect(f"duckdb:///{database}")
    try:
        step = time.perf_counter()
        loaded = load_landing(warehouse, work / "landing")
        seconds["load"] = time.perf_counter() - step
        step = time.perf_counter()
        result = build(warehouse)
        seconds["build"] = time.perf_counter() - step
        orders = warehouse.row_count("dw.fct_orders")
    finally:
        warehouse.close()
    total = time.perf_counter() - started
    output = {
        "benchmark": "import-online-retail",
        "engine": "duckdb",
        "files": [f.name for f in files],
        "source_rows": len(batch.report),
        "rows_loaded": loaded.rows_loaded,
        "orders": orders,
        "build_status": result.status,
        "seconds": {name: round(value, 2) for name, value in seconds.items()},
        "total_seconds": round(total, 2),
        "target_seconds": TARGET_SECONDS,
        "within_target": total <= TARGET_SECONDS,
        "peak_memory_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "python": sys.version.split()[0],
        "machine": platform.machine(),
    }
    RESULTS.mkdir(exist_ok=True)
    stamp = time.strftime("%Y%m%dT%H%M%S")
    (RESULTS / f"import-online-retail-{stamp}.json").write_text(json.dumps(output, indent=2) + "\n")
    print(json.dumps(output, indent=2))
    if args.keep is None:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
