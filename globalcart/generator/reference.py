"""Reference data: geography, currencies and FX rates, fulfillment centers, campaigns, spend."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from globalcart.generator.calendar import US_PER_DAY, Window, epoch_us
from globalcart.generator.frames import Frame, choice_codes
from globalcart.generator.pools import (
    CAMPAIGN_CHANNELS,
    CARRIERS,
    COUNTRIES,
    FULFILLMENT_CENTERS,
)

CURRENCIES = tuple(sorted({c.currency for c in COUNTRIES}))
CAMPAIGN_HORIZON_DAYS = 3 * 365  # campaigns are planned this far past the base window


@dataclass(frozen=True)
class Geography:
    """One row per city (geo_id = index + 1) with its country's attributes."""

    country_index: npt.NDArray[np.int64]
    city: tuple[str, ...]
    weight: npt.NDArray[np.float64]

    @property
    def n(self) -> int:
        return len(self.city)

    def currency_code(self) -> npt.NDArray[np.int64]:
        """Index into CURRENCIES for every geo."""
        lookup = np.array([CURRENCIES.index(c.currency) for c in COUNTRIES])
        return lookup[self.country_index]

    def region_name(self, geo_index: npt.NDArray[np.int64]) -> npt.NDArray[np.str_]:
        regions = np.array([c.region for c in COUNTRIES])
        return regions[self.country_index[geo_index]]


def build_geography() -> Geography:
    countries, cities, weights = [], [], []
    for ci, country in enumerate(COUNTRIES):
        # Larger first cities: weights 1, 1/2, 1/3 … within a country.
        shares = np.array([1.0 / (k + 1) for k in range(len(country.cities))])
        shares /= shares.sum()
        for city, share in zip(country.cities, shares, strict=True):
            countries.append(ci)
            cities.append(city)
            weights.append(country.weight * share)
    return Geography(np.array(countries, dtype=np.int64), tuple(cities), np.array(weights))


def geo_frame(geo: Geography) -> Frame:
    return {
        "geo_id": np.arange(1, geo.n + 1, dtype=np.int64),
        "country": np.array([COUNTRIES[i].name for i in geo.country_index]),
        "country_code": np.array([COUNTRIES[i].code for i in geo.country_index]),
        "region": np.array([COUNTRIES[i].region for i in geo.country_index]),
        "city": np.array(geo.city),
        "currency": np.array([COUNTRIES[i].currency for i in geo.country_index]),
    }


def fx_rate(currency: str, day_number: npt.NDArray[np.int64], seed: int) -> npt.NDArray[np.float64]:
    """USD per unit of ``currency`` on each epoch day: a smooth, seeded, stateless walk.

    Stateless so that any batch computes the same rate for the same day.
    """
    base = next(c.rate_to_usd for c in COUNTRIES if c.currency == currency)
    if currency == "USD":
        return np.ones(len(day_number))
    phase = (hash_unit(seed, currency) * 2 * math.pi, hash_unit(seed + 1, currency) * 2 * math.pi)
    d = day_number.astype(np.float64)
    wobble = 0.045 * np.sin(2 * math.pi * d / 365.25 + phase[0])
    wobble += 0.015 * np.sin(2 * math.pi * d / 41.0 + phase[1])
    wobble += 0.006 * np.sin(2 * math.pi * d / 9.0 + phase[0] * 1.7)
    return np.round(base * (1.0 + wobble), 6)


def hash_unit(seed: int, text: str) -> float:
    """A deterministic number in [0, 1) from a seed and a text (Python's hash() is salted)."""
    value = seed * 1_000_003
    for ch in text:
        value = (value * 131 + ord(ch)) % 2_147_483_647
    return value / 2_147_483_647


def fx_frame(window: Window, seed: int) -> Frame:
    days = np.arange(window.n_days, dtype=np.int64) + window.start_us // US_PER_DAY
    dates = (days.astype("datetime64[D]")).astype(str)
    parts = [(np.full(len(days), cur), dates, fx_rate(cur, days, seed)) for cur in CURRENCIES]
    return {
        "date": np.concatenate([p[1] for p in parts]),
        "currency": np.concatenate([p[0] for p in parts]),
        "rate_to_usd": np.concatenate([p[2] for p in parts]),
    }


def rate_matrix(window: Window, seed: int) -> npt.NDArray[np.float64]:
    """rate[currency_index, day_index] over the window, for vectorised conversion."""
    days = np.arange(window.n_days, dtype=np.int64) + window.start_us // US_PER_DAY
    return np.stack([fx_rate(cur, days, seed) for cur in CURRENCIES])


def fc_frame(geo: Geography) -> Frame:
    codes = [COUNTRIES[i].code for i in geo.country_index]
    geo_ids = [codes.index(country) + 1 for _, country, _, _ in FULFILLMENT_CENTERS]
    return {
        "fc_id": np.arange(1, len(FULFILLMENT_CENTERS) + 1, dtype=np.int64),
        "fc_name": np.array([fc[0] for fc in FULFILLMENT_CENTERS]),
        "geo_id": np.array(geo_ids, dtype=np.int64),
        "timezone": np.array([fc[2] for fc in FULFILLMENT_CENTERS]),
    }


def fc_for_region(rng: np.random.Generator, regions: npt.NDArray[np.str_]) -> npt.NDArray[np.int64]:
    """Pick a serving fulfillment center index for each order region (split where several serve)."""
    out = np.zeros(len(regions), dtype=np.int64)
    for region in np.unique(regions):
        serving = [i for i, fc in enumerate(FULFILLMENT_CENTERS) if region in fc[3]]
        mask = regions == region
        out[mask] = np.array(serving)[rng.integers(0, len(serving), int(mask.sum()))]
    return out


