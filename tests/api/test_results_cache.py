"""The per-build cache of analytics results: kept while no build finishes, dropped after one."""

from __future__ import annotations

import itertools

from globalcart.engines import Warehouse
from globalcart.store.results import BuildCache

_run_ids = itertools.count(1)


def _finish_build(warehouse: Warehouse, *, finished: bool = True) -> None:
    warehouse.execute(
        "insert into ops.runs (run_id, kind, mode, status, started_at, finished_at) "
        f"values (?, 'build', 'full', 'success', current_timestamp, "
        f"{'current_timestamp' if finished else 'null'})",
        [next(_run_ids)],
    )


def test_results_live_until_the_next_build_finishes(warehouse: Warehouse) -> None:
    cache = BuildCache(warehouse, check_seconds=0)
    computed: list[str] = []

    def compute(value: str) -> str:
        computed.append(value)
        return value

    assert cache.get("k", lambda: compute("before any build")) == "before any build"
    assert cache.get("k", lambda: compute("still unbuilt")) == "still unbuilt"  # not kept
    _finish_build(warehouse)
    assert cache.get("k", lambda: compute("build 1")) == "build 1"
    assert cache.get("k", lambda: compute("not computed")) == "build 1"
    _finish_build(warehouse, finished=False)  # a build still running changes nothing
    assert cache.get("k", lambda: compute("not computed")) == "build 1"
    _finish_build(warehouse)
    assert cache.get("k", lambda: compute("build 3")) == "build 3"
    assert computed == ["before any build", "still unbuilt", "build 1", "build 3"]


def test_the_build_is_read_at_most_once_per_interval_and_entries_are_bounded(
    warehouse: Warehouse,
) -> None:
    _finish_build(warehouse)
    cache = BuildCache(warehouse, max_entries=2, check_seconds=3600)
    assert cache.get("a", lambda: 1) == 1
    _finish_build(warehouse)  # not noticed within the interval
    assert cache.get("a", lambda: 2) == 1
    cache.get("b", lambda: 3)
    cache.get("c", lambda: 4)  # evicts "a", the least recently used
    assert cache.get("a", lambda: 5) == 5
    cache.clear()  # forgets entries and re-reads the build next time
    assert cache.get("b", lambda: 6) == 6


def test_peek_answers_only_within_the_check_interval(warehouse: Warehouse) -> None:
    _finish_build(warehouse)
    cache = BuildCache(warehouse, check_seconds=3600)
    assert cache.peek("k") is None  # the build was never read: the caller must use get()
    cache.get("k", lambda: "value")
    assert cache.peek("k") == "value"
    assert cache.peek("other") is None
    cache.clear()
    assert cache.peek("k") is None
    stale = BuildCache(warehouse, check_seconds=0)  # every answer needs the build re-read
    stale.get("k", lambda: "value")
    assert stale.get("k", lambda: "recomputed") == "value"
    assert stale.peek("k") is None
