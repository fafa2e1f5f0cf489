"""Time in one convention: the database stores naive UTC; everything shown is localized."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

_SPAN = re.compile(r"^(\d{1,4})\s*(m|min|h|d|w)$", re.IGNORECASE)
_UNITS = {"m": 60, "min": 60, "h": 3600, "d": 86_400, "w": 7 * 86_400}


def utcnow() -> dt.datetime:
    """Now, as naive UTC (the storage convention)."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def to_naive_utc(value: dt.datetime) -> dt.datetime:
    """Any datetime to naive UTC; naive input is taken to be UTC already."""
    if value.tzinfo is None:
        return value
    return value.astimezone(dt.UTC).replace(tzinfo=None)


def localize(value: dt.datetime, zone: str) -> dt.datetime:
    """A stored naive-UTC datetime in the given time zone."""
    return value.replace(tzinfo=dt.UTC).astimezone(ZoneInfo(zone))


def parse_span(text: str) -> dt.timedelta | None:
    """`24h`, `7d`, `30m`, `2w` → timedelta; None when it is not a span."""
    match = _SPAN.match(text.strip())
    if not match:
        return None
    amount, unit = int(match.group(1)), match.group(2).lower()
    if amount <= 0:
        return None
    return dt.timedelta(seconds=amount * _UNITS[unit])


def parse_iso(text: str) -> dt.datetime | None:
    """ISO 8601 (with `Z` or an offset, or naive meaning UTC) → naive UTC; None if invalid."""
    try:
        value = dt.datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return to_naive_utc(value)
