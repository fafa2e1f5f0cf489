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

import math
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
EventKind = Literal["burst", "climb", "drop"]

_MAD_TO_SD = 1.4826
_MIN_RESIDUALS = 8
# Used while a key's history is too short to measure its own spread: mild over-dispersion,
# as most social counts show.
_DEFAULT_PHI = 0.05
_MAX_PHI = 1.0
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

    scales: tuple[int, ...] = (1, 3, 6, 12, 24)
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
    big_relief: float = 0.5
    # A fall shorter than this is a quiet spell, not news.
    min_drop_hours: int = 6
    min_count: float = 10.0
    min_ratio: float = 2.0
    extend_ratio: float = 1.5
    extend_hours: int = 6
    bridge_hours: int = 12
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


def _smoothed(counts: FloatArray) -> FloatArray:
    """Centred three-hour mean along the last axis (edges: the hours that exist)."""
    if counts.shape[-1] == 0:
        return counts
    padded = np.concatenate([counts[..., :1], counts, counts[..., -1:]], axis=-1)
    return np.asarray((padded[..., :-2] + padded[..., 1:-1] + padded[..., 2:]) / 3.0)


def _trimmed(days: FloatArray) -> FloatArray:
    """Trimmed mean along the last axis, ignoring NaN: the two highest and two lowest days
    dropped from six, one each from four. An event of two days earlier in the week (or a
    quiet holiday) does not lift (or lower) the usual level."""
    ordered = np.sort(days, axis=-1)  # NaN sorts last
    n = (~np.isnan(days)).sum(axis=-1)
    cut = np.where(n >= 6, 2, np.where(n >= 4, 1, 0))
    index = np.arange(days.shape[-1])
    keep = (index >= cut[..., None]) & (index < (n - cut)[..., None])
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(keep, ordered, 0.0).sum(axis=-1) / keep.sum(axis=-1)
    return np.asarray(np.where(n > 0, mean, np.nan))


def _usual_from(smooth: FloatArray, at: IntArray, ok: NDArray[np.bool_], config: EventConfig):
    """The trimmed mean of smooth[..., at] where `ok`; NaN with fewer than `min_days`."""
    past = np.full(ok.shape, np.nan)
    rows = np.broadcast_to(np.arange(smooth.shape[0])[:, None, None], ok.shape)
    cols = np.broadcast_to(at, ok.shape)
    past[ok] = smooth[rows[ok], cols[ok]]
    enough = ok.sum(axis=-1) >= config.min_days
    usual = np.where(enough, _trimmed(past), np.nan)
    return np.where(np.isnan(usual), np.nan, np.maximum(usual, config.prior_rate))


def trailing_usual(counts: FloatArray, known_from: IntArray, config: EventConfig) -> FloatArray:
    """Per key (row) and hour, the usual count from the same hour on the days before it;
    NaN when fewer than `min_days` of them are known (`known_from`: per row)."""
    smooth = _smoothed(counts)
    hours = np.arange(counts.shape[-1], dtype=np.int64)
    lags = 24 * np.arange(1, config.baseline_days + 1, dtype=np.int64)
    at = hours[None, :, None] - lags[None, None, :]
    # The smoothed value reaches one hour either side: that hour must be known too.
    ok = at - 1 >= known_from[:, None, None]
    return _usual_from(smooth, np.maximum(at, 0), ok, config)


