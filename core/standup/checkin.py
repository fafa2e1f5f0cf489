"""Check-ins before the standup: the channel's settings, when each member is asked, and
what an answer says (a blocker, a backlog item it names).

Times: a member is asked at the check-in time (`at`, default one hour before the standup)
on the standup's local date, in the member's own zone where the platform tells it, else the
channel's. If that moment is not before the standup (a member far west of the channel),
the channel's zone is used instead, so nobody is asked after the standup posted. Local
times go through zoneinfo: a time in the skipped spring hour is read with the offset before
the switch (02:30 on the spring day is 03:30 summer time), a time in the repeated autumn
hour is its first occurrence.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from core.reply import Reply
from core.standup.schedule import Occurrence, parse_time

DEFAULT_LEAD = dt.timedelta(hours=1)
DEFAULT_REMIND_MINUTES = 15
DEFAULT_KEEP_DAYS = 30
MAX_QUESTIONS = 5
QUESTION_CHARS = 200
ANSWER_CHARS = 1500
# Answers to the blocker question that mean "nothing blocks me".
_NO_BLOCKER = re.compile(
    r"^\s*(-+|–|—|/|n/?a|no(ne|pe|thing)?|nichts?|nein|keine?s?|kein\s+blocker|no\s+blockers?|"
    r"nothing\s+blocks(\s+me)?|alles\s+gut|all\s+good|nö)\s*[.!]?\s*$",
    re.IGNORECASE,
)
_ITEM_REF = re.compile(r"(?<![\w&])#(\d{1,9})\b")
MIN_TITLE_CHARS = 6


@dataclass(frozen=True)
class Member:
    """Someone in the standup: platform user id, display name, and what the platform
    says about their zone and language (None when it does not say)."""

    id: str
    name: str = ""
    zone: str | None = None
    locale: str | None = None

    @property
    def label(self) -> str:
        return self.name or self.id


@dataclass(frozen=True)
class CheckinSettings:
    """The check-in part of a channel's standup settings (`settings["checkin"]`)."""

    enabled: bool = False
    questions: tuple[str, ...] = ()  # empty: the defaults, in each member's language
    at: dt.time | None = None  # None: DEFAULT_LEAD before the standup
    remind_minutes: int = DEFAULT_REMIND_MINUTES
    keep_days: int = DEFAULT_KEEP_DAYS
    members: tuple[Member, ...] = ()  # empty: the channel's members from the platform
    away: dict[str, dt.date] = field(default_factory=dict)  # member id → last day away

    @classmethod
    def from_settings(cls, settings: dict[str, Any]) -> CheckinSettings:
        raw = settings.get("checkin")
        data: dict[str, Any] = raw if isinstance(raw, dict) else {}
        questions = tuple(str(q) for q in data.get("questions") or () if str(q).strip())
        members = tuple(
            Member(str(m.get("id")), str(m.get("name") or ""))
            for m in data.get("members") or ()
            if isinstance(m, dict) and m.get("id")
        )
        away: dict[str, dt.date] = {}
        for member_id, until in (data.get("away") or {}).items():
            try:
                away[str(member_id)] = dt.date.fromisoformat(str(until))
            except ValueError:
                continue
        return cls(
            enabled=bool(data.get("on")),
            questions=questions,
            at=parse_time(str(data.get("at") or "")),
            remind_minutes=_int(data.get("remind"), DEFAULT_REMIND_MINUTES),
            keep_days=_int(data.get("keep"), DEFAULT_KEEP_DAYS),
            members=members,
            away=away,
        )

    def is_away(self, member_id: str, day: dt.date) -> bool:
        until = self.away.get(member_id)
        return until is not None and day <= until


def _int(value: Any, default: int) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return default
    return number if number >= 0 else default


def parse_questions(text: str) -> tuple[str, ...] | None:
    """`"Done?|Today?|Blocked?"` → the questions; None if empty or too many or too long."""
    parts = tuple(p.strip() for p in text.split("|") if p.strip())
    if not parts or len(parts) > MAX_QUESTIONS or any(len(p) > QUESTION_CHARS for p in parts):
        return None
    return parts


