"""What is moving right now: the detector over every key that could be moving, on windows
that slide with the clock.

"Now" is always the last `burst_span` and the last `trend_span` before this minute — at
21:05 the last six hours began at 15:05, not at 21:00 — so a climb does not vanish because
an hour (or a block of hours) just began. The hours before are shifted with it (the
detector's `slide`), and the two windows ending now are counted exactly: their whole hours
from the hourly counts, less the mentions of the first hour that fall before the window.

Only keys that can alert are read in full: a burst or climb needs at least `min_count`
mentions over the trend span, a drop an expectation of as many — approximated by the same
hours a day and a week ago. Their histories are read in one query.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sqlmodel.ext.asyncio.session import AsyncSession

from core.analysis.bursts import DetectorConfig, Signal, detect_latest
from core.storage import counts
from core.storage import windows as store
from core.trends.history import HOUR, history_start
from core.trends.period import floor_hour

PREFIXES = ("term:", "tag:", "topic:")
MAX_KEYS = 120


@dataclass(frozen=True)
class Moving:
    """A key moving now: the signal, and the window its figures cover, [until − span, until)."""

    signal: Signal
    span: dt.timedelta
    until: dt.datetime

    @property
    def since(self) -> dt.datetime:
        return self.until - self.span


async def candidates(
    session: AsyncSession, *, now: dt.datetime, config: DetectorConfig, max_keys: int = MAX_KEYS
) -> list[str]:
    """Keys busy enough now (rise) or usually (drop) to be judged; busiest first.

    Read over whole hours that cover the sliding window (one more than it spans), so a key
    busy in its last minutes is not missed.
    """
    current = floor_hour(now)
    span = max(config.trend_span, config.burst_span) + HOUR
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


async def exact_spans(
    session: AsyncSession,
    *,
    now: dt.datetime,
    spans: tuple[dt.timedelta, ...],
    hourly: Mapping[str, Sequence[float]],
) -> dict[str, tuple[float, ...]]:
    """Each key's mentions in the last `span` before `now`, for each span (whole hours).

    `hourly[key]` ends with the current hour. The window [now − span, now) covers the hours
    from floor(now) − span to the current one, less the first minutes of the first of them;
    those minutes are counted from the mentions (one slice of under an hour per span).
    """
    current = floor_hour(now)
    minutes = now - current
    out: dict[str, list[float]] = {key: [] for key in hourly}
    for span in spans:
        whole = int(span / HOUR)
        first = current - whole * HOUR
        cut = (
            await store.slice_counts(session=session, since=first, until=first + minutes)
            if minutes
            else {}
        )
        for key, series in hourly.items():
            out[key].append(float(sum(series[-(whole + 1) :]) - cut.get(key, 0)))
    return {key: tuple(values) for key, values in out.items()}


async def scan(
    session: AsyncSession,
    *,
    now: dt.datetime,
    config: DetectorConfig,
    factors: Mapping[str, float] | None = None,
    keys: list[str] | None = None,
) -> list[Moving]:
    """What moves now, most significant first (by the |z| each shows); `factors` scale a
    key's thresholds (feedback)."""
    keys = keys if keys is not None else await candidates(session, now=now, config=config)
    if not keys:
        return []
    current = floor_hour(now)
    start = history_start(current, config, await store.listening_since(session=session))
    size = int((current - start) / HOUR) + 1
    matrix = await counts.hourly_matrix(session=session, keys=keys, since=start, hours=size)
    histories = {key: matrix[i] for i, key in enumerate(keys)}
    spans = (config.burst_span, config.trend_span)
    exact = await exact_spans(session, now=now, spans=spans, hourly=histories)
    factors = factors or {}
    found: list[Moving] = []
    for key in keys:
        factor = factors.get(key, 1.0)
        short, long = exact[key]
        signal = detect_latest(
            histories[key],
            start,
            key=key,
            config=config,
            threshold_multiplier=factor,
            now=now,
            observed=(short, long),
        )
        if signal is not None:
            found.append(Moving(signal, span_of(signal, (short, long), config, factor), now))
    return rank_shown(found)


def rank_shown(found: list[Moving]) -> list[Moving]:
    """Most significant first by the z each one shows; ties by the larger change."""
    return sorted(found, key=lambda m: (-abs(m.signal.z), -abs(m.signal.growth), m.signal.key))


def span_of(
    signal: Signal, observed: tuple[float, float], config: DetectorConfig, factor: float
) -> dt.timedelta:
    """The window a signal's figures cover: the burst span, or — for a climb or drop, or a
    sudden rise judged over the trend span — the trend span; the observed count tells which.
    """
    short, long = observed
    if signal.kind != "burst":
        return config.trend_span
    if signal.observed == short and signal.observed != long:
        return config.burst_span
    if signal.observed == long and signal.observed != short:
        return config.trend_span
    limit = config.z_burst * config.threshold_factor(signal.key) * factor
    return config.burst_span if signal.z >= limit else config.trend_span
