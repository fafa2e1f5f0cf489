"""Sending a rendered Reply to where its request came from.

- a form (`inputs`) with a trigger_id: a modal (views.open);
- `replace` after a click or a modal: chat.update of the clicked message (an ephemeral
  one through its response_url), the rest of a long reply in its thread;
- `ephemeral`: through the response_url, else chat.postEphemeral;
- otherwise chat.postMessage to the channel (and the request's thread, or a new thread
  under the asking message with `in_thread`); continuations and charts in the thread.
- files (a report PDF, an export) are uploaded into the same channel and thread
  (files.getUploadURLExternal, the bytes to the upload URL, files.completeUploadExternal:
  what `files_upload_v2` does); a refused upload is said in a message, never dropped.
  When the bot is not in the channel, a slash command's response_url answers instead.
Posts to one channel wait their turn (about one a second, ChannelPacer).
"""

from __future__ import annotations

import logging
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from bot.slack import escape
from bot.slack.client import make_webhook
from bot.slack.forms import ModalContext, modal_view
from bot.slack.inbound import Origin
from bot.slack.pacing import ChannelPacer
from bot.slack.render import Message, render
from core.i18n import Translator
from core.reply import File, Image, Reply

log = logging.getLogger(__name__)
# The bot cannot post there itself; a response_url still can.
_NOT_THERE = {"not_in_channel", "channel_not_found", "is_archived", "restricted_action"}


