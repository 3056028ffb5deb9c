"""Benchmark: time and peak memory of `globalcart generate` at a scale (prints and saves JSON).

Usage: python benchmarks/bench_generate.py --scale medium [--format parquet] [--out DIR]
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

from globalcart.generator import GenerateParams, generate

RESULTS = Path(__file__).parent / "results"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", default="medium", choices=["tiny", "small", "medium", "large"])
    parser.add_argument("--format", default="parquet", choices=["parquet", "csv"])
    parser.add_argument(
        "--out", type=Path, default=None, help="Keep the files here (default: temp)"
    )
    args = parser.parse_args()
    out = args.out or Path(tempfile.mkdtemp(prefix="gc-bench-")) / "landing"
    params = GenerateParams(scale=args.scale, out=out, file_format=args.format)
    started = time.perf_counter()
    manifest = generate(params, overwrite=True)
    seconds = time.perf_counter() - started
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    size = sum(f.stat().st_size for f in out.rglob("*") if f.is_file())
    result = {
        "benchmark": "generate",
        "scale": args.scale,
        "format": args.format,
        "orders": manifest["tables"]["orders"]["rows"],
        "rows_total": sum(t["rows"] for t in manifest["tables"].values()),
        "rows": {name: t["rows"] for name, t in manifest["tables"].items()},
        "seconds": round(seconds, 2),
        "peak_memory_mib": round(peak_kib / 1024, 1),
        "output_mib": round(size / 2**20, 1),
        "python": sys.version.split()[0],
        "machine": platform.machine(),
    }
    RESULTS.mkdir(exist_ok=True)
    stamp = time.strftime("%Y%m%dT%H%M%S")
    (RESULTS / f"generate-{args.scale}-{stamp}.json").write_text(
        json.dumps(result, indent=2) + "\n"
    )
    print(json.dumps(result, indent=2))
    if args.out is None:
        shutil.rmtree(out.parent, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
