"""Running a backfill: page by page from the run's `until` back to its `since`.

Each page is stored through the pipeline (`via="backfill"`) before the run records its
cursor and how far it reached, so a process killed at any moment resumes with the page it
was reading, and the (source, external_id) uniqueness drops what is read twice. A server
that asks to wait (429 with Retry-After, a spent rate-limit window, Reddit's budget) is
waited out, up to `MAX_PAUSE` at a time; the run's lease is renewed meanwhile, so no other
process takes it over. A failure leaves the run `failed` with its cursor: asking again
resumes it.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import os
import socket
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Protocol

from core.clock import to_naive_utc
from core.db import session_scope
from core.storage import backfills as store
from integrations.sources.base import BackfillStep
from integrations.sources.http import SourceError
from integrations.sources.services import IngestServices as Services

log = logging.getLogger(__name__)
MAX_PAUSE = 900.0  # the longest single wait for a rate limit before trying again
MAX_RESTS = 50  # waits for rate limits in one run before it gives up (resumable)
TOUCH_EVERY = 60.0


class Backfillable(Protocol):
    """A source whose API can page through its past (hackernews, mastodon, bluesky, …)."""

    name: str
    type: str

    async def backfill(
        self, state: dict[str, Any], *, since: dt.datetime, until: dt.datetime
    ) -> BackfillStep: ...


@dataclass
class Progress:
    """Where a run stands after a page: the share of its span read, back to which time."""

    source: str
    run_id: int
    fraction: float
    reached: dt.datetime | None
    since: dt.datetime
    until: dt.datetime
    stored: int
    duplicates: int
    pages: int


@dataclass
class RunReport:
    """How a run ended: done, failed (resumable), or taken (another process has it)."""

    outcome: str
    progress: Progress
    capped: bool = False
    error: str | None = None
    notes: tuple[str, ...] = ()


OnProgress = Callable[[Progress], Awaitable[None]]
Sleep = Callable[[float], Awaitable[None]]


def owner_is_dead(owner: str) -> bool:
    """Whether `owner` ("host:pid", see bot.services.instance_name) is a process of this
    host that no longer runs: its run may be taken over at once, not after its lease."""
    host, _, pid = owner.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


async def run_backfill(
    services: Services,
    source: Backfillable,
    *,
    run_id: int,
    owner: str,
    on_progress: OnProgress | None = None,
    sleep: Sleep = asyncio.sleep,
) -> RunReport:
    """Run (or resume) run `run_id` of `source` to its end; never raises for the source's
    faults (they end the run as failed, resumable)."""
    async with services.sessions() as session:
        run = await store.get_run(session=session, run_id=run_id)
    if run is None:
        raise LookupError(f"no backfill run {run_id}")
    since, until = run.since, run.until
    aware_since, aware_until = since.replace(tzinfo=dt.UTC), until.replace(tzinfo=dt.UTC)
    state = store.load_cursor(run.cursor)
    progress = Progress(
        source.name,
        run_id,
        0.0,
        run.reached,
        since,
        until,
        run.stored,
        run.duplicates,
        run.pages,
    )
    progress.fraction = _fraction(progress)
    capped, rests = run.capped, 0
    notes: list[str] = []
    while True:
        try:
            step = await source.backfill(state, since=aware_since, until=aware_until)
        except SourceError as exc:
            if exc.retry_after is not None and rests < MAX_RESTS:
                rests += 1
                log.info("backfill %s: %s; resting %.0f s", source.name, exc, exc.retry_after)
                await _rest(services, run_id, owner, exc.retry_after, sleep)
                continue
            return await _fail(services, run_id, owner, str(exc), progress)
        except Exception as exc:  # a bug or an unforeseen payload: the run stays resumable
            log.exception("backfill %s failed unexpectedly", source.name)
            return await _fail(
                services, run_id, owner, f"unexpected error ({type(exc).__name__})", progress
            )
        result = await services.pipeline.ingest(step.items, via="backfill")
        reached = to_naive_utc(step.reached) if step.reached is not None else progress.reached
        capped = capped or step.capped
        notes += step.notes
        # Only now that the page is stored may the cursor move past it.
        async with session_scope(services.sessions) as session:
            kept = await store.save_page(
                session=session,
                run_id=run_id,
                owner=owner,
                cursor=step.state,
                reached=reached,
                capped=capped,
                fetched=len(step.items),
                stored=result.new,
                duplicates=result.duplicates,
                now=services.clock(),
            )
            if kept and reached is not None:
                await store.extend_coverage(session=session, name=source.name, covered_from=reached)
        if not kept:
            log.warning("backfill %s: run %d was taken over; stopping here", source.name, run_id)
            return RunReport("taken", progress, capped)
        progress.reached, progress.pages = reached, progress.pages + 1
        progress.stored += result.new
        progress.duplicates += result.duplicates
        progress.fraction = 1.0 if step.done else _fraction(progress)
        if on_progress is not None:
            await on_progress(progress)
        state = step.state
        if step.done:
            async with session_scope(services.sessions) as session:
                await store.finish_run(
                    session=session, run_id=run_id, owner=owner, status="done", now=services.clock()
                )
            return RunReport("done", progress, capped, notes=tuple(dict.fromkeys(notes)))
        if step.pause > 0:
            await _rest(services, run_id, owner, step.pause, sleep)


def _fraction(progress: Progress) -> float:
    from core.backfill import fraction

    return fraction(since=progress.since, until=progress.until, reached=progress.reached)


async def _rest(services: Services, run_id: int, owner: str, seconds: float, sleep: Sleep) -> None:
    """Wait (at most MAX_PAUSE), renewing the run's lease while waiting."""
    left = min(max(seconds, 0.0), MAX_PAUSE)
    while left > 0:
        chunk = min(left, TOUCH_EVERY)
        await sleep(chunk)
        left -= chunk
        async with session_scope(services.sessions) as session:
            await store.touch_run(session=session, run_id=run_id, owner=owner, now=services.clock())


async def _fail(
    services: Services, run_id: int, owner: str, error: str, progress: Progress
) -> RunReport:
    log.warning("backfill %s failed: %s", progress.source, error)
    async with session_scope(services.sessions) as session:
        await store.finish_run(
            session=session,
            run_id=run_id,
            owner=owner,
            status="failed",
            now=services.clock(),
            error=error,
        )
    return RunReport("failed", progress, error=error)
