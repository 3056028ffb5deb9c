"""``staging.try_ts`` / ``staging.try_date``: contract text to timestamps and dates, null when
malformed, with exactly the same verdicts on both engines.

DuckDB: a regular expression, then ``try_strptime``. PostgreSQL has no non-raising cast, so the
text is proven well formed first and only then cast. A plain SQL function, which the planner
inlines, without an exception handler (whose subtransaction a parallel query forbids). The proof
is a ``like`` for the shape and a hashed ``= any`` lookup per group of fields (``'02-29'``
among the 366 month-days, ``'23:5'`` among the hours and minute tens, …): a lookup both checks
the digits and the ranges, and costs less than testing characters one by one (a third of the
time of ``translate`` and ``substr(…)::int`` checks on 12 M clickstream rows).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from globalcart.engines.base import Dialect

_DUCKDB = [
    "create or replace macro staging.try_ts(s) as case when "
    "regexp_full_match(s, '[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}') "
    "and substr(s, 1, 4) <> '0000' then try_strptime(s, '%Y-%m-%d %H:%M:%S') end",
    "create or replace macro staging.try_date(s) as case when "
    "regexp_full_match(s, '[0-9]{4}-[0-9]{2}-[0-9]{2}') and substr(s, 1, 4) <> '0000' "
    "then cast(try_strptime(s, '%Y-%m-%d') as date) end",
]


def _among(field: str, values: Iterable[str]) -> str:
    """``field`` is one of ``values`` (compared byte by byte, whatever the database collation)."""
    listed = ",".join(values)
    return f"{field} collate \"C\" = any('{{{listed}}}'::text[])"


_TWO_DIGITS = [f"{n:02d}" for n in range(100)]
_LEAP_YEAR = [(dt.date(2024, 1, 1) + dt.timedelta(days=n)).strftime("%m-%d") for n in range(366)]
_HOUR_MINUTE_TENS = [f"{h:02d}:{m}" for h in range(24) for m in range(6)]
_MINUTE_UNITS_SECONDS = [f"{m}:{s:02d}" for m in range(10) for s in range(60)]


def _valid_date_text() -> str:
    """Conditions on ``s`` that hold when its first 10 characters are a valid yyyy-mm-dd
    (years 0001 to 9999; 29 February in leap years only)."""
    year = "substr(s, 1, 4)"
    return " and ".join(
        [
            _among("substr(s, 1, 2)", _TWO_DIGITS),
            _among("substr(s, 3, 2)", _TWO_DIGITS),
            f"{year} <> '0000'",
            _among("substr(s, 6, 5)", _LEAP_YEAR),
            f"(substr(s, 6, 5) <> '02-29' or {year}::int % 4 = 0 "
            f"and ({year}::int % 100 <> 0 or {year}::int % 400 = 0))",
        ]
    )


def _postgres() -> list[str]:
    date_checks = _valid_date_text()
    time_checks = " and ".join(
        [
            _among("substr(s, 12, 4)", _HOUR_MINUTE_TENS),
            _among("substr(s, 16, 4)", _MINUTE_UNITS_SECONDS),
        ]
    )
    return [
        "create or replace function staging.try_date(s varchar) returns date\n"
        "language sql stable parallel safe as $$\n"
        f"select case when s like '____-__-__' and {date_checks}\n"
        "then cast(s as date) end\n$$",
        "create or replace function staging.try_ts(s varchar) returns timestamp\n"
        "language sql stable parallel safe as $$\n"
        f"select case when s like '____-__-__ __:__:__' and {date_checks} and {time_checks}\n"
        "then cast(s as timestamp) end\n$$",
    ]


def exact_parsers(dialect: Dialect) -> list[str]:
    """The statements (re)defining both functions on ``dialect``."""
    return _DUCKDB if dialect == "duckdb" else _postgres()
