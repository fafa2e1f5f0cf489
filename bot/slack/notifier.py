"""The Slack Notifier: scheduled and proactive posts (standups, alerts) to a channel.

It renders with the locale asked for, else the channel's chosen language, else the
workspace default, and the workspace time zone; long posts go on in the thread and
charts are uploaded. Raises when Slack refuses the post (the caller decides whether the
other channels go on — they should).
"""

from __future__ import annotations

from bot.slack.deliver import Deliverer
from core.i18n import DEFAULT_LOCALE, normalize_locale
from core.reply import Reply
from core.storage import prefs
from handlers.context import Services


class SlackNotifier:
    """core.ports.Notifier for Slack; returns the ts of the posted message."""

    platform = "slack"

    def __init__(self, services: Services, deliverer: Deliverer) -> None:
        self.services = services
        self.deliverer = deliverer

    async def post(
        self,
        *,
        channel_id: str,
        reply: Reply,
        thread_id: str | None = None,
        locale: str | None = None,
    ) -> str | None:
        loc = normalize_locale(locale) or await self._channel_locale(channel_id)
        return await self.deliverer.post_reply(channel_id, reply, loc, thread_id)

    async def _channel_locale(self, channel_id: str) -> str:
        async with self.services.sessions() as session:
            value = await prefs.get_pref(
                session=session,
                platform="slack",
                scope="channel",
                subject_id=channel_id,
                key="locale",
            )
        return (
            normalize_locale(value)
            or normalize_locale(self.services.workspace.default_locale)
            or DEFAULT_LOCALE
        )
