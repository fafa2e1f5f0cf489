"""Block Kit pieces for the renderer: text objects, buttons, an item, facts — all escaped.

Every mrkdwn object is `verbatim`, so Slack does not auto-link names or URLs or parse
bare mentions in it; every string from a Reply passes `escape.fit`/`escape.split` first.
"""

from __future__ import annotations

import logging
import re

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    MarkdownTextObject,
    PlainTextObject,
    SectionBlock,
)

from bot.slack import escape
from core.format import SENTIMENT_MARK, format_time
from core.i18n import Translator
from core.reply import Action, Fact, Item
from core.url_policy import safe_url

log = logging.getLogger(__name__)

SECTION_CHARS = 3000
FIELD_CHARS = 2000
CONTEXT_CHARS = 2000
BUTTON_CHARS = 75
VALUE_CHARS = 2000
ACTION_ID_CHARS = 255
BUTTONS_PER_BLOCK = 25
CONTEXT_ELEMENTS = 10
# Buttons that only open a URL still send a block_actions payload; these ids mark them.
LINK_ACTION = "_slack.link"
# Several buttons with one handler id in one block get `#n` (Slack wants unique ids).
_DUPLICATE = re.compile(r"#\d+$")


def mrkdwn(escaped: str) -> MarkdownTextObject:
    """A verbatim mrkdwn object for text that is already escaped."""
    return MarkdownTextObject(text=escaped or " ", verbatim=True)


def plain(text: str, limit: int) -> PlainTextObject:
    """A plain_text object (escaped too: Slack shows entities as their characters)."""
    return PlainTextObject(text=escape.fit(text, limit) or " ", emoji=False)


def section(escaped: str) -> SectionBlock:
    return SectionBlock(text=mrkdwn(escaped))


def context(parts: list[str]) -> ContextBlock:
    """One context block of escaped parts (merged when there are more than Slack allows)."""
    if len(parts) > CONTEXT_ELEMENTS:
        parts = [*parts[: CONTEXT_ELEMENTS - 1], " · ".join(parts[CONTEXT_ELEMENTS - 1 :])]
    return ContextBlock(elements=[mrkdwn(p[:CONTEXT_CHARS]) for p in parts])


def base_action_id(action_id: str) -> str:
    """The handler's action id of a clicked button (without the `#n` of duplicates)."""
    return _DUPLICATE.sub("", action_id)


def button(action: Action, action_id: str | None = None) -> ButtonElement | None:
    """A button for a neutral Action; None when Slack cannot carry it (logged)."""
    label = plain(action.label, BUTTON_CHARS)
    style = action.style if action.style in ("primary", "danger") else None
    if action.url:
        url = safe_url(action.url)  # at most 2,048 characters: within Slack's 3,000
        if url is None:
            log.warning("dropping a link button with an unsafe URL (%r)", action.label)
            return None
        return ButtonElement(text=label, url=url, action_id=action_id or LINK_ACTION, style=style)
    action_id = action_id or action.id
    if len(action.value) > VALUE_CHARS or len(action_id) > ACTION_ID_CHARS:
        # A handler bug, not user input: the value must fit Slack's 2,000 characters.
        log.error("button %r does not fit Slack (value %d chars)", action.id, len(action.value))
        return None
    return ButtonElement(text=label, action_id=action_id, value=action.value or None, style=style)


def buttons(actions: list[Action]) -> list[ButtonElement]:
    """Buttons with ids unique within one block."""
    out: list[ButtonElement] = []
    seen: set[str] = set()
    for n, action in enumerate(actions):
        action_id = action.id if not action.url else f"{LINK_ACTION}.{n}"
        if action_id in seen:
            action_id = f"{action.id}#{n}"
        seen.add(action_id)
        if (element := button(action, action_id)) is not None:
            out.append(element)
    return out


def action_blocks(actions: list[Action]) -> list[Block]:
    elements = buttons(actions)
    return [
        ActionsBlock(elements=elements[i : i + BUTTONS_PER_BLOCK])
        for i in range(0, len(elements), BUTTONS_PER_BLOCK)
    ]


def fact_blocks(facts: list[Fact]) -> list[Block]:
    """Short facts as two-column fields; long ones (help's usage lines) as bold-label lines."""
    if not facts:
        return []
    short = all(len(f.label) <= 40 and len(f.value) <= 300 for f in facts)
    if short and len(facts) <= 10:
        fields = [
            mrkdwn(f"*{escape.fit(f.label, 100)}*\n{escape.fit(f.value, FIELD_CHARS - 110)}")
            for f in facts
        ]
        return [SectionBlock(fields=fields)]
    blocks: list[Block] = []
    lines: list[str] = []
    size = 0
    for fact in facts:
        line = f"*{escape.fit(fact.label, 500)}*\n{escape.fit(fact.value, 2000)}"
        if lines and size + len(line) + 2 > SECTION_CHARS:
            blocks.append(section("\n\n".join(lines)))
            lines, size = [], 0
        lines.append(line)
        size += len(line) + 2
    blocks.append(section("\n\n".join(lines)))
    return blocks


def item_blocks(item: Item, t: Translator, zone: str) -> list[Block]:
    """A mention, trend or task: linked bold title and text, a context line, its buttons."""
    head = ""
    if item.title or item.url:
        label = item.title or escape.host(item.url) or t("render.open")
        head = f"*{escape.link(item.url, label, 1200)}*"
    body = escape.fit(item.text, SECTION_CHARS - len(head) - 1) if item.text else ""
    text = "\n".join(p for p in (head, body) if p)
    accessory = None
    rest: list[Action] = list(item.actions)
    if len(rest) == 1 and (single := button(rest[0])) is not None:
        accessory, rest = single, []
    blocks: list[Block] = [SectionBlock(text=mrkdwn(text), accessory=accessory)]
    if meta := _item_meta(item, t, zone):
        blocks.append(context([" · ".join(meta)[:CONTEXT_CHARS]]))
    if rest:
        blocks.extend(action_blocks(rest))
    return blocks


def _item_meta(item: Item, t: Translator, zone: str) -> list[str]:
    meta: list[str] = []
    if item.sentiment in SENTIMENT_MARK:
        meta.append(
            f"{SENTIMENT_MARK[item.sentiment]} {escape.escape(t('sentiment.' + item.sentiment))}"
        )
    if item.time is not None:
        meta.append(escape.escape(format_time(item.time, t.locale, zone)))
    if item.author:
        meta.append(escape.fit(t("render.by", author=item.author), 300))
    if item.source:
        meta.append(escape.fit(t("render.via", source=item.source), 200))
    if site := escape.host(item.url):
        # The real destination beside the link, so a title cannot pose as another site.
        meta.append(f"🔗 {escape.fit(site, 200)}")
    meta += [f"{escape.fit(f.label, 100)}: {escape.fit(f.value, 300)}" for f in item.facts]
    return meta
