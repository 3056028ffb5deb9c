"""Column frames: a table under construction is a dict of equal-length numpy arrays."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa

# A column is a numpy array or, for text built in Arrow, a pyarrow Array.
Frame = dict[str, Any]

NULL_ID = -1  # stands for a null id until the frame becomes an Arrow table
NULL_TS = np.iinfo(np.int64).min  # stands for a null timestamp
NULL_CODE = -1  # stands for a null in a categorical (code, pool) column


def frame_len(frame: Frame) -> int:
    return len(next(iter(frame.values()))) if frame else 0  # numpy and Arrow columns alike


def take(frame: Frame, index: npt.NDArray[Any]) -> Frame:
    return {
        name: values.take(pa.array(index)) if isinstance(values, pa.Array) else values[index]
        for name, values in frame.items()
    }


def _concat_column(parts: list[Any]) -> Any:
    if any(isinstance(p, pa.Array) for p in parts):
        arrays = [p if isinstance(p, pa.Array) else pa.array(p, from_pandas=True) for p in parts]
        return pa.concat_arrays([a.cast(arrays[0].type) for a in arrays])
    return np.concatenate(parts)


def concat(frames: list[Frame]) -> Frame:
    frames = [f for f in frames if f]
    if not frames:
        return {}
    return {name: _concat_column([f[name] for f in frames]) for name in frames[0]}


def choice_codes(
    rng: np.random.Generator, weights: npt.ArrayLike, size: int
) -> npt.NDArray[np.int64]:
    """Draw ``size`` category codes with the given (unnormalised) weights."""
    cdf = np.cumsum(np.asarray(weights, dtype=np.float64))
    cdf /= cdf[-1]
    return np.searchsorted(cdf, rng.random(size), side="right").astype(np.int64)


def categorical(pool: tuple[str, ...] | list[str], codes: npt.NDArray[Any]) -> pa.Array:
    """Text column from category codes (negative codes → null), built in Arrow: far faster and
    smaller than a numpy array of Python strings."""
    codes = np.asarray(codes)
    mask = codes < 0
    indices = pa.array(np.where(mask, 0, codes).astype(np.int32), mask=mask if mask.any() else None)
    return pa.DictionaryArray.from_arrays(indices, pa.array(list(pool), pa.string())).cast(
        pa.string()
    )


LOOKUP_SIZE = 1 << 20


def inverse_cdf_table(weights: npt.NDArray[np.float64]) -> npt.NDArray[np.int32]:
    """A quantized inverse CDF: drawing is then one gather instead of a binary search per draw.

    Categories whose share is below 1/LOOKUP_SIZE may never be drawn; used for products only.
    """
    cdf = np.cumsum(weights, dtype=np.float64)
    cdf /= cdf[-1]
    grid = (np.arange(LOOKUP_SIZE) + 0.5) / LOOKUP_SIZE
    return np.minimum(np.searchsorted(cdf, grid, side="right"), len(weights) - 1).astype(np.int32)


def draw(
    rng: np.random.Generator, table: npt.NDArray[np.int32], size: int
) -> npt.NDArray[np.int64]:
    return table[rng.integers(0, len(table), size)].astype(np.int64)
