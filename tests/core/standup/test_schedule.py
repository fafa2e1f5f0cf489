"""The schedule math: local time, weekdays, holidays, grace, and both DST changes."""

from __future__ import annotations

import datetime as dt

import pytest

from core.standup.schedule import (
    StandupSchedule,
    due,
    parse_time,
    parse_weekdays,
    parse_zone,
    schedule_for,
)

BERLIN = "Europe/Berlin"
WORKDAYS = ("mon", "tue", "wed", "thu", "fri")
EVERY_DAY = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _s(at: str = "09:30", days: tuple[str, ...] = WORKDAYS, **kw: object) -> StandupSchedule:
    t = parse_time(at)
    assert t is not None
    return StandupSchedule(at=t, zone=BERLIN, weekdays=days, **kw)  # type: ignore[arg-type]


def test_latest_is_todays_local_time_in_utc() -> None:
    s = _s()
    # Fri 2026-11-20 09:30 in Berlin (CET, UTC+1) is 08:30 UTC.
    occ = s.latest(dt.datetime(2026, 11, 20, 8, 30))
    assert occ is not None and occ.utc == dt.datetime(2026, 11, 20, 8, 30)
    assert occ.slot == "2026-11-20"
    before = s.latest(dt.datetime(2026, 11, 20, 8, 29, 59))
    assert before is not None and before.slot == "2026-11-19"


def test_weekends_and_holidays_are_left_out() -> None:
    s = _s(holidays=frozenset({dt.date(2026, 11, 23)}))
    # Sunday noon: the last one was Friday; the next is Tuesday (Monday is a holiday).
    sunday = dt.datetime(2026, 11, 22, 11, 0)
    latest, nxt = s.latest(sunday), s.upcoming(sunday)
    assert latest is not None and latest.slot == "2026-11-20"
    assert nxt is not None and nxt.slot == "2026-11-24"


def test_summer_time_shifts_the_utc_time() -> None:
    s = _s()
    occ = s.latest(dt.datetime(2026, 7, 1, 8, 0))
    assert occ is not None and occ.utc == dt.datetime(2026, 7, 1, 7, 30)


@pytest.mark.parametrize(
    "at,day,expected_utc",
    [
        # Spring forward, Sun 2026-03-29: 02:00 CET jumps to 03:00 CEST.
        ("09:30", dt.date(2026, 3, 29), [dt.datetime(2026, 3, 29, 7, 30)]),
        ("02:30", dt.date(2026, 3, 29), [dt.datetime(2026, 3, 29, 1, 0)]),  # at 03:00 CEST
        # Fall back, Sun 2026-10-25: 03:00 CEST goes back to 02:00 CET (02:30 happens twice).
        ("09:30", dt.date(2026, 10, 25), [dt.datetime(2026, 10, 25, 8, 30)]),
        (
            "02:30",
            dt.date(2026, 10, 25),
            [dt.datetime(2026, 10, 25, 0, 30), dt.datetime(2026, 10, 25, 1, 30)],
        ),
    ],
)
def test_dst_days_have_their_occurrences_on_the_right_local_date(
    at: str, day: dt.date, expected_utc: list[dt.datetime]
) -> None:
    """Every occurrence on the DST day belongs to that local date: the slot makes a
    repeated one a no-op, and the skipped hour still yields one."""
    s = _s(at, EVERY_DAY)
    found = []
    now = dt.datetime.combine(day, dt.time(0, 0)) - dt.timedelta(hours=2)
    end = now + dt.timedelta(hours=26)
    while now < end:
        occ = s.latest(now)
        if occ is not None and occ.slot == day.isoformat() and occ.utc not in found:
            found.append(occ.utc)
        now += dt.timedelta(minutes=5)
    assert found == expected_utc


def test_due_posts_within_grace_and_skips_later() -> None:
    s = _s(grace=dt.timedelta(minutes=60))
    at = dt.datetime(2026, 11, 20, 8, 30)
    d = due(s, at + dt.timedelta(minutes=59))
    assert d is not None and d.post and d.occurrence.slot == "2026-11-20"
    late = due(s, at + dt.timedelta(minutes=61))
    assert late is not None and not late.post
    assert due(s, at, active_from=at + dt.timedelta(minutes=1)) is None


def test_parsing() -> None:
    assert parse_time("9:05") == dt.time(9, 5) and parse_time("24:00") is None
    assert parse_zone("Europe/Berlin") == BERLIN and parse_zone("UTC") == "UTC"
    assert parse_zone("Mars/Olympus") is None and parse_zone("CET; DROP") is None
    assert parse_weekdays("mon-fri") == WORKDAYS
    assert parse_weekdays("mo,mi,fr") == ("mon", "wed", "fri")
    assert parse_weekdays("fri-mon") == ("mon", "fri", "sat", "sun")
    assert parse_weekdays("someday") is None


def test_channel_settings_override_the_workspace() -> None:
    s = schedule_for(
        {"at": "08:15", "zone": "America/New_York", "weekdays": ["sat"]},
        default_at="09:30",
        default_zone=BERLIN,
        default_weekdays=WORKDAYS,
        holidays=[dt.date(2026, 12, 24)],
        grace_minutes=30,
    )
    assert (s.at, s.zone, s.weekdays) == (dt.time(8, 15), "America/New_York", ("sat",))
    assert s.grace == dt.timedelta(minutes=30) and dt.date(2026, 12, 24) in s.holidays
    d = schedule_for(
        {},
        default_at="09:30",
        default_zone=BERLIN,
        default_weekdays=WORKDAYS,
        holidays=[],
        grace_minutes=60,
    )
    assert (d.at, d.zone, d.weekdays) == (dt.time(9, 30), BERLIN, WORKDAYS)