def zone_or_none(name: str | None) -> ZoneInfo | None:
    if not name:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def local_to_utc(day: dt.date, at: dt.time, zone: ZoneInfo) -> dt.datetime:
    """A wall-clock time on a day in a zone → naive UTC (see the module's note on DST)."""
    local = dt.datetime.combine(day, at, tzinfo=zone)
    return local.astimezone(dt.UTC).replace(tzinfo=None)


def ask_time(
    occurrence: Occurrence,
    settings: CheckinSettings,
    *,
    channel_zone: str,
    member_zone: str | None,
) -> dt.datetime:
    """When to ask a member for the standup `occurrence` (naive UTC)."""
    day = occurrence.local.date()
    if settings.at is None:
        return occurrence.utc - DEFAULT_LEAD
    zone = zone_or_none(member_zone)
    if zone is not None:
        when = local_to_utc(day, settings.at, zone)
        if when < occurrence.utc:
            return when
    when = local_to_utc(day, settings.at, ZoneInfo(channel_zone))
    # A check-in time at or after the standup's: ask at the default lead instead.
    return when if when < occurrence.utc else occurrence.utc - DEFAULT_LEAD


def remind_time(occurrence: Occurrence, settings: CheckinSettings) -> dt.datetime | None:
    """When those who have not answered are reminded; None when reminders are off (0)."""
    if settings.remind_minutes <= 0:
        return None
    return occurrence.utc - dt.timedelta(minutes=settings.remind_minutes)


def blocker_of(questions: Sequence[str], answers: Sequence[str]) -> str | None:
    """The blocker in a check-in: the answer to the last of three or more questions (the
    "anything blocking you?" one), unless it says there is none."""
    if len(questions) < 3 or len(answers) < len(questions):
        return None
    text = answers[len(questions) - 1].strip()
    if not text or _NO_BLOCKER.match(text):
        return None
    return text


@dataclass(frozen=True)
class ItemRef:
    """A backlog item an answer names, and the state the answer suggests for it."""

    item_id: int
    title: str
    state: str | None  # done | in_progress | None (a blocker: no move offered)


def item_refs(
    answers: Sequence[str],
    items: Iterable[tuple[int, str]],
    *,
    blocker_index: int | None,
) -> list[ItemRef]:
    """Backlog items the answers name, by `#12` or by their title (whole words,
    case-insensitive). The first answer ("finished yesterday") suggests done, the others
    in progress; the blocker answer suggests nothing."""
    known = {item_id: title for item_id, title in items}
    found: dict[int, ItemRef] = {}
    for index, text in enumerate(answers):
        if not text.strip():
            continue
        state = None if index == blocker_index else ("done" if index == 0 else "in_progress")
        ids = [int(m.group(1)) for m in _ITEM_REF.finditer(text)]
        lowered = text.casefold()
        for item_id, title in known.items():
            name = title.strip().casefold()
            if len(name) >= MIN_TITLE_CHARS and re.search(
                rf"(?<!\w){re.escape(name)}(?!\w)", lowered
            ):
                ids.append(item_id)
        for item_id in ids:
            if item_id in known and item_id not in found:
                found[item_id] = ItemRef(item_id, known[item_id], state)
    return list(found.values())


class Roster(Protocol):
    """A chat platform's people, for check-ins: who is in a channel, and a private message
    to one of them.

    `members` lists the people of a channel (never the bot), with the zone and language
    the platform knows for them. `send_direct` posts a reply to the member alone (a Slack
    DM, a Teams personal chat, the console's terminal) and returns where it went (the DM's
    id), raising when the platform refuses.
    """

    platform: str

    async def members(self, channel_id: str) -> list[Member]: ...

    async def send_direct(self, *, member: Member, reply: Reply, locale: str) -> str | None: ...
