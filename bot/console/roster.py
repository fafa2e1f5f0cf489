"""The console's Roster: the terminal has no member list, and a "direct message" to a member
is a post to `@NAME` in the terminal (the console plays members with `chat --as NAME`)."""

from __future__ import annotations

from core.reply import Reply
from core.standup.checkin import Member
from handlers.context import Services


class ConsoleRoster:
    """core.standup.checkin.Roster for the console: members only from `standup members`."""

    platform = "console"

    def __init__(self, services: Services) -> None:
        self.services = services

    async def members(self, channel_id: str) -> list[Member]:
        return []

    async def send_direct(self, *, member: Member, reply: Reply, locale: str) -> str | None:
        notifier = self.services.notifiers.get("console")
        if notifier is None:
            return None
        channel = f"@{member.id}"
        await notifier.post(channel_id=channel, reply=reply, locale=locale)
        return channel
