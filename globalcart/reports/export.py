"""Export a whole BI mart (``marts.mart_*``) as CSV or Parquet: the CLI and the admin API."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Literal

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from globalcart.engines import Warehouse, WarehouseError
from globalcart.pipeline.models import SQL_DIR

ExportFormat = Literal["csv", "parquet"]
EXPORT_FORMATS: tuple[ExportFormat, ...] = ("csv", "parquet")
MEDIA_TYPES: dict[ExportFormat, str] = {
    "csv": "text/csv; charset=utf-8",
    "parquet": "application/vnd.apache.parquet",
}
MAX_EXPORT_ROWS = 5_000_000


class ExportError(ValueError):
    """An export request that cannot be honoured (unknown mart, mart not built yet…)."""


class UnknownMartError(ExportError):
    """No model builds a mart of this name."""


class MartNotBuiltError(ExportError):
    """The mart is a model, but the warehouse has not built it yet."""


def mart_names() -> tuple[str, ...]:
    """Every BI mart, one per model file ``globalcart/sql/marts/mart_*.sql``."""
    return tuple(sorted(path.stem for path in (SQL_DIR / "marts").glob("mart_*.sql")))


def check_mart(mart: str) -> str:
    """``marts.<mart>`` for a known mart; an ``UnknownMartError`` naming the marts otherwise."""
    names = mart_names()
    if mart not in names:
        raise UnknownMartError(f"no BI mart {mart!r} (marts: {', '.join(names)})")
    return f"marts.{mart}"


def read_mart(warehouse: Warehouse, mart: str, max_rows: int = MAX_EXPORT_ROWS) -> pa.Table:
    """All rows of a mart (at most ``max_rows``) as an Arrow table."""
    table = check_mart(mart)
    if not warehouse.table_exists(table):
        raise MartNotBuiltError(f"{table} does not exist yet: run globalcart pipeline")
    try:
        return warehouse.query_arrow(f"select * from {table} limit ?", [max_rows])
    except WarehouseError as exc:
        raise ExportError(f"cannot export {mart}: {exc}") from None


def encode(data: pa.Table, fmt: ExportFormat) -> bytes:
    """The table as a CSV (header row, UTF-8) or Parquet file."""
    out = io.BytesIO()
    write(data, fmt, out)
    return out.getvalue()


def write(data: pa.Table, fmt: ExportFormat, out: Path | io.BytesIO) -> None:
    """Write the table as CSV or Parquet to a path or a binary buffer."""
    if fmt == "parquet":
        pq.write_table(data, out)
    elif fmt == "csv":
        pacsv.write_csv(data, out)
    else:
        raise ExportError(f"unknown format {fmt!r} (use csv or parquet)")