def frozen_usual(
    counts: FloatArray, known_from: int, start: int, config: EventConfig
) -> FloatArray:
    """One key's usual count for every hour judged only from days before `start` (the same
    hour of day): the level an event that began at `start` is measured against."""
    smooth = _smoothed(counts[None, :])
    hours = np.arange(counts.size, dtype=np.int64)
    # The nearest day back that still lies before the event's start, then the days before.
    first = np.maximum((hours - start) // 24 + 1, 1)
    lags = 24 * (first[:, None] + np.arange(config.baseline_days)[None, :])
    at = (hours[:, None] - lags)[None, :, :]
    ok = (at - 1 >= known_from) & (at + 1 < start)
    return np.asarray(_usual_from(smooth, np.maximum(at, 0), ok, config)[0])


def _window(values: FloatArray, width: int) -> FloatArray:
    """Sums of `width` hours ending at each hour (last axis); NaN where an hour is unknown."""
    unknown = np.isnan(values)
    zeros = np.zeros((*values.shape[:-1], 1))
    cs = np.concatenate([zeros, np.cumsum(np.where(unknown, 0.0, values), axis=-1)], axis=-1)
    holes = np.concatenate([zeros, np.cumsum(unknown, axis=-1)], axis=-1)
    out = np.full(values.shape, np.nan)
    if values.shape[-1] >= width:
        sums = cs[..., width:] - cs[..., :-width]
        gaps = holes[..., width:] - holes[..., :-width]
        out[..., width - 1 :] = np.where(gaps > 0, np.nan, sums)
    return out


def dispersion(observed: FloatArray, usual: FloatArray, step: int) -> FloatArray:
    """φ per row from log(observed/usual) of every `step`-th window, newest back (so they
    do not overlap): robust (MAD), minus the Poisson share; a mild default when too few."""
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
    # A few dozen residuals measure φ roughly: shrink it towards the usual mild value.
    shrunk = (n * phi + _PHI_PRIOR_WEIGHT * _DEFAULT_PHI) / (n + _PHI_PRIOR_WEIGHT)
    return np.asarray(np.where(n >= _MIN_RESIDUALS, shrunk, _DEFAULT_PHI))


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


def key_dispersion(
    counts: FloatArray, usual: FloatArray, period_from: int, config: EventConfig
) -> FloatArray:
    """φ per key (row), measured at the shortest scale whose windows usually hold at least
    `min_count` mentions (else the longest): the log of a handful of counts is too skewed
    to measure a spread on. From the history before the period when it spans a week,
    else from all of it (the median is robust to the events in it)."""
    enough = period_from >= 7 * 24
    phi = np.full(counts.shape[0], np.nan)
    for width in config.scales:
        observed = _window(counts, width)
        expected = _window(usual, width)
        if enough:
            observed, expected = observed[:, :period_from], expected[:, :period_from]
        measured = dispersion(observed, expected, width)
        typical = _nanmedian(expected, (~np.isnan(expected)).sum(axis=-1))
        take = np.isnan(phi) & (typical >= config.min_count)
        phi = np.where(take, measured, phi)
    return np.asarray(np.where(np.isnan(phi), measured, phi))


def _seeds(
    counts: FloatArray,
    usual: FloatArray,
    known_from: IntArray,
    period_from: int,
    config: EventConfig,
) -> tuple[dict[int, list[_Seed]], FloatArray]:
    """Per row with any: the significant windows ending within the period; and φ per row."""
    seeds: dict[int, list[_Seed]] = {}
    with np.errstate(invalid="ignore", all="ignore"):
        phi = key_dispersion(counts, usual, period_from, config)
    ends = np.arange(counts.shape[-1])
    for width in config.scales:
        observed = _window(counts, width)
        expected = _window(usual, width)
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
            out[-1] = _Seed(last.start, max(last.end, seed.end), seed.sign, max(last.z, seed.z))
        else:
            out.append(seed)
    return out


def _extent(
    counts: FloatArray, usual: FloatArray, seed: _Seed, config: EventConfig
) -> tuple[int, int]:
    """Grow a seed while the count around each hour stays beyond a bar, then trim the ends
    to hours that carry excess (rise) or shortfall (fall).

    The bar is halfway (geometrically) between the usual level and the seed's own level,
    and never nearer the usual than `extend_ratio`: a fourfold spike ends where talk falls
    below twice the usual, not at the first hour that is merely busier than usual.
    """
    last = counts.size - 1
    seed_usual = float(np.nansum(usual[seed.start : seed.end + 1]))
    seed_seen = float(counts[seed.start : seed.end + 1].sum())
    own = (seed_seen + 0.5) / (seed_usual + 0.5)
    bar = max(config.extend_ratio, math.sqrt(own if seed.sign > 0 else 1.0 / max(own, 1e-9)))

    def beyond(h: int, step: int) -> bool:
        """Whether the hours from `h` outward (away from the event, so that its own hours
        do not carry the window) still look like it."""
        if np.isnan(usual[h]):
            return False
        # Wide enough to expect a few mentions: at night six hours of a small key hold
        # too few to tell a quiet hour from the event going on.
        for width in (config.extend_hours, 2 * config.extend_hours, 24):
            lo, hi = (
                (h, min(h + width, counts.size)) if step > 0 else (max(h - width + 1, 0), h + 1)
            )
            u = float(np.nansum(usual[lo:hi]))
            if u >= config.min_count / 2:
                break
        o = float(counts[lo:hi].sum())
        if u <= 0:
            return False
        return o >= bar * u if seed.sign > 0 else o * bar <= u

    def reach(h: int, step: int, bridge: int) -> int:
        """The next hour in direction `step` that still belongs to the event, bridging up
        to `bridge` hours that do not (one ordinary afternoon inside a week-long drop)."""
        for ahead in range(1, bridge + 2):
            at = h + step * ahead
            if not 0 <= at <= last:
                return h
            if beyond(at, step):
                return at
        return h

    start, end = seed.start, seed.end
    # A day-long window that found a three-hour burst reaches back into ordinary hours:
    # the event starts where the hours from it on look like it (and ends likewise).
    while start < end and not beyond(start, 1):
        start += 1
    while end > start and not beyond(end, -1):
        end -= 1
    # A long event may hold an ordinary stretch; a short one ends at its first.
    while (earlier := reach(start, -1, _bridge(start, end, config))) != start:
        start = earlier
    while (later := reach(end, 1, _bridge(start, end, config))) != end:
        end = later

    def carries(h: int) -> bool:
        return bool(counts[h] > usual[h]) if seed.sign > 0 else bool(counts[h] < usual[h])

    while start < end and not carries(start):
        start += 1
    while end > start and not carries(end):
        end -= 1
    return start, end


def _bridge(start: int, end: int, config: EventConfig) -> int:
    return min(config.bridge_hours, (end - start + 1) // 4)


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
    excess = _smoothed(counts)[start : end + 1] - span
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
    usual = trailing_usual(counts, known_from, config)
    if 0 < last_fraction < 1:
        usual[:, -1] *= last_fraction
    out: dict[int, list[Episode]] = {}
    seeded, phis = _seeds(counts, usual, known_from, period_from, config)
    for row, seeds in seeded.items():
        found = _follow(
            counts[row], int(known_from[row]), seeds, float(phis[row]), last_fraction, config
        )
        if found:
            out[row] = found
    return out


def _follow(
    values: FloatArray,
    known_from: int,
    seeds: list[_Seed],
    phi: float,
    last_fraction: float,
    config: EventConfig,
) -> list[Episode]:
    """One key's seeds grown into events (seeds that grow into each other are one)."""
    found: list[Episode] = []
    for seed in _union(seeds, config.gap_hours):
        frozen = _frozen(values, known_from, seed.start, last_fraction, config)
        start, end = _extent(values, frozen, seed, config)
        if start != seed.start:
            # It began earlier than the seed: its usual level is from before that.
            frozen = _frozen(values, known_from, start, last_fraction, config)
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
                _frozen(values, known_from, first, last_fraction, config),
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
    values: FloatArray, known_from: int, start: int, last_fraction: float, config: EventConfig
) -> FloatArray:
    usual = frozen_usual(values, known_from, start, config)
    if 0 < last_fraction < 1:
        usual[-1] *= last_fraction
    return usual


def _close(a: Episode, b: Episode, config: EventConfig) -> bool:
    return a.start <= b.end + config.gap_hours + 1 and b.start <= a.end + config.gap_hours + 1


def _same_sign(a: Episode, b: Episode) -> bool:
    return (a.kind == "drop") == (b.kind == "drop")
