"""The usual level of a key, hour by hour, from the days before: what events are measured
against (core.analysis.events).

The usual count of an hour is the key's usual *day* times the share of a day that falls on
that hour:

- the day: a trimmed mean of the 24-hour sums centred on the same hour on each of the last
  `baseline_days` days (the two highest and two lowest dropped from six or more, one each
  from four), so an event earlier in the week, or a quiet holiday, does not move it;
  blended with the median of the same weekday in the weeks before (n weeks weigh
  n/(n + 1)), so that a quiet Sunday is measured against Sundays;
- the hour's share: the key's own daily rhythm, pooled over those days without the two
  busiest (an earlier burst at 14:00 would otherwise teach that 14:00 is busy), blended
  with the same weekday's rhythm (weekend mornings start later).

Days hold enough mentions for a trimmed mean to be fair; single hours of a small key do not
(a trimmed mean of mostly 0 and 1 falls well below the mean), hence the split. Hours before
a key's history is known give no day at all (NaN), never a zero.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

DAY = 24
WEEK = 7 * DAY
# Weight of the daily level against the same weekday: n weeks seen weigh n/(n + WEEK_PRIOR).
WEEK_PRIOR = 1.0


@dataclass(frozen=True)
class Usual:
    """Per key (row) and hour: the usual day (mentions in 24 hours) and the hour's share of
    it (1.0 = an average hour); `hourly` is their product, the usual count of the hour."""

    day: FloatArray
    shape: FloatArray
    hourly: FloatArray
    # What they rest on: the daily part of the day (before the weekday blend) and the
    # 24-hour sums centred on each hour.
    daily: FloatArray
    sums: FloatArray
    smooth: FloatArray
    daily_shape: FloatArray


def smoothed(counts: FloatArray) -> FloatArray:
    """Centred three-hour mean along the last axis (edges: the hours that exist)."""
    if counts.shape[-1] == 0:
        return counts
    padded = np.concatenate([counts[..., :1], counts, counts[..., -1:]], axis=-1)
    return np.asarray((padded[..., :-2] + padded[..., 1:-1] + padded[..., 2:]) / 3.0)


def trimmed(days: FloatArray) -> FloatArray:
    """Trimmed mean along the last axis, ignoring NaN: the two highest and two lowest
    dropped from six values or more, one each from four."""
    ordered = np.sort(days, axis=-1)  # NaN sorts last
    n = (~np.isnan(days)).sum(axis=-1)
    cut = np.where(n >= 6, 2, np.where(n >= 4, 1, 0))
    index = np.arange(days.shape[-1])
    keep = (index >= cut[..., None]) & (index < (n - cut)[..., None])
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(keep, ordered, 0.0).sum(axis=-1) / keep.sum(axis=-1)
    return np.asarray(np.where(n > 0, mean, np.nan))


def _day_sums(counts: FloatArray, known_from: IntArray) -> FloatArray:
    """The 24-hour sum centred on each hour (hours −11…+12); NaN where it is not all known."""
    hours = counts.shape[-1]
    zeros = np.zeros((*counts.shape[:-1], 1))
    cs = np.concatenate([zeros, np.cumsum(counts, axis=-1)], axis=-1)
    lo = np.arange(hours) - (DAY // 2 - 1)
    hi = np.arange(hours) + DAY // 2 + 1
    ok = (lo[None, :] >= known_from[:, None]) & (hi[None, :] <= hours)
    sums = np.take(cs, np.clip(hi, 0, hours), axis=-1) - np.take(cs, np.clip(lo, 0, hours), axis=-1)
    return np.asarray(np.where(ok, sums, np.nan))


def usual(
    counts: FloatArray,
    known_from: IntArray,
    *,
    days: int,
    min_days: int,
    floor: float,
    weeks: int = 3,
) -> Usual:
    """Each hour's usual level from the same hour on the `days` days before it (NaN when
    fewer than `min_days` of them are known); at least `floor` an hour."""
    hours = counts.shape[-1]
    sums = _day_sums(counts, known_from)
    smooth = smoothed(counts)
    lags = DAY * np.arange(1, days + 1, dtype=np.int64)
    at = np.arange(hours)[:, None] - lags[None, :]  # (hours, days)
    ok = at[None, :, :] >= 0
    rows = np.arange(counts.shape[0])[:, None, None]
    cols = np.clip(at, 0, hours - 1)[None, :, :]
    past_days = np.where(ok, sums[rows, cols], np.nan)
    past_hours = np.where(ok & ~np.isnan(past_days), smooth[rows, cols], np.nan)
    n = (~np.isnan(past_days)).sum(axis=-1)
    daily = np.where(n >= min_days, trimmed(past_days), np.nan)
    # The same weekday in earlier weeks, once there are any: weekends are quieter (or
    # busier) than weekdays, and a weekend measured against the week would look like news.
    week_at = np.arange(hours)[:, None] - WEEK * np.arange(1, weeks + 1)[None, :]
    week_ok = (week_at >= 0)[None, :, :]
    same_weekday = np.where(week_ok, sums[rows, np.clip(week_at, 0, hours - 1)[None]], np.nan)
    n_weeks = (~np.isnan(same_weekday)).sum(axis=-1)
    weekly = _median(same_weekday, n_weeks)
    blend = n_weeks / (n_weeks + WEEK_PRIOR)
    day = np.where((n_weeks > 0) & ~np.isnan(daily), (1 - blend) * daily + blend * weekly, daily)
    # The rhythm without the two busiest days (an earlier burst is no rhythm).
    filled = np.where(np.isnan(past_days), -np.inf, past_days)
    busiest = np.zeros(past_days.shape, dtype=bool)
    np.put_along_axis(busiest, np.argsort(filled, axis=-1)[..., -2:], True, axis=-1)
    pooled = ~np.isnan(past_days) & (~busiest | (n[..., None] < 4))
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(pooled, past_hours, 0.0).sum(axis=-1) / (
            np.where(pooled, past_days, 0.0).sum(axis=-1) / DAY
        )
    shape = np.where(np.isfinite(share), share, 1.0)
    daily_shape = shape
    # Weekends keep other hours (a later morning): the same weekday's rhythm joins in.
    week_hours = np.where(week_ok, smooth[rows, np.clip(week_at, 0, hours - 1)[None]], np.nan)
    shape = _blend_shape(shape, same_weekday, week_hours, n_weeks)
    hourly = np.where(np.isnan(day), np.nan, np.maximum(day / DAY * shape, floor))
    return Usual(
        np.asarray(day),
        np.asarray(shape),
        np.asarray(hourly),
        np.asarray(daily),
        sums,
        smooth,
        np.asarray(daily_shape),
    )


def _blend_shape(
    shape: FloatArray, week_days: FloatArray, week_hours: FloatArray, n_weeks: IntArray
) -> FloatArray:
    """The daily rhythm blended with the same weekday's (n weeks weigh n/(n + 1)); the
    weekday's is pooled over its weeks (a ratio of sums, steady on small counts)."""
    known = ~np.isnan(week_days) & ~np.isnan(week_hours)
    with np.errstate(invalid="ignore", divide="ignore"):
        weekly = np.where(known, week_hours, 0.0).sum(axis=-1) / (
            np.where(known, week_days, 0.0).sum(axis=-1) / DAY
        )
    usable = (n_weeks > 0) & np.isfinite(weekly)
    blend = n_weeks / (n_weeks + WEEK_PRIOR)
    return np.asarray(np.where(usable, (1 - blend) * shape + blend * weekly, shape))


