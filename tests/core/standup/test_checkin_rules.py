"""Check-in rules without a database: settings, when a member is asked across DST
switches and zones, blockers, and the backlog items an answer names."""

from __future__ import annotations

import datetime as dt

from core.standup.checkin import (
    CheckinSettings,
    ask_time,
    blocker_of,
    item_refs,
    parse_questions,
    remind_time,
)
from core.standup.schedule import StandupSchedule

BERLIN = "Europe/Berlin"
QUESTIONS = ("Done?", "Today?", "Blocked?")


def _standup(day: dt.date, zone: str = BERLIN) -> tuple[StandupSchedule, dt.datetime]:
    schedule = StandupSchedule(
        at=dt.time(9, 30), zone=zone, weekdays=("mon", "tue", "wed", "thu", "fri", "sat", "sun")
    )
    # The occurrence of that day: the latest at the end of its local day.
    occ = schedule.latest(dt.datetime.combine(day, dt.time(20, 0)))
    assert occ is not None and occ.local.date() == day
    return schedule, occ.utc


def test_settings_come_from_the_channel_settings() -> None:
    s = CheckinSettings.from_settings(
        {
            "checkin": {
                "on": True,
                "questions": ["A?", "B?", "C?"],
                "at": "08:45",
                "remind": 20,
                "keep": 7,
                "members": [{"id": "U1", "name": "anna"}, {"bad": 1}],
                "away": {"U2": "2026-12-24", "U3": "not a date"},
            }
        }
    )
    assert s.enabled and s.questions == ("A?", "B?", "C?") and s.at == dt.time(8, 45)
    assert (s.remind_minutes, s.keep_days) == (20, 7)
    assert [m.id for m in s.members] == ["U1"]
    assert s.is_away("U2", dt.date(2026, 12, 24)) and not s.is_away("U2", dt.date(2026, 12, 25))
    assert not s.is_away("U3", dt.date(2026, 1, 1))
    assert CheckinSettings.from_settings({}).enabled is False


def test_questions_parse_and_refuse() -> None:
    assert parse_questions(" a? | b? |c? ") == ("a?", "b?", "c?")
    assert parse_questions(" | ") is None
    assert parse_questions("|".join("q" for _ in range(6))) is None
    assert parse_questions("x" * 201) is None


def test_default_lead_is_an_hour_before_the_standup() -> None:
    schedule, standup = _standup(dt.date(2026, 11, 23))
    occ = schedule.latest(standup)
    assert occ is not None
    assert ask_time(occ, CheckinSettings(), channel_zone=BERLIN, member_zone=None) == (
        standup - dt.timedelta(hours=1)
    )


def test_spring_switch_asks_at_the_same_local_time() -> None:
    """Berlin, 29 March 2026: 08:45 local is 07:45 UTC the day before, 06:45 UTC after."""
    settings = CheckinSettings(enabled=True, at=dt.time(8, 45))
    for day, utc_hour in ((dt.date(2026, 3, 28), 7), (dt.date(2026, 3, 29), 6)):
        schedule, standup = _standup(day)
        occ = schedule.latest(standup)
        assert occ is not None
        when = ask_time(occ, settings, channel_zone=BERLIN, member_zone=None)
        assert when == dt.datetime.combine(day, dt.time(utc_hour, 45))
        assert standup - when == dt.timedelta(minutes=45)
        reminder = remind_time(occ, settings)
        assert reminder == standup - dt.timedelta(minutes=15)


def test_spring_switch_a_time_in_the_skipped_hour_is_asked_after_it() -> None:
    settings = CheckinSettings(enabled=True, at=dt.time(2, 30))
    schedule, standup = _standup(dt.date(2026, 3, 29))
    occ = schedule.latest(standup)
    assert occ is not None
    when = ask_time(occ, settings, channel_zone=BERLIN, member_zone=None)
    # 02:30 does not exist that night; read with the winter offset it is 01:30 UTC (03:30 CEST).
    assert when == dt.datetime(2026, 3, 29, 1, 30)


