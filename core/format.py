"""Formatting shared by every renderer: times, sentiment markers and text sparklines."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from babel.dates import format_date

from core.clock import localize

SENTIMENT_MARK = {"negative": "▼", "neutral": "■", "positive": "▲"}
_BARS = "▁▂▃▄▅▆▇█"


def sparkline(values: Sequence[float | None]) -> str:
    """One block character per value, scaled to the largest; a gap (·) where there is no value."""
    known = [v for v in values if v is not None]
    top = max(known, default=0) or 1
    return "".join(
        "·" if v is None else _BARS[min(len(_BARS) - 1, round(v / top * (len(_BARS) - 1)))]
        for v in values
    )


def format_time(value: dt.datetime, locale: str, zone: str, *, with_date: bool = True) -> str:
    """A stored naive-UTC time in the team's zone: '26.11.2026 10:42' or '2026-11-26 10:42'."""
    local = localize(value, zone)
    if not with_date:
        return local.strftime("%H:%M")
    return local.strftime("%d.%m.%Y %H:%M" if locale == "de" else "%Y-%m-%d %H:%M")


def format_day(
    value: dt.datetime | dt.date, locale: str, zone: str | None = None, *, weekday: bool = False
) -> str:
    """A day as people write it: '01.12.' / 'Dec 1', with `weekday` 'Di., 01.12.' / 'Tue, Dec 1'.

    A datetime is a stored naive-UTC time and is first moved into `zone` (the day can change);
    a date is taken as it is. Chart axes and event lines use this, never a cut ISO string."""
    day = localize(value, zone or "UTC").date() if isinstance(value, dt.datetime) else value
    if locale == "de":
        pattern = "EEE, dd.MM." if weekday else "dd.MM."
    else:
        pattern = "EEE, MMM d" if weekday else "MMM d"
    return str(format_date(day, pattern, locale=locale))
