"""A throw-away PostgreSQL database for a group of tests (CI: GLOBALCART_REQUIRE_POSTGRES=1)."""

from __future__ import annotations

import os
import uuid
import warnings
from collections.abc import Iterator
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest

PG_ENV = "GLOBALCART_TEST_DATABASE_URL"
REQUIRE_ENV = "GLOBALCART_REQUIRE_POSTGRES"


def with_database(url: str, database: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{database}", parts.query, parts.fragment))


def temporary_database(prefix: str, label: str = "PostgreSQL tests") -> Iterator[str]:
    """Yield the URL of a freshly created database, dropped afterwards.

    Without GLOBALCART_TEST_DATABASE_URL the tests skip loudly, and with an unreachable server
    too — unless GLOBALCART_REQUIRE_POSTGRES=1 (CI), where either is a failure.
    """
    base = os.environ.get(PG_ENV)
    required = os.environ.get(REQUIRE_ENV) == "1"
    if not base:
        if required:
            pytest.fail(f"{REQUIRE_ENV}=1 but {PG_ENV} is not set")
        message = f"{label} SKIPPED: set {PG_ENV} (e.g. postgresql://postgres@127.0.0.1/test)"
        warnings.warn(message, stacklevel=2)
        pytest.skip(message)
    name = f"{prefix}_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    try:
        with psycopg.connect(base, autocommit=True, connect_timeout=5) as admin:
            admin.execute(f'create database "{name}"')
    except psycopg.Error as exc:
        if required:
            pytest.fail(f"PostgreSQL at {PG_ENV} is required but unreachable: {exc}")
        pytest.skip(f"{label} SKIPPED: {PG_ENV} unreachable: {exc}")
    yield with_database(base, name)
    with psycopg.connect(base, autocommit=True) as admin:
        admin.execute(f'drop database if exists "{name}" with (force)')
