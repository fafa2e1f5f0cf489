"""Hourly histories for the detector: sparse count rows to dense arrays, and how far back to
read so that every statistic of the current hour has its past."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from core.analysis.bursts import DetectorConfig

HOUR = dt.timedelta(hours=1)


def history_span(config: DetectorConfig) -> dt.timedelta:
    """How much history the detector reads for one hour: its spread window, its longest
    seasonal lag and its spans, plus a day of margin."""
    lags = max(dt.timedelta(days=config.baseline_days), dt.timedelta(weeks=config.baseline_weeks))
    widest = max(config.burst_span, config.trend_span, config.baseline_smoothing)
    return config.dispersion_window + lags + 2 * widest + dt.timedelta(days=1)


def history_start(
    current: dt.datetime, config: DetectorConfig, first: dt.datetime | None
) -> dt.datetime:
    """The first hour to read: the span back from `current`, but not before listening began
    (hours before the first count are unknown, not silent)."""
    if first is None:
        return current
    return min(max(current - history_span(config), first), current)


def dense(
    rows: Iterable[tuple[dt.datetime, int]], start: dt.datetime, end: dt.datetime
) -> list[float]:
    """Counts of the hours [start, end] (both included), 0 where no row exists."""
    size = int((end - start) / HOUR) + 1
    out = [0.0] * max(size, 0)
    for bucket, n in rows:
        index = int((bucket - start) / HOUR)
        if 0 <= index < size:
            out[index] += n
    return out
