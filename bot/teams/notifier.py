"""The Teams `Notifier`: standups, alerts and briefs posted without a request.

The channel's conversation reference comes from the database (saved on install and on
every message), so posts work after a restart. In a channel a post without a thread starts
a new top-level post; with a thread it is a reply there. Chats have no threads.
"""

from __future__ import annotations

import logging

from bot.teams.references import is_channel, recall
from bot.teams.render import render_card
from bot.teams.runtime import TeamsRuntime
from core.i18n import normalize_locale
from core.reply import SYSTEM, Conversation, Reply, Request
from handlers.dispatch import resolve_locale

log = logging.getLogger(__name__)


class UnknownConversation(LookupError):
    """No reference is stored for the channel: the bot was never installed or used there."""


class TeamsNotifier:
    """Posts Replies to Teams channels and chats through stored conversation references."""

    platform = "teams"

    def __init__(self, runtime: TeamsRuntime) -> None:
        self.runtime = runtime

    async def post(
        self,
        *,
        channel_id: str,
        reply: Reply,
        thread_id: str | None = None,
        locale: str | None = None,
    ) -> str | None:
        """Post the reply; returns the Teams activity id of the new message."""
        services = self.runtime.services
        reference = await recall(services.sessions, channel_id, thread_id)
        if reference is None:
            raise UnknownConversation(
                f"no Teams conversation {channel_id!r} is known; add the bot to it first"
            )
        loc = normalize_locale(locale) or await self._channel_locale(channel_id)
        card = render_card(
            reply,
            locale=loc,
            zone=services.workspace.schedules.timezone,
            links=self.runtime.links,
        )
        top_level = is_channel(reference) and ";messageid=" not in str(reference.conversation.id)
        return await self.runtime.deliver(reference, card, new_thread=top_level)

    async def _channel_locale(self, channel_id: str) -> str:
        request = Request("help", [], SYSTEM, Conversation("teams", channel_id))
        return await resolve_locale(self.runtime.services, request)
