"""Reply → Adaptive Card (schema 1.5): how Teams shows every answer of the bot.

Title, sections, facts, one Container per item, pictures, form fields, buttons and
footnotes, in that order (bot.teams.elements builds and escapes each part). A Reply with
inputs is a form: its first action submits the `Input.Text` fields.

A Teams message may be about 28 KB: the card is measured, pictures get the room that is
left (shrunk, or their text alternative), and a list that is still too long is cut with an
"… and N more" line rather than being refused by Teams.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from bot.file_links import FileLinks
from bot.teams import elements as el
from bot.teams.images import fit_png
from core.format import format_time
from core.i18n import Translator
from core.reply import Action, Fact, Reply

CARD_CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"
SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"
VERSION = "1.5"
# Room for the card in a Teams message (the activity around it takes the rest of ~28 KB).
MAX_CARD_CHARS = 26_000
_IMAGE_MARK = "\0image\0"
# When a card is too big even without its list, texts are cut to this length, then halved.
TEXT_CAP = 4000
MIN_TEXT_CAP = 40

Card = dict[str, Any]


def render_card(
    reply: Reply,
    *,
    locale: str,
    zone: str,
    limit: int = MAX_CARD_CHARS,
    links: FileLinks | None = None,
) -> Card:
    """The whole Reply as one Adaptive Card that fits in a Teams message; its files as
    download buttons (signed, expiring links from `links`)."""
    t = Translator(locale)
    if reply.files:
        reply = with_file_links(reply, t, zone, links)
    shown = len(reply.items)
    while True:
        card = _card(reply, t, zone, shown_items=shown)
        size = _size(card)
        if size <= limit or shown == 0:
            break
        # Cut the list (never the title, text or buttons) until the card fits.
        shown = max(0, shown - max(1, (shown * (size - limit)) // max(size, 1) + 1))
    # Still too big without a list: some text itself is huge (a pasted article, a runaway
    # draft). Teams would refuse the message, so every text is cut until the card fits.
    card = _place_images(card, reply, limit - size)
    cap = TEXT_CAP
    while _size(card) > limit and cap >= MIN_TEXT_CAP:
        reply = _shortened(reply, cap)
        card = _card(reply, t, zone, shown_items=shown)
        card, cap = _place_images(card, reply, limit - _size(card)), cap // 2
    return card


def with_file_links(reply: Reply, t: Translator, zone: str, links: FileLinks | None) -> Reply:
    """The files as "Download" buttons with signed links and a note until when they work;
    without a public address (HORCH_PUBLIC_URL) a note says where the file lies instead."""
    buttons: list[Action] = []
    notes: list[str] = []
    for file in reply.files:
        url = links.url(file) if links is not None else None
        if url is None:
            notes.append(t("teams.file_no_link", name=file.name))
            continue
        buttons.append(Action("file.download", t("teams.file_download", name=file.name), url=url))
    if buttons and links is not None:
        until = format_time(links.expires(), t.locale, zone)
        notes.insert(0, t("teams.file_until", count=len(buttons), until=until))
    return replace(
        reply,
        files=[],
        actions=[*buttons, *reply.actions],
        footnotes=[*notes, *reply.footnotes],
    )


def _shortened(reply: Reply, cap: int) -> Reply:
    """The reply with every shown text cut to `cap` characters (button values stay whole)."""

    def cut(text: str) -> str:
        return text if len(text) <= cap else text[: cap - 1] + "…"

    def facts(values: Iterable[Fact]) -> list[Fact]:
        return [Fact(cut(f.label), cut(f.value)) for f in values]

    def actions(values: Iterable[Action]) -> list[Action]:
        return [replace(a, label=cut(a.label)) for a in values]

    items = [
        replace(
            i,
            title=cut(i.title),
            text=cut(i.text),
            author=cut(i.author) if i.author else i.author,
            source=cut(i.source) if i.source else i.source,
            facts=tuple(facts(i.facts)),
            actions=tuple(actions(i.actions)),
        )
        for i in reply.items
    ]
    return replace(
        reply,
        title=cut(reply.title),
        sections=[cut(s) for s in reply.sections],
        facts=facts(reply.facts),
        items=items,
        images=[
            replace(m, alt=cut(m.alt), title=cut(m.title), text_fallback=cut(m.text_fallback))
            for m in reply.images
        ],
        actions=actions(reply.actions),
        inputs=[replace(f, label=cut(f.label), value=cut(f.value)) for f in reply.inputs],
        footnotes=[cut(n) for n in reply.footnotes],
    )


def _card(reply: Reply, t: Translator, zone: str, *, shown_items: int) -> Card:
    body: list[el.Element] = []
    if reply.title:
        style: dict[str, Any] = {"weight": "Bolder", "size": "Medium"}
        if reply.error:
            style["color"] = "Attention"
        body.append(el.text_block(reply.title, **style))
    for i, section in enumerate(reply.sections):
        color = {"color": "Attention"} if reply.error and not reply.title and i == 0 else {}
        body.extend(el.lines(section, **color))
    if reply.facts:
        body.append(el.fact_set(reply.facts))
    for item in reply.items[:shown_items]:
        body.append(el.item_container(item, t, zone))
    if shown_items < len(reply.items):
        more = t("render.more_items", count=len(reply.items) - shown_items)
        body.append(el.text_block(more, isSubtle=True))
    # Placeholders: pictures are encoded last, into the room the rest of the card leaves.
    body.extend({"type": _IMAGE_MARK, "index": i} for i in range(len(reply.images)))
    body.extend(el.input_field(field) for field in reply.inputs)
    actions = _actions(reply)
    if actions:
        body.append(el.action_set(actions))
    for note in reply.footnotes:
        body.extend(el.lines(note, isSubtle=True, size="Small"))
    if not body:
        body.append(el.text_block("…"))
    return {
        "type": "AdaptiveCard",
        "$schema": SCHEMA,
        "version": VERSION,
        "msteams": {"width": "Full"},
        "body": body,
    }


def _actions(reply: Reply) -> list[el.Element]:
    out = []
    for i, action in enumerate(reply.actions):
        # In a form the first button submits the fields; the others (Cancel) leave them out.
        submit = (i == 0) if reply.inputs else None
        if (element := el.button(action, submit=submit)) is not None:
            out.append(element)
    return out


def _place_images(card: Card, reply: Reply, room: int) -> Card:
    if not reply.images:
        return card
    share = max(0, room) // len(reply.images)
    body: list[el.Element] = []
    for element in card["body"]:
        if element.get("type") != _IMAGE_MARK:
            body.append(element)
            continue
        image = reply.images[element["index"]]
        # The alt text and title are part of the card as well; leave them their room.
        uri = fit_png(image.png, share - len(image.alt) - len(image.title) - 200)
        body.extend(el.image_elements(image, uri))
    card["body"] = body
    return card


def _size(card: Card) -> int:
    # As sent: non-ASCII characters travel as \uXXXX escapes.
    return len(json.dumps(card))
