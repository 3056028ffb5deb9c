"""Generated batches shared by the generator tests (generated once per test session)."""

from __future__ import annotations

from pathlib import Path

import pytest

from globalcart.generator import GenerateParams, generate
from tests.generator.landing import Landing


@pytest.fixture(scope="session")
def tiny_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("tiny") / "landing"
    generate(GenerateParams(scale="tiny", out=out))
    return out


@pytest.fixture(scope="session")
def tiny(tiny_dir: Path) -> Landing:
    return Landing(tiny_dir)


@pytest.fixture(scope="session")
def clean(tmp_path_factory: pytest.TempPathFactory) -> Landing:
    """A tiny store without any injected anomaly: every invariant must hold on every row."""
    out = tmp_path_factory.mktemp("clean") / "landing"
    generate(GenerateParams(scale="tiny", out=out, bad_rate=0.0, seed=7))
    return Landing(out)


@pytest.fixture(scope="session")
def small(tmp_path_factory: pytest.TempPathFactory) -> Landing:
    """Enough orders for distribution checks."""
    out = tmp_path_factory.mktemp("small") / "landing"
    generate(GenerateParams(scale="small", orders=30_000, out=out, bad_rate=0.0))
    return Landing(out)


@pytest.fixture(scope="session")
def incremental(
    tiny_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Landing, Landing]:
    """The tiny base batch and two incremental batches continuing it."""
    first = tmp_path_factory.mktemp("inc1") / "landing"
    second = tmp_path_factory.mktemp("inc2") / "landing"
    generate(GenerateParams(scale="tiny", orders=300, days=30, out=first), from_dir=tiny_dir)
    generate(GenerateParams(scale="tiny", orders=300, days=30, out=second), from_dir=first)
    return Landing(first), Landing(second)
