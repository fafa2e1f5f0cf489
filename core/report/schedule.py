"""When a channel's weekly report is due: Mondays at 09:00 in the channel's time zone (the
zone its standup was set to, else the workspace's), not on holidays. The calendar math is
the standup's (core.standup.schedule): croniter in the zone, the local date as the slot."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from core.standup.schedule import StandupSchedule, parse_zone

WEEKLY_AT = dt.time(9, 0)
WEEKLY_DAYS = ("mon",)
# A report missed by more than this (the bot was down all Monday morning) is not sent late.
GRACE = dt.timedelta(hours=3)


def channel_zone(standup_settings: dict[str, Any], default_zone: str) -> str:
    """The channel's time zone: the one its standup uses, else the workspace's."""
    return parse_zone(str(standup_settings.get("zone") or "")) or default_zone


def weekly_schedule(*, zone: str, holidays: Iterable[dt.date]) -> StandupSchedule:
    """Mondays 09:00 in `zone`, holidays left out."""
    return StandupSchedule(
        at=WEEKLY_AT,
        zone=zone,
        weekdays=WEEKLY_DAYS,
        holidays=frozenset(holidays),
        grace=GRACE,
    )
