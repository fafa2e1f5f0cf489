"""Source state in the database: cursor after the batch, failures with backoff, the run log."""

from __future__ import annotations

import datetime as dt

import pytest

from core.db import make_engine, make_sessionmaker, session_scope
from core.storage import sources as store

pytestmark = pytest.mark.storage
NOW = dt.datetime(2026, 11, 20, 8, 0)


async def test_progress_failures_and_runs(db_url: str) -> None:
    engine = make_engine(db_url)
    sessions = make_sessionmaker(engine)
    try:
        async with session_scope(sessions) as s:
            await store.save_progress(
                session=s, name="hn", cursor={"window": {"since": 5}}, now=NOW, fetched=3, stored=2
            )
            failed = await store.record_failure(
                session=s, name="hn", error="HTTP 500 from x", now=NOW, interval=300
            )
            assert failed.next_poll_at == NOW + dt.timedelta(seconds=300)
            again = await store.record_failure(
                session=s, name="hn", error="timeout", now=NOW, interval=300, retry_after=3600
            )
            assert again.error_count == 2 and again.next_poll_at == NOW + dt.timedelta(hours=1)
        async with sessions() as s:
            assert await store.load_cursor(session=s, name="hn") == {"window": {"since": 5}}
            state = await store.get_state(session=s, name="hn")
            assert state is not None and state.last_error == "timeout"
        async with session_scope(sessions) as s:
            await store.save_progress(
                session=s, name="hn", cursor={}, now=NOW, fetched=1, stored=1, quota_remaining=9
            )
        async with sessions() as s:
            state = await store.get_state(session=s, name="hn")
            assert state is not None
            assert (state.error_count, state.next_poll_at, state.quota_remaining) == (0, None, 9)
            assert (state.fetched_total, state.stored_total) == (4, 3)
        async with session_scope(sessions) as s:
            await store.record_run(session=s, source="hn", now=NOW - dt.timedelta(days=40), new=50)
            await store.record_run(session=s, source="hn", now=NOW - dt.timedelta(hours=30), new=7)
            await store.record_run(session=s, source="hn", now=NOW - dt.timedelta(hours=1), new=4)
        async with sessions() as s:
            summary = await store.run_summary(session=s, since=NOW - dt.timedelta(hours=24))
        # The 40-day-old run was pruned by the later ones; only the last day counts as new.
        assert summary["hn"].new == 4 and summary["hn"].last_at == NOW - dt.timedelta(hours=1)
    finally:
        await engine.dispose()


def test_backoff_doubles_up_to_six_hours() -> None:
    assert store.backoff(1, 300) == dt.timedelta(minutes=5)
    assert store.backoff(3, 300) == dt.timedelta(minutes=20)
    assert store.backoff(20, 300) == dt.timedelta(hours=6)
    assert store.backoff(1, 300, retry_after=900) == dt.timedelta(minutes=15)


def test_an_unreadable_cursor_starts_afresh() -> None:
    assert store.parse_cursor("{broken") == {} and store.parse_cursor("[1]") == {}
