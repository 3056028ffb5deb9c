"""Generator parameters: scale presets and validated run parameters."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Literal

Scale = Literal["tiny", "small", "medium", "large"]
FileFormat = Literal["parquet", "csv"]

DEFAULT_END_DATE = dt.date(2026, 6, 30)
DEFAULT_SEED = 42
DEFAULT_BAD_RATE = 0.002
DEFAULT_INCREMENTAL_DAYS = 7


@dataclass(frozen=True)
class ScaleSpec:
    """How big a store each scale is; everything else derives from the number of orders."""

    orders: int
    products: int
    days: int
    inventory_weeks: int


SCALES: dict[str, ScaleSpec] = {
    "tiny": ScaleSpec(orders=2_000, products=2_000, days=730, inventory_weeks=8),
    "small": ScaleSpec(orders=60_000, products=5_000, days=730, inventory_weeks=26),
    "medium": ScaleSpec(orders=1_000_000, products=12_000, days=730, inventory_weeks=26),
    "large": ScaleSpec(orders=10_000_000, products=20_000, days=730, inventory_weeks=26),
}

# Orders are simulated in chunks of this many; each chunk becomes one part file per fact table.
ORDERS_PER_CHUNK = 500_000


class ParameterError(ValueError):
    """A generator parameter is out of range; the message says which and why."""


@dataclass(frozen=True)
class GenerateParams:
    """Everything that determines a generated batch (same parameters ⇒ identical files)."""

    scale: Scale = "tiny"
    orders: int | None = None
    seed: int = DEFAULT_SEED
    end_date: dt.date = DEFAULT_END_DATE
    days: int | None = None
    out: Path = Path("data/landing")
    file_format: FileFormat = "parquet"
    bad_rate: float = DEFAULT_BAD_RATE

    @property
    def spec(self) -> ScaleSpec:
        return SCALES[self.scale]

    @property
    def n_orders(self) -> int:
        return self.orders if self.orders is not None else self.spec.orders

    @property
    def n_days(self) -> int:
        return self.days if self.days is not None else self.spec.days

    def validate(self) -> None:
        if self.scale not in SCALES:
            raise ParameterError(f"unknown scale {self.scale!r}; choose one of {', '.join(SCALES)}")
        if self.orders is not None and not 1 <= self.orders <= 50_000_000:
            raise ParameterError("--orders must be between 1 and 50,000,000")
        if self.days is not None and not 1 <= self.days <= 3_650:
            raise ParameterError("--days must be between 1 and 3,650")
        if not 0.0 <= self.bad_rate <= 0.2:
            raise ParameterError("--bad-rate must be between 0 and 0.2")
        if self.seed < 0:
            raise ParameterError("--seed must be a non-negative integer")
        if self.file_format not in ("parquet", "csv"):
            raise ParameterError("--format must be parquet or csv")

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["end_date"] = self.end_date.isoformat()
        data["out"] = str(self.out)
        data["orders"] = self.n_orders
        data["days"] = self.n_days
        return data
