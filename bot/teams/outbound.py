"""What the bot sends: card messages, and the answers to `adaptiveCard/action` invokes.

An invoke is answered in the body of the HTTP response (Universal Actions): a card
(`application/vnd.microsoft.card.adaptive`) replaces the clicked card in place, a message
(`application/vnd.microsoft.activity.message`) is a short note to the person who clicked,
and an error (`application/vnd.microsoft.error`) says what was wrong with the submission.
"""

from __future__ import annotations

from typing import Any

from botbuilder.core import InvokeResponse
from botbuilder.schema import Activity, ActivityTypes, Attachment

from bot.teams.markdown import plain
from bot.teams.render import CARD_CONTENT_TYPE, Card

MESSAGE_CONTENT_TYPE = "application/vnd.microsoft.activity.message"
ERROR_CONTENT_TYPE = "application/vnd.microsoft.error"
_NOTE_LIMIT = 500


def card_message(card: Card, *, activity_id: str | None = None) -> Activity:
    """A message carrying one Adaptive Card (no text beside it: Teams would split the two)."""
    return Activity(
        type=ActivityTypes.message,
        id=activity_id,
        attachments=[Attachment(content_type=CARD_CONTENT_TYPE, content=card)],
    )


def invoke_answer(status: int, body: dict[str, Any]) -> Activity:
    return Activity(
        type=ActivityTypes.invoke_response, value=InvokeResponse(status=status, body=body)
    )


def card_answer(card: Card) -> Activity:
    """The refreshed card: Teams shows it in place of the one that was clicked."""
    return invoke_answer(200, {"statusCode": 200, "type": CARD_CONTENT_TYPE, "value": card})


def note_answer(text: str) -> Activity:
    """A short note for the person who clicked; the card stays as it is."""
    note = plain(text).strip()
    if len(note) > _NOTE_LIMIT:
        note = note[: _NOTE_LIMIT - 1] + "…"
    return invoke_answer(200, {"statusCode": 200, "type": MESSAGE_CONTENT_TYPE, "value": note})


def error_answer(status: int, code: str, message: str) -> Activity:
    body = {
        "statusCode": status,
        "type": ERROR_CONTENT_TYPE,
        "value": {"code": code, "message": plain(message)},
    }
    return invoke_answer(status, body)
