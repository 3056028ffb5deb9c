"""Report fixtures: a tiny generated store built once per engine and session, with an API app
over the same warehouse (to compare report numbers with the API's)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from globalcart.api.app import create_app
from globalcart.config import Settings
from globalcart.engines import Warehouse, connect
from globalcart.generator import GenerateParams, generate
from globalcart.pipeline.load import load_landing
from globalcart.pipeline.runner import build
from globalcart.store import Store, migrate_app
from tests.api.conftest import Env
from tests.postgres_db import REQUIRE_ENV, temporary_database

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "reports"


@dataclass
class Built:
    """A built warehouse, its URL, the engine name and an API over it."""

    engine: str
    url: str
    warehouse: Warehouse
    env: Env


@pytest.fixture(scope="session")
def report_landing(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("report_landing") / "landing"
    generate(GenerateParams(scale="tiny", out=out, bad_rate=0.0))
    return out


def _postgres() -> Iterator[str]:
    yield from temporary_database("globalcart_reports", "PostgreSQL report tests")


@pytest.fixture(
    scope="session", params=["duckdb", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def built(
    request: pytest.FixtureRequest,
    report_landing: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Built]:
    """The tiny store, loaded and built, on each engine (tests must not change it)."""
    databases = _postgres() if request.param == "postgres" else None
    tmp = tmp_path_factory.mktemp("report_wh")
    url = next(databases) if databases else f"duckdb:///{tmp}/warehouse.duckdb"
    warehouse = connect(url)
    load_landing(warehouse, report_landing)
    build(warehouse)
    migrate_app(warehouse)
    store = Store(warehouse)
    yield Built(request.param, url, warehouse, Env(store, create_app(Settings(database_url=url),
                                                                      store=store)))  # fmt: skip
    warehouse.close()
    if databases:
        next(databases, None)


def require_tool(name: str) -> str:
    """The path of a command-line tool; a failure in CI (GLOBALCART_REQUIRE_POSTGRES=1, where
    .ci/run installs it), a loud skip elsewhere."""
    path = shutil.which(name)
    if path is None:
        message = f"{name} is not installed (apt-get install libreoffice-calc-nogui poppler-utils)"
        if os.environ.get(REQUIRE_ENV) == "1":
            pytest.fail(message)
        pytest.skip(message)
    return path


def artifacts(*parts: str) -> Path:
    """A folder under test-artifacts/reports/ (git-ignored) for files to look at."""
    folder = ARTIFACTS.joinpath(*parts)
    folder.mkdir(parents=True, exist_ok=True)
    return folder
