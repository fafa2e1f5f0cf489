"""Activity → Request: who asked, where, and what (a command line or a card button).

Teams addresses a channel thread as `19:…@thread.tacv2;messageid=ROOT`; the bot keys the
channel on the part before `;messageid=` (preferences, subscriptions, stored references)
and keeps ROOT as the thread. In channels and group chats the bot is @mentioned: that
mention (found through the activity's mention entities, not by guessing at the text) is
removed before the words are split like `/horch` arguments.
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass
from typing import Any

from botbuilder.schema import Activity

from bot.teams.elements import INPUT_PREFIX
from core.reply import Actor, Conversation, Request
from handlers.args import read_words

THREAD_MARK = ";messageid="
# No "<" inside: linear time on "<at><at><at>…" (a lazy .*? made that quadratic).
_AT_TAG = re.compile(r"<at[^<>]*>([^<]*)</at>", re.IGNORECASE)
_PREFIX = re.compile(r"^/?horch(?:posten)?\b[:,]?\s*", re.IGNORECASE)
_SPACES = re.compile(r"[ \t\u00a0]+")


class BadCardAction(ValueError):
    """A card submission without the data a button carries (no action id)."""


@dataclass(frozen=True)
class CardAction:
    action_id: str
    value: str
    form: dict[str, str]


def split_conversation(conversation_id: str) -> tuple[str, str | None]:
    """`19:x@thread.tacv2;messageid=17` → (`19:x@thread.tacv2`, `17`)."""
    base, mark, thread = conversation_id.partition(THREAD_MARK)
    return base, (thread or None) if mark else None


def join_conversation(base: str, thread_id: str | None) -> str:
    return f"{base}{THREAD_MARK}{thread_id}" if thread_id else base


def tenant_of(activity: Activity) -> str | None:
    """The tenant, from `conversation.tenantId` or `channelData.tenant.id`."""
    conversation = activity.conversation
    extra = getattr(conversation, "additional_properties", None) or {}
    tenant = extra.get("tenantId") or getattr(conversation, "tenant_id", None)
    if not tenant and isinstance(activity.channel_data, dict):
        info = activity.channel_data.get("tenant")
        tenant = info.get("id") if isinstance(info, dict) else None
    return str(tenant) if tenant else None


def actor_of(activity: Activity) -> Actor:
    """The person: their Entra (AAD) object id when Teams sends one, else the channel id."""
    sender = activity.from_property
    user_id = (sender.aad_object_id or sender.id) if sender else "unknown"
    name = (sender.name or "") if sender else ""
    return Actor(id=str(user_id), name=str(name), platform="teams")


def conversation_of(activity: Activity) -> Conversation:
    base, thread = split_conversation(str(activity.conversation.id))
    return Conversation("teams", base, thread_id=thread, tenant_id=tenant_of(activity))


def command_text(activity: Activity) -> str:
    """The message text without the bot's @mention, other mentions as plain names."""
    text = str(activity.text or "")
    bot_id = activity.recipient.id if activity.recipient else None
    for entity in activity.entities or []:
        if (getattr(entity, "type", None) or "").lower() != "mention":  # a null entity too
            continue
        props = getattr(entity, "additional_properties", None) or {}
        mentioned = props.get("mentioned")
        mention_text = props.get("text")
        if (
            isinstance(mentioned, dict)
            and mentioned.get("id") == bot_id
            and isinstance(mention_text, str)
            and mention_text
        ):
            text = text.replace(mention_text, " ")
    text = _AT_TAG.sub(lambda m: html.unescape(m.group(1)), text)
    text = _SPACES.sub(" ", text).strip()
    return _PREFIX.sub("", text, count=1).strip()


def message_request(activity: Activity) -> Request:
    """A command message as a Request (an unclosed quote is read as text, and said so)."""
    text = command_text(activity)
    words, guessed = read_words(text)
    command, args = (words[0], words[1:]) if words else ("help", [])
    return Request(
        command=command,
        args=args,
        actor=actor_of(activity),
        conversation=conversation_of(activity),
        text=text,
        read_as=tuple(words) if guessed else (),
    )


def card_action(payload: Any) -> CardAction:
    """The button behind an `adaptiveCard/action` invoke value (or an Action.Submit value)."""
    if not isinstance(payload, dict):
        raise BadCardAction("no value")
    action = payload.get("action")
    if isinstance(action, dict):  # Action.Execute: {"action": {"verb", "data"}, "trigger"}
        data = action.get("data")
        verb = action.get("verb")
    else:  # Action.Submit posts its data as the message value
        data, verb = payload, None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise BadCardAction("data is not an object")
    action_id = data.get("action_id") or verb
    if not isinstance(action_id, str) or not action_id.strip():
        raise BadCardAction("no action id")
    raw_value = data.get("value", "")
    value = raw_value if isinstance(raw_value, str) else json.dumps(raw_value)
    form = {
        key[len(INPUT_PREFIX) :]: _scalar(item)
        for key, item in data.items()
        if isinstance(key, str) and key.startswith(INPUT_PREFIX) and _is_scalar(item)
    }
    return CardAction(action_id.strip(), value, form)


def action_request(activity: Activity, action: CardAction) -> Request:
    return Request(
        command="",
        args=[],
        actor=actor_of(activity),
        conversation=conversation_of(activity),
        action_id=action.action_id,
        action_value=action.value,
        message_ref=activity.reply_to_id,
        form=action.form,
    )


def bot_was_added(activity: Activity) -> bool:
    bot_id = activity.recipient.id if activity.recipient else None
    # getattr: a member list may hold nulls (never from Teams, but from a hand-made request).
    return any(getattr(member, "id", None) == bot_id for member in activity.members_added or [])


def _is_scalar(value: Any) -> bool:
    return isinstance(value, str | int | float | bool) and value is not None


def _scalar(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)
