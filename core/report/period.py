"""The period a report covers: `7d`, `30d` (whole hours ending now, as the brief's) or a
calendar quarter such as `2026Q4` in the workspace's time zone (up to now, if it is running)."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

from core.clock import to_naive_utc
from core.trends.period import HOUR, Period, floor_hour, parse_period

_QUARTER = re.compile(r"^(\d{4})[-/ ]?q([1-4])$", re.IGNORECASE)
DEFAULT = "7d"


def quarter_bounds(year: int, quarter: int, zone: str) -> tuple[dt.datetime, dt.datetime]:
    """[start, end) of a calendar quarter in `zone`, as naive UTC."""
    tz = ZoneInfo(zone)
    month = 3 * (quarter - 1) + 1
    start = dt.datetime(year, month, 1, tzinfo=tz)
    end = dt.datetime(year + (quarter == 4), 1 if quarter == 4 else month + 3, 1, tzinfo=tz)
    return to_naive_utc(start), to_naive_utc(end)


def report_period(text: str | None, now: dt.datetime, zone: str) -> Period | None:
    """`7d`, `30d` (any span the brief takes) or `2026Q4`; None for anything else, or a
    quarter that has not begun."""
    name = (text or DEFAULT).strip()
    match = _QUARTER.match(name)
    if match is None:
        return parse_period(name.lower(), now)
    year, quarter = int(match.group(1)), int(match.group(2))
    if not 1990 <= year <= 9998:
        return None
    start, end = quarter_bounds(year, quarter, zone)
    end = min(end, floor_hour(now) + HOUR)
    if end <= start:
        return None
    return Period(name=f"{year}Q{quarter}", start=start, end=end)
