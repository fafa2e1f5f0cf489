"""Neutral Reply → Block Kit messages, within Slack's limits.

A reply becomes one message, or several when it is longer than Slack allows (50 blocks,
3,000 characters a section): the first says "(continued in the thread)" and the rest go
into its thread. Blocks that belong together (an item and its buttons) stay together.
Charts are uploaded separately (`files_upload_v2`); where that is impossible (ephemeral
replies) their text fallback is shown instead.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from slack_sdk.models.blocks import Block, HeaderBlock

from bot.slack import blocks as b
from bot.slack import escape
from bot.slack.forms import FormSpec, form_button
from core.i18n import Translator
from core.reply import Image, Reply

MAX_BLOCKS = 50
HEADER_CHARS = 150
FALLBACK_CHARS = 3000
# Slack documents no total per message besides 50 blocks; keep well inside what it accepts.
MESSAGE_CHARS = 12_000


@dataclass
class Message:
    """One chat.postMessage: blocks plus the notification/fallback text."""

    blocks: list[dict[str, Any]]
    text: str


@dataclass
class Rendered:
    messages: list[Message]
    images: list[Image] = field(default_factory=list)


def render(reply: Reply, *, locale: str, zone: str, upload_images: bool = True) -> Rendered:
    """The reply as Slack messages (first, then the thread's continuations) and images."""
    t = Translator(locale)
    units = [[block.to_dict() for block in unit] for unit in _units(reply, t, zone, upload_images)]
    chunks = _pack(units)
    first_line = _first_line(reply)
    messages = []
    for n, chunk in enumerate(chunks):
        if n == 0 and len(chunks) > 1:
            chunk.append(b.context([escape.escape(t("render.continued"))]).to_dict())
        if n == 0:
            text = escape.fit(first_line, FALLBACK_CHARS) or " "
        else:
            text = f"{escape.fit(first_line, FALLBACK_CHARS - 12)} ({n + 1}/{len(chunks)})"
        messages.append(Message(blocks=chunk, text=text))
    return Rendered(messages=messages, images=list(reply.images) if upload_images else [])


def _units(reply: Reply, t: Translator, zone: str, upload_images: bool) -> list[list[Block]]:
    """Groups of blocks in reading order; a group is never split across messages."""
    units: list[list[Block]] = []
    if reply.title:
        title = f"⚠ {reply.title}" if reply.error else reply.title
        units.append([HeaderBlock(text=b.plain(title, HEADER_CHARS))])
    for n, text in enumerate(reply.sections):
        if reply.error and n == 0 and not reply.title:
            text = f"⚠ {text}"
        units += [[b.section(piece)] for piece in escape.split(text, b.SECTION_CHARS)]
    if reply.facts:
        units += [[block] for block in b.fact_blocks(reply.facts)]
    units += [b.item_blocks(item, t, zone) for item in reply.items]
    if not upload_images:
        for image in reply.images:
            caption = "\n".join(p for p in (image.title, image.text_fallback or image.alt) if p)
            units += [[b.section(piece)] for piece in escape.split(caption, b.SECTION_CHARS)]
    actions = list(reply.actions)
    if reply.inputs:
        # No modal can open here (no trigger): show the fields, and a button that opens
        # the form as a modal when clicked (the click brings the trigger_id).
        for field_ in reply.inputs:
            label = escape.fit(field_.label, 500)
            value = escape.fit(field_.value, min(2500, b.SECTION_CHARS - len(label) - 3))
            text = f"*{label}*\n{value}"
            units.append([b.section(text)])
        if actions:
            opener = form_button(FormSpec.from_reply(reply), t)
            actions = [opener, *actions[1:]] if opener else actions
    units += [[block] for block in b.action_blocks(actions)]
    if reply.footnotes:
        units.append([b.context([escape.fit(note, b.CONTEXT_CHARS) for note in reply.footnotes])])
    if not units:
        units.append([b.section(" ")])
    return units


def _size(block: dict[str, Any]) -> int:
    return len(json.dumps(block, ensure_ascii=False))


def _pack(units: list[list[dict[str, Any]]]) -> list[list[dict[str, Any]]]:
    """Units into messages of at most 49 blocks (room for the continuation note)."""
    chunks: list[list[dict[str, Any]]] = [[]]
    size = 0
    for unit in units:
        unit_size = sum(_size(block) for block in unit)
        current = chunks[-1]
        if current and (
            len(current) + len(unit) > MAX_BLOCKS - 1 or size + unit_size > MESSAGE_CHARS
        ):
            chunks.append([])
            size = 0
        chunks[-1].extend(unit)
        size += unit_size
    return chunks


def _first_line(reply: Reply) -> str:
    """Notification text: the title, else the first line of the reply (plain)."""
    return reply.title or next((line for line in reply.plain_text().splitlines() if line), "")
