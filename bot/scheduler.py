"""Scheduled triggers (polling, alerts, standups), each run claimed once in the database.

APScheduler fires the jobs in this process; before a run, the job claims its slot
(`job`, `slot`) in the `job_claim` table, so with several replicas each slot runs once,
and holds the job's lease while it runs, so a slow run (a poll that outlasts its interval)
never overlaps the next slot's run on another replica.

Every replica keeps a heartbeat in the database (every HEARTBEAT seconds, alive for
LIVENESS). A replica that dies mid-run stops beating; its claims and leases are free once
its heartbeat is LIVENESS old, and another replica takes the work over (core.storage.claims).
Finished claims of interval jobs are pruned after a day, so the table stays small.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from aiohttp import web
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger

from core.clock import utcnow
from core.db import retry_transient, session_scope
from core.metrics import CLAIM_CONFLICTS, JOB_RUNS
from core.storage import claims
from handlers.context import Services

log = logging.getLogger(__name__)
Job = Callable[[], Awaitable[None]]
HEARTBEAT_SECONDS = 5.0
LIVENESS = dt.timedelta(seconds=20)  # four missed beats: the replica is gone
PRUNE_SECONDS = 3600.0
PRUNE_AFTER = dt.timedelta(days=1)
FINISH_RETRIES = (0.5, 1.0, 2.0)
STOP_GRACE_SECONDS = 5.0


@dataclass
class _Interval:
    name: str
    seconds: float
    fn: Job
    claim: bool
    ttl: dt.timedelta


async def run_job(name: str, fn: Job) -> str:
    """One run of a job, counted (horch_job_runs_total{job, outcome}); "done" or "failed"
    (logged, never raised: the next slot runs as usual)."""
    try:
        await fn()
    except Exception:
        log.exception("scheduled job %s failed", name)
        JOB_RUNS.labels(name, "failed").inc()
        return "failed"
    JOB_RUNS.labels(name, "done").inc()
    return "done"


class Scheduler:
    """Interval jobs with once-per-slot claims; features register jobs in their setup()."""

    def __init__(self, services: Services) -> None:
        self.services = services
        # Real time, not `services.clock`: slots must follow APScheduler's own ticks, which
        # run on the wall clock (a test that freezes the services' clock still polls).
        self.clock: Callable[[], dt.datetime] = utcnow
        self.owner: str = services.instance
        self._jobs: list[_Interval] = []
        self._aps: AsyncIOScheduler | None = None
        self._heart: asyncio.Task[None] | None = None
        self._running: set[asyncio.Task[object]] = set()

    def every(
        self,
        name: str,
        seconds: float,
        fn: Job,
        *,
        claim: bool = True,
        ttl: dt.timedelta | None = None,
    ) -> None:
        """Run `fn` every `seconds`; with `claim`, one replica per time slot runs it."""
        ttl = ttl or dt.timedelta(seconds=max(seconds * 2, 60))
        self._jobs.append(_Interval(name, seconds, fn, claim, ttl))
        if self._aps is not None:
            self._add(self._jobs[-1])

    async def run_claimed(self, name: str, slot: str, fn: Job, ttl: dt.timedelta) -> bool:
        """Run `fn` if this replica wins the claim on (name, slot) and the job's lease (no
        run of an earlier slot still going elsewhere); returns whether it ran."""
        async with session_scope(self.services.sessions) as session:
            now = self.clock()
            won = await claims.try_claim(
                session=session, job=name, slot=slot, owner=self.owner, ttl=ttl, now=now
            )
            leased = won and await claims.try_lease(
                session=session, name=name, owner=self.owner, ttl=ttl, now=now
            )
            if won and not leased:  # the last slot's run is still going: this slot is skipped
                await claims.finish_claim(
                    session=session, job=name, slot=slot, owner=self.owner, now=now, status="busy"
                )
        if not leased:
            CLAIM_CONFLICTS.labels(name).inc()
            return False
        status = "done"
        try:
            status = await run_job(name, fn)
        finally:

            async def finish() -> None:
                async with session_scope(self.services.sessions) as session:
                    now = self.clock()
                    await claims.finish_claim(
                        session=session,
                        job=name,
                        slot=slot,
                        owner=self.owner,
                        now=now,
                        status=status,
                    )
                    await claims.release_lease(
                        session=session, name=name, owner=self.owner, now=now
                    )

            await retry_transient(finish, what=f"finishing {name}", delays=FINISH_RETRIES)
        return True

    async def beat(self) -> None:
        """Tell the other replicas that this one is alive (and keep its leases)."""
        async with session_scope(self.services.sessions) as session:
            await claims.beat(session=session, owner=self.owner, ttl=LIVENESS, now=self.clock())

    async def prune(self) -> int:
        """Delete the claims of interval jobs that ended more than PRUNE_AFTER ago."""
        async with session_scope(self.services.sessions) as session:
            return await claims.prune(
                session=session,
                jobs=[j.name for j in self._jobs],
                before=self.clock() - PRUNE_AFTER,
            )

    async def _heartbeat(self) -> None:
        async def prune() -> None:
            if deleted := await self.prune():
                log.info("pruned %d old job claim(s)", deleted)

        tried = ""
        while True:
            await asyncio.sleep(HEARTBEAT_SECONDS)
            try:
                await self.beat()
                slot = str(int(self.clock().timestamp() // PRUNE_SECONDS))
                if slot != tried:  # once an hour, by one replica
                    tried = slot
                    await self.run_claimed("claims-prune", slot, prune, dt.timedelta(minutes=10))
            except Exception as exc:  # the database is away: the next beat tries again
                log.warning("heartbeat failed: %s: %s", type(exc).__name__, exc)

    async def begin(self) -> None:
        """Free what an earlier process of this name left claimed, beat, then start."""
        try:
            async with session_scope(self.services.sessions) as session:
                freed = await claims.retire(session=session, owner=self.owner, now=self.clock())
            if freed:
                log.info("freed %d claim(s) left by an earlier run of %s", freed, self.owner)
            await self.beat()
        except Exception:
            log.exception("could not register replica %s; claims rely on expiry", self.owner)
        self._heart = asyncio.create_task(self._heartbeat(), name="scheduler heartbeat")
        self.start()

    async def end(self, grace: float = STOP_GRACE_SECONDS) -> None:
        """Stop the jobs (running ones get `grace` seconds, then are cancelled) and the
        heartbeat; what this replica held is free for the others at once."""
        self.shutdown()
        if self._running:
            _, late = await asyncio.wait(set(self._running), timeout=grace)
            for task in late:
                task.cancel()
            await asyncio.gather(*late, return_exceptions=True)
        if self._heart is not None:
            self._heart.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._heart
            self._heart = None
        with contextlib.suppress(Exception):
            async with session_scope(self.services.sessions) as session:
                await claims.retire(session=session, owner=self.owner, now=self.clock())

    def _add(self, job: _Interval) -> None:
        assert self._aps is not None

        async def tick() -> None:
            task = asyncio.current_task()
            if task is not None:  # so that a stop can let it finish
                self._running.add(task)
                task.add_done_callback(self._running.discard)
            if not job.claim:
                await run_job(job.name, job.fn)
                return
            slot = str(int(self.clock().timestamp() // job.seconds))
            try:
                await self.run_claimed(job.name, slot, job.fn, job.ttl)
            except Exception as exc:  # the claim itself failed (database away): next slot
                log.warning(
                    "scheduled job %s: claim failed: %s: %s", job.name, type(exc).__name__, exc
                )

        self._aps.add_job(
            tick,
            IntervalTrigger(seconds=job.seconds),
            id=job.name,
            name=job.name,
            max_instances=1,
            coalesce=True,
            misfire_grace_time=max(1, int(job.seconds)),
            next_run_time=dt.datetime.now(dt.UTC) + dt.timedelta(seconds=1),
            replace_existing=True,
        )

    def start(self) -> None:
        self._aps = AsyncIOScheduler(timezone=dt.UTC)
        for job in self._jobs:
            self._add(job)
        self._aps.start()
        log.info("scheduler started with %d job(s)", len(self._jobs))

    def shutdown(self) -> None:
        if self._aps is not None:
            self._aps.shutdown(wait=False)
            self._aps = None


def setup(app: web.Application, services: Services) -> None:
    """Create the scheduler (features add jobs to `services.background.scheduler`)."""
    scheduler = Scheduler(services)
    services.background.scheduler = scheduler

    async def start(_app: web.Application) -> None:
        await scheduler.begin()

    async def stop(_app: web.Application) -> None:
        await scheduler.end()

    # Startup signals run after every cleanup context has started (the Slack and Teams
    # clients exist), shutdown signals before any is torn down: jobs never post through a
    # closed client, and a post that went out is also recorded as done.
    app.on_startup.append(start)
    app.on_shutdown.append(stop)
