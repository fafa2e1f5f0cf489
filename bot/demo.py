"""Seeding the synthetic demo stream once, in the background, after the server is up; its
progress (services.background.seeding) and its reset from chat (`demo reset`)."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections.abc import AsyncIterator

from aiohttp import web
from sqlalchemy import delete

from core.db import session_scope
from core.models import JobClaim
from core.storage import claims
from core.storage import topics as topic_store
from handlers.context import Services

log = logging.getLogger(__name__)
DEMO_JOB = "demo-seed"
DEMO_SLOT = "v1"


async def seed_once(services: Services, *, now: dt.datetime | None = None) -> int:
    """Seed the demo stream unless it was seeded before (claimed in the database)."""
    from demo import seed_demo

    owner = services.instance
    now = now or services.clock()
    async with session_scope(services.sessions) as session:
        got = await claims.try_claim(
            session=session,
            job=DEMO_JOB,
            slot=DEMO_SLOT,
            owner=owner,
            ttl=dt.timedelta(minutes=15),
            now=now,
        )
    progress = services.background.seeding
    if not got:
        progress.finished = True
        return 0
    log.info("seeding the synthetic demo stream (about 20,000 mentions, once)")
    progress.running = True
    try:
        stored = await seed_demo(services.pipeline, now=now, progress=progress.update)
    finally:
        progress.running, progress.finished = False, True
    async with session_scope(services.sessions) as session:
        await claims.finish_claim(
            session=session, job=DEMO_JOB, slot=DEMO_SLOT, owner=owner, now=services.clock()
        )
    log.info("demo stream seeded: %d mentions", stored)
    return stored


class DemoReset:
    """Implements core.background.DemoData: the reset that `demo reset` starts from chat."""

    def __init__(self, services: Services) -> None:
        self.services = services
        self.task: asyncio.Task[None] | None = None

    def start_reset(self) -> bool:
        if self.services.background.seeding.running or (self.task and not self.task.done()):
            return False
        progress = self.services.background.seeding
        progress.running, progress.done = True, 0
        self.task = asyncio.create_task(self._reset())
        return True

    async def _reset(self) -> None:
        try:
            removed, stored = await reset_demo(self.services)
            log.info("demo reset: %d synthetic mentions removed, %d seeded", removed, stored)
        except Exception:
            log.exception("resetting the demo data failed; `python -m bot db reset-demo` retries")
        finally:
            self.services.background.seeding.running = False


def attach(services: Services) -> None:
    """Let chat reset the demo data (bot.services calls this for every process)."""
    services.background.demo = DemoReset(services)


def setup(app: web.Application, services: Services) -> None:
    """Start the demo seeding in the background when the settings ask for it."""
    if not services.settings.seed_demo:
        return

    async def background(_app: web.Application) -> AsyncIterator[None]:
        task = asyncio.create_task(_seed_logged(services))
        yield
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    app.cleanup_ctx.append(background)


async def _seed_logged(services: Services) -> None:
    try:
        await seed_once(services)
    except asyncio.CancelledError:
        raise
    except Exception:
        log.exception("seeding the demo stream failed; `python -m bot db reset-demo` retries")


async def reset_demo(services: Services) -> tuple[int, int]:
    """Remove every synthetic mention, rebuild the counts, and seed the demo afresh."""
    from core.storage.maintenance import delete_synthetic, rebuild_counts

    async with session_scope(services.sessions) as session:
        removed = await delete_synthetic(session=session)
        await session.execute(
            delete(JobClaim).where(JobClaim.job == DEMO_JOB)  # type: ignore[arg-type]
        )
    async with session_scope(services.sessions) as session:
        await rebuild_counts(session=session)
        # The stories of the removed mentions go with them; those of the rest keep counting.
        await topic_store.forget_missing(session=session)
        await topic_store.recount(session=session)
    stored = await seed_once(services)
    return removed, stored
