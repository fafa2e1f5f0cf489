"""The work after the ack: a Slack request through the responder, its answer to Slack.

Listeners ack at once and hand the rest to `SlackAdapter.spawn`. The deadline, the
"working…" notice, the retries, the concurrency limit and the metrics are the responder's
(bot/responder.py); this module turns Slack's payloads into requests and delivers replies.
Nothing here raises into bolt: a failure is logged and the asker gets a polite ephemeral line.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
from collections.abc import Callable, Coroutine
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError

from bot.responder import Responder
from bot.slack.dedupe import EventLedger
from bot.slack.deliver import Deliverer, DeliveryError
from bot.slack.forms import FORM_ACTION, FormSpec
from bot.slack.inbound import Origin
from bot.slack.usergroups import UserGroups
from core.i18n import Translator
from core.reply import Reply, Request
from handlers.args import UsageError
from handlers.context import Services
from handlers.dispatch import resolve_locale

log = logging.getLogger(__name__)
# Longer than this, and the asker is told the bot is working on it.
WORKING_AFTER_SECONDS = 2.0


class SlackAdapter:
    """Runs requests from Slack through the responder and answers them."""

    def __init__(
        self, services: Services, deliverer: Deliverer, usergroups: UserGroups | None = None
    ) -> None:
        self.services = services
        self.deliverer = deliverer
        # Slack's payloads never name the user's groups: asked here, for approvals.
        self.usergroups = usergroups
        self.ledger = EventLedger(services)
        self.responder = Responder(services, "slack", deadline=WORKING_AFTER_SECONDS)

    def spawn(self, work: Coroutine[Any, Any, None]) -> None:
        """Run `work` after the ack (the responder limits how many run at once)."""
        self.responder.spawn(work, "a Slack request")

    async def drain(self, timeout: float = 5.0) -> None:
        """Let running requests finish (tests, shutdown); cancel what is left after `timeout`."""
        await self.responder.drain(timeout)

    async def run(
        self,
        origin: Origin,
        make_request: Callable[[], Request],
        *,
        event_id: str | None = None,
    ) -> None:
        """Dispatch and deliver one request; an event id runs once (see dedupe)."""
        if event_id:
            try:
                if not await self.ledger.claim(event_id):
                    log.info("Slack event %s already handled; skipping the redelivery", event_id)
                    return
            except Exception:
                log.exception("could not claim Slack event %s; not running it", event_id)
                return
        ok = False
        try:
            await self._answer(origin, make_request)
            ok = True
        except Exception:
            log.exception("answering a Slack %s from %s failed", origin.kind, origin.user_id)
            await self._apologize(origin)
        finally:
            if event_id:
                with contextlib.suppress(Exception):
                    await self.ledger.finish(event_id, ok=ok)

    async def _answer(self, origin: Origin, make_request: Callable[[], Request]) -> None:
        try:
            request = make_request()
        except UsageError as exc:
            locale = await self._locale(origin)
            reply = Reply(
                sections=[Translator(locale)(exc.key, **exc.values)], ephemeral=True, error=True
            )
            await self.deliverer.deliver(reply, origin, locale)
            return
        await self._with_groups(request)
        if request.action_id == FORM_ACTION:
            reply, locale = await self._form(request, origin)
        else:
            reply, locale = await self._dispatch(request, origin)
        await self._deliver(reply, origin, locale, request)

    async def _with_groups(self, request: Request) -> None:
        """Fill in the asker's approver user groups (only those the workspace names)."""
        configured = self.services.workspace.approvers.slack_usergroups
        if configured and not request.actor.groups:
            if self.usergroups is None:
                self.usergroups = UserGroups(self.deliverer.client)
            groups = await self.usergroups.of(request.actor.id, configured)
            request.actor = dataclasses.replace(request.actor, groups=groups)

    async def _deliver(self, reply: Reply, origin: Origin, locale: str, request: Request) -> None:
        """Deliver the answer (the responder tries again while Slack rate-limits or fails,
        then posts the failure notice, which only the asker sees)."""
        await self.responder.deliver(
            lambda: self.deliverer.deliver(reply, origin, locale),
            lambda failed: self.deliverer.deliver(
                dataclasses.replace(failed, ephemeral=True), origin, locale
            ),
            passing=passing,
            t=Translator(locale),
            request=request,
            what=f"answering {origin.user_id} in {origin.channel_id or 'a DM'}",
        )

    async def _dispatch(self, request: Request, origin: Origin) -> tuple[Reply, str]:
        # Resolved once, here, and handed to dispatch (which then needs no lookup of its
        # own); a `language` reply is written in the new language by its handler.
        locale = await resolve_locale(self.services, request)
        request.locale = locale
        reply = await self.responder.respond(
            request,
            working=lambda: self.deliverer.notice(origin, Translator(locale)("slack.working")),
        )
        assert reply is not None  # without `later`, the responder waits for the answer
        return reply, locale

    async def _form(self, request: Request, origin: Origin) -> tuple[Reply, str]:
        """The "open form" button of a form posted without a trigger: now open the modal."""
        locale = await resolve_locale(self.services, request)
        try:
            spec = FormSpec.from_json(request.action_value or "")
        except (ValueError, TypeError, IndexError):
            t = Translator(locale)
            return Reply(
                sections=[t("errors.bad_action_value")], ephemeral=True, error=True
            ), locale
        return spec.to_reply(), locale

    async def _locale(self, origin: Origin) -> str:
        stub = Request("help", [], origin.actor(), origin.conversation())
        return await resolve_locale(self.services, stub)

    async def _apologize(self, origin: Origin) -> None:
        try:
            locale = await self._locale(origin)
        except Exception:
            locale = self.services.workspace.default_locale
        await self.deliverer.notice(origin, Translator(locale)("slack.failed"))


# Slack's errors that pass: rate limits, its own failures, and a connection never made.
_PASSING_CODES = {"ratelimited", "internal_error", "fatal_error", "service_unavailable"}


def passing(exc: BaseException) -> bool:
    """Whether a failed delivery is worth trying again later (nothing was posted)."""
    if isinstance(exc, SlackApiError):
        status = getattr(exc.response, "status_code", 200)
        code = str(exc.response.get("error") or "") if exc.response is not None else ""
        return status == 429 or status >= 500 or code in _PASSING_CODES
    if isinstance(exc, DeliveryError):
        return exc.status is not None and (exc.status == 429 or exc.status >= 500)
    # Refused or unreachable: nothing was sent. A timeout may hide a post: not repeated.
    return isinstance(exc, aiohttp.ClientConnectorError)
