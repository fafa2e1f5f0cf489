"""The check-in tick, driven by a test clock: members asked once at their time (channel's
or their own zone, across the DST switches), not on holidays or when away, a failed send
retried without doubling, reminders once across replicas and restarts, retention."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from bot.checkin_jobs import CheckinJobs
from bot.services import close_services
from core.reply import Reply
from core.standup.checkin import Member
from core.storage import checkins
from handlers.checkin_flow import rosters
from tests.core.backlog.helpers import Clock, ask, make_services, migrated_db_url

pytestmark = pytest.mark.storage


@dataclass
class FakeRoster:
    """A platform whose channel has `people`; records each direct message."""

    people: list[Member] = field(default_factory=list)
    sent: list[tuple[str, Reply]] = field(default_factory=list)
    failures: int = 0
    platform: str = "console"

    async def members(self, channel_id: str) -> list[Member]:
        return list(self.people)

    async def send_direct(self, *, member: Member, reply: Reply, locale: str) -> str | None:
        if self.failures:
            self.failures -= 1
            raise ConnectionError("the platform is away")
        self.sent.append((member.id, reply))
        return f"D-{member.id}"


@pytest.fixture
def db_url(backend: str, tmp_path: Path) -> Iterator[str]:
    yield from migrated_db_url(backend, tmp_path)


@pytest.fixture
async def svc(db_url: str) -> AsyncIterator[Any]:
    services = await make_services(db_url, clock=Clock(dt.datetime(2026, 11, 20, 6, 0)))
    yield services
    await close_services(services)


def _roster(svc: Any, *people: Member) -> FakeRoster:
    roster = FakeRoster(list(people))
    rosters(svc)["console"] = roster
    return roster


async def _on(svc: Any, line: str = "standup checkin on --at 08:45 --remind 10") -> None:
    assert not (await ask(svc, line)).error


def _at(svc: Any, when: dt.datetime) -> None:
    svc.clock.set(when)


async def test_members_are_asked_once_at_their_time_across_replicas_and_restarts(svc: Any) -> None:
    roster = _roster(svc)
    await _on(svc)
    await ask(svc, "standup members @anna @ben @cem")
    one, two = CheckinJobs(svc, owner="r1"), CheckinJobs(svc, owner="r2")
    _at(svc, dt.datetime(2026, 11, 23, 7, 44))  # Monday 08:44 Berlin
    assert await one.tick() == [] and roster.sent == []
    _at(svc, dt.datetime(2026, 11, 23, 7, 45))
    asked = await one.tick() + await two.tick()
    assert sorted(a.member for a in asked) == ["anna", "ben", "cem"]
    assert all(a.result == "asked" for a in asked)
    assert [m for m, _ in roster.sent] == ["anna", "ben", "cem"]
    prompt = roster.sent[0][1]
    # The channel's language (the workspace's German) for members who chose none.
    assert [i.label for i in prompt.inputs] == [
        "Was hast du gestern abgeschlossen?",
        "Was machst du heute?",
        "Blockiert dich etwas?",
    ]
    # Later ticks, the other replica and a restarted process ask nobody again.
    _at(svc, dt.datetime(2026, 11, 23, 7, 50))
    restarted = CheckinJobs(svc, owner="r1")
    assert await one.tick() + await two.tick() + await restarted.tick() == []
    assert len(roster.sent) == 3

    # anna answers; the reminder (09:20 Berlin) goes once to ben and cem.
    anna = await ask(svc, 'standup checkin answer "A" "B" "none"', actor="anna")
    assert not anna.error
    _at(svc, dt.datetime(2026, 11, 23, 8, 19))
    assert await one.tick() == []
    _at(svc, dt.datetime(2026, 11, 23, 8, 20))
    reminded = await two.tick() + await one.tick() + await CheckinJobs(svc, owner="r3").tick()
    assert sorted((a.member, a.result) for a in reminded) == [
        ("ben", "reminded"),
        ("cem", "reminded"),
    ]
    reminders = [r for _, r in roster.sent[3:]]
    assert len(reminders) == 2 and all("09:30" in r.sections[0] for r in reminders)


async def test_a_failed_send_is_retried_once_and_never_doubled(svc: Any) -> None:
    roster = _roster(svc)
    roster.failures = 1
    await _on(svc)
    await ask(svc, "standup members @anna")
    jobs = CheckinJobs(svc, owner="r1")
    _at(svc, dt.datetime(2026, 11, 23, 7, 45))
    assert [a.result for a in await jobs.tick()] == ["failed"]
    assert await CheckinJobs(svc, owner="r2").tick() == []  # r1's claim still holds
    _at(svc, dt.datetime(2026, 11, 23, 7, 48))  # the claim expired
    assert [a.result for a in await CheckinJobs(svc, owner="r2").tick()] == ["asked"]
    assert await jobs.tick() == []
    assert [m for m, _ in roster.sent] == ["anna"]


async def test_holidays_weekends_and_away_members_are_not_asked(svc: Any) -> None:
    _roster(svc)
    await _on(svc)
    await ask(svc, "standup members @anna @ben")
    await ask(svc, "standup away @ben until 2026-11-24")
    svc.workspace.schedules.holidays = [dt.date(2026, 11, 23)]
    jobs = CheckinJobs(svc, owner="r1")
    for when in (
        dt.datetime(2026, 11, 21, 7, 45),  # Saturday
        dt.datetime(2026, 11, 22, 9, 0),  # Sunday
        dt.datetime(2026, 11, 23, 7, 45),  # Monday, a holiday
        dt.datetime(2026, 11, 23, 12, 0),
    ):
        _at(svc, when)
        assert await jobs.tick() == [], when
    _at(svc, dt.datetime(2026, 11, 24, 7, 45))  # Tuesday: ben is still away
    assert [a.member for a in await jobs.tick()] == ["anna"]
    _at(svc, dt.datetime(2026, 11, 25, 7, 45))
    assert sorted(a.member for a in await jobs.tick()) == ["anna", "ben"]
    async with svc.sessions() as session:
        rows = await checkins.history(
            session=session, platform="console", member_id="anna", since_day="2026-11-01"
        )
    assert [r.day for r in rows] == ["2026-11-24", "2026-11-25"]


@pytest.mark.parametrize(
    ("before", "after"),
    [
        # Spring: Friday 27 March (CET) and Monday 30 March 2026 (CEST).
        (dt.datetime(2026, 3, 27, 7, 45), dt.datetime(2026, 3, 30, 6, 45)),
        # Autumn: Friday 23 October (CEST) and Monday 26 October 2026 (CET).
        (dt.datetime(2026, 10, 23, 6, 45), dt.datetime(2026, 10, 26, 7, 45)),
    ],
    ids=["spring", "autumn"],
)
async def test_the_check_in_follows_the_channels_zone_across_dst(
    svc: Any, before: dt.datetime, after: dt.datetime
) -> None:
    roster = _roster(svc)
    _at(svc, before - dt.timedelta(days=1))
    await _on(svc)
    await ask(svc, "standup members @anna")
    jobs = CheckinJobs(svc, owner="r1")
    for when in (before, after):
        _at(svc, when - dt.timedelta(minutes=1))
        assert await jobs.tick() == [], when
        _at(svc, when)
        assert [a.result for a in await jobs.tick()] == ["asked"], when
    assert len(roster.sent) == 2
    # Both days 08:45 local: an hour apart in UTC.
    assert abs((after - before) - dt.timedelta(days=3)) == dt.timedelta(hours=1)


async def test_a_member_in_another_zone_is_asked_at_their_own_time(svc: Any) -> None:
    roster = _roster(
        svc,
        Member("U1", "anna", zone="Europe/Berlin"),
        Member("U2", "kenji", zone="Asia/Tokyo", locale="en"),
        Member("U3", "maria", zone="America/New_York", locale="de"),
    )
    await _on(svc)  # no list: the channel's members from the platform
    jobs = CheckinJobs(svc, owner="r1")
    _at(svc, dt.datetime(2026, 11, 22, 23, 45))  # 08:45 Monday in Tokyo
    assert [a.member for a in await jobs.tick()] == ["U2"]
    assert roster.sent[0][1].inputs[0].label == "What did you finish yesterday?"
    # 08:45 New York is after the 09:30 Berlin standup: maria is asked at 08:45 Berlin.
    _at(svc, dt.datetime(2026, 11, 23, 7, 45))
    assert sorted(a.member for a in await jobs.tick()) == ["U1", "U3"]
    assert roster.sent[-1][1].inputs[0].label == "Was hast du gestern abgeschlossen?"


async def test_retention_deletes_answers_older_than_the_channel_keeps(svc: Any) -> None:
    _roster(svc)
    await _on(svc, "standup checkin on --at 08:45 --keep 7")
    await ask(svc, "standup members @anna")
    jobs = CheckinJobs(svc, owner="r1")
    _at(svc, dt.datetime(2026, 11, 23, 7, 45))
    await jobs.tick()
    _at(svc, dt.datetime(2026, 11, 30, 7, 44))
    assert await jobs.retention() == 0
    _at(svc, dt.datetime(2026, 11, 30, 7, 46))
    assert await jobs.retention() == 1