def test_autumn_switch_asks_at_the_same_local_time_once() -> None:
    """Berlin, 25 October 2026: 08:45 local is 06:45 UTC the day before, 07:45 UTC after;
    02:30 (repeated that night) is its first occurrence, 00:30 UTC."""
    settings = CheckinSettings(enabled=True, at=dt.time(8, 45))
    for day, utc_hour in ((dt.date(2026, 10, 24), 6), (dt.date(2026, 10, 25), 7)):
        schedule, standup = _standup(day)
        occ = schedule.latest(standup)
        assert occ is not None
        assert ask_time(occ, settings, channel_zone=BERLIN, member_zone=None) == (
            dt.datetime.combine(day, dt.time(utc_hour, 45))
        )
    schedule, standup = _standup(dt.date(2026, 10, 25))
    occ = schedule.latest(standup)
    assert occ is not None
    early = CheckinSettings(enabled=True, at=dt.time(2, 30))
    assert ask_time(occ, early, channel_zone=BERLIN, member_zone=None) == dt.datetime(
        2026, 10, 25, 0, 30
    )


def test_a_member_in_another_zone_is_asked_at_their_own_time() -> None:
    settings = CheckinSettings(enabled=True, at=dt.time(8, 0))
    schedule, standup = _standup(dt.date(2026, 11, 23))  # 09:30 Berlin = 08:30 UTC
    occ = schedule.latest(standup)
    assert occ is not None
    tokyo = ask_time(occ, settings, channel_zone=BERLIN, member_zone="Asia/Tokyo")
    assert tokyo == dt.datetime(2026, 11, 22, 23, 0)  # 08:00 in Tokyo
    london = ask_time(occ, settings, channel_zone=BERLIN, member_zone="Europe/London")
    assert london == dt.datetime(2026, 11, 23, 8, 0)
    # 08:00 in New York is after the standup: the channel's 08:00 instead.
    ny = ask_time(occ, settings, channel_zone=BERLIN, member_zone="America/New_York")
    assert ny == dt.datetime(2026, 11, 23, 7, 0)
    # An unknown zone from the platform falls back to the channel's.
    assert ask_time(occ, settings, channel_zone=BERLIN, member_zone="Mars/Base") == ny


def test_a_member_in_new_york_across_the_gap_between_the_two_dst_switches() -> None:
    """US clocks go forward on 8 March 2026, European ones on 29 March: in between New
    York is 5 hours behind Berlin instead of 6, and the member's time follows their zone."""
    settings = CheckinSettings(enabled=True, at=dt.time(3, 0))
    for day, utc in ((dt.date(2026, 3, 6), 8), (dt.date(2026, 3, 10), 7)):
        schedule, standup = _standup(day)
        occ = schedule.latest(standup)
        assert occ is not None
        when = ask_time(occ, settings, channel_zone=BERLIN, member_zone="America/New_York")
        assert when == dt.datetime.combine(day, dt.time(utc, 0))


def test_blockers() -> None:
    assert blocker_of(QUESTIONS, ["x", "y", "waiting for legal"]) == "waiting for legal"
    for none in ("", "no", "None.", "nichts", "Nein", "keine", "-", "n/a", "all good"):
        assert blocker_of(QUESTIONS, ["x", "y", none]) is None, none
    assert blocker_of(QUESTIONS[:2], ["x", "y"]) is None
    assert blocker_of(QUESTIONS, []) is None


def test_item_refs_by_number_and_title() -> None:
    items = [(12, "Battery FAQ"), (7, "Shipping delays post"), (3, "Q&A")]
    refs = item_refs(
        [
            "finished #12 and the shipping delays post",
            "starting on #3",
            "#7 is waiting for legal",
        ],
        items,
        blocker_index=2,
    )
    assert [(r.item_id, r.state) for r in refs] == [(12, "done"), (7, "done"), (3, "in_progress")]
    # Unknown numbers, issue-like words and titles inside other words are not links.
    assert item_refs(["fixed #99 and a&#12; battery faqs"], items, blocker_index=None) == []
    blocker_only = item_refs(["", "", "blocked by #12"], items, blocker_index=2)
    assert [(r.item_id, r.state) for r in blocker_only] == [(12, None)]
