"""Events in a stored hourly history: when a key rose or fell, how long, and how far.

The alert detector (core.analysis.bursts) answers "is this key moving *now*?". This module
answers "what happened in these days?" for the hourly counts of many keys at once:

1. **Usual level** (event_baseline): each hour's usual count is the key's usual day — a
   trimmed mean of the last week's days, blended with the same weekday in earlier weeks —
   times the hour's share of a day in the key's own rhythm. Hours before a key's history is
   known (listening began, a topic first counted) are unknown, never zero.
2. **Seeds** (event_seeds): windows of one hour to four days ending at every hour of the
   period are compared with their usual sum on the negative-binomial variance-stabilising
   scale, with the key's own over-dispersion; a window longer than a day is measured
   against the level known when it began. A window seeds an event when it is material (at
   least `min_count` mentions and `min_ratio` times the usual, or a fall to 1/`min_ratio`
   of at least `min_drop_usual`) and its z reaches `seed_z`.
3. **Extent** (event_extent): around the strongest window, the stretch of hours better
   explained by the event's level than by the usual one, measured against the usual level
   as it was known when the event began (the second day of a spike is not compared with
   the first; a Saturday inside a fall is compared with Saturdays).
4. **Figures**: start, peak and end hours; observed and usual totals over the event; the
   z of the totals (`event_z`), which must reach `z_min` (`z_short` below `short_hours`,
   `z_drop` for a fall). A rise whose peak comes within `burst_hours` of its start is a
   burst, a slower one a climb; an event reaching the last complete hour is ongoing.

Everything is numpy; the caller reads the counts and names the keys.
"""

from __future__ import annotations

import dataclasses

import numpy as np
from numpy.typing import NDArray

from core.analysis.event_baseline import Usual, frozen, smoothed, usual
from core.analysis.event_config import Episode, EventConfig, EventKind
from core.analysis.event_extent import extent
from core.analysis.event_seeds import Seed, event_z, seeds, union

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

__all__ = ["Episode", "EventConfig", "EventKind", "find_all", "find_episodes"]


def _episode(
    counts: FloatArray,
    usual: FloatArray,
    start: int,
    end: int,
    seed: Seed,
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
        busy = total * 24 >= config.min_drop_day * (end - start + 1)
        material = (
            total >= config.min_drop_usual and observed * config.extend_ratio <= total and busy
        )
        kind = "drop"
    hours = end - start + 1
    z = event_z(observed, total, hours, phi)
    bar = config.z_short if hours < config.short_hours else config.z_min
    if seed.sign < 0:
        # Falls are judged on the data that chose their extent, which flatters them more
        # than rises (a quiet spell is easy to frame): a stricter bar.
        bar = max(bar, config.z_drop)
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
    seeded, phis = seeds(counts, base, known_from, period_from, config)
    for row, found_seeds in seeded.items():
        found = [
            e
            for e in _follow(
                counts[row], base, row, found_seeds, float(phis[row]), last_fraction, config
            )
            # A long window ending in the period still holds an event that ended before it.
            if e.end >= period_from
        ]
        if found:
            out[row] = found
    return out


def _follow(
    values: FloatArray,
    base: Usual,
    row: int,
    found_seeds: list[Seed],
    phi: float,
    last_fraction: float,
    config: EventConfig,
) -> list[Episode]:
    """One key's seeds grown into events (seeds that grow into each other are one)."""
    found: list[Episode] = []
    for seed in union(found_seeds, config.gap_hours):
        frozen = _frozen(base, row, seed.start, last_fraction, config)
        start, end = extent(values, frozen, seed, config)
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
            joined = Seed(first, max(e.end for e in group), seed.sign, 0.0)
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
        day = base.day[row, min(episode.start, base.day.shape[-1] - 1)]
        found.append(dataclasses.replace(episode, usual_day=0.0 if np.isnan(day) else float(day)))
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
