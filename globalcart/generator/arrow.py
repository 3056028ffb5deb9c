"""Turn column frames into Arrow tables that follow the landing contract exactly."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from globalcart.contract import INGESTED_AT, MONEY, TS, landing_table
from globalcart.generator.frames import NULL_ID, NULL_TS, Frame, frame_len


def timestamp_text(values: npt.NDArray[np.int64]) -> pa.Array:
    """int64 epoch microseconds → 'YYYY-MM-DD HH:MM:SS' text (NULL_TS → null)."""
    mask = values == NULL_TS
    seconds = pa.array(np.where(mask, 0, values // 1_000_000).astype("datetime64[s]"), mask=mask)
    return pc.cast(seconds, pa.string())


def _column(name: str, values: npt.NDArray[Any], kind: pa.DataType, table: str) -> pa.Array:
    if isinstance(values, pa.Array | pa.ChunkedArray):
        return values
    if kind == TS and values.dtype.kind in "iu":
        return timestamp_text(values.astype(np.int64))
    if kind == pa.int64():
        mask = values == NULL_ID
        return pa.array(values.astype(np.int64), type=pa.int64(), mask=mask if mask.any() else None)
    if kind == MONEY:
        return pa.array(values.astype(np.float64), type=pa.float64(), from_pandas=True)
    if kind == pa.string():
        return pa.array(values, type=pa.string(), from_pandas=True)
    try:
        return pa.array(values, type=kind)
    except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:  # pragma: no cover - programming error
        raise TypeError(f"{table}.{name}: cannot convert to {kind}: {exc}") from exc


def to_arrow(table: str, frame: Frame, ingested_us: int) -> pa.Table:
    """The frame as an Arrow table of landing ``table``, stamped with ``ingested_at``."""
    spec = landing_table(table)
    n = frame_len(frame)
    missing = [name for name in spec.column_names if name not in frame]
    if missing and n:
        raise KeyError(f"{table}: frame lacks columns {missing}")
    arrays = [
        _column(name, frame[name], kind, table) if n else pa.array([], type=kind)
        for name, kind in spec.columns
    ]
    ingested = pa.array(np.full(n, ingested_us, dtype="datetime64[us]"), type=pa.timestamp("us"))
    arrays.append(ingested.cast(INGESTED_AT))
    return pa.Table.from_arrays(arrays, schema=spec.schema)
