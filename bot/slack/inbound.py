"""Slack payloads → neutral Requests, and the Origin that says where the answer goes.

Four shapes arrive: slash commands (form fields), Events API callbacks (app_mention and
direct messages), block_actions (button clicks) and view_submissions (modal forms). A
payload missing what Slack always sends raises PayloadError (answered with a 400); a
command line the user mistyped raises handlers' UsageError (answered politely).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Literal

from bot.slack.blocks import base_action_id
from bot.slack.escape import unescape
from bot.slack.forms import CALLBACK_ID, ModalContext, submitted_values
from core.reply import Actor, Conversation, Request
from handlers.args import read_words

Kind = Literal["command", "mention", "dm", "action", "view"]
# Messages with these subtypes are still typed by a person: a file shared with a line of
# text, a thread reply also sent to the conversation. Every other subtype (edits, joins,
# bot posts) is not a command.
_COMMAND_SUBTYPES = frozenset({"file_share", "thread_broadcast"})
# <@U1>, <@U1|name>, <#C1|general>, <!here>, <!subteam^S1|@team>, <https://x|label>
_ANGLE = re.compile(r"<([^<>|]*)(?:\|([^<>]*))?>")
_PREFIXES = ("/horch", "horch")


class PayloadError(ValueError):
    """A payload without the fields Slack always sends: not from Slack, or broken."""


@dataclass
class Origin:
    """Where a request came from, and so where its answer goes."""

    kind: Kind
    user_id: str
    user_name: str = ""
    channel_id: str | None = None
    # The thread the request was made in (replies stay in it).
    thread_ts: str | None = None
    # The message acted on (a click) or the message that asked (a mention).
    message_ts: str | None = None
    response_url: str | None = None
    trigger_id: str | None = None
    # The clicked message was ephemeral (chat.update cannot touch it).
    ephemeral: bool = False

    def conversation(self) -> Conversation:
        channel = self.channel_id or self.user_id
        return Conversation(platform="slack", id=channel, thread_id=self.thread_ts)

    def actor(self) -> Actor:
        return Actor(id=self.user_id, name=self.user_name, platform="slack")

    def message_ref(self) -> str | None:
        if self.channel_id and self.message_ts:
            return f"{self.channel_id}:{self.message_ts}"
        return None


def _str(data: Any, key: str, *, required: bool = True) -> str | None:
    value = data.get(key) if isinstance(data, dict) else None
    if isinstance(value, str) and value:
        return value
    if required:
        raise PayloadError(f"missing {key}")
    return None


def _dict(data: Any, key: str) -> dict[str, Any]:
    value = data.get(key) if isinstance(data, dict) else None
    return value if isinstance(value, dict) else {}


def plain_text(text: str, bot_user_id: str | None = None) -> str:
    """Slack message text as the user typed it: mentions, channels and links unwrapped."""
    if bot_user_id:
        text = re.sub(rf"<@{re.escape(bot_user_id)}(\|[^<>]*)?>", " ", text)
    else:
        text = re.sub(r"^\s*<@[A-Z0-9]+(\|[^<>]*)?>", " ", text)

    def unwrap(match: re.Match[str]) -> str:
        target, label = match.group(1), match.group(2)
        if target.startswith("@"):
            return f"@{label}" if label else target
        if target.startswith("#"):
            return f"#{label}" if label else target
        if target.startswith("!"):
            return label or "@" + target[1:].split("^")[0]
        return label or target

    return unescape(_ANGLE.sub(unwrap, text)).strip()


def _words(text: str) -> tuple[str, list[str], tuple[str, ...]]:
    lowered = text.lower()
    for prefix in _PREFIXES:
        if lowered == prefix or lowered.startswith(prefix + " "):
            text = text[len(prefix) :].strip()
            break
    words, guessed = read_words(text)
    read_as = tuple(words) if guessed else ()
    # `/horch` alone is help; dispatch maps an empty command to help too.
    if not words:
        return "help", [], read_as
    return words[0], words[1:], read_as


def command_origin(body: dict[str, Any]) -> Origin:
    """Check a slash command's fields (before the ack)."""
    return Origin(
        kind="command",
        user_id=str(_str(body, "user_id")),
        user_name=_str(body, "user_name", required=False) or "",
        channel_id=_str(body, "channel_id"),
        thread_ts=_str(body, "thread_ts", required=False),
        response_url=_str(body, "response_url", required=False),
        trigger_id=_str(body, "trigger_id", required=False),
    )


