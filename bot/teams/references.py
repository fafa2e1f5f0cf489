"""Conversation references in the database: what a proactive post needs after a restart.

Saved on install (`conversationUpdate`, `installationUpdate`) and refreshed on every
message, keyed by the channel (or chat) id without a thread part. The stored reference has
no activity id, so a later post never turns into a reply to some old message.
"""

from __future__ import annotations

import copy
import json
import logging

from botbuilder.core import TurnContext
from botbuilder.schema import Activity, ConversationAccount, ConversationReference

from bot.teams.inbound import join_conversation, split_conversation, tenant_of
from core.clock import utcnow
from core.db import SessionFactory, session_scope
from core.storage.conversations import get_conversation, save_conversation

log = logging.getLogger(__name__)


def reference_of(activity: Activity) -> ConversationReference:
    """The reference of the activity's channel or chat (no thread, no activity id).

    Only a personal chat keeps its user: a channel or group post is addressed to everyone,
    and leaving out whoever spoke last keeps the stored reference the same from message to
    message (so it need not be rewritten).
    """
    reference = TurnContext.get_conversation_reference(activity)
    reference.activity_id = None
    if activity.conversation.conversation_type in ("channel", "groupChat"):
        reference.user = None
    conversation = copy.deepcopy(activity.conversation)
    conversation.id = split_conversation(str(conversation.id))[0]
    reference.conversation = conversation
    return reference


def _display_name(activity: Activity) -> str | None:
    if activity.conversation.name:
        return str(activity.conversation.name)
    data = activity.channel_data if isinstance(activity.channel_data, dict) else {}
    for key in ("channel", "team"):
        info = data.get(key)
        if isinstance(info, dict) and info.get("name"):
            return str(info["name"])[:255]
    return None


class Remembered:
    """The references this process last wrote, so an unchanged one costs no write."""

    def __init__(self, size: int = 10_000) -> None:
        self.size = size
        self._written: dict[str, str] = {}

    def changed(self, conversation_id: str, reference: str) -> bool:
        return self._written.get(conversation_id) != reference

    def wrote(self, conversation_id: str, reference: str) -> None:
        if len(self._written) >= self.size:
            self._written.clear()
        self._written[conversation_id] = reference


async def remember(
    sessions: SessionFactory, activity: Activity, written: Remembered | None = None
) -> None:
    """Save or refresh the reference of the conversation this activity came from."""
    reference = reference_of(activity)
    data = reference.serialize()
    tenant = tenant_of(activity)
    if tenant:
        data.setdefault("conversation", {})["tenantId"] = tenant
    text = json.dumps(data, sort_keys=True)
    key = str(reference.conversation.id)
    if written is not None and not written.changed(key, text):
        return
    async with session_scope(sessions) as session:
        await save_conversation(
            session=session,
            platform="teams",
            conversation_id=reference.conversation.id,
            reference=text,
            name=_display_name(activity),
            tenant_id=tenant[:64] if tenant else None,
            now=utcnow(),
        )
    if written is not None:
        written.wrote(key, text)


async def recall(
    sessions: SessionFactory, conversation_id: str, thread_id: str | None = None
) -> ConversationReference | None:
    """The stored reference of a channel or chat, pointed at a thread if one is given."""
    base, inline_thread = split_conversation(conversation_id)
    async with sessions() as session:
        row = await get_conversation(session=session, platform="teams", conversation_id=base)
    if row is None or not row.reference:
        return None
    try:
        reference = ConversationReference().deserialize(json.loads(row.reference))
    except (ValueError, TypeError):
        log.error("the stored Teams reference of %s cannot be read", base)
        return None
    return in_thread(reference, thread_id or inline_thread)


def in_thread(reference: ConversationReference, thread_id: str | None) -> ConversationReference:
    """A copy of the reference addressed to a thread of its channel (or the channel itself)."""
    out = copy.deepcopy(reference)
    conversation = out.conversation or ConversationAccount()
    base = split_conversation(str(conversation.id))[0]
    conversation.id = join_conversation(base, thread_id)
    out.conversation = conversation
    return out


def is_channel(reference: ConversationReference) -> bool:
    conversation = reference.conversation
    return bool(conversation and conversation.conversation_type == "channel")