def carrier_table() -> tuple[tuple[str, ...], dict[str, list[int]]]:
    """All carrier services (one per region and carrier) and the services of each region."""
    names: list[str] = []
    by_region: dict[str, list[int]] = {}
    for region, options in CARRIERS.items():
        for option in options:
            by_region.setdefault(region, []).append(len(names))
            names.append(option[0])
    return tuple(names), by_region


@dataclass(frozen=True)
class Campaigns:
    """Campaign plan: per-campaign arrays (channel index, start/end epoch day, USD budget)."""

    campaign_id: npt.NDArray[np.int64]
    channel: npt.NDArray[np.int64]
    start_day: npt.NDArray[np.int64]
    end_day: npt.NDArray[np.int64]
    budget: npt.NDArray[np.float64]

    def active_lookup(
        self, rng: np.random.Generator, first_day: int, n_days: int
    ) -> npt.NDArray[np.int64]:
        """campaign_id active for [channel, day] (NULL_ID where none runs), one per cell."""
        table = np.full((len(CAMPAIGN_CHANNELS), n_days), -1, dtype=np.int64)
        order = rng.permutation(len(self.campaign_id))
        for i in order:  # later draws override earlier ones where campaigns overlap
            lo = max(int(self.start_day[i]) - first_day, 0)
            hi = min(int(self.end_day[i]) - first_day + 1, n_days)
            if lo < hi:
                table[self.channel[i], lo:hi] = self.campaign_id[i]
        return table


def build_campaigns(rng: np.random.Generator, window: Window, orders_per_day: float) -> Campaigns:
    """Back-to-back campaigns per channel from 30 days before the window to the planning horizon."""
    first = window.start_us // US_PER_DAY - 30
    last = window.end_us // US_PER_DAY + CAMPAIGN_HORIZON_DAYS
    ids: list[int] = []
    channels: list[int] = []
    starts: list[int] = []
    ends: list[int] = []
    budgets: list[float] = []
    daily_budget = max(orders_per_day, 1.0) * 4.0  # USD per channel per day, scaled to the store
    for ch in range(len(CAMPAIGN_CHANNELS)):
        day = first + int(rng.integers(0, 10))
        while day < last:
            length = int(rng.integers(14, 61))
            ids.append(len(ids) + 1)
            channels.append(ch)
            starts.append(day)
            ends.append(day + length - 1)
            budgets.append(round(daily_budget * length * float(rng.uniform(0.6, 1.6)), 2))
            day += length + int(rng.integers(0, 8))
    return Campaigns(
        np.array(ids, dtype=np.int64),
        np.array(channels, dtype=np.int64),
        np.array(starts, dtype=np.int64),
        np.array(ends, dtype=np.int64),
        np.array(budgets),
    )


def campaign_frame(campaigns: Campaigns) -> Frame:
    names = [
        f"{CAMPAIGN_CHANNELS[c].replace('_', ' ').title()} #{i:03d} "
        f"{dt.date(1970, 1, 1) + dt.timedelta(days=int(s)):%b %Y}"
        for i, c, s in zip(
            campaigns.campaign_id, campaigns.channel, campaigns.start_day, strict=True
        )
    ]
    return {
        "campaign_id": campaigns.campaign_id,
        "name": np.array(names),
        "channel": np.array(CAMPAIGN_CHANNELS)[campaigns.channel],
        "start_date": campaigns.start_day.astype("datetime64[D]").astype(str),
        "end_date": campaigns.end_day.astype("datetime64[D]").astype(str),
        "budget": campaigns.budget,
    }


def spend_frame(rng: np.random.Generator, campaigns: Campaigns, window: Window) -> Frame:
    """Daily spend of every campaign on the days it runs inside the window."""
    first, last = window.start_us // US_PER_DAY, window.end_us // US_PER_DAY - 1
    dates, ids, spends = [], [], []
    for i in range(len(campaigns.campaign_id)):
        lo, hi = max(campaigns.start_day[i], first), min(campaigns.end_day[i], last)
        if lo > hi:
            continue
        days = np.arange(lo, hi + 1)
        length = campaigns.end_day[i] - campaigns.start_day[i] + 1
        daily = campaigns.budget[i] / length * rng.uniform(0.7, 1.3, len(days))
        dates.append(days)
        ids.append(np.full(len(days), campaigns.campaign_id[i]))
        spends.append(np.round(daily, 2))
    if not dates:
        return {
            "date": np.array([], dtype=str),
            "campaign_id": np.array([], dtype=np.int64),
            "spend": np.array([]),
            "impressions": np.array([], dtype=np.int64),
            "clicks": np.array([], dtype=np.int64),
        }
    spend = np.concatenate(spends)
    cpm = rng.uniform(4.0, 14.0, len(spend))
    impressions = np.round(spend / cpm * 1000).astype(np.int64)
    clicks = rng.binomial(impressions, rng.uniform(0.006, 0.03, len(spend))).astype(np.int64)
    return {
        "date": np.concatenate(dates).astype("datetime64[D]").astype(str),
        "campaign_id": np.concatenate(ids).astype(np.int64),
        "spend": spend,
        "impressions": impressions,
        "clicks": clicks,
    }


def window_days(start: dt.date, n: int) -> Window:
    return Window(start, start + dt.timedelta(days=n - 1))


def epoch_day(day: dt.date) -> int:
    return epoch_us(day) // US_PER_DAY


__all__ = [
    "CURRENCIES",
    "Campaigns",
    "Geography",
    "build_campaigns",
    "build_geography",
    "campaign_frame",
    "carrier_table",
    "choice_codes",
    "epoch_day",
    "fc_for_region",
    "fc_frame",
    "fx_frame",
    "geo_frame",
    "rate_matrix",
    "spend_frame",
]
