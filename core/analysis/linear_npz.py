"""The file of a fitted linear model (sentiment, intent): a small npz of float32 arrays."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt


def save_linear(
    path: Path,
    *,
    coef: npt.NDArray[Any],
    intercept: npt.NDArray[Any],
    mean: npt.NDArray[Any],
    scale: npt.NDArray[Any],
    meta: str,
    **extra: npt.NDArray[Any],
) -> None:
    """Write coefficients, intercept and standardisation as float32, `meta` (JSON) beside
    them, and any `extra` arrays (a learnt lexicon) as they are."""
    arrays: dict[str, Any] = {**extra}
    for name, value in (("coef", coef), ("intercept", intercept), ("mean", mean), ("scale", scale)):
        arrays[name] = value.astype(np.float32)
    np.savez_compressed(path, **arrays, meta=np.array(meta))
