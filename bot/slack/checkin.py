"""Slack's Roster for check-ins: a channel's members with their zone and language, and a
DM to one of them.

`conversations.members` lists the channel (paged); `users.info` tells each member's `tz`
(an IANA name) and `locale` (with `include_locale`), and whether it is a bot or
deactivated — those are never asked. The DM is `conversations.open` with the user, then an
ordinary post: the check-in form renders as the questions and an "Answer" button whose
click opens the modal (views.open, bot/slack/forms.py).
"""

from __future__ import annotations

import logging
from typing import Any

from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.notifier import SlackNotifier
from core.reply import Reply
from core.standup.checkin import Member

log = logging.getLogger(__name__)
PAGE = 200
MAX_MEMBERS = 500


class SlackRoster:
    """core.standup.checkin.Roster for Slack."""

    platform = "slack"

    def __init__(self, client: AsyncWebClient, notifier: SlackNotifier) -> None:
        self.client = client
        self.notifier = notifier

    async def members(self, channel_id: str) -> list[Member]:
        ids: list[str] = []
        cursor: str | None = None
        while len(ids) < MAX_MEMBERS:
            response = await self.client.conversations_members(
                channel=channel_id, limit=PAGE, cursor=cursor
            )
            ids += [str(u) for u in response.get("members") or []]
            cursor = (response.get("response_metadata") or {}).get("next_cursor") or None
            if not cursor:
                break
        out = []
        for user_id in ids[:MAX_MEMBERS]:
            member = await self._member(user_id)
            if member is not None:
                out.append(member)
        return out

    async def _member(self, user_id: str) -> Member | None:
        response = await self.client.users_info(user=user_id, include_locale=True)
        user: dict[str, Any] = response.get("user") or {}
        if user.get("is_bot") or user.get("deleted") or user_id == "USLACKBOT":
            return None
        profile = user.get("profile") or {}
        name = (
            profile.get("display_name")
            or profile.get("real_name")
            or user.get("real_name")
            or user.get("name")
            or user_id
        )
        return Member(
            id=user_id,
            name=str(name)[:255],
            zone=user.get("tz") if isinstance(user.get("tz"), str) else None,
            locale=user.get("locale") if isinstance(user.get("locale"), str) else None,
        )

    async def send_direct(self, *, member: Member, reply: Reply, locale: str) -> str | None:
        opened = await self.client.conversations_open(users=member.id)
        channel = str((opened.get("channel") or {}).get("id") or "")
        if not channel:
            raise LookupError(f"Slack opened no DM with {member.id}")
        await self.notifier.post(channel_id=channel, reply=reply, locale=locale)
        return channel
