"""Writing landing files (Parquet or CSV, one file or part files per table) and the manifest."""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from globalcart.contract import TABLES

MANIFEST = "manifest.json"
STATE_DIR = "_state"

ProgressCallback = Callable[[str, int], None]


def _noop(table: str, rows: int) -> None:
    del table, rows


@dataclass
class LandingWriter:
    """Writes tables into ``out``, in a background thread so generation and I/O overlap."""

    out: Path
    file_format: str
    chunked: bool
    progress: ProgressCallback = _noop
    rows: dict[str, int] = field(default_factory=dict)
    files: dict[str, list[str]] = field(default_factory=dict)
    _pool: ThreadPoolExecutor = field(default_factory=lambda: ThreadPoolExecutor(max_workers=2))
    _pending: list[Future[None]] = field(default_factory=list)

    def write(self, table: str, data: pa.Table, part: int | None = None) -> None:
        """Write one table (or one part of a chunked table)."""
        suffix = "parquet" if self.file_format == "parquet" else "csv"
        relative = f"{table}.{suffix}" if part is None else f"{table}/part-{part:05d}.{suffix}"
        self.files.setdefault(table, []).append(relative)
        self.rows[table] = self.rows.get(table, 0) + data.num_rows
        self._pending.append(self._pool.submit(self._write_file, self.out / relative, data))
        self.progress(table, data.num_rows)

    def _write_file(self, path: Path, data: pa.Table) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        if self.file_format == "parquet":
            pq.write_table(data, path, compression="snappy", row_group_size=1_000_000)
        else:
            pacsv.write_csv(data, path)

    def finish(self) -> None:
        for future in self._pending:
            future.result()
        self._pending.clear()
        self._pool.shutdown()


def prepare_out(out: Path, overwrite: bool) -> None:
    """An empty output folder: refuses to replace files unless ``overwrite``."""
    if out.exists() and any(out.iterdir()):
        if not overwrite:
            raise FileExistsError(f"{out} is not empty; pass --overwrite to replace it")
        shutil.rmtree(out)
    out.mkdir(parents=True, exist_ok=True)


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def write_manifest(
    out: Path, writer: LandingWriter, header: dict[str, Any], anomalies: dict[str, dict[str, int]]
) -> dict[str, Any]:
    tables: dict[str, Any] = {}
    for spec in TABLES:
        files = writer.files.get(spec.name, [])
        tables[spec.name] = {
            "files": files,
            "rows": writer.rows.get(spec.name, 0),
            "sha256": {f: sha256_file(out / f) for f in files},
        }
    totals: dict[str, int] = {}
    for kinds in anomalies.values():
        for kind, count in kinds.items():
            totals[kind] = totals.get(kind, 0) + count
    manifest = {**header, "tables": tables, "anomalies": anomalies, "anomaly_totals": totals}
    (out / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    return manifest


def read_manifest(directory: Path) -> dict[str, Any]:
    path = directory / MANIFEST
    if not path.is_file():
        raise FileNotFoundError(f"{directory} has no {MANIFEST}: is it a generated landing folder?")
    data: dict[str, Any] = json.loads(path.read_text())
    return data
