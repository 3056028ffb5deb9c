"""Where the benchmark scripts save their figures: ``benchmarks/results/<name>-<UTC>.json``."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results"


def save(name: str, payload: dict[str, Any]) -> Path:
    """Write ``payload`` as JSON under a timestamped name and say where."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    out = RESULTS / f"{name}-{stamp}.json"
    out.write_text(json.dumps(payload, indent=2), encoding="utf-8")
    print(f"results written to {out}")
    return out
