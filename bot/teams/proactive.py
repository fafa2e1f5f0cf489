"""Posting outside a turn: standups, alerts, and results of work that outlived its turn.

`continue_conversation` opens a turn on a stored conversation reference; inside it the card
is posted to the conversation (a chat, or a thread of a channel), started as a new
top-level post in a channel (`POST /v3/conversations`), or put in place of an earlier card.
"""

from __future__ import annotations

from botbuilder.core import TurnContext
from botbuilder.schema import ConversationReference

from bot.teams.adapter import HorchAdapter
from bot.teams.inbound import split_conversation
from bot.teams.outbound import card_message
from bot.teams.render import Card


async def deliver(
    adapter: HorchAdapter,
    app_id: str,
    reference: ConversationReference,
    card: Card,
    *,
    update_id: str | None = None,
    new_thread: bool = False,
) -> str | None:
    """Post or update a card; returns the posted activity's id (None if Teams gave none)."""
    posted: list[str | None] = [None]

    async def logic(context: TurnContext) -> None:
        if update_id:
            response = await context.update_activity(card_message(card, activity_id=update_id))
            posted[0] = (response.id if response else None) or update_id
        elif new_thread:
            channel_id = split_conversation(str(reference.conversation.id))[0]
            _thread, activity_id = await adapter.create_thread(
                context, card_message(card), channel_id=channel_id
            )
            posted[0] = activity_id or None
        else:
            response = await context.send_activity(card_message(card))
            posted[0] = (response.id if response else None) or None

    await adapter.continue_conversation(reference, logic, bot_app_id=app_id)
    return posted[0]
