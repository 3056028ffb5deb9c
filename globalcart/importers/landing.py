"""An imported batch (landing tables + import report) and how it is written as a landing folder.

Every importer returns an ``ImportBatch``: pandas frames named after contract tables and an
import report with one row per source row (its disposition and, when it is not imported, the
reason). ``write_batch`` writes them in the contract's exact schema with the generator's
``LandingWriter`` and manifest, so ``globalcart load`` treats the folder like any other.

``ingested_at`` is the day after the last event of the source: the same source always gives
byte-identical files, so re-importing it is a no-op for the loader, and a later export of the
same store (with later events) wins over an earlier one in staging.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from globalcart.contract import TABLES, TIMESTAMP_FORMAT, landing_table
from globalcart.generator.output import LandingWriter, prepare_out, write_manifest

REPORT_FILE = "import_report.parquet"
# Dispositions of a source row. Imported rows are in a landing table; the others are not
# imported, for the reason in the report.
IMPORTED = ("order_item", "shipping_fee", "return")
REPORT_COLUMNS = ("source_file", "source_row", "disposition", "reason", "order_id", "line_no")


class SourceError(ValueError):
    """The source cannot be imported (unreadable file, missing columns, bad mapping)."""


@dataclass
class ImportBatch:
    """Landing frames of one import plus the per-row report."""

    source: str
    inputs: list[str]
    tables: dict[str, pd.DataFrame]
    report: pd.DataFrame
    notes: dict[str, Any] = field(default_factory=dict)

    def summary(self) -> dict[str, int]:
        """Source rows per disposition (imported kinds and every not-imported reason)."""
        out: dict[str, int] = {}
        pairs = zip(self.report["disposition"], self.report["reason"], strict=True)
        for disposition, reason in pairs:
            label = str(disposition) if pd.isna(reason) else f"{disposition}: {reason}"
            out[label] = out.get(label, 0) + 1
        return dict(sorted(out.items()))

    def window(self) -> tuple[str, str]:
        stamps = pd.to_datetime(self.tables["orders"]["order_ts"], errors="coerce").dropna()
        if stamps.empty:
            raise SourceError(f"{self.source}: no order has a valid date")
        return stamps.min().strftime(TIMESTAMP_FORMAT), stamps.max().strftime(TIMESTAMP_FORMAT)


def report_frame(
    source_file: pd.Series | str,
    rows: pd.Series | range,
    disposition: pd.Series | str,
    reason: pd.Series | str | None = None,
    order_id: pd.Series | None = None,
    line_no: pd.Series | None = None,
) -> pd.DataFrame:
    """Report rows in the standard shape (missing parts are null)."""
    frame = pd.DataFrame({"source_row": pd.Series(rows, dtype="int64").to_numpy()})
    frame.insert(0, "source_file", _values(source_file, len(frame)))
    frame["disposition"] = _values(disposition, len(frame))
    frame["reason"] = _values(reason, len(frame))
    frame["order_id"] = _values(order_id, len(frame), "Int64")
    frame["line_no"] = _values(line_no, len(frame), "Int64")
    return frame


def _values(value: Any, length: int, dtype: Any = "object") -> Any:
    if isinstance(value, pd.Series):
        return value.astype(dtype).reset_index(drop=True).array
    return pd.array([value] * length, dtype=dtype)


def format_ts(values: pd.Series) -> pd.Series:
    """Datetimes → contract text ``YYYY-MM-DD HH:MM:SS`` (null stays null)."""
    text: pd.Series = values.dt.strftime(TIMESTAMP_FORMAT).where(values.notna(), None)
    return text


def to_arrow(table_name: str, frame: pd.DataFrame, ingested_at: dt.datetime) -> pa.Table:
    """``frame`` in the exact contract schema: missing columns are null, extra ones dropped."""
    spec = landing_table(table_name)
    arrays = []
    for name, dtype in spec.columns:
        if name in frame.columns:
            arrays.append(pa.array(frame[name], type=dtype, from_pandas=True))
        else:
            arrays.append(pa.nulls(len(frame), type=dtype))
    arrays.append(pa.array([ingested_at] * len(frame), type=spec.schema.field("ingested_at").type))
    return pa.Table.from_arrays(arrays, schema=spec.schema)


def ingestion_time(batch: ImportBatch) -> dt.datetime:
    """Midnight UTC after the latest timestamp of the batch (deterministic, never in the past
    of any row, so staging's ``future_date`` rule holds)."""
    _, last = batch.window()
    day = dt.datetime.strptime(last, TIMESTAMP_FORMAT).date() + dt.timedelta(days=1)
    latest = day
    for frame in batch.tables.values():
        for column in ("updated_at", "requested_at", "refunded_at"):
            if column in frame.columns:
                stamps = pd.to_datetime(frame[column], errors="coerce").dropna()
                if not stamps.empty:
                    latest = max(latest, stamps.max().date() + dt.timedelta(days=1))
    return dt.datetime.combine(latest, dt.time(), tzinfo=dt.UTC)


def write_batch(batch: ImportBatch, out: Path, overwrite: bool = False) -> dict[str, Any]:
    """Write the landing files, the import report and ``manifest.json``; return the manifest."""
    prepare_out(out, overwrite)
    ingested_at = ingestion_time(batch)
    writer = LandingWriter(out=out, file_format="parquet", chunked=False)
    try:
        # every contract table, empty when the source has none of it: the folder is complete
        for spec in TABLES:
            frame = batch.tables.get(spec.name, pd.DataFrame())
            writer.write(spec.name, to_arrow(spec.name, frame, ingested_at))
    finally:
        writer.finish()
    pq.write_table(pa.Table.from_pandas(batch.report, preserve_index=False), out / REPORT_FILE)
    start, end = batch.window()
    digest = hashlib.sha256(json.dumps([batch.source, *batch.inputs]).encode()).hexdigest()
    header = {
        "batch_id": f"import-{batch.source}-{ingested_at:%Y%m%d}-{digest[:8]}",
        "source": f"import:{batch.source}",
        "inputs": batch.inputs,
        "window": {"start": start, "end": end},
        "ingested_at": ingested_at.isoformat(),
        "import": {"report": REPORT_FILE, "rows": batch.summary(), **batch.notes},
    }
    return write_manifest(out, writer, header, anomalies={})


def read_report(directory: Path) -> pd.DataFrame:
    """The import report of a written import folder."""
    path = directory / REPORT_FILE
    if not path.is_file():
        raise SourceError(f"{directory} has no {REPORT_FILE}: is it an import folder?")
    frame: pd.DataFrame = pq.read_table(path).to_pandas()
    return frame
