"""What a batch hands to the next one (``<out>/_state``): customers, catalog, campaigns, stock,
orders whose future is not over yet, customers held back, and id counters.

Stored as ``.npz`` arrays without pickle, so reading a folder never executes code from it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, fields, is_dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from globalcart.generator.catalog import Catalog
from globalcart.generator.customers import CustomerBase
from globalcart.generator.frames import Frame
from globalcart.generator.inventory import StockState
from globalcart.generator.reference import Campaigns
from globalcart.generator.simulated import NESTED, SimulatedOrders

STATE_VERSION = 1


@dataclass
class GeneratorState:
    seed: int
    batch_no: int
    scale: str
    last_end_us: int  # the previous window's exclusive end: rows after it are new
    snapshot_anchor_day: int  # inventory snapshots fall on days ≡ anchor (mod 7)
    next_ids: dict[str, int]
    customers: CustomerBase
    catalog: Catalog
    campaigns: Campaigns
    stock: StockState
    pending: SimulatedOrders
    withheld: Frame


def _flatten(prefix: str, obj: Any, out: dict[str, np.ndarray]) -> None:
    for f in fields(obj):
        value = getattr(obj, f.name)
        if is_dataclass(value):
            _flatten(f"{prefix}{f.name}.", value, out)
        else:
            out[f"{prefix}{f.name}"] = np.asarray(value)


def _build(cls: type, prefix: str, arrays: dict[str, np.ndarray]) -> Any:
    values = {}
    for f in fields(cls):
        if f.name in NESTED and cls is SimulatedOrders:
            values[f.name] = _build(NESTED[f.name], f"{prefix}{f.name}.", arrays)
        else:
            values[f.name] = arrays[f"{prefix}{f.name}"]
    return cls(**values)


def save_state(directory: Path, state: GeneratorState) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    arrays: dict[str, np.ndarray] = {}
    for name in ("customers", "catalog", "campaigns", "stock", "pending"):
        _flatten(f"{name}.", getattr(state, name), arrays)
    for column, values in state.withheld.items():
        if isinstance(values, pa.Array):
            values = np.asarray(values.to_pylist(), dtype=str)
        elif values.dtype == object:
            values = values.astype(str)
        arrays[f"withheld.{column}"] = values
    np.savez(directory / "state.npz", **arrays)  # type: ignore[arg-type]
    meta = {
        "version": STATE_VERSION,
        "seed": state.seed,
        "batch_no": state.batch_no,
        "scale": state.scale,
        "last_end_us": state.last_end_us,
        "snapshot_anchor_day": state.snapshot_anchor_day,
        "next_ids": state.next_ids,
    }
    (directory / "state.json").write_text(json.dumps(meta, indent=2, sort_keys=True) + "\n")


def load_state(directory: Path) -> GeneratorState:
    meta_path = directory / "state.json"
    if not meta_path.is_file():
        raise FileNotFoundError(
            f"{directory} holds no generator state: --from must name a folder written by "
            "'globalcart generate'"
        )
    meta = json.loads(meta_path.read_text())
    if meta.get("version") != STATE_VERSION:
        raise ValueError(
            f"{directory}: generator state version {meta.get('version')} is not supported"
        )
    with np.load(directory / "state.npz", allow_pickle=False) as data:
        arrays = {key: data[key] for key in data.files}
    withheld = {k.split(".", 1)[1]: v for k, v in arrays.items() if k.startswith("withheld.")}
    return GeneratorState(
        seed=meta["seed"],
        batch_no=meta["batch_no"],
        scale=meta["scale"],
        last_end_us=meta["last_end_us"],
        snapshot_anchor_day=meta["snapshot_anchor_day"],
        next_ids={k: int(v) for k, v in meta["next_ids"].items()},
        customers=_build(CustomerBase, "customers.", arrays),
        catalog=_build(Catalog, "catalog.", arrays),
        campaigns=_build(Campaigns, "campaigns.", arrays),
        stock=_build(StockState, "stock.", arrays),
        pending=_build(SimulatedOrders, "pending.", arrays),
        withheld=withheld,
    )
