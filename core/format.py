"""Formatting shared by every renderer: times and sentiment markers."""

from __future__ import annotations

import datetime as dt

from core.clock import localize

SENTIMENT_MARK = {"negative": "▼", "neutral": "■", "positive": "▲"}


def format_time(value: dt.datetime, locale: str, zone: str, *, with_date: bool = True) -> str:
    """A stored naive-UTC time in the team's zone: '26.11.2026 10:42' or '2026-11-26 10:42'."""
    local = localize(value, zone)
    if not with_date:
        return local.strftime("%H:%M")
    return local.strftime("%d.%m.%Y %H:%M" if locale == "de" else "%Y-%m-%d %H:%M")
