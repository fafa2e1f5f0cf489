"""The table of hostile strings, a Reply that carries one in every field, and the checks
that a rendered message must pass (used by the renderer tests and bench/fuzz_inbound.py).

Every entry is text from outside (a mention, an author, a model's draft, a user's query)
trying to become something else on the way to the reader: a ping, a link that lies about
its destination, markup, a card element, an invisible reordering of the text, a terminal
command, or a message too big for the platform.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator
from typing import Any

from core.reply import Action, Fact, Image, Input, Item, Reply

# A 2x2 PNG, enough for an Image field.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000002000000020802000000fdd49a730000001649444154"
    "789c63fcffff3f030303130303030303030024060301fc35de9b0000000049454e44ae426082"
)
ZERO_WIDTH = "\u200b\u200c\u200d\u200e\u200f\u2060\u2061\u2062\u2063\u2064\ufeff"
BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
INVISIBLE = re.compile(f"[{ZERO_WIDTH}{BIDI}]")
# C0 and C1 controls except tab and newline.
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
BIG = 100_000

HOSTILE: dict[str, str] = {
    # pings
    "channel": "<!channel> urgent",
    "here": "<!here|here> look",
    "everyone": "<!everyone>",
    "at_channel": "@channel @here @everyone @Channel @HERE",
    "user": "hi <@U123> and <@U123|boss>",
    "subteam": "<!subteam^S123|@marketing> please",
    "channel_link": "see <#C123|general>",
    "teams_at": "<at>Everyone</at> and <at id='29:1'>Boss</at>",
    # fake links
    "slack_link": "<https://evil.example|https://bank.com> log in",
    "slack_link2": "<https://evil.example/login|bank.com>",
    "md_link": "[bank.com](https://evil.example/login)",
    "md_image": "![logo](https://evil.example/pixel.png)",
    "html_link": '<a href="https://evil.example">bank.com</a>',
    "autolink": "<https://evil.example>",
    "js_link": "[click](javascript:alert(1))",
    # markdown
    "bold": "*bold* **bolder** __under__",
    "italic": "_italic_ and *italic*",
    "strike": "~strike~ ~~strike~~",
    "code": "`code` ```block```",
    "quote": "> quoted\n>> nested",
    "heading": "# Heading\n## Sub\n###### six",
    "list": "- item\n+ item\n* item\n1. one\n2) two\n===\n---",
    "table": "| a | b |\n|---|---|\n| 1 | 2 |",
    "escape": "\\*not\\* \\\\*yes\\\\*",
    "entities": "&lt;!channel&gt; &amp;lt; &#60;!here&#62; &#x3C;",
    "emoji": ":rotating_light: :skull:",
    "date": "<!date^1392734382^{date}|Feb 18>",
    # card injection
    "card_json": '"}]},{"type":"Action.OpenUrl","url":"https://evil.example","title":"Pay"}',
    "card_json2": '{"type":"AdaptiveCard","body":[{"type":"TextBlock","text":"x"}]}',
    "card_function": "{{DATE(2017-02-14T06:08:39Z, SHORT)}} {{TIME(2017-02-14T06:08:39Z)}}",
    "template": "${$root.secret} {{x}}",
    # HTML
    "html": "<b>bold</b><script>alert(1)</script><img src=x onerror=alert(1)>",
    "html_comment": "<!-- hidden --> shown",
    # rich (console) markup
    "rich": "[bold red]alarm[/bold red] [link=https://evil.example]bank[/link]",
    # invisible characters
    "zero_width": "p\u200ba\u200cy\u200dp\u200ea\u200fl\u2060\ufeff",
    "zero_width_ping": "<\u200b!channel> @\u200bhere @\u2060channel",
    "rtl": "file\u202egnp.exe and \u2066isolate\u2069 \u2067rtl\u2069 \u2068fs\u2069",
    "rtl_link": "https://bank.com\u202e/moc.live",
    # terminal escapes and controls
    "ansi": "\x1b[31mred\x1b[0m \x1b[2J\x1b[H clear \x1b]0;title\x07 \x9b31m",
    "controls": "a\x00b\x07c\x08d\x0be\x0cf\x7fg\x85h",
    "crlf": "line1\r\nline2\rline3",
    # unicode oddities
    "fullwidth": "＜!channel＞ ＠here",
    "homoglyph": "раypal.com",
    "combining": "Z\u0336a\u0336l\u0336g\u0336o\u0336" * 20,
    "emoji_zwj": "👨‍👩‍👧 family",
    "surrogates": "\U0001f600" * 50,
    # empty and blank
    "empty": "",
    "blank": "   \n\t ",
    # size
    "big": ("Lorem ipsum <!here> " * (BIG // 20))[:BIG],
    "big_word": "x" * BIG,
    "big_lines": "\n".join(["- *line* <@U1>"] * (BIG // 15)),
}

HOSTILE_URLS: list[str] = [
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    " javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)",
    "file:///etc/passwd",
    "ftp://evil.example/x",
    "//evil.example/x",
    "/relative/path",
    "https://",
    "https://bank.com@evil.example/login",
    "https://user:pw@evil.example/",
    "https://evil.example|https://bank.com",
    "https://evil.example/><!channel>",
    "https://evil.example/ <!here>",
    "https://evil.example/\u202e/moc.knab",
    "https://evil.example/\x00x",
    "https://evil.example/" + "a" * 5000,
    "http://[::1",
    "https://bank.com\u2060.evil.example/",
]
GOOD_URL = "https://example.org/post/1?a=1&b=2"


def hostile_reply(text: str, *, url: str | None = GOOD_URL, error: bool = False) -> Reply:
    """A Reply with `text` in every field that can hold text, and `url` in every URL."""
    item = Item(
        title=text,
        text=text,
        url=url,
        author=text,
        source=text,
        time=dt.datetime(2026, 11, 26, 9, 42),
        sentiment="negative",
        facts=(Fact(text, text), Fact("reach", text)),
        actions=(
            Action("draft.create", text, text[:1500]),
            Action("link.open", text, url=url),
        ),
    )
    return Reply(
        title=text,
        sections=[text, f"before {text} after"],
        facts=[Fact(text, text), Fact("label", text)],
        items=[item, Item(title=text, text=text, url=url, author=text, source=text)],
        images=[Image(png=PNG, alt=text, title=text, text_fallback=text)],
        actions=[
            Action("mentions.page", text, text[:1500], "primary"),
            Action("x.open", text, url=url),
            Action("draft.cancel", text, "1", "danger"),
        ],
        footnotes=[text, text],
        error=error,
    )


def hostile_form(text: str) -> Reply:
    """A form Reply (inputs) with `text` in every field."""
    return Reply(
        title=text,
        sections=[text],
        inputs=[Input("draft", text, text), Input("note", text, text, multiline=False)],
        actions=[Action("draft.save", text, text[:1500], "primary"), Action("x.cancel", text)],
        footnotes=[text],
    )


def strings(node: Any, *, hidden: frozenset[str] = frozenset()) -> Iterator[str]:
    """Every string value in a JSON-like structure, except under the `hidden` keys (data
    that travels with a button and comes back, but is never shown)."""
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for key, value in node.items():
            if key not in hidden:
                yield from strings(value, hidden=hidden)
    elif isinstance(node, list | tuple):
        for value in node:
            yield from strings(value, hidden=hidden)


def nodes(node: Any) -> Iterator[dict[str, Any]]:
    """Every object in a JSON-like structure."""
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from nodes(value)
    elif isinstance(node, list):
        for value in node:
            yield from nodes(value)


def json_roundtrip(data: Any) -> Any:
    """The data as the platform receives it (fails on anything JSON cannot carry)."""
    return json.loads(json.dumps(data, allow_nan=False))


def invisible_left(text: str, *, allowed: re.Pattern[str] | None = None) -> list[str]:
    """Invisible or control characters left in `text` (those `allowed` removed first)."""
    if allowed is not None:
        text = allowed.sub("", text)
    found = INVISIBLE.findall(text) + CONTROL.findall(text)
    return [f"U+{ord(c):04X}" for c in found]
