"""Check-in rows: asked once per member and day (the unique constraint), answers editable
until posted, a reminder claimed once, history and retention."""

from __future__ import annotations

import asyncio
import datetime as dt

from core.db import make_engine, make_sessionmaker, session_scope
from core.storage import checkins

NOW = dt.datetime(2026, 11, 23, 7, 0)
Q = ["Done?", "Today?", "Blocked?"]


async def _claim(sessions, member: str = "U1", day: str = "2026-11-23", now=NOW):  # type: ignore[no-untyped-def]
    async with session_scope(sessions) as session:
        return await checkins.claim_member(
            session=session,
            platform="slack",
            channel_id="C1",
            member_id=member,
            member_name=member.lower(),
            day=day,
            locale="en",
            questions=Q,
            now=now,
        )


async def test_a_member_is_claimed_once_per_day_even_by_concurrent_callers(db_url: str) -> None:
    engine = make_engine(db_url)
    sessions = make_sessionmaker(engine)
    try:
        results = await asyncio.gather(*(_claim(sessions) for _ in range(5)))
        assert sum(r is not None for r in results) == 1
        assert await _claim(sessions, day="2026-11-24") is not None
        assert await _claim(sessions, member="U2") is not None
        async with sessions() as session:
            rows = await checkins.for_day(
                session=session, platform="slack", channel_id="C1", day="2026-11-23"
            )
        assert [r.member_id for r in rows] == ["U1", "U2"]
        assert all(r.asked_at is None for r in rows)
    finally:
        await engine.dispose()


async def test_answers_are_editable_until_posted_and_reminders_go_once(db_url: str) -> None:
    engine = make_engine(db_url)
    sessions = make_sessionmaker(engine)
    try:
        row = await _claim(sessions)
        assert row is not None and row.id is not None
        async with session_scope(sessions) as session:
            await checkins.mark_asked(session=session, row_id=row.id, direct_id="D1", now=NOW)
            assert await checkins.mark_reminded(session=session, row_id=row.id, now=NOW)
            assert not await checkins.mark_reminded(session=session, row_id=row.id, now=NOW)
            first = await checkins.record_answer(
                session=session, row=row, answers=["a", "b", "c"], now=NOW
            )
            assert first is not None and first.state == "answered"
            edited = await checkins.record_answer(
                session=session, row=row, answers=["a", "b", "none"], now=NOW
            )
            assert edited is not None and checkins.answers_of(edited) == ["a", "b", "none"]
            assert await checkins.open_for_member(session=session, platform="slack", member_id="U1")
            n = await checkins.mark_posted(
                session=session, platform="slack", channel_id="C1", day="2026-11-23", now=NOW
            )
            assert n == 1
            late = await checkins.record_answer(session=session, row=row, answers=None, now=NOW)
            assert late is None
            assert not await checkins.open_for_member(
                session=session, platform="slack", member_id="U1"
            )
        async with sessions() as session:
            again = await checkins.get(
                session=session, platform="slack", channel_id="C1", member_id="U1", day="2026-11-23"
            )
            assert again is not None and checkins.answers_of(again) == ["a", "b", "none"]
    finally:
        await engine.dispose()


async def test_history_is_the_members_own_and_retention_deletes_old_rows(db_url: str) -> None:
    engine = make_engine(db_url)
    sessions = make_sessionmaker(engine)
    try:
        old = NOW - dt.timedelta(days=40)
        await _claim(sessions, day="2026-10-14", now=old)
        await _claim(sessions, day="2026-11-23")
        await _claim(sessions, member="U2", day="2026-11-23")
        async with sessions() as session:
            mine = await checkins.history(
                session=session, platform="slack", member_id="U1", since_day="2026-10-01"
            )
        assert [r.day for r in mine] == ["2026-10-14", "2026-11-23"]
        async with session_scope(sessions) as session:
            deleted = await checkins.delete_before(
                session=session,
                platform="slack",
                channel_id="C1",
                before=NOW - dt.timedelta(days=30),
            )
        assert deleted == 1
        async with sessions() as session:
            mine = await checkins.history(
                session=session, platform="slack", member_id="U1", since_day="2026-10-01"
            )
        assert [r.day for r in mine] == ["2026-11-23"]
    finally:
        await engine.dispose()
