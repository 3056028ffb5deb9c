"""Countries of real exports → ``geo`` rows: a readable name, an ISO 3166 code and a region.

Exports spell countries as names ("United Kingdom", "EIRE", "RSA") or as ISO codes ("GB").
Unknown spellings are kept as given with no code, never dropped.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

# code: (name, region); the names are the ones reports show.
COUNTRIES: dict[str, tuple[str, str]] = {
    "AE": ("United Arab Emirates", "Middle East"),
    "AT": ("Austria", "Europe"),
    "AU": ("Australia", "Oceania"),
    "BE": ("Belgium", "Europe"),
    "BH": ("Bahrain", "Middle East"),
    "BM": ("Bermuda", "Americas"),
    "BR": ("Brazil", "Americas"),
    "CA": ("Canada", "Americas"),
    "CH": ("Switzerland", "Europe"),
    "CY": ("Cyprus", "Europe"),
    "CZ": ("Czech Republic", "Europe"),
    "DE": ("Germany", "Europe"),
    "DK": ("Denmark", "Europe"),
    "ES": ("Spain", "Europe"),
    "FI": ("Finland", "Europe"),
    "FR": ("France", "Europe"),
    "GB": ("United Kingdom", "Europe"),
    "GR": ("Greece", "Europe"),
    "HK": ("Hong Kong", "Asia"),
    "IE": ("Ireland", "Europe"),
    "IL": ("Israel", "Middle East"),
    "IN": ("India", "Asia"),
    "IS": ("Iceland", "Europe"),
    "IT": ("Italy", "Europe"),
    "JP": ("Japan", "Asia"),
    "KR": ("South Korea", "Asia"),
    "LB": ("Lebanon", "Middle East"),
    "LT": ("Lithuania", "Europe"),
    "MT": ("Malta", "Europe"),
    "MX": ("Mexico", "Americas"),
    "NG": ("Nigeria", "Africa"),
    "NL": ("Netherlands", "Europe"),
    "NO": ("Norway", "Europe"),
    "NZ": ("New Zealand", "Oceania"),
    "PL": ("Poland", "Europe"),
    "PT": ("Portugal", "Europe"),
    "SA": ("Saudi Arabia", "Middle East"),
    "SE": ("Sweden", "Europe"),
    "SG": ("Singapore", "Asia"),
    "TH": ("Thailand", "Asia"),
    "US": ("United States", "Americas"),
    "ZA": ("South Africa", "Africa"),
}
# Spellings of the UCI data and other common aliases.
ALIASES: dict[str, str] = {
    "EIRE": "IE",
    "RSA": "ZA",
    "USA": "US",
    "UK": "GB",
    "KOREA": "KR",
    "UNITED STATES OF AMERICA": "US",
    "GREAT BRITAIN": "GB",
}
# Regions of places without an ISO country code.
REGION_ONLY: dict[str, str] = {
    "CHANNEL ISLANDS": "Europe",
    "EUROPEAN COMMUNITY": "Europe",
    "WEST INDIES": "Americas",
}
_BY_NAME = {name.upper(): code for code, (name, _) in COUNTRIES.items()}


def resolve(value: str) -> tuple[str, str | None, str]:
    """(country name, ISO code or None, region) of a country name or code."""
    text = " ".join(value.split())
    key = text.upper()
    code = key if key in COUNTRIES else ALIASES.get(key) or _BY_NAME.get(key)
    if code is not None:
        name, region = COUNTRIES[code]
        return name, code, region
    return text, None, REGION_ONLY.get(key, "Unknown")


def geo_table(values: Iterable[str], currency: str) -> tuple[pd.DataFrame, dict[str, int]]:
    """Geo rows (one per distinct country, ids 1..n in name order) and value → geo_id.

    ``currency`` is the currency the store charges there: it must have FX rates.
    """
    resolved = {value: resolve(value) for value in set(values)}
    names = sorted({name for name, _, _ in resolved.values()})
    ids = {name: number for number, name in enumerate(names, start=1)}
    first = {name: (code, region) for name, code, region in resolved.values()}
    frame = pd.DataFrame(
        {
            "geo_id": [ids[name] for name in names],
            "country": names,
            "country_code": [first[name][0] for name in names],
            "region": [first[name][1] for name in names],
            "city": None,
            "currency": currency,
        }
    )
    return frame, {value: ids[name] for value, (name, _, _) in resolved.items()}
