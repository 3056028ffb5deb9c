"""Fixtures of the refresh tests (helpers in ``storefront.py``)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.api.conftest import Env
from tests.refresh.storefront import storefront_env


@pytest.fixture
def env(warehouse_url: str, tmp_path: Path) -> Iterator[Env]:
    yield from storefront_env(warehouse_url, tmp_path, on_hand=500)
