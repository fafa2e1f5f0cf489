"""The process's backfills (core.backfill.Backfiller): started from chat, run as background
tasks, reported to the asker's conversation, and resumed at start after a crash.

A chat-started run posts a line when it passes each quarter of its span and one when it
ends (through the Notifier of the asker's platform); the CLI (`python -m bot ingest
--backfill`) shows a progress bar instead (bot.backfill_cli).
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import socket
from typing import Any

from core.backfill import BackfillStart, NotifyTarget, can_backfill, window
from core.db import session_scope
from core.format import format_day
from core.i18n import Translator
from core.reply import Reply
from core.storage import backfills as store
from integrations.sources.backfill import Progress, RunReport, owner_is_dead, run_backfill
from integrations.sources.http import HttpClient
from integrations.sources.registry import load_sources
from integrations.sources.services import IngestServices as Services

log = logging.getLogger(__name__)
QUARTERS = (0.25, 0.5, 0.75)


def owner_of(services: Services) -> str:
    """This process as a run's holder: the services' instance name, else host:pid."""
    return services.instance or f"{socket.gethostname()}:{os.getpid()}"


def find_source(services: Services, client: HttpClient, name: str) -> Any:
    """The ready, backfill-capable source `name`; LookupError names why not."""
    for info in load_sources(services.workspace, services.settings, client):
        if info.name != name:
            continue
        if not can_backfill(info.config.type):
            raise LookupError("sources.backfill.unsupported")
        if not info.polled:
            raise LookupError("sources.backfill.not_ready")
        return info.source
    raise LookupError("sources.backfill.unknown")


class BackfillService:
    """Implements core.backfill.Backfiller for this process."""

    def __init__(self, services: Services, client: HttpClient) -> None:
        self.services = services
        self.client = client
        self.owner = owner_of(services)
        self._tasks: set[asyncio.Task[None]] = set()

    async def start(self, *, source: str, days: int, notify: NotifyTarget | None) -> BackfillStart:
        """Start a run of `source` over `days`, or resume its unfinished run."""
        src = find_source(self.services, self.client, source)
        now = self.services.clock()
        target = _target_dict(notify)
        async with session_scope(self.services.sessions) as session:
            existing = await store.unfinished_run(session=session, source=source)
            if existing is not None and existing.id is not None:
                taken = await store.claim_run(
                    session=session,
                    run_id=existing.id,
                    owner=self.owner,
                    now=now,
                    is_dead=owner_is_dead,
                    notify=target,
                )
                if not taken:
                    return BackfillStart("running", existing.id, existing.days, False)
                started = BackfillStart("resumed", existing.id, existing.days, False)
            else:
                since, until, clamped = window(src.type, days, now)
                run = await store.create_run(
                    session=session,
                    source=source,
                    days=(until - since).days or 1,
                    since=since,
                    until=until,
                    owner=self.owner,
                    now=now,
                    notify=target,
                )
                assert run.id is not None
                started = BackfillStart("started", run.id, run.days, clamped)
        self._spawn(src, started.run_id, notify)
        return started

    async def resume_orphans(self) -> int:
        """Resume the runs a stopped process left running (at start); how many."""
        async with self.services.sessions() as session:
            orphans = await store.runs_to_resume(session=session)
        resumed = 0
        for run in orphans:
            assert run.id is not None
            try:
                src = find_source(self.services, self.client, run.source)
            except LookupError:
                continue  # the source was removed or switched off since
            async with session_scope(self.services.sessions) as session:
                taken = await store.claim_run(
                    session=session,
                    run_id=run.id,
                    owner=self.owner,
                    now=self.services.clock(),
                    is_dead=owner_is_dead,
                )
            if taken:
                self._spawn(src, run.id, _target(run.notify))
                resumed += 1
        return resumed

    def _spawn(self, source: Any, run_id: int, notify: NotifyTarget | None) -> None:
        task = asyncio.create_task(self._run(source, run_id, notify))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _run(self, source: Any, run_id: int, notify: NotifyTarget | None) -> None:
        passed: set[float] = set()

        async def report(progress: Progress) -> None:
            due = [q for q in QUARTERS if progress.fraction >= q and q not in passed]
            if not due or progress.fraction >= 1.0:
                return
            passed.update(due)
            await self._post(notify, "sources.backfill.progress", progress)

        try:
            result = await run_backfill(
                self.services, source, run_id=run_id, owner=self.owner, on_progress=report
            )
        except Exception:
            log.exception("backfill run %d of %s crashed", run_id, source.name)
            return
        log.info(
            "backfill %s: %s, %d new, %d duplicates",
            source.name,
            result.outcome,
            result.progress.stored,
            result.progress.duplicates,
        )
        if result.outcome in ("done", "failed"):
            await self._finished(notify, result)

    async def _finished(self, notify: NotifyTarget | None, result: RunReport) -> None:
        key = "sources.backfill.done" if result.outcome == "done" else "sources.backfill.failed"
        if result.outcome == "done" and result.capped:
            key = "sources.backfill.done_capped"
        await self._post(notify, key, result.progress, error=result.error or "")

    async def _post(
        self, notify: NotifyTarget | None, key: str, progress: Progress, **extra: Any
    ) -> None:
        if notify is None:
            return
        notifier = self.services.notifiers.get(notify.platform)
        if notifier is None:
            return
        locale = notify.locale or self.services.workspace.default_locale
        text = progress_text(Translator(locale), key, progress, self.services, **extra)
        try:
            await notifier.post(
                channel_id=notify.channel_id,
                reply=Reply(sections=[text]),
                thread_id=notify.thread_id,
                locale=locale,
            )
        except Exception:  # a chat outage must not stop the run
            log.exception("could not post backfill progress to %s", notify.platform)

    async def close(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)


def progress_text(t: Translator, key: str, progress: Progress, services: Any, **extra: Any) -> str:
    """A progress or end line of a run, in the translator's language."""
    zone = services.workspace.schedules.timezone
    reached = progress.reached or progress.until
    return t(
        key,
        name=progress.source,
        percent=t.percent(progress.fraction),
        day=format_day(reached, t.locale, zone),
        since=format_day(progress.since, t.locale, zone),
        until=format_day(progress.until, t.locale, zone),
        stored=progress.stored,
        duplicates=progress.duplicates,
        **extra,
    )


def _target_dict(notify: NotifyTarget | None) -> dict[str, Any] | None:
    if notify is None:
        return None
    return {
        "platform": notify.platform,
        "channel_id": notify.channel_id,
        "thread_id": notify.thread_id,
        "locale": notify.locale,
    }


def _target(raw: str | None) -> NotifyTarget | None:
    try:
        data = json.loads(raw or "null")
    except ValueError:
        return None
    if not isinstance(data, dict) or not data.get("platform") or not data.get("channel_id"):
        return None
    return NotifyTarget(
        platform=str(data["platform"]),
        channel_id=str(data["channel_id"]),
        thread_id=str(data["thread_id"]) if data.get("thread_id") else None,
        locale=str(data["locale"]) if data.get("locale") else None,
    )