def command_request(body: dict[str, Any], origin: Origin) -> Request:
    """`/horch <sub> [args]` → Request (an unclosed quote is read as text, and said so)."""
    text = plain_text(str(body.get("text") or ""))
    command, args, read_as = _words(text)
    return Request(command, args, origin.actor(), origin.conversation(), text=text, read_as=read_as)


def event_origin(body: dict[str, Any]) -> Origin | None:
    """An app_mention or a direct message from a person; None for anything to ignore."""
    event = _dict(body, "event")
    kind: Kind
    if event.get("type") == "app_mention":
        kind = "mention"
    elif event.get("type") == "message" and event.get("channel_type") == "im":
        kind = "dm"
    else:
        return None
    # Edits, joins and bot posts (other bots, our own) are not commands.
    subtype = event.get("subtype")
    if subtype and not (isinstance(subtype, str) and subtype in _COMMAND_SUBTYPES):
        return None
    if event.get("bot_id"):
        return None
    if not event.get("user"):
        return None
    return Origin(
        kind=kind,
        user_id=str(_str(event, "user")),
        channel_id=_str(event, "channel"),
        thread_ts=_str(event, "thread_ts", required=False),
        message_ts=_str(event, "ts", required=False),
    )


def event_request(body: dict[str, Any], origin: Origin, bot_user_id: str | None) -> Request:
    text = plain_text(str(_dict(body, "event").get("text") or ""), bot_user_id)
    command, args, read_as = _words(text)
    return Request(command, args, origin.actor(), origin.conversation(), text=text, read_as=read_as)


def action_request(body: dict[str, Any]) -> tuple[Origin, Request]:
    """A button click → (Origin, Request with action_id, action_value and message_ref)."""
    actions = body.get("actions")
    if not isinstance(actions, list) or not actions or not isinstance(actions[0], dict):
        raise PayloadError("block_actions without actions")
    action = actions[0]
    action_id = str(_str(action, "action_id"))
    value = action.get("value")
    if not isinstance(value, str):
        value = _dict(action, "selected_option").get("value") or ""
    user = _dict(body, "user")
    container = _dict(body, "container")
    message = _dict(body, "message")
    origin = Origin(
        kind="action",
        user_id=str(_str(user, "id")),
        user_name=_str(user, "username", required=False)
        or _str(user, "name", required=False)
        or "",
        channel_id=_str(_dict(body, "channel"), "id", required=False)
        or _str(container, "channel_id", required=False),
        thread_ts=_str(container, "thread_ts", required=False)
        or _str(message, "thread_ts", required=False),
        message_ts=_str(container, "message_ts", required=False)
        or _str(message, "ts", required=False),
        response_url=_str(body, "response_url", required=False),
        trigger_id=_str(body, "trigger_id", required=False),
        ephemeral=bool(container.get("is_ephemeral")),
    )
    request = Request(
        command="",
        args=[],
        actor=origin.actor(),
        conversation=origin.conversation(),
        action_id=base_action_id(action_id),
        action_value=str(value),
        message_ref=origin.message_ref(),
    )
    return origin, request


def view_request(body: dict[str, Any]) -> tuple[Origin, Request]:
    """A submitted modal → the form's action, with the fields as `form`."""
    view = _dict(body, "view")
    if view.get("callback_id") != CALLBACK_ID:
        raise PayloadError("not a Horchposten form")
    try:
        ctx = ModalContext.decode(str(view.get("private_metadata") or ""))
        form = submitted_values(view)
    except (ValueError, TypeError) as exc:
        raise PayloadError(str(exc)) from exc
    user = _dict(body, "user")
    origin = Origin(
        kind="view",
        user_id=str(_str(user, "id")),
        user_name=_str(user, "username", required=False)
        or _str(user, "name", required=False)
        or "",
        channel_id=ctx.channel_id,
        thread_ts=ctx.thread_ts,
        message_ts=ctx.message_ts,
        response_url=ctx.response_url,
        trigger_id=_str(body, "trigger_id", required=False),
        ephemeral=ctx.ephemeral,
    )
    request = Request(
        command="",
        args=[],
        actor=origin.actor(),
        conversation=origin.conversation(),
        action_id=ctx.action_id,
        action_value=ctx.action_value,
        message_ref=origin.message_ref(),
        form=form,
    )
    return origin, request
