"""The file of a fitted linear model (sentiment, intent): a small npz of float32 arrays."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt


class Linear(Protocol):
    """What a fitted linear model keeps: coefficients, intercept and standardisation."""

    @property
    def coef(self) -> npt.NDArray[Any]: ...
    @property
    def intercept(self) -> npt.NDArray[Any]: ...
    @property
    def mean(self) -> npt.NDArray[Any]: ...
    @property
    def scale(self) -> npt.NDArray[Any]: ...


def save_linear(path: Path, model: Linear, *, meta: str, **extra: npt.NDArray[Any]) -> None:
    """Write the model's arrays as float32, `meta` (JSON) beside them, and any `extra`
    arrays (a learnt lexicon) as they are."""
    arrays: dict[str, Any] = {**extra}
    for name in ("coef", "intercept", "mean", "scale"):
        arrays[name] = getattr(model, name).astype(np.float32)
    np.savez_compressed(path, **arrays, meta=np.array(meta))
