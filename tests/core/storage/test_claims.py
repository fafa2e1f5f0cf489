"""Claims across replicas: heartbeats free a dead replica's claims, leases, pruning."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import col

from core.db import SessionFactory, make_engine, make_sessionmaker, session_scope
from core.models import JobClaim
from core.storage import claims

T0 = dt.datetime(2026, 11, 20, 9, 0)
LONG = dt.timedelta(minutes=10)
LIVE = dt.timedelta(seconds=20)


async def _sessions(db_url: str) -> tuple[AsyncEngine, SessionFactory]:
    engine = make_engine(db_url)
    return engine, make_sessionmaker(engine)


async def test_a_dead_replicas_claim_is_free_before_its_expiry(db_url: str) -> None:
    engine, sessions = await _sessions(db_url)
    try:
        async with session_scope(sessions) as s:
            await claims.beat(session=s, owner="a", ttl=LIVE, now=T0)
            await claims.beat(session=s, owner="b", ttl=LIVE, now=T0)
            assert await claims.try_claim(session=s, job="j", slot="1", owner="a", ttl=LONG, now=T0)
        later = T0 + dt.timedelta(seconds=10)
        async with session_scope(sessions) as s:  # a is alive: b must wait
            await claims.beat(session=s, owner="a", ttl=LIVE, now=later)
            assert not await claims.try_claim(
                session=s, job="j", slot="1", owner="b", ttl=LONG, now=later
            )
        gone = later + LIVE + dt.timedelta(seconds=1)  # a stopped beating
        async with session_scope(sessions) as s:
            await claims.beat(session=s, owner="b", ttl=LIVE, now=gone)
            assert await claims.try_claim(
                session=s, job="j", slot="1", owner="b", ttl=LONG, now=gone
            )
            held = await claims.get_claim(session=s, job="j", slot="1")
            assert held is not None and held.owner == "b"
    finally:
        await engine.dispose()


async def test_an_owner_without_a_heartbeat_relies_on_the_expiry(db_url: str) -> None:
    engine, sessions = await _sessions(db_url)
    try:
        async with session_scope(sessions) as s:
            assert await claims.try_claim(
                session=s, job="j", slot="1", owner="cli", ttl=LONG, now=T0
            )
        soon = T0 + dt.timedelta(minutes=5)
        async with session_scope(sessions) as s:
            assert not await claims.try_claim(
                session=s, job="j", slot="1", owner="b", ttl=LONG, now=soon
            )
        late = T0 + LONG + dt.timedelta(seconds=1)
        async with session_scope(sessions) as s:
            assert await claims.try_claim(
                session=s, job="j", slot="1", owner="b", ttl=LONG, now=late
            )
    finally:
        await engine.dispose()


async def test_a_finished_claim_is_never_taken_again_even_from_the_dead(db_url: str) -> None:
    engine, sessions = await _sessions(db_url)
    try:
        async with session_scope(sessions) as s:
            await claims.beat(session=s, owner="a", ttl=LIVE, now=T0)
            assert await claims.try_claim(session=s, job="j", slot="1", owner="a", ttl=LONG, now=T0)
            assert await claims.finish_claim(session=s, job="j", slot="1", owner="a", now=T0)
        gone = T0 + dt.timedelta(hours=1)
        async with session_scope(sessions) as s:
            assert not await claims.try_claim(
                session=s, job="j", slot="1", owner="b", ttl=LONG, now=gone
            )
    finally:
        await engine.dispose()


async def test_retire_frees_claims_at_once_and_a_long_owner_name_works(db_url: str) -> None:
    engine, sessions = await _sessions(db_url)
    owner = "pod-" + "x" * 90 + ":4242"  # longer than the slot column
    try:
        async with session_scope(sessions) as s:
            await claims.beat(session=s, owner=owner, ttl=LIVE, now=T0)
            assert await claims.try_claim(
                session=s, job="j", slot="1", owner=owner, ttl=LONG, now=T0
            )
        async with session_scope(sessions) as s:
            assert await claims.retire(session=s, owner=owner, now=T0) == 1
        async with session_scope(sessions) as s:
            assert await claims.try_claim(session=s, job="j", slot="1", owner="b", ttl=LONG, now=T0)
    finally:
        await engine.dispose()


async def test_a_lease_has_one_holder_until_released_or_its_holder_dies(db_url: str) -> None:
    engine, sessions = await _sessions(db_url)
    try:
        async with session_scope(sessions) as s:
            for owner in ("a", "b"):
                await claims.beat(session=s, owner=owner, ttl=LIVE, now=T0)
            assert await claims.try_lease(session=s, name="poll:x", owner="a", ttl=LONG, now=T0)
            assert not await claims.try_lease(session=s, name="poll:x", owner="b", ttl=LONG, now=T0)
            assert await claims.release_lease(session=s, name="poll:x", owner="a", now=T0)
            assert await claims.try_lease(session=s, name="poll:x", owner="b", ttl=LONG, now=T0)
            # b beats on: its lease is renewed past the original expiry
            await claims.beat(session=s, owner="b", ttl=LIVE, now=T0 + dt.timedelta(seconds=15))
        much_later = T0 + dt.timedelta(seconds=30)
        async with session_scope(sessions) as s:
            await claims.beat(session=s, owner="a", ttl=LIVE, now=much_later)
            # b has not beaten for 15 s: not yet dead
            assert not await claims.try_lease(
                session=s, name="poll:x", owner="a", ttl=LONG, now=much_later
            )
        dead = T0 + dt.timedelta(seconds=36)
        async with session_scope(sessions) as s:
            await claims.beat(session=s, owner="a", ttl=LIVE, now=dead)
            assert await claims.try_lease(session=s, name="poll:x", owner="a", ttl=LONG, now=dead)
            assert not await claims.release_lease(session=s, name="poll:x", owner="b", now=dead)
    finally:
        await engine.dispose()


async def test_prune_deletes_old_slots_of_the_named_jobs_only(db_url: str) -> None:
    engine, sessions = await _sessions(db_url)
    try:
        async with session_scope(sessions) as s:
            await claims.beat(session=s, owner="gone", ttl=LIVE, now=T0)
            for slot in ("1", "2"):
                await claims.try_claim(
                    session=s, job="poll:x", slot=slot, owner="a", ttl=LONG, now=T0
                )
                await claims.finish_claim(session=s, job="poll:x", slot=slot, owner="a", now=T0)
            await claims.try_claim(
                session=s, job="demo-seed", slot="v1", owner="a", ttl=LONG, now=T0
            )
            await claims.finish_claim(session=s, job="demo-seed", slot="v1", owner="a", now=T0)
        async with session_scope(sessions) as s:
            before = T0 + dt.timedelta(days=1)
            deleted = await claims.prune(session=s, jobs=["poll:x"], before=before)
        assert deleted == 3  # two slots and the stale heartbeat
        async with sessions() as s:
            stmt = select(col(JobClaim.job), func.count()).group_by(col(JobClaim.job))
            left = {job: n for job, n in (await s.execute(stmt)).all()}
        assert left == {"demo-seed": 1}
    finally:
        await engine.dispose()
