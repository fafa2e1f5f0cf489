"""The slack-bolt AsyncApp: verification, authorization and the listeners that ack at once.

Horchposten is a single-workspace app. Bolt turns itself into an OAuth (multi-workspace)
app when SLACK_CLIENT_ID and SLACK_CLIENT_SECRET are both in the environment, and would
then look tokens up in an installation store instead of using SLACK_BOT_TOKEN. Passing our
own `authorize` (the bot token, identified once by auth.test) keeps authorization the
same whatever the environment says; the install and redirect pages bolt's OAuth flow
would serve are never routed. The bot logs a warning when the variables are set.

`process_before_response=True`: each listener acks itself first and then only schedules
the work (SlackAdapter.spawn), so the HTTP response leaves at once — without bolt's
default path, which polls for the ack every 10 ms.
"""

from __future__ import annotations

import asyncio
import logging
import re
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.authorization import AuthorizeResult
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.response import BoltResponse
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.adapter import SlackAdapter
from bot.slack.blocks import LINK_ACTION
from bot.slack.forms import CALLBACK_ID
from bot.slack.inbound import (
    PayloadError,
    action_request,
    command_origin,
    command_request,
    event_origin,
    event_request,
    view_request,
)

log = logging.getLogger(__name__)
_ANY = re.compile(r".*", re.DOTALL)


class BotIdentity:
    """The bot's own identity (team, bot user id), from one auth.test, as bolt wants it."""

    def __init__(self, client: AsyncWebClient) -> None:
        self.client = client
        self._result: AuthorizeResult | None = None
        self._lock = asyncio.Lock()

        # A plain function: bolt passes arguments by the names it sees (no `self`).
        async def authorize(enterprise_id: str | None, team_id: str | None) -> AuthorizeResult:
            """Bolt's authorize hook: the same bot token for every request (single workspace)."""
            return await self.identify(enterprise_id, team_id)

        self.authorize = authorize

    async def warm(self) -> None:
        """Identify at start, so the first request does not wait for auth.test."""
        try:
            await self.identify(None, None)
        except Exception as exc:
            log.warning("Slack auth.test failed (%s); retried on the first request", exc)

    async def identify(self, enterprise_id: str | None, team_id: str | None) -> AuthorizeResult:
        """The bot's AuthorizeResult, from auth.test the first time it is needed."""
        if self._result is None:
            async with self._lock:
                if self._result is None:
                    response = await self.client.auth_test()
                    self._result = AuthorizeResult(
                        enterprise_id=response.get("enterprise_id") or enterprise_id,
                        team_id=response.get("team_id") or team_id,
                        bot_user_id=response.get("user_id"),
                        bot_id=response.get("bot_id"),
                        bot_token=self.client.token,
                    )
        return self._result


def build_bolt_app(
    adapter: SlackAdapter, *, signing_secret: str, client: AsyncWebClient, identity: BotIdentity
) -> AsyncApp:
    """The AsyncApp with Horchposten's listeners (used by HTTP and by Socket Mode)."""
    app = AsyncApp(
        name="horchposten",
        logger=logging.getLogger("bot.slack.bolt"),
        # "" (not None): bolt would otherwise read SLACK_SIGNING_SECRET itself.
        signing_secret=signing_secret,
        client=client,
        authorize=identity.authorize,
        process_before_response=True,
    )
    if app.oauth_flow is not None:
        log.warning(
            "SLACK_CLIENT_ID/SLACK_CLIENT_SECRET are set, but Horchposten is a single-workspace "
            "app: it ignores them and keeps using SLACK_BOT_TOKEN (see docs/slack.md)"
        )
    register(app, adapter)
    return app


def _bad(exc: PayloadError) -> BoltResponse:
    log.warning("malformed Slack payload: %s", exc)
    return BoltResponse(status=400, body='{"error": "malformed payload"}')


def register(app: AsyncApp, adapter: SlackAdapter) -> None:
    """Listeners for slash commands, mentions, DMs, button clicks and modal submissions."""

    async def on_command(ack: AsyncAck, body: dict[str, Any]) -> BoltResponse | None:
        try:
            origin = command_origin(body)
        except PayloadError as exc:
            return _bad(exc)
        await ack()
        adapter.spawn(adapter.run(origin, lambda: command_request(body, origin)))
        return None

    async def on_action(ack: AsyncAck, body: dict[str, Any]) -> BoltResponse | None:
        try:
            origin, request = action_request(body)
        except PayloadError as exc:
            return _bad(exc)
        await ack()
        if not (request.action_id or "").startswith(LINK_ACTION):
            adapter.spawn(adapter.run(origin, lambda: request))
        return None

    async def on_view(ack: AsyncAck, body: dict[str, Any]) -> BoltResponse | None:
        try:
            origin, request = view_request(body)
        except PayloadError as exc:
            return _bad(exc)
        await ack()  # closes the modal
        adapter.spawn(adapter.run(origin, lambda: request))
        return None

    async def on_event(body: dict[str, Any], context: AsyncBoltContext) -> None:
        # Events are acked by bolt when this returns (auto-acknowledgement).
        try:
            origin = event_origin(body)
        except PayloadError as exc:
            log.warning("ignoring a malformed Slack event: %s", exc)
            return
        if origin is None:
            return
        event_id = body.get("event_id") if isinstance(body.get("event_id"), str) else None
        bot_user_id = context.bot_user_id
        adapter.spawn(
            adapter.run(origin, lambda: event_request(body, origin, bot_user_id), event_id=event_id)
        )

    async def on_other_event() -> None:
        """Any other subscribed event: acknowledged, so Slack does not retry it."""

    app.command(_ANY)(on_command)
    app.block_action(_ANY)(on_action)
    app.view_submission(CALLBACK_ID)(on_view)
    app.event("app_mention")(on_event)
    app.event("message")(on_event)
    app.event(_ANY)(on_other_event)
