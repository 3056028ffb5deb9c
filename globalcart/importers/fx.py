"""FX rates for imported sources: constant or yearly-average rates written as daily rows.

The contract needs a rate for every day an order is placed in a currency. Real exports rarely
ship rates, so importers write one row per day and currency from a small table: a constant rate
given by the user, or the built-in yearly averages below.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import pandas as pd

from globalcart.contract import DATE_FORMAT

BASE_CURRENCY = "USD"

# USD per GBP: the yearly average of the published daily spot rates (Bank of England, Federal
# Reserve), rounded to two places, so an approximation good to about 0.5 %. Only the years the
# UCI Online Retail data covers; any other year needs an explicit rate (--fx-rate).
GBP_USD_YEARLY: dict[int, float] = {2009: 1.57, 2010: 1.55, 2011: 1.60}


class FxError(ValueError):
    """No rate is known for a currency on a day the source covers."""


def yearly_rate(currency: str, year: int, table: Mapping[int, float]) -> float:
    try:
        return table[year]
    except KeyError:
        known = ", ".join(str(y) for y in sorted(table)) or "none"
        raise FxError(
            f"no built-in {currency}→{BASE_CURRENCY} rate for {year} (built-in years: {known}); "
            "pass a constant rate with --fx-rate"
        ) from None


def daily_rates(
    start: dt.date,
    end: dt.date,
    constant: Mapping[str, float] | None = None,
    yearly: Mapping[str, Mapping[int, float]] | None = None,
) -> pd.DataFrame:
    """One row per day in [start, end] and currency: ``date``, ``currency``, ``rate_to_usd``.

    ``constant`` wins over ``yearly``; USD is always present at 1.0.
    """
    if start > end:
        raise FxError(f"empty date range {start} .. {end}")
    days = pd.date_range(start, end, freq="D")
    rates: dict[str, list[float]] = {BASE_CURRENCY: [1.0] * len(days)}
    for currency, table in (yearly or {}).items():
        rates[currency] = [yearly_rate(currency, day.year, table) for day in days]
    for currency, rate in (constant or {}).items():
        if not rate > 0:
            raise FxError(f"the {currency} rate must be positive, got {rate}")
        rates[currency] = [float(rate)] * len(days)
    text = days.strftime(DATE_FORMAT)
    frames = [
        pd.DataFrame({"date": text, "currency": currency, "rate_to_usd": values})
        for currency, values in sorted(rates.items())
    ]
    return pd.concat(frames, ignore_index=True)