def _median(values: FloatArray, n: IntArray) -> FloatArray:
    """Median along the last axis ignoring NaN (`n` non-NaN per row)."""
    ordered = np.sort(values, axis=-1)
    lo = np.take_along_axis(ordered, np.maximum((n - 1) // 2, 0)[..., None], -1)[..., 0]
    hi = np.take_along_axis(ordered, np.maximum(n // 2, 0)[..., None], -1)[..., 0]
    return np.asarray(np.where(n > 0, (lo + hi) / 2, np.nan))


def frozen(base: Usual, row: int, start: int, floor: float, weeks: int = 3) -> FloatArray:
    """One key's usual count for every hour as it was known when an event began at `start`:
    the daily level of the days before `start`, blended (as in `usual`) with the same
    weekday's days before `start` — a Saturday inside a drop that began on Friday is still
    measured against Saturdays — and each hour's share of the day from the last day before
    `start` with the same hour, blended likewise with the same weekday's rhythm. Hours
    before `start` keep their own level. NaN when unknown (no same weekday before `start`:
    the first week of listening says nothing about Saturdays)."""
    hours = base.day.shape[-1]
    index = np.arange(hours)
    at = min(max(start, 0), hours - 1)
    daily = base.daily[row, at]
    if np.isnan(daily):
        return np.full(hours, np.nan)
    back = np.where(index < start, index, index - DAY * ((index - start) // DAY + 1))
    shape = np.where(back >= 0, base.shape[row, np.clip(back, 0, hours - 1)], np.nan)
    # The same weekday and hour, in the weeks before the event began.
    first = np.maximum((index - start) // WEEK + 1, 1)
    lags = WEEK * (first[:, None] + np.arange(weeks)[None, :])
    week_at = index[:, None] - lags
    ok = (week_at >= 0) & (week_at + DAY // 2 < start)
    same = np.where(ok, base.sums[row, np.clip(week_at, 0, hours - 1)], np.nan)
    n_weeks = (~np.isnan(same)).sum(axis=-1)
    blend = n_weeks / (n_weeks + WEEK_PRIOR)
    day = np.where(n_weeks > 0, (1 - blend) * daily + blend * _median(same, n_weeks), daily)
    # Before the event the hours keep their own rhythm (already blended); after its start,
    # the daily rhythm from before it, blended with the same weekday's from before it.
    week_hours = np.where(ok, base.smooth[row, np.clip(week_at, 0, hours - 1)], np.nan)
    after = np.where(
        index < start,
        shape,
        _blend_shape(base.daily_shape[row, np.clip(back, 0, hours - 1)], same, week_hours, n_weeks),
    )
    shape = np.where(np.isnan(shape), np.nan, after)
    level = np.where(index < start, base.hourly[row], np.maximum(day / DAY * shape, floor))
    # Without the same weekday once before, a Saturday would be judged by weekdays: what
    # is usual is not known yet.
    unknown = (index >= start) & (np.isnan(shape) | (n_weeks == 0))
    return np.asarray(np.where(unknown, np.nan, level))


def window_sums(values: FloatArray, width: int) -> FloatArray:
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


def expected_sums(base: Usual, width: int, floor: float) -> FloatArray:
    """The usual sum of the `width` hours ending at each hour, all judged as they were
    known when the window began: a day-long fall does not lower its own expectation.
    Up to a day wide this is the sum of the hourly levels."""
    if width <= DAY:
        return window_sums(base.hourly, width)
    hours = base.day.shape[-1]
    ends = np.arange(hours)
    starts = ends - width + 1
    ok = starts >= 0
    day = np.where(ok[None, :], base.day[:, np.clip(starts, 0, hours - 1)], np.nan)
    # The shares of a window's hours are the days' rhythm: it sums to width/24 days' worth
    # when the rhythm is known, so the usual sum is the day times the days it spans.
    shape_sum = window_sums(base.shape, width)
    return np.asarray(np.maximum(day / DAY * shape_sum, floor * width))
