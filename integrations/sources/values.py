"""Reading the loose values of outside payloads: times, counts, strings that may be missing."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any


def parse_time(value: Any) -> dt.datetime | None:
    """ISO 8601 (with Z or an offset), Unix seconds, or a struct_time → aware UTC datetime."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    if isinstance(value, time.struct_time):
        return dt.datetime(*value[:6], tzinfo=dt.UTC)
    if isinstance(value, int | float) and not isinstance(value, bool):
        try:
            return dt.datetime.fromtimestamp(float(value), dt.UTC)
        except (OverflowError, OSError, ValueError):
            return None
    if isinstance(value, str):
        text = value.strip()
        if text.isascii() and text.replace(".", "", 1).isdigit():  # not "²" or "١٢٣"
            return parse_time(float(text))
        try:
            parsed = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            return None
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)
    return None


def iso_z(value: dt.datetime) -> str:
    """A UTC time as `2026-11-20T08:00:00.000Z` (sortable as text; what AT Protocol uses)."""
    utc = value.astimezone(dt.UTC) if value.tzinfo else value
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def count(value: Any) -> int:
    """A non-negative count from a payload; anything unreadable is 0."""
    try:
        number = int(value)
    except (TypeError, ValueError, OverflowError):  # None, "abc", inf, nan
        return 0
    return max(number, 0)


def text(value: Any) -> str | None:
    """A non-empty string without surrounding whitespace, or None (a captured Lemmy display
    name ends in a space; every source's names, ids and links go through here)."""
    if isinstance(value, str) and (stripped := value.strip()):
        return stripped
    return None


def obj(value: Any) -> dict[str, Any]:
    """A JSON object, or {} when the payload has something else there."""
    return value if isinstance(value, dict) else {}


def items(value: Any) -> list[Any]:
    """A JSON array, or [] when the payload has something else there."""
    return value if isinstance(value, list) else []


def language(value: Any) -> str | None:
    """A two-letter language hint ("en", "de-AT" → "de"); codes such as "und" or "qme"
    (X's "undetermined", "media only") are no hint, so the pipeline detects instead."""
    if not isinstance(value, str):
        return None
    code = value.strip().lower().replace("_", "-").split("-")[0]
    return code if len(code) == 2 and code.isalpha() else None
