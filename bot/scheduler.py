"""Scheduled triggers (polling, alerts, standups), each run claimed once in the database.

APScheduler fires the jobs in this process; before a run, the job claims its slot
(`job`, `slot`) in the `job_claim` table, so with several replicas each slot runs once.
A replica that dies mid-run leaves a claim that expires after `ttl`; another replica may
then take the slot over (core.storage.claims).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass

from aiohttp import web
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger

from core.clock import utcnow
from core.db import session_scope
from core.storage import claims
from handlers.context import Services

log = logging.getLogger(__name__)
Job = Callable[[], Awaitable[None]]


@dataclass
class _Interval:
    name: str
    seconds: float
    fn: Job
    claim: bool
    ttl: dt.timedelta


class Scheduler:
    """Interval jobs with once-per-slot claims; features register jobs in their setup()."""

    def __init__(self, services: Services) -> None:
        self.services = services
        self.owner: str = services.extras.get("instance", "local")
        self._jobs: list[_Interval] = []
        self._aps: AsyncIOScheduler | None = None

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
        """Run `fn` if this replica wins the claim on (name, slot); returns whether it ran."""
        async with session_scope(self.services.sessions) as session:
            won = await claims.try_claim(
                session=session, job=name, slot=slot, owner=self.owner, ttl=ttl
            )
        if not won:
            return False
        status = "done"
        try:
            await fn()
        except Exception:
            status = "failed"
            log.exception("scheduled job %s (slot %s) failed", name, slot)
        async with session_scope(self.services.sessions) as session:
            await claims.finish_claim(
                session=session, job=name, slot=slot, owner=self.owner, status=status
            )
        return True

    def _add(self, job: _Interval) -> None:
        assert self._aps is not None

        async def tick() -> None:
            if not job.claim:
                try:
                    await job.fn()
                except Exception:
                    log.exception("scheduled job %s failed", job.name)
                return
            slot = str(int(utcnow().timestamp() // job.seconds))
            await self.run_claimed(job.name, slot, job.fn, job.ttl)

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
    """Create the scheduler (features add jobs to `services.extras['scheduler']`)."""
    scheduler = Scheduler(services)
    services.extras["scheduler"] = scheduler

    async def lifecycle(_app: web.Application) -> AsyncIterator[None]:
        scheduler.start()
        yield
        scheduler.shutdown()

    app.cleanup_ctx.append(lifecycle)
