"""One turn of the Teams bot: remember the conversation, dispatch, answer.

Messages become commands, card buttons (`adaptiveCard/action` invokes) become actions, an
install (`conversationUpdate` with the bot among the new members) gets a short welcome.
Every path answers: a usage mistake, a broken card submission or a failing handler each
get a clear message, never silence and never a 500.

The responder (bot/responder.py, through `runtime.responder`) dispatches, keeps the
deadline, retries and counts: a handler still busy after its deadline (a model drafting a
reply) is left to finish in the background, the turn answers "working on it" and the
result is posted with `continue_conversation` when it is ready.
"""

from __future__ import annotations

import logging

import aiohttp
from botbuilder.core import TurnContext
from botbuilder.schema import Activity, ActivityTypes, ConversationReference

from bot.teams import inbound, references
from bot.teams.connector import ConnectorError
from bot.teams.outbound import card_answer, card_message, error_answer, note_answer
from bot.teams.render import Card, render_card
from bot.teams.runtime import TeamsRuntime
from core.i18n import Translator
from core.reply import Reply, Request
from handlers.args import UsageError
from handlers.dispatch import resolve_locale

log = logging.getLogger(__name__)
CARD_ACTION = "adaptiveCard/action"
_REMEMBERED = (
    ActivityTypes.message,
    ActivityTypes.conversation_update,
    ActivityTypes.installation_update,
    ActivityTypes.invoke,
)


