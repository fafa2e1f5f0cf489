"""Polling: each source on the scheduler at its interval, or all at once (`ingest --once`).

One poll of a source: load its cursor → fetch → run the items through the pipeline →
store the cursor. The cursor moves only after the batch is stored, so a crash in between
refetches the batch and the idempotent insert drops the repeats: a restart neither loses
nor doubles a mention. A failure is recorded for that source alone (last error, error
count, and a rest until `next_poll_at`, longer with each failure); the others carry on.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from aiohttp import web

from core.db import session_scope
from core.metrics import POLLS, SOURCE_ERRORS, SOURCE_UP
from core.ports import Source
from core.storage import sources as store
from integrations.sources.http import HttpClient, SourceError, error_kind
from integrations.sources.registry import SourceInfo, load_sources
from integrations.sources.services import IngestServices as Services

log = logging.getLogger(__name__)
# Fetches in one poll while a source says more is waiting; the rest waits for the next poll.
MAX_ROUNDS = 10
PARALLEL = 4


@dataclass
class PollOutcome:
    """What one poll of one source did."""

    name: str
    fetched: int = 0
    new: int = 0
    duplicates: int = 0
    errors: int = 0
    error: str | None = None
    notes: list[str] = field(default_factory=list)

    def line(self) -> str:
        """The line `ingest --once` prints for this source."""
        text = f"{self.name}: {self.new} new, {self.duplicates} duplicates, {self.errors} errors"
        if self.error:
            text += f" ({self.error})"
        elif self.notes:
            text += f" ({'; '.join(dict.fromkeys(self.notes))})"
        return text


async def poll_source(services: Services, source: Source, *, interval: float) -> PollOutcome:
    """Poll one source once (up to MAX_ROUNDS fetches); never raises for the source's faults."""
    outcome = PollOutcome(source.name)
    retry_after: float | None = None
    failure: BaseException | None = None
    try:
        async with services.sessions() as session:
            cursor = await store.load_cursor(session=session, name=source.name)
        for _ in range(MAX_ROUNDS):
            result = await source.fetch(cursor)
            ingest = await services.pipeline.ingest(result.items, via="poll")
            # Only now that the batch is stored may the cursor move past it.
            async with session_scope(services.sessions) as session:
                await store.save_progress(
                    session=session,
                    name=source.name,
                    cursor=result.cursor,
                    now=services.clock(),
                    fetched=len(result.items),
                    stored=ingest.new,
                    quota_remaining=result.quota_remaining,
                )
            cursor = result.cursor
            outcome.fetched += len(result.items)
            outcome.new += ingest.new
            outcome.duplicates += ingest.duplicates
            outcome.errors += ingest.invalid
            outcome.notes += result.notes
            if not result.more:
                break
    except SourceError as exc:
        outcome.error, retry_after, failure = str(exc), exc.retry_after, exc
        log.warning("source %s failed: %s", source.name, exc)
    except Exception as exc:  # a bug or an unforeseen payload must not stop the others
        outcome.error, failure = f"unexpected error ({type(exc).__name__})", exc
        log.exception("source %s failed unexpectedly", source.name)
    # Every poll passes here (scheduled, `ingest --once`): the one place polls are counted.
    if failure is not None:
        outcome.errors += 1
        SOURCE_ERRORS.labels(source.name, error_kind(failure)).inc()
        POLLS.labels(source.name, "error").inc()
        SOURCE_UP.labels(source.name).set(0)
    else:
        POLLS.labels(source.name, "ok").inc()
        SOURCE_UP.labels(source.name).set(1)
    await _record(services, outcome, interval=interval, retry_after=retry_after)
    return outcome


