"""Completing approved drafts after a restart, a crash or a failed call to the platform.

Approval stores the intent to publish before the platform is called (core.drafts.service).
This job, a minute apart and one second after start, finds approved drafts whose attempt is
due and that nobody holds, and publishes each once with its own idempotency key; the draft's
thread then gets the card with the result, through the platform's notifier.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

from aiohttp import web

from core.drafts import states
from core.drafts.service import Outcome, variants_of
from core.drafts.view import draft_card
from core.i18n import Translator
from core.notify import notify
from handlers.context import Services
from handlers.drafts import service_for

log = logging.getLogger(__name__)
JOB = "drafts.recover"
EVERY_SECONDS = 60


async def recover(services: Services) -> list[Outcome]:
    """Publish what is due, and tell each draft's thread what became of it."""
    drafts = service_for(services)
    outcomes = await drafts.recover()
    for outcome in outcomes:
        draft = outcome.draft
        if draft is None:
            continue
        gave_up = draft.state == states.APPROVED and draft.next_attempt_at is None
        if draft.state in (states.PUBLISHED, states.READY_TO_POST) or gave_up:
            await _tell_thread(services, outcome)
    if outcomes:
        log.info("drafts: recovery handled %d approved draft(s)", len(outcomes))
    return outcomes


async def _tell_thread(services: Services, outcome: Outcome) -> None:
    draft = outcome.draft
    assert draft is not None
    notifier = services.notifiers.get(draft.chat_platform)
    if notifier is None or not draft.chat_channel:
        return
    locale = services.workspace.default_locale
    reply = draft_card(
        Translator(locale),
        draft,
        outcome.mention,
        outcome.findings,
        zone=services.workspace.schedules.timezone,
        variants=variants_of(draft),
    )
    try:
        await notify(
            notifier,
            kind="draft",
            channel_id=draft.chat_channel,
            reply=reply,
            thread_id=draft.chat_thread,
            locale=locale,
        )
    except Exception:
        log.exception("drafts: could not post the state of draft %s to its thread", draft.id)


def setup(app: web.Application, services: Services) -> None:
    """Add the recovery job to the scheduler, and close the model client at shutdown."""
    scheduler = services.background.scheduler

    async def job() -> None:
        await recover(services)

    if scheduler is not None:
        scheduler.every(JOB, EVERY_SECONDS, job)
    else:
        log.warning("drafts: no scheduler; approved drafts are not completed after a restart")

    async def lifecycle(_app: web.Application) -> AsyncIterator[None]:
        yield
        close = getattr(services.llm, "close", None)
        if close is not None:
            try:
                await close()
            except Exception:
                log.exception("drafts: closing the model client failed")

    app.cleanup_ctx.append(lifecycle)
