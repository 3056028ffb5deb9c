"""Load landing files (Parquet or CSV, plus ``manifest.json``) into ``landing.*``, once per file."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

from globalcart import contract
from globalcart.engines.base import Warehouse, WarehouseError
from globalcart.pipeline.runs import finish_run, start_run

MANIFEST = "manifest.json"
SUFFIXES = (".parquet", ".csv")


class LandingError(WarehouseError):
    """A landing directory or file does not match the source contract."""


@dataclass
class FileLoad:
    table: str
    path: str
    rows: int
    skipped: bool


@dataclass
class LoadResult:
    run_id: int
    batch_id: str | None
    files: list[FileLoad] = field(default_factory=list)

    @property
    def rows_loaded(self) -> int:
        return sum(item.rows for item in self.files if not item.skipped)

    @property
    def files_skipped(self) -> int:
        return sum(1 for item in self.files if item.skipped)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def read_manifest(landing_dir: Path) -> dict[str, Any] | None:
    path = landing_dir / MANIFEST
    if not path.exists():
        return None
    try:
        manifest: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise LandingError(f"unreadable manifest {path}: {exc}") from exc
    return manifest


def discover_files(landing_dir: Path, manifest: dict[str, Any] | None) -> dict[str, list[Path]]:
    """Files per landing table: from the manifest when present, else by naming convention."""
    found: dict[str, list[Path]] = {}
    for table in contract.TABLES:
        if manifest is not None:
            entry = manifest.get("tables", {}).get(table.name)
            paths = [landing_dir / name for name in (entry or {}).get("files", [])]
        else:
            paths = []
            for suffix in SUFFIXES:
                single = landing_dir / f"{table.name}{suffix}"
                if single.exists():
                    paths.append(single)
                paths.extend(sorted((landing_dir / table.name).glob(f"*{suffix}")))
        missing = [str(path) for path in paths if not path.exists()]
        if missing:
            raise LandingError(f"files listed for {table.name} are missing: {', '.join(missing)}")
        if paths:
            found[table.name] = paths
    return found


def read_landing_file(path: Path, table: contract.LandingTable) -> pa.Table:
    """Read one file with exactly the contract schema (``ingested_at`` as naive UTC)."""
    schema = table.schema
    try:
        if path.suffix == ".csv":
            data = pa_csv.read_csv(
                path,
                convert_options=pa_csv.ConvertOptions(
                    column_types=schema,
                    include_columns=schema.names,
                    strings_can_be_null=True,
                    quoted_strings_can_be_null=False,
                ),
            )
        else:
            data = pq.read_table(path, columns=schema.names)
        data = data.select(schema.names).cast(schema)
    except (pa.ArrowException, OSError, KeyError, ValueError) as exc:
        raise LandingError(f"{path} does not match the {table.name} contract: {exc}") from exc
    ingested = data.column("ingested_at").cast(pa.timestamp("us"))
    return data.set_column(schema.get_field_index("ingested_at"), "ingested_at", ingested)


def load_landing(warehouse: Warehouse, landing_dir: Path | str) -> LoadResult:
    """Append every new file of ``landing_dir`` to ``landing.<table>``; known files are skipped."""
    landing_dir = Path(landing_dir)
    if not landing_dir.is_dir():
        raise LandingError(f"landing directory {landing_dir} does not exist")
    manifest = read_manifest(landing_dir)
    files = discover_files(landing_dir, manifest)
    if not files:
        raise LandingError(f"no landing files (or {MANIFEST}) found in {landing_dir}")
    batch_id = str(manifest["batch_id"]) if manifest and "batch_id" in manifest else None
    run_id = start_run(warehouse, "load", str(landing_dir))
    result = LoadResult(run_id=run_id, batch_id=batch_id)
    try:
        if manifest is not None and batch_id is not None:
            _record_batch(warehouse, batch_id, manifest)
        loaded = {row[0] for row in warehouse.query("select sha256 from ops.loaded_files")}
        for table_name, paths in files.items():
            table = contract.landing_table(table_name)
            expected = ((manifest or {}).get("tables", {}).get(table_name) or {}).get("sha256", {})
            for path in paths:
                relative = path.relative_to(landing_dir).as_posix()
                digest = sha256_of(path)
                if relative in expected and expected[relative] != digest:
                    raise LandingError(f"{path}: checksum differs from {MANIFEST} (corrupt copy?)")
                source = f"{batch_id}/{relative}" if batch_id else relative
                if digest in loaded:
                    result.files.append(FileLoad(table_name, source, 0, skipped=True))
                    continue
                data = read_landing_file(path, table)
                data = data.append_column(
                    "source_file", pa.array([source] * data.num_rows, pa.string())
                )
                with warehouse.transaction():
                    warehouse.load_arrow(f"landing.{table_name}", data)
                    warehouse.execute(
                        "insert into ops.loaded_files values (?, ?, ?, ?, ?, ?, current_timestamp)",
                        [digest, table_name, source, batch_id, data.num_rows, run_id],
                    )
                loaded.add(digest)
                result.files.append(FileLoad(table_name, source, data.num_rows, skipped=False))
        if warehouse.dialect == "postgres":  # fresh statistics for the build that follows
            for table_name in sorted({item.table for item in result.files if not item.skipped}):
                warehouse.execute(f"analyze landing.{table_name}")
    except Exception as exc:
        finish_run(warehouse, run_id, "failed", error=str(exc)[:2000])
        raise
    finish_run(warehouse, run_id, "success")
    return result


def _record_batch(warehouse: Warehouse, batch_id: str, manifest: dict[str, Any]) -> None:
    if warehouse.query("select 1 from ops.batches where batch_id = ?", [batch_id]):
        return
    window = manifest.get("window") or {}
    warehouse.execute(
        "insert into ops.batches values (?, ?, ?, ?, current_timestamp)",
        [batch_id, window.get("start"), window.get("end"), json.dumps(manifest, sort_keys=True)],
    )
