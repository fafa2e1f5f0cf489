"""The neutral Reply every platform renders (defined in core.reply, re-exported here)."""

from core.reply import (
    SYSTEM,
    Action,
    Actor,
    Conversation,
    Fact,
    File,
    Image,
    Input,
    Item,
    Reply,
    Request,
)

__all__ = [
    "SYSTEM",
    "Action",
    "Actor",
    "Conversation",
    "Fact",
    "File",
    "Image",
    "Input",
    "Item",
    "Reply",
    "Request",
]
