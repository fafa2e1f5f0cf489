"""The window a brief covers: whole hours ending with the current one, and the period before."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from core.clock import parse_span

HOUR = dt.timedelta(hours=1)
DEFAULT = "24h"
MAX_SPAN = dt.timedelta(days=90)


@dataclass(frozen=True)
class Period:
    """[start, end) in whole hours; `end` is the start of the hour after the current one.

    The current hour is still filling, so the window holds everything up to now; the period
    before it, [prev_start, start), has the same length.
    """

    name: str
    start: dt.datetime
    end: dt.datetime

    @property
    def span(self) -> dt.timedelta:
        return self.end - self.start

    @property
    def prev_start(self) -> dt.datetime:
        return self.start - self.span

    @property
    def hours(self) -> int:
        return int(self.span / HOUR)

    @property
    def step(self) -> dt.timedelta:
        """The chart's resolution: hours up to two days, 6-hour blocks up to two weeks, days."""
        if self.span <= dt.timedelta(days=2):
            return HOUR
        if self.span <= dt.timedelta(days=14):
            return 6 * HOUR
        return 24 * HOUR


def floor_hour(value: dt.datetime) -> dt.datetime:
    return value.replace(minute=0, second=0, microsecond=0)


def parse_period(text: str | None, now: dt.datetime) -> Period | None:
    """`24h`, `7d`, `30d` (any whole-hour span up to 90 days) → the window ending now."""
    name = (text or DEFAULT).strip().lower()
    span = parse_span(name)
    if span is None or span < HOUR or span > MAX_SPAN or span % HOUR:
        return None
    end = floor_hour(now) + HOUR
    return Period(name=name, start=end - span, end=end)
