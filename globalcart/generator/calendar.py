"""Seasonality: how likely each day and hour is to see orders and sessions.

Time is handled as int64 microseconds since the Unix epoch (UTC) throughout the generator.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

US_PER_SECOND = 1_000_000
US_PER_HOUR = 3_600 * US_PER_SECOND
US_PER_DAY = 24 * US_PER_HOUR

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]

# Monday..Sunday demand multipliers (weekend dip for a desktop-heavy store, Sunday evening rebound).
WEEKDAY_FACTOR = np.array([1.05, 1.02, 1.0, 1.0, 0.97, 0.85, 0.95])
# Hour-of-day profile (UTC-ish shopping curve: low at night, lunch bump, evening peak).
HOUR_WEIGHTS = np.array(
    [
        2,
        1.2,
        0.8,
        0.6,
        0.6,
        0.8,
        1.5,
        2.5,
        3.5,
        4,
        4.2,
        4.5,
        5,
        4.8,
        4.5,
        4.5,
        4.8,
        5.2,
        6,
        6.5,
        6.8,
        6.2,
        4.8,
        3.2,
    ],
    dtype=np.float64,
)
# Promotional days (month, day) and their demand multiplier; Black Friday/Cyber Monday are computed.
FIXED_PROMO_DAYS = {(1, 2): 1.4, (2, 14): 1.3, (5, 10): 1.25, (7, 15): 1.6, (12, 26): 1.5}


def epoch_us(day: dt.date) -> int:
    """Midnight UTC of ``day`` in microseconds since the epoch."""
    return (day - dt.date(1970, 1, 1)).days * US_PER_DAY


def black_friday(year: int) -> dt.date:
    """The day after the fourth Thursday of November."""
    first = dt.date(year, 11, 1)
    first_thursday = first + dt.timedelta(days=(3 - first.weekday()) % 7)
    return first_thursday + dt.timedelta(days=22)


def promo_factor(day: dt.date) -> float:
    """Demand multiplier of promotional days (1.0 on ordinary days)."""
    bf = black_friday(day.year)
    if day == bf:
        return 3.0
    if day == bf + dt.timedelta(days=3):  # Cyber Monday
        return 2.4
    return FIXED_PROMO_DAYS.get((day.month, day.day), 1.0)


def month_factor(month: int) -> float:
    """November–December peak, January–February lull."""
    return {
        1: 0.8,
        2: 0.82,
        3: 0.95,
        4: 0.95,
        5: 1.0,
        6: 0.98,
        7: 0.95,
        8: 0.97,
        9: 1.0,
        10: 1.08,
        11: 1.45,
        12: 1.6,
    }[month]


@dataclass(frozen=True)
class Window:
    """The simulated period: days ``start`` .. ``end`` inclusive, and the extraction instant."""

    start: dt.date
    end: dt.date

    @property
    def n_days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def start_us(self) -> int:
        return epoch_us(self.start)

    @property
    def end_us(self) -> int:
        """First instant after the window (exclusive bound)."""
        return epoch_us(self.end) + US_PER_DAY

    @property
    def extracted_us(self) -> int:
        """When the extract was taken: 02:00 UTC the day after the window."""
        return self.end_us + 2 * US_PER_HOUR

    def days(self) -> list[dt.date]:
        return [self.start + dt.timedelta(days=i) for i in range(self.n_days)]


def day_weights(window: Window, growth_per_year: float = 0.25) -> FloatArray:
    """Relative order volume of each day of the window (trend × month × weekday × promo)."""
    days = window.days()
    weights = np.empty(len(days))
    for i, day in enumerate(days):
        trend = (1 + growth_per_year) ** (i / 365.0)
        weights[i] = trend * month_factor(day.month) * WEEKDAY_FACTOR[day.weekday()]
        weights[i] *= promo_factor(day)
    return weights


def promo_day_mask(window: Window) -> npt.NDArray[np.bool_]:
    return np.array([promo_factor(day) > 1.0 for day in window.days()])


def sample_times(
    rng: np.random.Generator,
    weights: FloatArray,
    window: Window,
    not_before: IntArray,
    not_after: IntArray | None = None,
) -> IntArray:
    """Sample one timestamp per element, following ``weights`` per day, within
    [``not_before``, ``not_after``] (each clipped to the window).

    Conditioning is done by drawing the uniform variate between the cumulative weights of the
    first and last allowed days, so the seasonal shape is kept inside every customer's span.
    """
    cdf = np.cumsum(weights)
    cdf /= cdf[-1]
    first_day = np.clip((not_before - window.start_us) // US_PER_DAY, 0, window.n_days - 1)
    lower = np.where(first_day > 0, cdf[np.maximum(first_day - 1, 0)], 0.0)
    upper = np.ones(len(not_before))
    if not_after is not None:
        last_day = np.clip(
            (not_after - window.start_us) // US_PER_DAY, first_day, window.n_days - 1
        )
        upper = cdf[last_day]
    u = lower + rng.random(len(not_before)) * (upper - lower)
    day_index = np.minimum(np.searchsorted(cdf, u, side="left"), window.n_days - 1)
    hour_cdf = np.cumsum(HOUR_WEIGHTS) / HOUR_WEIGHTS.sum()
    hours = np.searchsorted(hour_cdf, rng.random(len(not_before)))
    seconds = rng.integers(0, 3_600, len(not_before))
    ts = window.start_us + day_index * US_PER_DAY + hours * US_PER_HOUR + seconds * US_PER_SECOND
    result: IntArray = np.maximum(ts, np.minimum(not_before, window.end_us - US_PER_SECOND))
    if not_after is not None:
        result = np.maximum(np.minimum(result, not_after), np.minimum(not_before, not_after))
    return result.astype(np.int64)
