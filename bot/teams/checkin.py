"""Teams' Roster for check-ins: the people of a channel's team, and a personal chat with one.

Members come from the Bot Connector (`GET /v3/conversations/{id}/members`, inside a
proactive turn on the channel's stored reference, so the call carries the bot's token).
A member's id is their AAD object id (as in every request from them); the Teams account id
("29:…") that a personal chat needs is kept beside it. Teams does not tell a member's time
zone, so the channel's zone applies. The personal chat is created with
`POST /v3/conversations` (isGroup false), its reference stored like any conversation's,
and the check-in goes there as an Adaptive Card whose submit is the answer.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Any

from botbuilder.core import TurnContext
from botbuilder.schema import ChannelAccount, ConversationAccount, ConversationReference

from bot.teams.references import recall
from bot.teams.render import render_card
from bot.teams.runtime import TeamsRuntime
from core.db import session_scope
from core.reply import Reply
from core.standup.checkin import Member
from core.storage.conversations import save_conversation

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class _Account:
    account_id: str
    channel_id: str


class TeamsRoster:
    """core.standup.checkin.Roster for Microsoft Teams."""

    platform = "teams"

    def __init__(self, runtime: TeamsRuntime) -> None:
        self.runtime = runtime
        self._accounts: dict[str, _Account] = {}

    async def members(self, channel_id: str) -> list[Member]:
        reference = await recall(self.runtime.services.sessions, channel_id)
        if reference is None:
            raise LookupError(f"no Teams conversation {channel_id!r} is known")
        found: list[dict[str, Any]] = []

        async def logic(context: TurnContext) -> None:
            found.extend(
                await self.runtime.connector.members(
                    str(reference.service_url),
                    str(reference.conversation.id),
                    authorization=await self.runtime.adapter.authorization(context),
                )
            )

        await self.runtime.adapter.continue_conversation(
            reference, logic, bot_app_id=self.runtime.app_id
        )
        out = []
        for account in found:
            account_id = str(account.get("id") or "")
            if not account_id or account_id.startswith("28:"):  # 28: is a bot
                continue
            member_id = str(account.get("aadObjectId") or account_id)
            self._accounts[member_id] = _Account(account_id, channel_id)
            name = str(account.get("name") or account.get("givenName") or member_id)[:255]
            out.append(Member(id=member_id, name=name))
        return out

    async def send_direct(self, *, member: Member, reply: Reply, locale: str) -> str | None:
        services = self.runtime.services
        personal = await recall(services.sessions, f"personal:{member.id}")
        if personal is None:
            personal = await self._open_chat(member)
        card = render_card(reply, locale=locale, zone=services.workspace.schedules.timezone)
        await self.runtime.deliver(personal, card)
        return str(personal.conversation.id)

    async def _open_chat(self, member: Member) -> ConversationReference:
        """Create the personal chat with the member and remember its reference."""
        account = self._accounts.get(member.id)
        if account is None:
            raise LookupError(f"Teams member {member.id} is unknown: list the channel first")
        channel = await recall(self.runtime.services.sessions, account.channel_id)
        if channel is None:
            raise LookupError(f"no Teams conversation {account.channel_id!r} is known")
        tenant = (channel.conversation.additional_properties or {}).get("tenantId") or getattr(
            channel.conversation, "tenant_id", None
        )
        created: dict[str, Any] = {}

        async def logic(context: TurnContext) -> None:
            parameters: dict[str, Any] = {
                "isGroup": False,
                "bot": {"id": self.runtime.app_id or (channel.bot.id if channel.bot else "")},
                "members": [{"id": account.account_id}],
            }
            if tenant:
                parameters["tenantId"] = tenant
                parameters["channelData"] = {"tenant": {"id": tenant}}
            created.update(
                await self.runtime.connector.create_conversation(
                    str(channel.service_url),
                    parameters,
                    limit_key=account.account_id,
                    authorization=await self.runtime.adapter.authorization(context),
                )
            )

        await self.runtime.adapter.continue_conversation(
            channel, logic, bot_app_id=self.runtime.app_id
        )
        chat_id = str(created.get("id") or "")
        if not chat_id:
            raise LookupError(f"Teams created no chat with {member.id}")
        reference = ConversationReference(
            channel_id=channel.channel_id,
            service_url=channel.service_url,
            bot=channel.bot,
            user=ChannelAccount(id=account.account_id, name=member.name, aad_object_id=member.id),
            conversation=ConversationAccount(
                id=chat_id, conversation_type="personal", is_group=False, tenant_id=tenant
            ),
        )
        data = reference.serialize()
        async with session_scope(self.runtime.services.sessions) as session:
            for key in (chat_id, f"personal:{member.id}"):
                await save_conversation(
                    session=session,
                    platform="teams",
                    conversation_id=key,
                    reference=json.dumps(data, sort_keys=True),
                    name=member.name[:255] or None,
                    tenant_id=str(tenant)[:64] if tenant else None,
                    now=self.runtime.services.clock(),
                )
        return reference