class TeamsBot:
    """The turn logic (`on_turn`), given the runtime's services and adapter."""

    def __init__(self, runtime: TeamsRuntime) -> None:
        self.rt = runtime
        self.services = runtime.services
        self.remembered = references.Remembered()

    async def on_turn(self, context: TurnContext) -> None:
        activity = context.activity
        try:
            if activity.type in _REMEMBERED:
                await self._remember(activity)
            if activity.type == ActivityTypes.message:
                await self.on_message(context)
            elif activity.type == ActivityTypes.conversation_update:
                await self.on_conversation_update(context)
            elif activity.type == ActivityTypes.invoke:
                await self.on_invoke(context)
            # Typing, reactions, edits and other events need no answer.
        except Exception:
            log.exception("Teams turn failed (%s)", activity.type)
            await self._apologize(context)

    async def on_message(self, context: TurnContext) -> None:
        activity = context.activity
        if activity.value is not None and not (activity.text or "").strip():
            # A card's Action.Submit arrives as a message carrying the button's data.
            await self.on_card_action(context, activity.value, invoke=False)
            return
        try:
            request = inbound.message_request(activity)
        except UsageError as exc:
            t = await self._translator(_bare_request(activity))
            await self._send(context, Reply(sections=[t(exc.key, **exc.values)], error=True), t)
            return
        reply = await self._answer_or_defer(context, request, update_id=None)
        # After the handler: a `language` command changes the locale the answer is in.
        t = await self._translator(request)
        await self._send_or_later(
            context, reply or Reply(sections=[t("teams.working")]), t, request
        )

    async def on_conversation_update(self, context: TurnContext) -> None:
        if not inbound.bot_was_added(context.activity):
            return
        t = await self._translator(_bare_request(context.activity))
        welcome = Reply(title=t("teams.welcome.title"), sections=[t("teams.welcome.text")])
        await self._send(context, welcome, t)

    async def on_invoke(self, context: TurnContext) -> None:
        activity = context.activity
        if activity.name != CARD_ACTION:
            t = await self._translator(_bare_request(activity))
            message = t("teams.unsupported_invoke", name=str(activity.name or "")[:80])
            await context.send_activity(error_answer(400, "BadRequest", message))
            return
        await self.on_card_action(context, activity.value, invoke=True)

    async def on_card_action(self, context: TurnContext, payload: object, *, invoke: bool) -> None:
        """A button or a form submission: the Reply replaces the card or is posted."""
        activity = context.activity
        try:
            action = inbound.card_action(payload)
        except inbound.BadCardAction as exc:
            log.info("Teams card submission without usable data: %s", exc)
            t = await self._translator(_bare_request(activity))
            if invoke:
                await context.send_activity(error_answer(400, "BadRequest", t("teams.bad_card")))
            else:
                await self._send(context, Reply(sections=[t("teams.bad_card")], error=True), t)
            return
        request = inbound.action_request(activity, action)
        card_id = activity.reply_to_id
        reply = await self._answer_or_defer(context, request, update_id=card_id)
        t = await self._translator(request)
        if not invoke:
            await self._answer_submit(context, reply, t, card_id=card_id)
            return
        if reply is None:
            await context.send_activity(note_answer(t("teams.working")))
        elif reply.ephemeral and reply.actions:
            # A question with buttons (a confirmation before what cannot be undone): the
            # card answers the click, so only the person who clicked sees it.
            card = render_card(reply, locale=t.locale, zone=self._zone)
            await context.send_activity(card_answer(card))
        elif reply.ephemeral:
            await context.send_activity(note_answer(reply.plain_text()))
        else:
            card = render_card(reply, locale=t.locale, zone=self._zone, links=self.rt.links)
            replace = reply.replace and bool(card_id)
            # The refreshed card answers the click at once (for the person who clicked);
            # after the turn it replaces the card for everyone, or is posted as a new one.
            await context.send_activity(
                card_answer(card) if replace else note_answer(t("teams.done"))
            )
            self.rt.track(
                self._deliver_later(
                    _followup(activity), card, t, request, update_id=card_id if replace else None
                ),
                "updating the card" if replace else "posting the reply",
            )

    async def _answer_submit(
        self, context: TurnContext, reply: Reply | None, t: Translator, *, card_id: str | None
    ) -> None:
        if reply is None:
            await self._send(context, Reply(sections=[t("teams.working")]), t)
        elif reply.replace and card_id:
            card = render_card(reply, locale=t.locale, zone=self._zone, links=self.rt.links)
            await context.update_activity(card_message(card, activity_id=card_id))
        else:
            await self._send(context, reply, t)

    async def _answer_or_defer(
        self, context: TurnContext, request: Request, *, update_id: str | None
    ) -> Reply | None:
        """The handler's Reply, or None when it outlived the deadline (it is posted later)."""
        reference = _followup(context.activity)

        async def later(reply: Reply) -> None:
            await self._finish_later(reply, request, reference, update_id)

        return await self.rt.responder.respond(request, later=later)

    async def _finish_later(
        self,
        reply: Reply,
        request: Request,
        reference: ConversationReference,
        update_id: str | None,
    ) -> None:
        t = await self._translator(request)
        card = render_card(reply, locale=t.locale, zone=self._zone, links=self.rt.links)
        update = update_id if reply.replace else None
        await self._deliver_later(reference, card, t, request, update_id=update)

    async def _send_or_later(
        self, context: TurnContext, reply: Reply, t: Translator, request: Request
    ) -> None:
        """Answer in the turn; while the Bot Connector keeps refusing (429, 502, …), answer
        later in the background, proactively (the responder tries again)."""
        try:
            await self._send(context, reply, t)
        except Exception as exc:
            if not connector_passing(exc):
                raise
            log.warning("Teams: could not answer in the turn (%s); answering later", exc)
            card = render_card(reply, locale=t.locale, zone=self._zone, links=self.rt.links)
            reference = _followup(context.activity)
            self.rt.track(self._deliver_later(reference, card, t, request), "answering later")

    async def _deliver_later(
        self,
        reference: ConversationReference,
        card: Card,
        t: Translator,
        request: Request,
        *,
        update_id: str | None = None,
    ) -> None:
        """Post (or update) a card, again while the Bot Connector refuses; if it cannot go
        out in time, post that it failed, with a Try again button."""
        where = reference.conversation.id if reference.conversation else "?"
        await self.rt.responder.deliver(
            lambda: self.rt.deliver(reference, card, update_id=update_id),
            lambda failed: self.rt.deliver(
                reference,
                render_card(failed, locale=t.locale, zone=self._zone, links=self.rt.links),
            ),
            passing=connector_passing,
            t=t,
            request=request,
            what=f"posting a Teams answer to {where}",
        )

    async def _send(self, context: TurnContext, reply: Reply, t: Translator) -> None:
        card = render_card(reply, locale=t.locale, zone=self._zone, links=self.rt.links)
        await self.rt.responder.post(lambda: context.send_activity(card_message(card)))

    async def _remember(self, activity: Activity) -> None:
        try:
            await references.remember(self.services.sessions, activity, self.remembered)
        except Exception:  # the answer matters more than the bookkeeping
            log.exception("could not store the Teams conversation reference")

    async def _translator(self, request: Request) -> Translator:
        try:
            return Translator(await resolve_locale(self.services, request))
        except Exception:
            log.exception("could not resolve the locale for Teams")
            return Translator(self.services.workspace.default_locale)

    async def _apologize(self, context: TurnContext) -> None:
        activity = context.activity
        t = Translator(self.services.workspace.default_locale)
        sorry = Reply(sections=[t("errors.internal")], error=True)
        try:
            if activity.type == ActivityTypes.invoke:
                await context.send_activity(note_answer(t("errors.internal")))
            elif activity.type == ActivityTypes.message:
                await self._send(context, sorry, t)
        except Exception:
            log.exception("could not tell the Teams user about the failure either")

    @property
    def _zone(self) -> str:
        return self.services.workspace.schedules.timezone


def _bare_request(activity: Activity) -> Request:
    """A request for resolving the locale of a turn that is not a command."""
    return Request("help", [], inbound.actor_of(activity), inbound.conversation_of(activity))


def _followup(activity: Activity) -> ConversationReference:
    """Where a later post for this turn goes: the same conversation and thread."""
    reference = TurnContext.get_conversation_reference(activity)
    reference.activity_id = None
    return reference


def connector_passing(exc: BaseException) -> bool:
    """A refusal worth trying again later: nothing was posted (connector.RETRY_STATUSES,
    5xx, a connection never made)."""
    if isinstance(exc, ConnectorError):
        return exc.status in (412, 429) or exc.status >= 500
    return isinstance(exc, aiohttp.ClientConnectorError)
