"""The scheduler across replicas: one run per slot, no overlap, takeover from the dead."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
from typing import Any

import pytest

from bot import scheduler as sched
from bot.scheduler import Scheduler
from core.db import session_scope
from core.storage import claims

TTL = dt.timedelta(minutes=10)


def replica(services: Any, owner: str) -> Scheduler:
    """A second Scheduler on the same database under another owner name."""
    return Scheduler(dataclasses.replace(services, instance=owner))


async def test_each_slot_runs_once_across_replicas(services: Any) -> None:
    runs: list[str] = []
    a, b = replica(services, "a"), replica(services, "b")

    def job(who: str) -> Any:
        async def run() -> None:
            runs.append(who)

        return run

    results = await asyncio.gather(
        a.run_claimed("poll:x", "1", job("a"), TTL), b.run_claimed("poll:x", "1", job("b"), TTL)
    )
    assert sorted(results) == [False, True]
    assert len(runs) == 1
    # the next slot runs again (on whichever replica asks)
    assert await b.run_claimed("poll:x", "2", job("b"), TTL)
    assert len(runs) == 2


async def test_a_slow_run_is_not_overlapped_by_the_next_slot(services: Any) -> None:
    a, b = replica(services, "a"), replica(services, "b")
    release = asyncio.Event()
    started = asyncio.Event()
    runs: list[str] = []

    async def slow() -> None:
        runs.append("a")
        started.set()
        await release.wait()

    async def quick() -> None:
        runs.append("b")

    first = asyncio.create_task(a.run_claimed("poll:x", "1", slow, TTL))
    await started.wait()
    assert not await b.run_claimed("poll:x", "2", quick, TTL)  # a still polls: skipped
    release.set()
    assert await first
    assert await b.run_claimed("poll:x", "3", quick, TTL)
    assert runs == ["a", "b"]
    async with services.sessions() as session:
        skipped = await claims.get_claim(session=session, job="poll:x", slot="2")
    assert skipped is not None and skipped.status == "busy"


async def test_a_replica_that_dies_mid_run_hands_its_job_over(
    services: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sched, "HEARTBEAT_SECONDS", 0.1)
    monkeypatch.setattr(sched, "LIVENESS", dt.timedelta(seconds=1))
    a, b = replica(services, "a"), replica(services, "b")
    await a.begin()
    await b.begin()
    try:
        stuck = asyncio.Event()

        async def hangs() -> None:
            stuck.set()
            await asyncio.Event().wait()  # never returns: the replica is killed meanwhile

        runs: list[str] = []

        async def works() -> None:
            runs.append("b")

        dying = asyncio.create_task(a.run_claimed("standup:x", "1", hangs, TTL))
        await stuck.wait()
        assert not await b.run_claimed("standup:x", "1", works, TTL)  # a is alive
        # "SIGKILL": a's heartbeat stops; its run never finishes, nothing is released.
        assert a._heart is not None
        a._heart.cancel()
        a.shutdown()
        for _ in range(100):
            if await b.run_claimed("standup:x", "1", works, TTL):
                break
            await asyncio.sleep(0.1)
        assert runs == ["b"]
        dying.cancel()
    finally:
        await b.end()


async def test_end_frees_the_replicas_claims_at_once(services: Any) -> None:
    a, b = replica(services, "a"), replica(services, "b")
    await a.begin()
    async with session_scope(services.sessions) as session:
        assert await claims.try_claim(
            session=session, job="j", slot="1", owner="a", ttl=TTL, now=a.clock()
        )
    await a.end()
    async with session_scope(services.sessions) as session:
        assert await claims.try_claim(
            session=session, job="j", slot="1", owner="b", ttl=TTL, now=b.clock()
        )
    await b.end()


async def test_prune_keeps_the_claims_of_other_jobs(
    services: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    a = replica(services, "a")

    async def nothing() -> None:
        return None

    a.every("poll:x", 60, nothing)
    assert await a.run_claimed("poll:x", "1", nothing, TTL)
    async with session_scope(services.sessions) as session:
        await claims.try_claim(
            session=session, job="demo-seed", slot="v1", owner="a", ttl=TTL, now=a.clock()
        )
    monkeypatch.setattr(sched, "PRUNE_AFTER", dt.timedelta(seconds=-60))  # all count as old
    assert await a.prune() >= 1
    async with services.sessions() as session:
        assert await claims.get_claim(session=session, job="poll:x", slot="1") is None
        assert await claims.get_claim(session=session, job="demo-seed", slot="v1") is not None
