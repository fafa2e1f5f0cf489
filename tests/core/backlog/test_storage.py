"""Backlog storage against a real database: once-only state changes, one active sprint,
closing with velocity and carry-over, standup posts recorded once."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy.exc import IntegrityError

from core.db import make_engine, make_sessionmaker, session_scope
from core.models_backlog import BacklogItem, Sprint
from core.storage import backlog as store

pytestmark = pytest.mark.storage
T0 = dt.datetime(2026, 11, 2, 9, 0)


@pytest.fixture
async def sessions(db_url: str) -> Any:
    engine = make_engine(db_url)
    yield make_sessionmaker(engine)
    await engine.dispose()


def _item(n: int, *, points: int = 3, score: int = 100, fp: str | None = None) -> BacklogItem:
    return BacklogItem(
        kind="manual",
        fingerprint=fp or f"manual:{n}",
        title=f"item {n}",
        points=points,
        score=score,
        created_at=T0,
        updated_at=T0,
        state_changed_at=T0,
    )


async def _add(sessions: Any, *items: BacklogItem) -> list[BacklogItem]:
    out = []
    async with session_scope(sessions) as s:
        for item in items:
            stored = await store.insert_item(session=s, item=item)
            assert stored is not None
            out.append(stored)
    return out


async def test_a_state_change_happens_once_for_two_clicks(sessions: Any) -> None:
    (item,) = await _add(sessions, _item(1))
    async with session_scope(sessions) as s:
        first = await store.move_item(session=s, item=item, to="done", now=T0)
    async with session_scope(sessions) as s:
        second = await store.move_item(session=s, item=item, to="done", now=T0)  # stale read
    assert first is not None and first.state == "done" and first.done_at == T0
    assert second is None


async def test_one_open_item_per_fingerprint_and_reopen_conflict(sessions: Any) -> None:
    (old,) = await _add(sessions, _item(1, fp="trend:x"))
    async with session_scope(sessions) as s:
        assert await store.insert_item(session=s, item=_item(2, fp="trend:x")) is None
        done = await store.move_item(session=s, item=old, to="done", now=T0)
    assert done is not None
    (new,) = await _add(sessions, _item(3, fp="trend:x"))  # allowed: the old one is closed
    with pytest.raises(IntegrityError):
        async with session_scope(sessions) as s:
            await store.move_item(session=s, item=done, to="todo", now=T0)
    async with sessions() as s:
        assert await store.open_by_fingerprint(session=s, fingerprints=["trend:x"]) == {
            "trend:x": new.id
        }


async def test_only_one_sprint_is_active_and_items_join_one_sprint(sessions: Any) -> None:
    a, b = await _add(sessions, _item(1), _item(2))

    def sprint() -> Sprint:
        return Sprint(capacity=10, days=7, started_at=T0, ends_at=T0 + dt.timedelta(days=7))

    async with session_scope(sessions) as s:
        created = await store.create_sprint(session=s, sprint=sprint(), picks=[(a, 3), (b, 5)])
    assert created is not None
    first, taken = created
    assert first.committed_points == 8 and [i.sprint_id for i in taken] == [first.id] * 2
    async with session_scope(sessions) as s:
        assert await store.create_sprint(session=s, sprint=sprint(), picks=[(a, 3)]) is None


async def test_close_records_velocity_and_carries_the_rest(sessions: Any) -> None:
    a, b, c = await _add(sessions, _item(1), _item(2), _item(3))
    async with session_scope(sessions) as s:
        created = await store.create_sprint(
            session=s,
            sprint=Sprint(capacity=10, days=7, started_at=T0, ends_at=T0 + dt.timedelta(days=7)),
            picks=[(a, 3), (b, 5), (c, 2)],
        )
    assert created is not None
    sprint, (a, b, c) = created
    later = T0 + dt.timedelta(days=2)
    async with session_scope(sessions) as s:
        assert await store.move_item(session=s, item=a, to="done", now=later)
        assert await store.move_item(session=s, item=c, to="dropped", now=later)
        b2 = await store.move_item(session=s, item=b, to="in_progress", now=later)
        assert b2 is not None
    async with session_scope(sessions) as s:
        result = await store.close_sprint(session=s, sprint=sprint, now=later)
    assert result is not None
    closed, velocity, carried = result
    assert (closed.state, closed.completed_points, closed.carried_points) == ("closed", 3, 5)
    assert velocity == 3 and [i.id for i in carried] == [b.id]
    assert carried[0].sprint_id is None and carried[0].state == "in_progress"
    async with session_scope(sessions) as s:
        assert await store.close_sprint(session=s, sprint=sprint, now=later) is None
        assert [x.id for x in await store.closed_sprints(session=s)] == [sprint.id]


async def test_standup_posts_are_recorded_once(sessions: Any) -> None:
    for _ in range(2):
        async with session_scope(sessions) as s:
            await store.record_post(
                session=s,
                platform="slack",
                channel_id="C1",
                slot="2026-11-20",
                posted_at=T0,
                message_ref="1.2",
            )
    async with sessions() as s:
        last = await store.last_post(session=s, platform="slack", channel_id="C1")
        assert last is not None and last.slot == "2026-11-20"
        assert (
            await store.last_post(session=s, platform="slack", channel_id="C1", before=T0) is None
        )
