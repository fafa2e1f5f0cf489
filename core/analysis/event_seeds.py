"""Where an event may be: windows of one hour to four days that stand out from the usual
level (core.analysis.events), judged on the negative-binomial variance-stabilising scale
with each key's own over-dispersion."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from core.analysis.event_baseline import Usual, expected_sums, window_sums
from core.analysis.event_config import EventConfig

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

_MAD_TO_SD = 1.4826
_MIN_RESIDUALS = 8
# Used while a key's history is too short to measure its own spread: mild over-dispersion,
# as most social counts show.
_DEFAULT_PHI = 0.05
_MAX_PHI = 1.0
_MIN_TYPICAL = 8.0
_PHI_PRIOR_WEIGHT = 16
# The trimmed mean of seven days keeps about three: the baseline's own noise is that of a
# mean of three counts.
_BASELINE_DAYS_EFFECTIVE = 3.0
# So a z counts the baseline's noise too: on the stabilised scale the observed count has
# variance 1 and a mean of three days' counts a third of that.
# The longest window whose level stands for the event's own (see `union`).
CORE_HOURS = 24
_BASELINE_SPREAD = math.sqrt(1.0 + 1.0 / _BASELINE_DAYS_EFFECTIVE)


def vst(x: FloatArray | float, phi: FloatArray | float) -> FloatArray:
    """Negative-binomial variance-stabilising transform; 2√(x + 3/8) (Anscombe) at φ = 0.
    `phi` broadcasts against `x` (one φ per key: shape (keys, 1) against (keys, hours))."""
    value = np.maximum(np.asarray(x, dtype=np.float64), 0.0) + 0.375
    phi = np.asarray(phi, dtype=np.float64)
    tiny = phi < 1e-9
    safe = np.where(tiny, 1.0, phi)
    with np.errstate(invalid="ignore"):
        nb = 2.0 / np.sqrt(safe) * np.arcsinh(np.sqrt(safe * value))
    return np.asarray(np.where(tiny, 2.0 * np.sqrt(value), nb))


def dispersion(observed: FloatArray, usual: FloatArray, step: int) -> tuple[FloatArray, IntArray]:
    """φ per row from log(observed/usual) of every `step`-th window, newest back (so they
    do not overlap): robust (MAD), minus the Poisson share; and how many windows it rests
    on."""
    o, u = observed[..., ::-step], usual[..., ::-step]
    ok = ~(np.isnan(o) | np.isnan(u))
    with np.errstate(invalid="ignore", divide="ignore"):
        residual = np.where(ok, np.log((o + 0.5) / (u + 0.5)), np.nan)
        n = ok.sum(axis=-1)
        centre = _nanmedian(residual, n)
        mad = _nanmedian(np.abs(residual - centre[..., None]), n)
        # The usual level is itself a mean of a few days: its noise is no over-dispersion.
        noise = np.where(ok, (1.0 + 1.0 / _BASELINE_DAYS_EFFECTIVE) / (u + 0.5), 0.0)
        poisson = noise.sum(axis=-1) / np.maximum(n, 1)
    phi = np.clip((_MAD_TO_SD * mad) ** 2 - poisson, 0.0, _MAX_PHI)
    return np.asarray(np.where(n > 0, phi, 0.0)), np.asarray(n)


def _nanmedian(values: FloatArray, n: IntArray) -> FloatArray:
    """Median along the last axis ignoring NaN (`n` non-NaN per row); a sort, not nanmedian."""
    ordered = np.sort(values, axis=-1)
    lo = np.take_along_axis(ordered, np.maximum((n - 1) // 2, 0)[..., None], -1)[..., 0]
    hi = np.take_along_axis(ordered, np.maximum(n // 2, 0)[..., None], -1)[..., 0]
    return np.asarray(np.where(n > 0, (lo + hi) / 2, np.nan))


@dataclass(frozen=True)
class Seed:
    start: int
    end: int
    sign: int  # +1 rise, −1 fall
    z: float  # the window's z (absolute)
    # The window of the strongest seed joined in (its own, for a single seed), and its z.
    core: tuple[int, int] = (-1, -1)
    core_z: float = 0.0

    @property
    def strongest(self) -> tuple[int, int]:
        return self.core if self.core[0] >= 0 else (self.start, self.end)


def windows(
    counts: FloatArray, base: Usual, config: EventConfig
) -> dict[int, tuple[FloatArray, FloatArray]]:
    """Per scale: the observed and the usual sums of the windows ending at each hour."""
    return {
        width: (window_sums(counts, width), expected_sums(base, width, config.prior_rate))
        for width in config.scales
    }


def key_dispersion(
    counts: FloatArray,
    base: Usual,
    period_from: int,
    config: EventConfig,
    sums: dict[int, tuple[FloatArray, FloatArray]] | None = None,
) -> FloatArray:
    """φ per key (row), pooled over the scales whose windows usually hold at least
    `_MIN_TYPICAL` mentions (the log of fewer is too skewed to measure a spread on), each
    weighted by the windows it rests on, then shrunk towards a mild default (a few dozen
    windows measure φ only roughly). From the history before the period when it spans a
    week, else from all but the last week (the median of each scale is robust to the
    events left in it)."""
    week = 7 * 24
    hours = counts.shape[-1]
    # The history before the period; when the period is nearly all there is, the history
    # before its last week (the latest events are the likeliest to be in it).
    fit = period_from if period_from >= week else hours - week if hours >= 2 * week else hours
    total = np.zeros(counts.shape[0])
    weight = np.zeros(counts.shape[0])
    sums = sums if sums is not None else windows(counts, base, config)
    for width in config.scales:
        observed, expected = (values[:, :fit] for values in sums[width])
        phi, n = dispersion(observed, expected, width)
        typical = _nanmedian(expected, (~np.isnan(expected)).sum(axis=-1))
        use = (typical >= _MIN_TYPICAL) & (n >= _MIN_RESIDUALS)
        total += np.where(use, n * phi, 0.0)
        weight += np.where(use, n, 0)
    return np.asarray((total + _PHI_PRIOR_WEIGHT * _DEFAULT_PHI) / (weight + _PHI_PRIOR_WEIGHT))


def seeds(
    counts: FloatArray,
    base: Usual,
    known_from: IntArray,
    period_from: int,
    config: EventConfig,
) -> tuple[dict[int, list[Seed]], FloatArray]:
    """Per row with any: the significant windows ending within the period; and φ per row."""
    seeds: dict[int, list[Seed]] = {}
    sums = windows(counts, base, config)
    with np.errstate(invalid="ignore", all="ignore"):
        phi = key_dispersion(counts, base, period_from, config, sums)
    ends = np.arange(counts.shape[-1])
    for width in config.scales:
        observed, expected = sums[width]
        valid = (ends[None, :] >= period_from) & (ends[None, :] - width + 1 >= known_from[:, None])
        with np.errstate(invalid="ignore"):
            # Material first (cheap), then significant only where material.
            rise = (
                valid & (observed >= config.min_count) & (observed >= config.min_ratio * expected)
            )
            fall = (
                valid
                & (expected >= config.min_drop_usual)
                & (observed * config.min_ratio <= expected)
            )
        if width < config.min_drop_hours:
            fall[:] = False
        for sign, hit in ((1, rise), (-1, fall)):
            rows, cols = np.nonzero(hit)
            if rows.size == 0:
                continue
            z = vst(observed[rows, cols], phi[rows]) - vst(expected[rows, cols], phi[rows])
            z /= _BASELINE_SPREAD
            for row, end, value in zip(rows, cols, z, strict=True):
                if sign * value >= config.seed_z:
                    seeds.setdefault(int(row), []).append(
                        Seed(int(end) - width + 1, int(end), sign, abs(float(value)))
                    )
    return seeds, phi


def event_z(observed: float, usual: float, hours: int, phi: float) -> float:
    """The significance of an event's totals: variance-stabilised, the key's over-dispersion
    spread over the days it lasts (the day-to-day swings of a week-long drop average out;
    its sum is not one noisy day)."""
    phi = phi * min(1.0, 24.0 / hours)
    return float((vst(observed, phi) - vst(usual, phi)) / _BASELINE_SPREAD)


def union(seeds: list[Seed], gap: int) -> list[Seed]:
    """Seeds of one sign joined where they overlap or lie within `gap` hours; each keeps
    the strongest window of at most a day as its core (a four-day window is the most
    significant for a burst too, since it holds it — but it says little about its level)."""
    out: list[Seed] = []
    for seed in sorted(seeds, key=lambda s: (s.sign, s.start, s.end)):
        last = out[-1] if out else None
        if last is not None and last.sign == seed.sign and seed.start <= last.end + gap + 1:
            best = max(last, seed, key=_core_rank)
            core = best.strongest
            out[-1] = Seed(
                last.start,
                max(last.end, seed.end),
                seed.sign,
                max(last.z, seed.z),
                core,
                best.core_z or best.z,
            )
        else:
            out.append(seed)
    return out


def _core_rank(seed: Seed) -> tuple[bool, float]:
    """Windows of a day or less first, then the most significant."""
    start, end = seed.strongest
    return end - start + 1 <= CORE_HOURS, seed.core_z if seed.core_z else seed.z
