"""The SDK's CloudAdapter, with every outbound call sent through our ConnectorApi.

Authentication, turn contexts, `expectReplies` buffering and invoke responses stay the
SDK's; only the wire calls change, so that they are retried, rate-limited and sent with
aiohttp. The addressing details that botbuilder 4.17.1 gets wrong (the tenant id, the reply
target of a proactive post) are fixed by bot.teams.sdk_workarounds.
"""

from __future__ import annotations

import asyncio
from typing import Any

from botbuilder.core import TurnContext
from botbuilder.integration.aiohttp import CloudAdapter
from botbuilder.schema import Activity, ActivityTypes, ResourceResponse
from botframework.connector import Channels
from botframework.connector.auth import BotFrameworkAuthentication

from bot.teams.connector import ConnectorApi
from bot.teams.inbound import tenant_of
from bot.teams.sdk_workarounds import is_proactive, wire
from bot.teams.tokens import TokenSource


class HorchAdapter(CloudAdapter):
    """CloudAdapter whose sends and updates go through ConnectorApi."""

    def __init__(
        self,
        authentication: BotFrameworkAuthentication,
        connector: ConnectorApi,
        tokens: TokenSource,
    ) -> None:
        super().__init__(authentication)
        self.connector = connector
        self.tokens = tokens

    async def authorization(self, context: TurnContext) -> str | None:
        """The bot's bearer token for this turn's credentials (None in Emulator mode)."""
        client = context.turn_state.get(self.BOT_CONNECTOR_CLIENT_KEY)
        credentials = getattr(getattr(client, "config", None), "credentials", None)
        return await self.tokens.authorization(credentials)

    async def send_activities(
        self, context: TurnContext, activities: list[Activity]
    ) -> list[ResourceResponse]:
        responses = []
        for activity in activities:
            activity.id = None
            if activity.type == ActivityTypes.invoke_response:
                context.turn_state[self._INVOKE_RESPONSE_KEY] = activity
            elif activity.type == "delay":
                await asyncio.sleep(float(activity.value or 1000) / 1000)
            elif activity.type == ActivityTypes.trace and activity.channel_id != Channels.emulator:
                pass
            else:
                # A user's message is answered as a reply to it; anything else is posted.
                reply_to = (
                    activity.reply_to_id
                    if context.activity.type == ActivityTypes.message and not is_proactive(context)
                    else None
                )
                data = await self.connector.send(
                    activity.service_url,
                    activity.conversation.id,
                    wire(activity, keep_reply_to=reply_to is not None),
                    reply_to=reply_to,
                    authorization=await self.authorization(context),
                )
                responses.append(ResourceResponse(id=str(data.get("id") or "")))
                continue
            responses.append(ResourceResponse(id=""))
        return responses

    async def update_activity(self, context: TurnContext, activity: Activity) -> ResourceResponse:
        data = await self.connector.update(
            activity.service_url,
            activity.conversation.id,
            activity.id,
            wire(activity),
            authorization=await self.authorization(context),
        )
        return ResourceResponse(id=str(data.get("id") or activity.id))

    async def create_thread(
        self, context: TurnContext, activity: Activity, *, channel_id: str
    ) -> tuple[str, str]:
        """A new top-level post in a channel: (its thread's conversation id, its activity id)."""
        tenant = tenant_of(context.activity)
        reference = TurnContext.get_conversation_reference(context.activity)
        body = wire(TurnContext.apply_conversation_reference(activity, reference))
        parameters: dict[str, Any] = {
            "isGroup": True,
            "bot": body.get("from"),
            "channelData": {"channel": {"id": channel_id}},
            "activity": body,
        }
        if tenant:
            parameters["tenantId"] = tenant
            parameters["channelData"]["tenant"] = {"id": tenant}
        data = await self.connector.create_conversation(
            context.activity.service_url,
            parameters,
            limit_key=channel_id,
            authorization=await self.authorization(context),
        )
        return str(data.get("id") or ""), str(data.get("activityId") or "")
