"""When a channel's standup is due: its time, time zone, weekdays and the holidays.

The calendar math is croniter's (a cron expression in the channel's zone), so daylight
saving is handled the cron way: a time in the skipped spring hour runs at the first valid
minute after it, and a time in the repeated autumn hour comes twice — the slot (the local
date) makes the second one a no-op, so neither change skips nor doubles a post.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from croniter import croniter

from config.workspace import Schedules
from core.clock import parse_iso

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_TIME = re.compile(r"^([01]?\d|2[0-3])[:.]([0-5]\d)$")
_DAY_WORDS = {
    **{d: d for d in WEEKDAYS},
    **dict(
        zip(
            ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"),
            WEEKDAYS,
            strict=True,
        )
    ),
    **dict(zip(("mo", "di", "mi", "do", "fr", "sa", "so"), WEEKDAYS, strict=True)),
    **dict(
        zip(
            ("montag", "dienstag", "mittwoch", "donnerstag", "freitag", "samstag", "sonntag"),
            WEEKDAYS,
            strict=True,
        )
    ),
}
MAX_HOLIDAY_STEPS = 400


@dataclass(frozen=True)
class Occurrence:
    """One scheduled standup: local time, naive UTC, and its slot (the local date)."""

    local: dt.datetime
    utc: dt.datetime

    @property
    def slot(self) -> str:
        return self.local.date().isoformat()


@dataclass(frozen=True)
class StandupSchedule:
    at: dt.time
    zone: str
    weekdays: tuple[str, ...]
    holidays: frozenset[dt.date] = frozenset()
    grace: dt.timedelta = dt.timedelta(minutes=60)

    def cron(self) -> str:
        days = ",".join(d for d in WEEKDAYS if d in self.weekdays)
        return f"{self.at.minute} {self.at.hour} * * {days}"

    def _occurrence(self, local: dt.datetime) -> Occurrence:
        utc = local.astimezone(dt.UTC).replace(tzinfo=None)
        return Occurrence(local, utc)

    def latest(self, now: dt.datetime) -> Occurrence | None:
        """The last occurrence at or before `now` (naive UTC), holidays left out."""
        if not self.weekdays:
            return None
        zone = ZoneInfo(self.zone)
        start = now.replace(tzinfo=dt.UTC).astimezone(zone) + dt.timedelta(seconds=1)
        it = croniter(self.cron(), start)
        for _ in range(MAX_HOLIDAY_STEPS):
            occ = self._occurrence(it.get_prev(dt.datetime))
            if occ.utc > now:
                continue
            if occ.local.date() not in self.holidays:
                return occ
        return None

    def upcoming(self, now: dt.datetime) -> Occurrence | None:
        """The next occurrence after `now` (naive UTC), holidays left out."""
        if not self.weekdays:
            return None
        zone = ZoneInfo(self.zone)
        it = croniter(self.cron(), now.replace(tzinfo=dt.UTC).astimezone(zone))
        for _ in range(MAX_HOLIDAY_STEPS):
            occ = self._occurrence(it.get_next(dt.datetime))
            if occ.local.date() not in self.holidays:
                return occ
        return None


@dataclass(frozen=True)
class Due:
    """The occurrence a tick acts on: post it (late by less than the grace) or skip it."""

    occurrence: Occurrence
    late: dt.timedelta
    post: bool


def due(
    schedule: StandupSchedule, now: dt.datetime, *, active_from: dt.datetime | None = None
) -> Due | None:
    """What a tick at `now` should do, or None (nothing scheduled yet since the channel
    subscribed or changed its time)."""
    occ = schedule.latest(now)
    if occ is None or (active_from is not None and occ.utc < active_from):
        return None
    late = now - occ.utc
    return Due(occ, late, late <= schedule.grace)


def parse_time(text: str) -> dt.time | None:
    """`09:30`, `9:30`, `9.30` → time; None otherwise."""
    match = _TIME.match(text.strip())
    return dt.time(int(match.group(1)), int(match.group(2))) if match else None


def parse_zone(text: str) -> str | None:
    """An IANA zone name such as Europe/Berlin, or None."""
    name = text.strip()
    if not name or ("/" not in name and name.upper() != "UTC"):
        return None
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None
    return name


def parse_weekdays(text: str) -> tuple[str, ...] | None:
    """`mon-fri`, `mon,wed,fri`, `mo-fr` → weekdays in order; None if a word is unknown."""
    days: set[str] = set()
    for part in text.lower().replace(" ", "").split(","):
        if not part:
            continue
        first, _, last = part.partition("-")
        a = _DAY_WORDS.get(first)
        if a is None:
            return None
        if not last:
            days.add(a)
            continue
        b = _DAY_WORDS.get(last)
        if b is None:
            return None
        i, j = WEEKDAYS.index(a), WEEKDAYS.index(b)
        span = WEEKDAYS[i : j + 1] if i <= j else WEEKDAYS[i:] + WEEKDAYS[: j + 1]
        days.update(span)
    return tuple(d for d in WEEKDAYS if d in days) or None


def schedule_for(
    settings: dict[str, Any],
    *,
    default_at: str,
    default_zone: str,
    default_weekdays: Iterable[str],
    holidays: Iterable[dt.date],
    grace_minutes: int,
) -> StandupSchedule:
    """A channel's schedule: its own settings where it has them, else the workspace's."""
    at = parse_time(str(settings.get("at") or "")) or parse_time(default_at) or dt.time(9, 30)
    zone = parse_zone(str(settings.get("zone") or "")) or default_zone
    weekdays = settings.get("weekdays")
    days = tuple(weekdays) if isinstance(weekdays, list) and weekdays else tuple(default_weekdays)
    return StandupSchedule(
        at=at,
        zone=zone,
        weekdays=tuple(d for d in WEEKDAYS if d in days),
        holidays=frozenset(holidays),
        grace=dt.timedelta(minutes=grace_minutes),
    )


def channel_schedule(settings: dict[str, Any], schedules: Schedules) -> StandupSchedule:
    """A channel's schedule: its settings over the workspace's `schedules` defaults."""
    return schedule_for(
        settings,
        default_at=schedules.standup.at,
        default_zone=schedules.timezone,
        default_weekdays=schedules.standup.weekdays,
        holidays=schedules.holidays,
        grace_minutes=schedules.standup.grace_minutes,
    )


def active_from(settings: dict[str, Any]) -> dt.datetime | None:
    """When the channel subscribed or last changed its time (earlier occurrences don't post)."""
    value = settings.get("active_from")
    return parse_iso(value) if isinstance(value, str) else None