async def _record(
    services: Services, outcome: PollOutcome, *, interval: float, retry_after: float | None
) -> None:
    try:
        async with session_scope(services.sessions) as session:
            now = services.clock()
            if outcome.error:
                await store.record_failure(
                    session=session,
                    name=outcome.name,
                    error=outcome.error,
                    now=now,
                    interval=interval,
                    retry_after=retry_after,
                )
            await store.record_run(
                session=session,
                source=outcome.name,
                now=now,
                fetched=outcome.fetched,
                new=outcome.new,
                duplicates=outcome.duplicates,
                errors=outcome.errors,
                error=outcome.error,
            )
    except Exception:  # the mentions are stored; only the log of this run is lost
        log.exception("could not record the poll of %s", outcome.name)


def _skip_line(info: SourceInfo) -> str:
    from core.i18n import translate

    reason = translate("en", info.reason, **info.values) if info.reason else ""
    if info.status == "push":
        how = "POST /ingest/webhook" if info.config.type == "webhook" else "python -m bot import"
        return f"{info.name}: not polled (receives items through {how})"
    if info.status == "disabled":
        return f"{info.name}: disabled in the workspace file"
    return f"{info.name}: {info.status}: {reason}"


async def ingest_once(
    services: Services, *, only: str | None = None, client: HttpClient | None = None
) -> tuple[list[str], bool]:
    """Poll every enabled source once (ignoring any rest); a line per source, and whether
    something failed (a source, or an `only` that names no pollable source).

    Uses `client` when given (and leaves it open), else one of its own."""
    shared = client
    client = shared or HttpClient()
    try:
        infos = load_sources(services.workspace, services.settings, client)
        if only is not None:
            infos = [i for i in infos if i.name == only]
            if not infos:
                return [f"{only}: no such source in the workspace file"], True
        polled = [i for i in infos if i.polled]
        gate = asyncio.Semaphore(PARALLEL)

        async def one(info: SourceInfo) -> PollOutcome:
            assert info.source is not None
            async with gate:
                return await poll_source(
                    services, info.source, interval=info.config.interval_seconds
                )

        outcomes = {o.name: o for o in await asyncio.gather(*(one(i) for i in polled))}
        lines = [outcomes[i.name].line() if i.polled else _skip_line(i) for i in infos]
        failed = any(o.error for o in outcomes.values())
        if only is not None and not polled:
            failed = True
        return lines, failed
    finally:
        if client is not shared:
            await client.close()


async def poll_if_due(services: Services, source: Source, *, interval: float) -> None:
    """A scheduled poll: skipped while the source rests after failures."""
    async with services.sessions() as session:
        state = await store.get_state(session=session, name=source.name)
    if state is not None and state.next_poll_at and state.next_poll_at > services.clock():
        log.debug("source %s rests until %s", source.name, state.next_poll_at)
        return
    outcome = await poll_source(services, source, interval=interval)
    log.info("%s", outcome.line())


def _job(services: Services, info: SourceInfo) -> Callable[[], Awaitable[None]]:
    source, interval = info.source, float(info.config.interval_seconds)
    assert source is not None

    async def run() -> None:
        await poll_if_due(services, source, interval=interval)

    return run


def setup(app: web.Application, services: Services) -> None:
    """Register one scheduler job per ready source, at its interval, and the backfills
    (`sources backfill`), resuming at start the runs a stopped process left."""
    from integrations.sources.backfill_service import BackfillService

    client = HttpClient()
    backfills = BackfillService(services, client)
    services.background.backfill = backfills

    async def resume(_app: web.Application) -> None:
        resumed = await backfills.resume_orphans()
        if resumed:
            log.info("resumed %d backfill run(s) left by a stopped process", resumed)

    async def close_client(_app: web.Application) -> None:
        await backfills.close()
        await client.close()

    app.on_startup.append(resume)
    app.on_cleanup.append(close_client)
    scheduler = services.background.scheduler
    if scheduler is None:
        log.warning("no scheduler: sources are not polled (python -m bot ingest --once polls)")
        return
    infos = load_sources(services.workspace, services.settings, client)
    for info in infos:
        if info.polled:
            scheduler.every(f"poll:{info.name}", info.config.interval_seconds, _job(services, info))
    log.info("polling %d source(s)", sum(1 for i in infos if i.polled))
