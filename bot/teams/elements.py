"""The pieces of an Adaptive Card, each built from neutral Reply parts with outside text escaped.

TextBlocks and FactSets get their text escaped for the card's markdown (bot.teams.markdown);
plain fields (button titles, inputs, alt texts) get it without control characters. Buttons
are `Action.Execute` (Universal Actions) carrying `{"action_id", "value"}` in `data`; links
open only for the URLs core.url_policy allows.
"""

from __future__ import annotations

from typing import Any

from bot.teams.markdown import escape, plain
from core.format import SENTIMENT_MARK, format_time
from core.i18n import Translator
from core.reply import Action, Fact, Image, Input, Item
from core.url_policy import safe_url

# Form field ids are namespaced, so a field can never overwrite `action_id` or `value`.
INPUT_PREFIX = "input."
_STYLE = {"primary": "positive", "danger": "destructive"}
_SENTIMENT_COLOR = {"negative": "Attention", "positive": "Good", "neutral": "Default"}
Element = dict[str, Any]


def text_block(text: str, **style: Any) -> Element:
    return {"type": "TextBlock", "text": escape(text), "wrap": True, **style}


def fact_set(facts: list[Fact] | tuple[Fact, ...]) -> Element:
    return {
        "type": "FactSet",
        "facts": [{"title": escape(f.label), "value": escape(f.value)} for f in facts],
    }


def execute(action: Action, *, submit: bool | None = None) -> Element:
    """A button; `submit=False` leaves the form's fields out (a Cancel next to Save)."""
    element: Element = {
        "type": "Action.Execute",
        "title": plain(action.label),
        "verb": action.id,
        "data": {"action_id": action.id, "value": action.value},
    }
    if action.style in _STYLE:
        element["style"] = _STYLE[action.style]
    if submit is False:
        element["associatedInputs"] = "none"
    return element


def button(action: Action, *, submit: bool | None = None) -> Element | None:
    """A button that runs a handler, or opens a link when the action carries a valid URL."""
    if action.url is not None:
        url = safe_url(action.url)
        if url is None:
            return None
        return {"type": "Action.OpenUrl", "title": plain(action.label), "url": url}
    return execute(action, submit=submit)


def action_set(actions: list[Element]) -> Element:
    return {"type": "ActionSet", "actions": actions}


def item_container(item: Item, t: Translator, zone: str) -> Element:
    """One list entry: who/when/where, title, text, facts and its buttons."""
    meta: list[str] = []
    if item.sentiment:
        meta.append(f"{SENTIMENT_MARK[item.sentiment]} {t('sentiment.' + item.sentiment)}")
    if item.time:
        meta.append(format_time(item.time, t.locale, zone))
    if item.author:
        meta.append(t("render.by", author=item.author))
    if item.source:
        meta.append(t("render.via", source=item.source))
    parts: list[Element] = []
    if meta:
        color = _SENTIMENT_COLOR.get(item.sentiment or "neutral", "Default")
        parts.append(text_block("  ·  ".join(meta), size="Small", isSubtle=True, color=color))
    if item.title:
        parts.append(text_block(item.title, weight="Bolder", spacing="Small"))
    if item.text:
        parts.append(text_block(item.text, spacing="Small"))
    if item.facts:
        parts.append(fact_set(item.facts))
    buttons = [b for a in item.actions if (b := button(a)) is not None]
    if url := safe_url(item.url):
        buttons.append({"type": "Action.OpenUrl", "title": t("render.open"), "url": url})
    if buttons:
        parts.append(action_set(buttons))
    return {"type": "Container", "separator": True, "spacing": "Medium", "items": parts}


def input_field(field: Input) -> Element:
    element: Element = {
        "type": "Input.Text",
        "id": INPUT_PREFIX + field.id,
        "label": plain(field.label),
        "value": plain(field.value),
        "isMultiline": field.multiline,
    }
    if field.max_length:
        element["maxLength"] = field.max_length
    return element


def image_elements(image: Image, uri: str | None) -> list[Element]:
    out: list[Element] = []
    if image.title:
        out.append(text_block(image.title, weight="Bolder"))
    if uri is not None:
        out.append({"type": "Image", "url": uri, "altText": plain(image.alt), "size": "Stretch"})
    else:
        out.append(text_block(image.text_fallback or image.alt, fontType="Monospace"))
    return out


def lines(text: str, **style: Any) -> list[Element]:
    """A section, one TextBlock per line (renderers differ in how they treat a newline)."""
    blocks = [text_block(line, **style) for line in text.split("\n") if line.strip()]
    for block in blocks[1:]:
        block["spacing"] = "None"
    return blocks
