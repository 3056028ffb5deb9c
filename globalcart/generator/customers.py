"""Customers: sign-ups over time, segments, acquisition channels, and later segment/geo changes."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from globalcart.contract import SEGMENTS
from globalcart.generator.calendar import US_PER_DAY, Window, day_weights, sample_times
from globalcart.generator.frames import Frame, choice_codes, concat
from globalcart.generator.pools import (
    ACQUISITION_CHANNELS,
    ACQUISITION_WEIGHTS,
    SEGMENT_FREQUENCY,
    SEGMENT_LIFETIME_YEARS,
    SEGMENT_SHARES,
    NamePools,
)
from globalcart.generator.reference import Geography

SEGMENT_CHANGE_RATE = 0.08
LATE_CUSTOMER_DAYS = 14
GEO_CHANGE_RATE = 0.02


@dataclass
class CustomerBase:
    """Every customer known so far (index i ⇔ customer_id ids[i]); carried between batches."""

    ids: npt.NDArray[np.int64]
    created_us: npt.NDArray[np.int64]
    segment: npt.NDArray[np.int64]
    geo_index: npt.NDArray[np.int64]
    propensity: npt.NDArray[np.float64]
    lapse_us: npt.NDArray[np.int64]  # when the customer stops buying (may lie beyond any window)

    @property
    def n(self) -> int:
        return len(self.ids)

    def take(self, index: npt.NDArray[np.int64]) -> CustomerBase:
        return CustomerBase(*(getattr(self, f)[index] for f in self.__dataclass_fields__))

    def extend(self, other: CustomerBase) -> CustomerBase:
        return CustomerBase(
            *(
                np.concatenate([getattr(self, f), getattr(other, f)])
                for f in self.__dataclass_fields__
            )
        )


def new_customers(
    rng: np.random.Generator, n: int, first_id: int, window: Window, geo: Geography
) -> CustomerBase:
    """Sign-ups inside the window, following the same seasonal curve as orders."""
    created = np.sort(sample_times(rng, day_weights(window), window, np.full(n, window.start_us)))
    segment = choice_codes(rng, SEGMENT_SHARES, n)
    propensity = rng.gamma(0.9, 1.0, n) * np.array(SEGMENT_FREQUENCY)[segment]
    lifetime_years = rng.exponential(np.array(SEGMENT_LIFETIME_YEARS)[segment])
    return CustomerBase(
        ids=np.arange(first_id, first_id + n, dtype=np.int64),
        created_us=created,
        segment=segment,
        geo_index=choice_codes(rng, geo.weight, n),
        propensity=propensity,
        lapse_us=created + (lifetime_years * 365.25 * US_PER_DAY).astype(np.int64),
    )


def _pick(ids: npt.NDArray[np.int64], salt: int, size: int) -> npt.NDArray[np.int64]:
    """A stable pseudo-random index per id, so any batch can re-render a customer identically."""
    mixed = (ids.astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15) + np.uint64(salt)) >> np.uint64(
        17
    )
    return (mixed % np.uint64(size)).astype(np.int64)


def customer_rows(customers: CustomerBase, pools: NamePools, seed: int) -> Frame:
    """Landing rows (as of sign-up) for the given customers, derived from their ids and the seed."""
    n = customers.n
    ids = customers.ids
    first = _pick(ids, seed * 3 + 1, len(pools.first_names))
    last = _pick(ids, seed * 3 + 2, len(pools.last_names))
    domain = _pick(ids, seed * 3 + 3, len(pools.email_domains))
    first_s = pa.DictionaryArray.from_arrays(pa.array(first), pa.array(pools.first_names)).cast(
        pa.string()
    )
    last_s = pa.DictionaryArray.from_arrays(pa.array(last), pa.array(pools.last_names)).cast(
        pa.string()
    )
    full_name = pc.binary_join_element_wise(first_s, last_s, " ")
    local = pc.utf8_lower(pc.binary_join_element_wise(first_s, last_s, "."))
    domains = pa.DictionaryArray.from_arrays(pa.array(domain), pa.array(pools.email_domains))
    email = pc.binary_join_element_wise(local, pc.cast(pa.array(ids), pa.string()), "")
    email = pc.binary_join_element_wise(email, domains.cast(pa.string()), "@")
    cdf = np.cumsum(ACQUISITION_WEIGHTS) / np.sum(ACQUISITION_WEIGHTS)
    channel = np.searchsorted(cdf, _pick(ids, seed * 3 + 4, 1_000_000) / 1_000_000, side="right")
    del n
    return {
        "customer_id": ids,
        "email": email,
        "full_name": full_name,
        "geo_id": customers.geo_index + 1,
        "acquisition_channel": np.array(ACQUISITION_CHANNELS)[channel],
        "segment": np.array(SEGMENTS)[customers.segment],
        "created_at": customers.created_us,
        "updated_at": customers.created_us,
    }


def customer_changes(
    rng: np.random.Generator,
    customers: CustomerBase,
    pools: NamePools,
    seed: int,
    geo: Geography,
    from_us: int,
    until_us: int,
) -> Frame:
    """New versions of some customers between ``from_us`` and ``until_us``: a segment change or a
    move to another city of the same country. Updates ``customers`` in place for later batches.
    """
    years = (until_us - from_us) / (365 * 86_400 * 1_000_000)
    seg_change = rng.random(customers.n) < SEGMENT_CHANGE_RATE * years
    geo_change = rng.random(customers.n) < GEO_CHANGE_RATE * years
    idx = np.flatnonzero((seg_change | geo_change) & (customers.created_us < until_us))
    if len(idx) == 0:
        return {}
    start = np.maximum(customers.created_us[idx], from_us)
    updated = start + (rng.random(len(idx)) * (until_us - start)).astype(np.int64)
    new_segment = (customers.segment[idx] + rng.integers(1, 3, len(idx))) % 3
    segment = np.where(seg_change[idx], new_segment, customers.segment[idx])
    geo_index = customers.geo_index[idx].copy()
    for j in np.flatnonzero(geo_change[idx]):
        same_country = np.flatnonzero(geo.country_index == geo.country_index[geo_index[j]])
        geo_index[j] = same_country[rng.integers(0, len(same_country))]
    customers.segment[idx] = segment
    customers.geo_index[idx] = geo_index
    changed = customer_rows(customers.take(idx), pools, seed)
    changed["updated_at"] = updated
    return changed


def with_changes(rows: Frame, changes: Frame) -> Frame:
    return concat([rows, changes])


@dataclass
class Withheld:
    """Indices (into the new customers) delivered now, and held back for the next batch."""

    keep: npt.NDArray[np.int64]
    held: npt.NDArray[np.int64]


def withhold_late_customers(
    rng: np.random.Generator,
    joined: CustomerBase,
    buyer: npt.NDArray[np.int64],
    previous_count: int,
    window: Window,
    bad_rate: float,
) -> Withheld:
    """New customers who bought in the last days and whose rows only arrive with the next batch
    (late-arriving dimension members): about ``bad_rate`` of the new customers, at least one."""
    everyone = np.arange(joined.n)
    if bad_rate <= 0:
        return Withheld(everyone, np.array([], dtype=np.int64))
    recent = joined.created_us >= window.end_us - LATE_CUSTOMER_DAYS * US_PER_DAY
    bought = np.zeros(joined.n, dtype=bool)
    bought[buyer[buyer >= previous_count] - previous_count] = True
    candidates = np.flatnonzero(recent & bought)
    n = min(len(candidates), max(1, round(bad_rate * joined.n)))
    held = np.sort(rng.choice(candidates, n, replace=False)) if n else candidates[:0]
    return Withheld(np.setdiff1d(everyone, held), held)
