"""Dirty data like real extracts: re-sent duplicates and bad rows of named kinds.

Each bad row is an extra row with exactly one defect, so that the warehouse can attribute it to a
single quarantine rule and the counts in the manifest can be checked.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from globalcart.contract import landing_table
from globalcart.generator.calendar import US_PER_DAY, US_PER_HOUR

# Ids from here on are reserved for injected rows: they never collide with real keys.
BAD_ID_BASE = 1_000_000_000_000
MALFORMED_DATES = (
    "31/12/2025 10:00",
    "not a date",
    "",
    "2025-13-45 99:99:99",
    "20250101",
    "yesterday",
)
UNKNOWN_CURRENCIES = ("XXX", "ZZZ", "BTC")

BAD_KINDS: dict[str, tuple[str, ...]] = {
    "customers": ("missing_key", "malformed_date"),
    "products": ("missing_key", "negative_amount"),
    "sessions": ("missing_key", "malformed_date"),
    "funnel_events": ("missing_key", "unknown_product", "future_date"),
    "orders": (
        "missing_key",
        "malformed_date",
        "future_date",
        "negative_amount",
        "unknown_currency",
    ),
    "order_items": ("missing_key", "negative_quantity", "unknown_product"),
    "payments": ("missing_key", "negative_amount", "unknown_currency"),
    "shipments": ("malformed_date",),
    "returns": ("negative_quantity",),
}
DATE_COLUMN = {
    "customers": "created_at",
    "sessions": "started_at",
    "orders": "order_ts",
    "shipments": "shipped_at",
    "funnel_events": "event_ts",
}
AMOUNT_COLUMN = {"products": "list_price", "orders": "gross_amount", "payments": "amount"}


@dataclass
class AnomalyInjector:
    """Adds duplicates and bad rows to tables and counts every one per table and kind."""

    rng: np.random.Generator
    bad_rate: float
    extracted_us: int
    next_bad_id: int = BAD_ID_BASE
    counts: dict[str, dict[str, int]] = field(default_factory=dict)

    def count(self, table: str, kind: str, n: int) -> None:
        if n:
            kinds = self.counts.setdefault(table, {})
            kinds[kind] = kinds.get(kind, 0) + n

    def fresh_ids(self, n: int) -> np.ndarray:
        ids = np.arange(self.next_bad_id, self.next_bad_id + n, dtype=np.int64)
        self.next_bad_id += n
        return ids

    def unknown_customers(
        self, rng: np.random.Generator, customer_id: np.ndarray, held: np.ndarray, budget: int
    ) -> int:
        """Point up to ``budget`` orders (``customer_id`` is changed in place) at customers that
        never arrive: inferred members that stay inferred.

        Orders of customers held back for the next batch (``held``) are left alone, so that every
        late-arriving customer keeps the orders that make it late-arriving.
        """
        eligible = np.flatnonzero(~np.isin(customer_id, held))
        n = min(budget, len(eligible))
        customer_id[rng.choice(eligible, n, replace=False)] = self.fresh_ids(n)
        self.count("orders", "unknown_customer", n)
        return n

    def _how_many(self, rows: int, share: float) -> int:
        if self.bad_rate <= 0 or rows == 0:
            return 0
        return max(1, round(self.bad_rate * rows * share))

    def inject(self, table: str, data: pa.Table) -> pa.Table:
        """The table with re-sent duplicates and bad rows appended."""
        rows = data.num_rows
        parts = [data]
        n_dup = self._how_many(rows, 1.0)
        if n_dup:
            dup = data.take(pa.array(self.rng.choice(rows, n_dup)))
            later = self.extracted_us + self.rng.integers(1, 48, n_dup) * US_PER_HOUR
            parts.append(
                _set(
                    dup,
                    "ingested_at",
                    pa.array(later.astype("datetime64[us]")).cast(
                        dup.schema.field("ingested_at").type
                    ),
                )
            )
            self.count(table, "resent_duplicate", n_dup)
        kinds = BAD_KINDS.get(table, ())
        for kind in kinds:
            n = self._how_many(rows, 1.0 / len(kinds))
            if n:
                sample = data.take(pa.array(self.rng.choice(rows, n)))
                parts.append(self._corrupt(table, kind, sample))
                self.count(table, kind, n)
        return pa.concat_tables(parts) if len(parts) > 1 else data

    def _corrupt(self, table: str, kind: str, rows: pa.Table) -> pa.Table:
        n = rows.num_rows
        key = landing_table(table).key[0]
        if kind == "missing_key":
            return _set(rows, key, pa.nulls(n, rows.schema.field(key).type))
        if table == "order_items":  # keep the real order, add a line that no header counts
            rows = _set(rows, "line_no", pa.array(np.arange(1_000, 1_000 + n, dtype=np.int64)))
        else:
            rows = _set(rows, key, pa.array(self.fresh_ids(n)))
        if kind == "malformed_date":
            bad = [MALFORMED_DATES[i] for i in self.rng.integers(0, len(MALFORMED_DATES), n)]
            return _set(rows, DATE_COLUMN[table], pa.array(bad, pa.string()))
        if kind == "future_date":
            when = self.extracted_us + self.rng.integers(30, 400, n) * US_PER_DAY
            text = pc.cast(pa.array((when // 1_000_000).astype("datetime64[s]")), pa.string())
            return _set(rows, DATE_COLUMN[table], text)
        if kind == "negative_amount":
            column = AMOUNT_COLUMN[table]
            return _set(rows, column, pc.negate(pc.abs(pc.fill_null(rows[column], 1.0))))
        if kind == "unknown_currency":
            bad = [UNKNOWN_CURRENCIES[i] for i in self.rng.integers(0, len(UNKNOWN_CURRENCIES), n)]
            return _set(rows, "currency", pa.array(bad, pa.string()))
        if kind == "unknown_product":
            return _set(rows, "product_id", pa.array(self.fresh_ids(n)))
        if kind == "negative_quantity":
            return _set(rows, "qty", pc.negate(pc.abs(rows["qty"])))
        raise ValueError(f"unknown anomaly kind {kind!r}")


def _set(table: pa.Table, column: str, values: pa.Array) -> pa.Table:
    index = table.schema.get_field_index(column)
    return table.set_column(index, table.schema.field(column), values)
