"""Column frames: a table under construction is a dict of equal-length numpy arrays."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa

Frame = dict[str, npt.NDArray[Any]]

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
