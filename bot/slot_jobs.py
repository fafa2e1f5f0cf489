"""What the per-channel scheduled jobs share (standups, weekly reports, check-ins): the
services, a clock tests can move, the replica that owns its claims, one claim per run and
slot in the database, and a tick on the scheduler."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass

from core.background import Scheduling, Ticking
from core.clock import to_naive_utc
from core.db import session_scope
from core.metrics import CLAIM_CONFLICTS
from core.storage import claims
from handlers.context import Services

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Outcome:
    job: str
    slot: str
    result: str  # posted | skipped | failed | no_notifier


class ChannelJobs:
    """A replica's scheduled work for channels: the services, a clock tests can move, and
    the replica that owns its claims."""

    def __init__(
        self,
        services: Services,
        *,
        clock: Callable[[], dt.datetime] | None = None,
        owner: str | None = None,
    ) -> None:
        self.services = services
        # The services' clock as it is at each tick (tests and replays move it).
        self.clock = clock or (lambda: services.clock())
        self.owner = owner or services.instance
        self._start()

    def _start(self) -> None:
        """Set up the replica's own state of the jobs (what they remember between ticks)."""

    async def _close_claim(self, job: str, slot: str, status: str = "done") -> None:
        """Mark this replica's claim of the run `job` for `slot` finished with `status`."""
        async with session_scope(self.services.sessions) as session:
            await claims.finish_claim(
                session=session,
                job=job,
                slot=slot,
                owner=self.owner,
                now=to_naive_utc(self.clock()),
                status=status,
            )


class SlotJobs(ChannelJobs):
    """One replica's tick over per-channel runs, each run claimed once per slot.

    `kind` labels the claim conflicts (horch_claim_conflicts_total); a claim older than
    `claim_ttl` without a result is free again."""

    kind = ""
    claim_ttl = dt.timedelta(minutes=5)

    def _start(self) -> None:
        self._warned: set[tuple[str, str]] = set()
        # Runs known to be finished (by this replica or another): no need to ask the
        # database again on every tick until the next occurrence.
        self._finished: set[tuple[str, str]] = set()

    async def _claim(self, job: str, slot: str, now: dt.datetime) -> bool:
        async with session_scope(self.services.sessions) as session:
            if await claims.try_claim(
                session=session, job=job, slot=slot, owner=self.owner, ttl=self.claim_ttl, now=now
            ):
                return True
            held = await claims.get_claim(session=session, job=job, slot=slot)
        if held is not None and held.done_at is not None:
            self._finished.add((job, slot))
        CLAIM_CONFLICTS.labels(self.kind).inc()  # another replica posts (or posted) it
        return False

    async def _finish(self, job: str, slot: str, status: str) -> None:
        await self._close_claim(job, slot, status)
        self._finished.add((job, slot))


def scheduler_for(services: Services, without: str) -> Scheduling | None:
    """The process's scheduler; None, with a warning that `without` it …, when there is none."""
    scheduler = services.background.scheduler
    if scheduler is None:
        log.warning("no scheduler: %s", without)
    return scheduler


def tick_every(scheduler: Scheduling, name: str, seconds: float, jobs: Ticking) -> None:
    """Tick `jobs` every `seconds` on every replica (each run claims its own slot)."""

    async def tick() -> None:
        await jobs.tick()

    scheduler.every(name, seconds, tick, claim=False)
