"""What is emerging right now: the detector over every key that could be moving.

Only keys that can alert are read in full: a burst or climb needs at least `min_count`
mentions over the trend span, a drop an expectation of as many — approximated by the same
hours a day and a week ago. Their histories are read in one query and each is judged on
its current, still filling hour (`detect_latest` with `now`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from sqlmodel.ext.asyncio.session import AsyncSession

from core.analysis.trends import DetectorConfig, Signal, detect_latest, rank
from core.storage import trends as store
from core.trends.history import HOUR, dense, history_start
from core.trends.period import floor_hour

PREFIXES = ("term:", "tag:", "topic:")
MAX_KEYS = 120


async def candidates(
    session: AsyncSession, *, now: dt.datetime, config: DetectorConfig, max_keys: int = MAX_KEYS
) -> list[str]:
    """Keys busy enough now (rise) or usually (drop) to be judged; busiest first."""
    current = floor_hour(now)
    span = max(config.trend_span, config.burst_span)
    floor = max(1, int(config.min_count))
    found: dict[str, int] = {}
    for back in (dt.timedelta(0), dt.timedelta(days=1), dt.timedelta(days=7)):
        since = current + HOUR - span - back
        active = await store.active_keys(
            session=session, prefixes=PREFIXES, since=since, until=since + span, min_count=floor
        )
        for key, n in active.items():
            found[key] = max(found.get(key, 0), n)
    return sorted(found, key=lambda k: (-found[k], k))[:max_keys]


async def scan(
    session: AsyncSession,
    *,
    now: dt.datetime,
    config: DetectorConfig,
    factors: Mapping[str, float] | None = None,
    keys: list[str] | None = None,
) -> list[tuple[Signal, int]]:
    """Signals of the current hour, ranked, each with the hours its figures cover;
    `factors` scale a key's thresholds (feedback)."""
    keys = keys if keys is not None else await candidates(session, now=now, config=config)
    if not keys:
        return []
    current = floor_hour(now)
    start = history_start(current, config, await store.first_bucket(session=session))
    rows = await store.counts_by_key(session=session, keys=keys, since=start, until=current + HOUR)
    factors = factors or {}
    found: dict[Signal, int] = {}
    for key in keys:
        counts = dense(rows[key], start, current)
        factor = factors.get(key, 1.0)
        signal = detect_latest(
            counts, start, key=key, config=config, threshold_multiplier=factor, now=now
        )
        if signal is not None:
            found[signal] = span_hours(signal, counts, config, factor)
    return [(s, found[s]) for s in rank(found)]


def span_hours(signal: Signal, counts: list[float], config: DetectorConfig, factor: float) -> int:
    """The hours a signal's figures cover (its last value is the current hour's count).

    A burst is judged on the burst span, or — when a rise over the trend span sits mostly in
    its last hour — on the trend span; the observed count tells which.
    """
    short = max(1, round(config.burst_span / HOUR))
    long = max(1, round(config.trend_span / HOUR))
    if signal.kind != "burst":
        return long
    short_sum, long_sum = sum(counts[-short:]), sum(counts[-long:])
    if signal.observed == short_sum and signal.observed != long_sum:
        return short
    if signal.observed == long_sum and signal.observed != short_sum:
        return long
    limit = config.z_burst * config.threshold_factor(signal.key) * factor
    return short if signal.z >= limit else long