class DeliveryError(Exception):
    """Slack refused a post (after the client's retries); `status`: the HTTP status, if any."""

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class Deliverer:
    """Posts, updates and modals through one Web API client and one pacer."""

    def __init__(
        self,
        client: AsyncWebClient,
        *,
        zone: str,
        pacer: ChannelPacer | None = None,
        session: aiohttp.ClientSession | None = None,
    ) -> None:
        self.client = client
        self.zone = zone
        self.pacer = pacer or ChannelPacer()
        self.session = session

    async def deliver(self, reply: Reply, origin: Origin, locale: str) -> str | None:
        """Answer `origin` with `reply`; returns the ts of the (first) message when known."""
        t = Translator(locale)
        form = bool(reply.inputs and reply.actions and origin.trigger_id)
        if form and await self._open_modal(reply, origin, t):
            return None
        replace = reply.replace and origin.message_ts and origin.kind in ("action", "view")
        if replace and await self._replace(reply, origin, locale):
            return origin.message_ts
        if reply.ephemeral:
            await self._ephemeral(reply, origin, locale)
            return None
        return await self._public(reply, origin, locale)

    async def notice(self, origin: Origin, text: str) -> None:
        """A short ephemeral line to the asker ("working on it"); failures are only logged."""
        message = Message(blocks=[], text=escape.escape(text))
        try:
            await self._ephemeral_message(origin, message)
        except Exception as exc:
            log.warning("could not send a notice to %s: %s", origin.user_id, exc)

    async def post(self, channel: str, message: Message, thread_ts: str | None = None) -> str:
        """chat.postMessage in the channel's turn; returns the message ts."""
        async with self.pacer.turn(channel):
            response = await self.client.chat_postMessage(
                channel=channel,
                text=message.text,
                blocks=message.blocks or None,
                thread_ts=thread_ts,
                unfurl_links=False,
                unfurl_media=False,
            )
        return str(response.get("ts") or "")

    async def post_reply(
        self, channel: str, reply: Reply, locale: str, thread_ts: str | None = None
    ) -> str | None:
        """A whole reply to a channel (the Notifier's path): message, thread, charts."""
        rendered = render(reply, locale=locale, zone=self.zone)
        first = await self.post(channel, rendered.messages[0], thread_ts)
        for message in rendered.messages[1:]:
            await self.post(channel, message, thread_ts or first)
        await self._upload_all(channel, rendered.images, thread_ts, locale)
        await self._upload_files(channel, reply.files, thread_ts, locale)
        return first or None

    async def upload_file(self, channel: str, file: File, thread_ts: str | None) -> None:
        """A file into the channel (and thread): streamed from its path when on disk."""
        async with self.pacer.turn(channel):
            await self.client.files_upload_v2(
                channel=channel,
                file=str(file.path) if file.path is not None else file.content(),
                filename=file.name,
                title=escape.neutral(file.title or file.name)[:250] or file.name,
                thread_ts=thread_ts,
            )

    async def _upload_files(
        self, channel: str, files: list[File], thread_ts: str | None, locale: str
    ) -> None:
        for file in files:
            try:
                await self.upload_file(channel, file, thread_ts)
            except SlackApiError as exc:
                # No files:write, or uploads off in this workspace: say so where the file
                # was expected, with Slack's reason.
                log.warning("upload of %s to %s failed: %s", file.name, channel, _error(exc))
                text = Translator(locale)("slack.file_failed", name=file.name, error=_error(exc))
                message = render(Reply(sections=[text]), locale=locale, zone=self.zone)
                await self.post(channel, message.messages[0], thread_ts)

    async def upload(self, channel: str, image: Image, thread_ts: str | None) -> None:
        """A chart as a file in the channel (files_upload_v2)."""
        async with self.pacer.turn(channel):
            await self.client.files_upload_v2(
                channel=channel,
                file=image.png,
                filename="chart.png",
                title=escape.neutral(image.title or image.alt)[:250] or "chart",
                alt_txt=escape.neutral(image.alt)[:1000] or None,
                thread_ts=thread_ts,
            )

    async def _upload_all(
        self, channel: str, images: list[Image], thread_ts: str | None, locale: str
    ) -> None:
        for image in images:
            try:
                await self.upload(channel, image, thread_ts)
            except SlackApiError as exc:
                # No files:write, or uploads off: show the chart's text instead.
                log.warning("chart upload to %s failed: %s", channel, _error(exc))
                caption = Reply(sections=[image.title, image.text_fallback or image.alt])
                message = render(caption, locale=locale, zone=self.zone).messages[0]
                await self.post(channel, message, thread_ts)

    async def _open_modal(self, reply: Reply, origin: Origin, t: Translator) -> bool:
        first = reply.actions[0]
        context = ModalContext(
            action_id=first.id,
            action_value=first.value,
            channel_id=origin.channel_id,
            thread_ts=origin.thread_ts,
            message_ts=origin.message_ts,
            response_url=origin.response_url,
            ephemeral=origin.ephemeral,
        )
        try:
            view = modal_view(reply, t, context)
            await self.client.views_open(trigger_id=str(origin.trigger_id), view=view)
        except (SlackApiError, ValueError) as exc:
            # An expired trigger (3 s) or a form too big: fall back to a message with a button.
            log.warning("could not open the form as a modal: %s", _error(exc))
            return False
        return True

    async def _replace(self, reply: Reply, origin: Origin, locale: str) -> bool:
        rendered = render(reply, locale=locale, zone=self.zone, upload_images=not origin.ephemeral)
        first, rest = rendered.messages[0], rendered.messages[1:]
        channel = origin.channel_id
        if origin.ephemeral or not channel:
            if not origin.response_url:
                return False
            await self._respond(origin.response_url, first, replace_original=True)
            for message in rest:
                await self._respond(origin.response_url, message, response_type="ephemeral")
            return True
        try:
            await self.client.chat_update(
                channel=channel, ts=str(origin.message_ts), text=first.text, blocks=first.blocks
            )
        except SlackApiError as exc:
            log.warning("chat.update of %s failed: %s", origin.message_ref(), _error(exc))
            if not origin.response_url:
                return False
            await self._respond(origin.response_url, first, replace_original=True)
        thread = origin.thread_ts or origin.message_ts
        for message in rest:
            await self.post(channel, message, thread)
        await self._upload_all(channel, rendered.images, thread, locale)
        await self._upload_files(channel, reply.files, thread, locale)
        return True

    async def _ephemeral(self, reply: Reply, origin: Origin, locale: str) -> None:
        rendered = render(reply, locale=locale, zone=self.zone, upload_images=False)
        for message in rendered.messages:
            await self._ephemeral_message(origin, message)

    async def _ephemeral_message(self, origin: Origin, message: Message) -> None:
        if origin.response_url:
            try:
                await self._respond(origin.response_url, message, response_type="ephemeral")
                return
            except DeliveryError as exc:
                # Used up (5 answers) or expired (30 min): the Web API still reaches the user.
                log.info("response_url failed (%s); using chat.postEphemeral", exc)
        if not origin.channel_id:
            raise DeliveryError("no channel for an ephemeral answer")
        await self.client.chat_postEphemeral(
            channel=origin.channel_id,
            user=origin.user_id,
            text=message.text,
            blocks=message.blocks or None,
            thread_ts=origin.thread_ts,
        )

    async def _public(self, reply: Reply, origin: Origin, locale: str) -> str | None:
        channel = origin.channel_id or origin.user_id
        thread = origin.thread_ts or (origin.message_ts if reply.in_thread else None)
        rendered = render(reply, locale=locale, zone=self.zone)
        try:
            first = await self.post(channel, rendered.messages[0], thread)
        except SlackApiError as exc:
            if _error(exc) not in _NOT_THERE or not origin.response_url:
                raise
            log.info("not in %s (%s); answering through the response_url", channel, _error(exc))
            fallback = render(reply, locale=locale, zone=self.zone, upload_images=False)
            for message in fallback.messages:
                await self._respond(origin.response_url, message, response_type="in_channel")
            if reply.files:  # a file needs the bot in the channel
                note = Translator(locale)("slack.file_not_in_channel")
                notice = render(Reply(sections=[note]), locale=locale, zone=self.zone)
                await self._respond(
                    origin.response_url, notice.messages[0], response_type="ephemeral"
                )
            return None
        for message in rendered.messages[1:]:
            await self.post(channel, message, thread or first)
        await self._upload_all(channel, rendered.images, thread, locale)
        await self._upload_files(channel, reply.files, thread, locale)
        return first or None

    async def _respond(
        self,
        url: str,
        message: Message,
        *,
        response_type: str | None = None,
        replace_original: bool = False,
    ) -> None:
        webhook: AsyncWebhookClient = make_webhook(url, session=self.session)
        response = await webhook.send(
            text=message.text,
            blocks=message.blocks or None,
            response_type=response_type,
            replace_original=replace_original,
            unfurl_links=False,
            unfurl_media=False,
        )
        if response.status_code != 200:
            raise DeliveryError(
                f"response_url answered {response.status_code}: {response.body}",
                status=response.status_code,
            )


def _error(exc: Exception) -> str:
    """Slack's error code of a failed call (`not_in_channel`, …) or the exception text."""
    response: Any = getattr(exc, "response", None)
    if response is not None:
        try:
            return str(response.get("error") or exc)
        except Exception:
            return str(exc)
    return str(exc)
