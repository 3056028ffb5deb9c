"""The watched landing folder: batches (folders with a ``manifest.json``) dropped there are loaded.

A batch is pending while any of its files is missing from ``ops.loaded_files`` (by SHA-256, the
same test ``load_landing`` uses, so loading stays idempotent). Digests come from the manifest
when it lists them, else from hashing the file, remembered per (path, size, mtime) so that an
idle folder is not re-read every cycle. The generator writes the manifest last, so a batch that
is still being written is not picked up early.
"""

from __future__ import annotations

import threading
from pathlib import Path

from globalcart.engines.base import Warehouse
from globalcart.pipeline.load import (
    MANIFEST,
    LoadResult,
    discover_files,
    load_landing,
    read_manifest,
    sha256_of,
)

_DIGESTS: dict[tuple[str, int, int], str] = {}
_DIGESTS_GUARD = threading.Lock()


def batch_dirs(watch_dir: Path) -> list[Path]:
    """The folder itself when it holds a manifest, then its sub-folders that do, by name."""
    if not watch_dir.is_dir():
        return []
    found = [watch_dir] if (watch_dir / MANIFEST).is_file() else []
    found += sorted(p for p in watch_dir.iterdir() if p.is_dir() and (p / MANIFEST).is_file())
    return found


def _digest(path: Path) -> str:
    stat = path.stat()
    key = (str(path.resolve()), stat.st_size, stat.st_mtime_ns)
    with _DIGESTS_GUARD:
        known = _DIGESTS.get(key)
    if known is None:
        known = sha256_of(path)
        with _DIGESTS_GUARD:
            _DIGESTS[key] = known
    return known


def batch_digests(batch: Path) -> set[str]:
    """SHA-256 of every landing file of one batch folder."""
    manifest = read_manifest(batch)
    digests: set[str] = set()
    for table, paths in discover_files(batch, manifest).items():
        listed = ((manifest or {}).get("tables", {}).get(table) or {}).get("sha256", {})
        for path in paths:
            relative = path.relative_to(batch).as_posix()
            digests.add(str(listed[relative]) if relative in listed else _digest(path))
    return digests


def loaded_digests(warehouse: Warehouse) -> set[str]:
    rows = warehouse.query("select sha256 from ops.loaded_files where source_file not like 'app:%'")
    return {str(row[0]) for row in rows}


def pending_batches(warehouse: Warehouse, watch_dir: Path) -> list[Path]:
    """Batch folders of ``watch_dir`` with at least one file not loaded yet."""
    batches = batch_dirs(watch_dir)
    if not batches:
        return []
    loaded = loaded_digests(warehouse)
    return [batch for batch in batches if batch_digests(batch) - loaded]


def load_pending(warehouse: Warehouse, watch_dir: Path) -> list[LoadResult]:
    """Load every pending batch of ``watch_dir`` (oldest name first)."""
    return [load_landing(warehouse, batch) for batch in pending_batches(warehouse, watch_dir)]
