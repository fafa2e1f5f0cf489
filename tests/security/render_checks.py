"""What a rendered message must look like, whatever text went in (one function per platform).

Each check returns a list of problems (empty when the message is safe), so a failing test
shows all of them at once, and bench/fuzz_inbound.py can count them.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import urlsplit

from bot.slack.render import MAX_BLOCKS, Message
from bot.teams.render import MAX_CARD_CHARS
from tests.security.hostile import invisible_left, json_roundtrip, nodes, strings

# --- Slack -------------------------------------------------------------------------------

_SLACK_LINK = re.compile(r"<([^<>|]*)\|([^<>]*)>")
_BROADCAST = re.compile(r"@(channel|here|everyone)\b", re.IGNORECASE)
_RAW_AMP = re.compile(r"&(?!amp;|lt;|gt;)")
# The renderer's own word joiner after the @ of a broadcast word is the one allowed.
_OWN_JOINER = re.compile(r"(?<=@)\u2060(?=(channel|here|everyone))", re.IGNORECASE)
SLACK_LIMITS = {"section": 3000, "field": 2000, "header": 150, "button": 75, "value": 2000}


def http_url(url: str) -> str | None:
    """Why `url` is not a plain absolute http(s) URL (None when it is)."""
    if invisible_left(url) or any(c.isspace() for c in url):
        return f"invisible or space in URL {url[:60]!r}"
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return f"not an http(s) URL: {url[:60]!r}"
    if parts.username is not None or parts.password is not None:
        return f"credentials disguise the host: {url[:60]!r}"
    return None


def _slack_mrkdwn(text: str, where: str) -> list[str]:
    problems: list[str] = []
    for target, _label in _SLACK_LINK.findall(text):
        if why := http_url(target.replace("&amp;", "&")):
            problems.append(f"{where}: link {why}")
    rest = _SLACK_LINK.sub("", text)
    if "<" in rest or ">" in rest:
        problems.append(f"{where}: raw angle bracket in {rest[:80]!r}")
    if _RAW_AMP.search(text):
        problems.append(f"{where}: unescaped & in {text[:80]!r}")
    return problems


def check_slack(message: Message) -> list[str]:
    """Problems of one Block Kit message: pings, links, markup, limits, invisible text."""
    problems: list[str] = []
    blocks = json_roundtrip(message.blocks)
    if len(blocks) > MAX_BLOCKS:
        problems.append(f"{len(blocks)} blocks (Slack allows {MAX_BLOCKS})")
    problems += _slack_mrkdwn(message.text, "fallback text")
    for node in nodes(blocks):
        kind = node.get("type")
        if kind == "mrkdwn":
            if node.get("verbatim") is not True:
                problems.append("mrkdwn without verbatim")
            problems += _slack_mrkdwn(node["text"], "mrkdwn")
        elif kind == "plain_text":
            if "<" in node["text"] or ">" in node["text"]:
                problems.append(f"plain_text holds an angle bracket: {node['text'][:80]!r}")
        elif kind == "section":
            text = node.get("text") or {}
            if len(text.get("text", "")) > SLACK_LIMITS["section"]:
                problems.append(f"section of {len(text['text'])} chars")
            for field in node.get("fields") or []:
                if len(field["text"]) > SLACK_LIMITS["field"]:
                    problems.append(f"field of {len(field['text'])} chars")
            if len(node.get("fields") or []) > 10:
                problems.append("more than 10 fields")
        elif kind == "header" and len(node["text"]["text"]) > SLACK_LIMITS["header"]:
            problems.append(f"header of {len(node['text']['text'])} chars")
        elif kind == "button":
            if len(node["text"]["text"]) > SLACK_LIMITS["button"]:
                problems.append(f"button label of {len(node['text']['text'])} chars")
            if len(node.get("value") or "") > SLACK_LIMITS["value"]:
                problems.append("button value over 2000 chars")
            if len(node.get("action_id") or "") > 255:
                problems.append("action_id over 255 chars")
            if "url" in node and (why := http_url(node["url"])):
                problems.append(f"button {why}")
        elif kind == "context" and len(node["elements"]) > 10:
            problems.append("context with more than 10 elements")
        elif kind == "actions" and len(node["elements"]) > 25:
            problems.append("actions block with more than 25 elements")
    # A button's value and ids travel back to the bot; they are never shown.
    hidden = frozenset({"value", "action_id", "block_id"})
    for text in [message.text, *strings(blocks, hidden=hidden)]:
        if _BROADCAST.search(text):
            problems.append(f"broadcast word survives: {text[:80]!r}")
        if left := invisible_left(text.replace("\n", ""), allowed=_OWN_JOINER):
            problems.append(f"invisible characters {sorted(set(left))} in {text[:40]!r}")
    return problems


# --- Teams -------------------------------------------------------------------------------

_MARKUP = set("\\*_[]()`<>&#~|!")
_LINE_START = re.compile(r"^\s*([-+=]|\d+[.)])", re.MULTILINE)
_CARD_TYPES = {
    "AdaptiveCard",
    "TextBlock",
    "FactSet",
    "Container",
    "ActionSet",
    "Action.Execute",
    "Action.OpenUrl",
    "Image",
    "Input.Text",
}
# The renderer's own zero-width non-joiner that breaks `{{` (card functions).
_OWN_ZWNJ = re.compile(r"(?<=\{)\u200c(?=\{)")


def unescaped_markdown(text: str) -> list[str]:
    """Markdown-active characters of `text` that are not backslash-escaped."""
    found: list[str] = []
    escaped = False
    for char in text:
        if escaped:
            escaped = False
            continue
        if char == "\\":
            escaped = True
            continue
        if char in _MARKUP:
            found.append(char)
    if escaped:
        found.append("trailing \\")
    found += [m.group(1) for m in _LINE_START.finditer(text)]
    if "{{" in text:
        found.append("{{")
    return found


def check_teams(card: dict[str, Any], *, allowed_urls: set[str]) -> list[str]:
    """Problems of one Adaptive Card: markup, foreign elements or links, size, invisibles."""
    problems: list[str] = []
    card = json_roundtrip(card)
    size = len(json.dumps(card))
    if size > MAX_CARD_CHARS:
        problems.append(f"card of {size} chars (room: {MAX_CARD_CHARS})")
    for node in nodes(card):
        kind = node.get("type")
        if kind is not None and kind not in _CARD_TYPES:
            problems.append(f"unexpected element {kind!r}")
        if kind == "TextBlock" and (bad := unescaped_markdown(node["text"])):
            problems.append(f"markdown {sorted(set(bad))} in {node['text'][:60]!r}")
        if kind == "FactSet":
            for fact in node["facts"]:
                for text in (fact["title"], fact["value"]):
                    if bad := unescaped_markdown(text):
                        problems.append(f"markdown {sorted(set(bad))} in fact {text[:60]!r}")
        if kind == "Action.OpenUrl":
            if why := http_url(node["url"]):
                problems.append(f"OpenUrl {why}")
            elif node["url"] not in allowed_urls:
                problems.append(f"OpenUrl to a URL nobody gave: {node['url'][:60]!r}")
        if kind == "Image" and not node["url"].startswith("data:image/png;base64,"):
            problems.append(f"image from {node['url'][:60]!r}")
    # A button's data and verb travel back to the bot; they are never shown.
    for text in strings(card, hidden=frozenset({"data", "verb", "id"})):
        if left := invisible_left(text.replace("\n", ""), allowed=_OWN_ZWNJ):
            problems.append(f"invisible characters {sorted(set(left))} in {text[:40]!r}")
    return problems


# --- console -----------------------------------------------------------------------------


def check_console(output: str) -> list[str]:
    """Problems of terminal text: escape sequences, controls, invisible characters."""
    problems: list[str] = []
    if "\x1b" in output or "\x9b" in output:
        problems.append("terminal escape sequence in the output")
    if left := invisible_left(output.replace("\n", "")):
        problems.append(f"invisible or control characters {sorted(set(left))}")
    return problems
