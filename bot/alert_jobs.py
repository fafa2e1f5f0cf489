"""Wiring the alert engine and the topic job into the running bot.

The engine listens to the pipeline, so every mention — from the webhook, a poll, an import
in this process or the demo stream — is judged as it is stored, and an alert reaches the
Notifier within moments. Scheduled ticks (every replica) sweep up what other processes
stored and look for drops, and post deliveries that failed; the topic job (one replica per
slot) groups new mentions by meaning and hands the topics it counted to the engine.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator

from aiohttp import web

from bot.console.notifier import ConsoleNotifier
from core.alerts.engine import AlertEngine
from core.stories.topic_job import TopicJob
from core.stories.topics import SentenceEncoder
from handlers.context import Services

log = logging.getLogger(__name__)
SWEEP_SECONDS = 30
RETRY_SECONDS = 30
TOPIC_SECONDS = 60
CATCH_UP_BATCHES = 20


def engine_for(services: Services) -> AlertEngine:
    """The process's alert engine, created and attached to the pipeline once."""
    engine = services.background.alerts
    if isinstance(engine, AlertEngine):
        return engine
    engine = AlertEngine(
        sessions=services.sessions,
        workspace=services.workspace,
        notifiers=services.notifiers,
        clock=lambda: services.clock(),
        owner=services.instance,
    )
    services.background.alerts = engine
    services.pipeline.listeners.append(engine.on_stored)
    return engine


def topic_job_for(services: Services, engine: AlertEngine) -> TopicJob:
    job = services.background.topics
    if isinstance(job, TopicJob):
        return job

    async def counted(keys: set[str]) -> None:
        await engine.check(dict.fromkeys(keys))

    job = TopicJob(
        services.sessions,
        SentenceEncoder(),
        clock=lambda: services.clock(),
        on_counted=counted,
    )
    services.background.topics = job
    return job


def setup(app: web.Application, services: Services) -> None:
    """The engine on the pipeline, its ticks and the topic job on the scheduler."""
    services.notifiers.setdefault(
        "console", ConsoleNotifier.for_workspace(services.workspace, services.settings.files_dir)
    )
    engine = engine_for(services)
    scheduler = services.background.scheduler
    if scheduler is None:
        log.warning("no scheduler: alerts fire on arrival only; no drops, retries or topics")
    else:
        topic_job = topic_job_for(services, engine)

        async def sweep() -> None:
            await engine.sweep()

        async def retry() -> None:
            await engine.retry()

        async def group() -> None:
            # A backlog (the demo's month, an import by another process) is grouped within
            # minutes, a few batches per tick, rather than one batch a minute.
            await topic_job.catch_up(max_batches=CATCH_UP_BATCHES)

        scheduler.every("alerts-sweep", SWEEP_SECONDS, sweep, claim=False)
        scheduler.every("alerts-retry", RETRY_SECONDS, retry, claim=False)
        scheduler.every("topics", TOPIC_SECONDS, group, claim=True)

    async def lifecycle(_app: web.Application) -> AsyncIterator[None]:
        yield
        with contextlib.suppress(Exception):
            await engine.drain()

    app.cleanup_ctx.append(lifecycle)
