"""Events in a stored hourly history: when a key rose or fell, how long, and how far.

The alert detector (core.analysis.trends) answers "is this key moving *now*?". This module
answers "what happened in these days?" for one key's hourly counts:

1. **Usual level, trailing.** Each hour's usual count is the trimmed mean of the same hour
   (smoothed over three hours, so one sparse hour does not make a noisy baseline) on the
   last `baseline_days` days before it. Hours before the key's history is known (listening
   began, a topic first counted) are not "zero", they are unknown.
2. **Seeds.** Windows of 1, 3, 6, 12 and 24 hours ending at every hour are compared with
   their usual sum on the negative-binomial variance-stabilising scale (as the detector's
   drops are), so rises and falls are judged alike in ratio; the over-dispersion φ of each
   scale comes from the key's own residuals. A window seeds an event when its z clears
   `z_min` and the change is material (at least `min_count` mentions and `min_ratio` times
   the usual, or a fall to 1/`min_ratio` of at least `min_count` usual ones).
3. **Extent against a frozen baseline.** Each seed's usual level is taken from the days
   *before it started* (the same hour of day, trimmed mean), so the second day of a
   two-day spike is not compared with the first. The event grows from the seed while the
   six-hour count stays above (below) `extend_ratio` times that usual, then its ends are
   trimmed to hours that really carry excess (shortfall).
4. **Figures.** Start, peak and end hours; observed and usual totals over the event; the
   ratio and the z of the totals. A rise whose peak comes within `burst_hours` of its start
   is a burst, a slower one a climb.

Everything is numpy over one key's array; the caller reads the counts and names the keys.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from core.analysis.event_baseline import Usual, expected_sums, frozen, smoothed, usual, window_sums

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
EventKind = Literal["burst", "climb", "drop"]

_MAD_TO_SD = 1.4826
_MIN_RESIDUALS = 8
# Used while a key's history is too short to measure its own spread: mild over-dispersion,
# as most social counts show.
_DEFAULT_PHI = 0.05
_MAX_PHI = 1.0
_MIN_TYPICAL = 8.0
DAY_HOURS = 24
# An event's own level is taken no further than this from the usual (a never-seen hashtag
# is "infinitely" above it; the segmentation needs a finite bar).
_MAX_OWN = 50.0
_PHI_PRIOR_WEIGHT = 16
# The trimmed mean of seven days keeps about three: the baseline's own noise is that of a
# mean of three counts.
_BASELINE_DAYS_EFFECTIVE = 3.0
# So a z counts the baseline's noise too: on the stabilised scale the observed count has
# variance 1 and a mean of three days' counts a third of that.
_BASELINE_SPREAD = math.sqrt(1.0 + 1.0 / _BASELINE_DAYS_EFFECTIVE)


@dataclass(frozen=True)
class EventConfig:
    """Thresholds of the event finder (hourly buckets)."""

    scales: tuple[int, ...] = (1, 3, 6, 12, 24, 48, 96)
    baseline_days: int = 7
    # Fewest earlier days (same hour) that make a usual level.
    min_days: int = 3
    # A window this far off starts a look; the whole event must then reach `z_min`, or
    # `z_short` when it lasts less than `short_hours` (short windows are the most numerous,
    # so chance finds more of them).
    seed_z: float = 3.5
    z_min: float = 3.5
    z_short: float = 4.0
    short_hours: int = 6
    z_drop: float = 4.0
    big_ratio: float = 3.0
    big_relief: float = 0.0
    # A fall shorter than this is a quiet spell, not news.
    min_drop_hours: int = 6
    min_count: float = 10.0
    min_ratio: float = 2.0
    extend_ratio: float = 1.5
    # This many ordinary hours in a row end an event.
    split_hours: int = 12
    # A fall must miss at least this many usual mentions to be news.
    min_drop_usual: float = 30.0
    # Seeds closer than this (hours) are one event.
    gap_hours: int = 3
    burst_hours: int = 6
    # Usual mentions an hour assumed for a key whose known history is all zero.
    prior_rate: float = 0.02

    def __post_init__(self) -> None:
        if not self.scales or min(self.scales) < 1:
            raise ValueError("scales must be positive hours")
        if self.min_ratio <= 1 or self.extend_ratio <= 1:
            raise ValueError("min_ratio and extend_ratio must exceed 1")


@dataclass(frozen=True)
class Episode:
    """One event of one key; indexes are hours from the start of the counts.

    `observed` and `usual` are totals over [start, end] (both included); `usual` comes from
    the days before `start`. `z` is the variance-stabilised difference of the totals
    (negative for drops; see `event_z`). `ongoing` when the event reaches the last hour of the counts.
    """

    kind: EventKind
    start: int
    peak: int
    end: int
    observed: float
    usual: float
    z: float
    ongoing: bool

    @property
    def ratio(self) -> float:
        return self.observed / self.usual if self.usual > 0 else math.inf

    @property
    def hours(self) -> int:
        return self.end - self.start + 1

    @property
    def score(self) -> float:
        """Significance weighted by the size of the change (as the detector ranks)."""
        return abs(self.z) * abs(math.log2((self.observed + 1.0) / (self.usual + 1.0)))


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
class _Seed:
    start: int
    end: int
    sign: int  # +1 rise, −1 fall
    z: float  # the window's z (absolute)
    # The window of the strongest seed joined in (its own, for a single seed).
    core: tuple[int, int] = (-1, -1)

    @property
    def strongest(self) -> tuple[int, int]:
        return self.core if self.core[0] >= 0 else (self.start, self.end)


def key_dispersion(
    counts: FloatArray, base: Usual, period_from: int, config: EventConfig
) -> FloatArray:
    """φ per key (row), pooled over the scales whose windows usually hold at least
    `_MIN_TYPICAL` mentions (the log of fewer is too skewed to measure a spread on), each
    weighted by the windows it rests on, then shrunk towards a mild default (a few dozen
    windows measure φ only roughly). From the history before the period when it spans a
    week, else from all of it (the median of each scale is robust to the events in it)."""
    enough = period_from >= 7 * 24
    total = np.zeros(counts.shape[0])
    weight = np.zeros(counts.shape[0])
    for width in config.scales:
        observed = window_sums(counts, width)
        expected = expected_sums(base, width, config.prior_rate)
        if enough:
            observed, expected = observed[:, :period_from], expected[:, :period_from]
        phi, n = dispersion(observed, expected, width)
        typical = _nanmedian(expected, (~np.isnan(expected)).sum(axis=-1))
        use = (typical >= _MIN_TYPICAL) & (n >= _MIN_RESIDUALS)
        total += np.where(use, n * phi, 0.0)
        weight += np.where(use, n, 0)
    return np.asarray((total + _PHI_PRIOR_WEIGHT * _DEFAULT_PHI) / (weight + _PHI_PRIOR_WEIGHT))


def _seeds(
    counts: FloatArray,
    base: Usual,
    known_from: IntArray,
    period_from: int,
    config: EventConfig,
) -> tuple[dict[int, list[_Seed]], FloatArray]:
    """Per row with any: the significant windows ending within the period; and φ per row."""
    seeds: dict[int, list[_Seed]] = {}
    with np.errstate(invalid="ignore", all="ignore"):
        phi = key_dispersion(counts, base, period_from, config)
    ends = np.arange(counts.shape[-1])
    for width in config.scales:
        observed = window_sums(counts, width)
        expected = expected_sums(base, width, config.prior_rate)
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
            big = _big(observed[rows, cols], expected[rows, cols], sign, config)
            need = np.where(big, config.seed_z - config.big_relief, config.seed_z)
            for row, end, value, bar in zip(rows, cols, z, need, strict=True):
                if sign * value >= bar:
                    seeds.setdefault(int(row), []).append(
                        _Seed(int(end) - width + 1, int(end), sign, abs(float(value)))
                    )
    return seeds, phi


def _big(observed: Any, usual: Any, sign: int, config: EventConfig) -> Any:
    """Three times the usual on at least twice `min_count` mentions (or a third of twice as
    many usual ones): news at a lower significance, since chance makes such ratios only on
    small counts."""
    ratio = (np.asarray(observed) + 0.5) / (np.asarray(usual) + 0.5)
    if sign > 0:
        return (ratio >= config.big_ratio) & (np.asarray(observed) >= 2 * config.min_count)
    return (ratio * config.big_ratio <= 1.0) & (np.asarray(usual) >= 2 * config.min_drop_usual)


def event_z(observed: float, usual: float, hours: int, phi: float) -> float:
    """The significance of an event's totals: variance-stabilised, the key's over-dispersion
    spread over the days it lasts (the day-to-day swings of a week-long drop average out;
    its sum is not one noisy day)."""
    phi = phi * min(1.0, 24.0 / hours)
    return float((vst(observed, phi) - vst(usual, phi)) / _BASELINE_SPREAD)


def _union(seeds: list[_Seed], gap: int) -> list[_Seed]:
    """Seeds of one sign joined where they overlap or lie within `gap` hours."""
    out: list[_Seed] = []
    for seed in sorted(seeds, key=lambda s: (s.sign, s.start, s.end)):
        last = out[-1] if out else None
        if last is not None and last.sign == seed.sign and seed.start <= last.end + gap + 1:
            best = last if last.z >= seed.z else seed
            out[-1] = _Seed(last.start, max(last.end, seed.end), seed.sign, best.z, best.strongest)
        else:
            out.append(seed)
    return out


def _extent(
    counts: FloatArray, usual: FloatArray, seed: _Seed, config: EventConfig
) -> tuple[int, int]:
    """The hours of the event a seed found: the stretch around its strongest hour that is
    most likely at the event's level rather than the usual one (a maximum-sum segment of
    per-hour log-likelihood ratios).

    The event's level (`own`, a multiple of the usual) is measured around the strongest
    hour; each hour then scores how much better "own × usual" explains its count than the
    usual does. The stretch with the highest total that holds the strongest hour is the
    event: it begins and ends where the excess does, however wide the window that found
    it, and bridges an ordinary afternoon inside a week-long fall when the days around it
    outweigh it. Half a day at the usual level ends it regardless (two stories).
    """
    known = ~np.isnan(usual)
    base = np.where(known, usual, 0.0)
    # The strongest hour of the strongest window anchors the event, and that window gives
    # the event's own level (a multiple of the usual): the joined windows of all scales
    # reach far beyond a three-hour burst, and would water it down.
    lo, hi = seed.strongest
    excess = smoothed((counts - base)[None, :])[0] * seed.sign
    core = np.where(known, excess, -np.inf)[lo : hi + 1]
    anchor = lo + int(np.argmax(core))
    own = (float(counts[lo : hi + 1].sum()) + 0.5) / (float(base[lo : hi + 1].sum()) + 0.5)
    # Each hour scores its log-likelihood ratio of "at the event's level" against "at the
    # usual level" (up to a factor): count − bar × usual with bar = (own − 1) / ln(own).
    own = min(max(own, 1.0 / _MAX_OWN), _MAX_OWN)
    if abs(own - 1.0) < 1e-3:
        own = 1.0 + 1e-3 if seed.sign > 0 else 1.0 - 1e-3
    bar = (own - 1.0) / math.log(own)
    score = (counts - bar * base) * seed.sign
    # Unknown hours end an event: nothing is said about them.
    start, end = _best_around(np.where(known, score, -np.inf), anchor)
    # Half a day back at the usual level (or beyond it the other way) ends an event, however
    # strong what came before and after: two stories, not one.
    ordinary = (counts <= base) if seed.sign > 0 else (counts >= base)
    run = 0
    for h in range(anchor + 1, end + 1):
        run = run + 1 if ordinary[h] else 0
        if run >= config.split_hours:
            end = h - run
            break
    run = 0
    for h in range(anchor - 1, start - 1, -1):
        run = run + 1 if ordinary[h] else 0
        if run >= config.split_hours:
            start = h + run
            break
    # The last hours before now (a quiet night) hold little evidence either way: unless
    # they speak against it by more than a mention's worth, the event goes on until now.
    tail = slice(end + 1, counts.size)
    if (
        0 < counts.size - 1 - end <= DAY_HOURS
        and known[tail].all()
        and float(score[tail].sum()) >= -1.0
    ):
        end = counts.size - 1
    return start, end


def _best_around(score: FloatArray, anchor: int) -> tuple[int, int]:
    """[start, end] of the maximum-sum stretch of `score` that holds `anchor`."""
    left = np.cumsum(score[anchor::-1])  # sums of anchor, anchor−1 … back
    right = np.cumsum(score[anchor + 1 :])  # sums of anchor+1 … forward
    # On a tie the longer stretch: hours that neither add nor take away stay in.
    back = left.size - 1 - int(np.argmax(left[::-1])) if np.isfinite(left).any() else 0
    forward = 0
    if right.size and right.max() >= 0:
        forward = right.size - int(np.argmax(right[::-1]))
    return anchor - back, anchor + forward


def _episode(
    counts: FloatArray,
    usual: FloatArray,
    start: int,
    end: int,
    seed: _Seed,
    phi: float,
    config: EventConfig,
) -> Episode | None:
    """The figures of an event over [start, end], or None when the grown event is no
    material or no significant change against its frozen usual level."""
    span = usual[start : end + 1]
    if np.isnan(span).any():
        return None
    observed = float(counts[start : end + 1].sum())
    total = float(span.sum())
    excess = smoothed(counts)[start : end + 1] - span
    peak = start + int(np.argmax(excess) if seed.sign > 0 else np.argmin(excess))
    if seed.sign > 0:
        material = observed >= config.min_count and observed >= config.extend_ratio * total
        kind: EventKind = "burst" if peak - start < config.burst_hours else "climb"
    else:
        material = total >= config.min_drop_usual and observed * config.extend_ratio <= total
        kind = "drop"
    hours = end - start + 1
    z = event_z(observed, total, hours, phi)
    bar = config.z_short if hours < config.short_hours else config.z_min
    if seed.sign < 0:
        # Falls are judged on the data that chose their extent, which flatters them more
        # than rises (a quiet spell is easy to frame): a stricter bar.
        bar = max(bar, config.z_drop)
    if _big(observed, total, seed.sign, config):
        bar -= config.big_relief
    if not material or seed.sign * z < bar or (seed.sign < 0 and hours < config.min_drop_hours):
        return None
    # Still going when it reaches the last complete hour (the current one is still filling).
    return Episode(kind, start, peak, end, observed, total, z, end >= counts.size - 2)


def find_episodes(
    counts: FloatArray | list[float],
    *,
    known_from: int = 0,
    period_from: int = 0,
    last_fraction: float = 1.0,
    config: EventConfig | None = None,
) -> list[Episode]:
    """The events of one key's hourly counts that reach into [period_from, end), by start.

    `known_from`: the first hour whose count is known (earlier hours are not zero but
    unknown). `last_fraction`: how much of the last hour has passed (its usual level is
    scaled to it).
    """
    values = np.asarray(counts, dtype=np.float64)[None, :]
    return find_all(
        values,
        known_from=np.array([known_from]),
        period_from=period_from,
        last_fraction=last_fraction,
        config=config,
    ).get(0, [])


def find_all(
    counts: FloatArray,
    *,
    known_from: IntArray,
    period_from: int = 0,
    last_fraction: float = 1.0,
    config: EventConfig | None = None,
) -> dict[int, list[Episode]]:
    """`find_episodes` for many keys at once (one row each): the screening runs on the
    whole matrix, and only rows with a significant window are followed one by one."""
    config = config or EventConfig()
    if counts.size == 0:
        return {}
    base = usual(
        counts,
        known_from,
        days=config.baseline_days,
        min_days=config.min_days,
        floor=config.prior_rate,
    )
    if 0 < last_fraction < 1:
        # The hour still filling is compared with its elapsed share of the usual.
        base = dataclasses.replace(base, hourly=base.hourly.copy())
        base.hourly[:, -1] *= last_fraction
    out: dict[int, list[Episode]] = {}
    seeded, phis = _seeds(counts, base, known_from, period_from, config)
    for row, seeds in seeded.items():
        found = _follow(counts[row], base, row, seeds, float(phis[row]), last_fraction, config)
        if found:
            out[row] = found
    return out


def _follow(
    values: FloatArray,
    base: Usual,
    row: int,
    seeds: list[_Seed],
    phi: float,
    last_fraction: float,
    config: EventConfig,
) -> list[Episode]:
    """One key's seeds grown into events (seeds that grow into each other are one)."""
    found: list[Episode] = []
    for seed in _union(seeds, config.gap_hours):
        frozen = _frozen(base, row, seed.start, last_fraction, config)
        start, end = _extent(values, frozen, seed, config)
        if start != seed.start:
            # It began earlier than the seed: its usual level is from before that.
            frozen = _frozen(base, row, start, last_fraction, config)
        episode = _episode(values, frozen, start, end, seed, phi, config)
        if episode is None:
            continue
        near = [e for e in found if _same_sign(e, episode) and _close(e, episode, config)]
        if near:
            # Seeds that grew into (or next to) each other are one event.
            group = (*near, episode)
            first = min(e.start for e in group)
            joined = _Seed(first, max(e.end for e in group), seed.sign, 0.0)
            merged = _episode(
                values,
                _frozen(base, row, first, last_fraction, config),
                first,
                joined.end,
                joined,
                phi,
                config,
            )
            found = [e for e in found if e not in near]
            episode = merged if merged is not None else max(group, key=lambda e: abs(e.z))
        found.append(episode)
    return sorted(found, key=lambda e: e.start)


def _frozen(
    base: Usual, row: int, start: int, last_fraction: float, config: EventConfig
) -> FloatArray:
    """The usual level of every hour as known when an event began at `start`."""
    level = frozen(base, row, start, config.prior_rate)
    if 0 < last_fraction < 1:
        level[-1] *= last_fraction
    return level


def _close(a: Episode, b: Episode, config: EventConfig) -> bool:
    return a.start <= b.end + config.gap_hours + 1 and b.start <= a.end + config.gap_hours + 1


def _same_sign(a: Episode, b: Episode) -> bool:
    return (a.kind == "drop") == (b.kind == "drop")
