"""Outside text on a card renders literally: no links, pings, emphasis, lists or functions."""

from __future__ import annotations

import re

import pytest

from bot.teams.markdown import escape, plain, strip_controls

HOSTILE = [
    "[click me](https://evil.example/login)",
    "![pixel](https://evil.example/p.png)",
    "<at>everyone</at> <at>General</at>",
    "&lt;at&gt;General&lt;/at&gt;",
    "**bold** __bold__ *it* _it_ ~~gone~~",
    "`code` ```block```",
    "# Heading\n## Sub",
    "- bullet\n+ plus\n* star\n  - indented",
    "1. one\n2) two\n10. ten",
    "> quote\n>> nested",
    "Title\n===\nUnder\n---",
    "{{DATE(2017-02-14T06:08:39Z, SHORT)}} {{TIME(2017-02-14T06:08:39Z)}}",
    "back\\slash \\[not escaped\\](https://evil.example)",
    "| a | b |\n|---|---|",
    "<script>alert(1)</script> <b>x</b>",
    "https://plain.example/visible?x=1&y=(2)",
]
MARKUP = set("*_[]()`<>&#~|!")


def unescape(text: str) -> str:
    """What a CommonMark renderer shows for the escaped text."""
    return re.sub(r"\\(.)", r"\1", text.replace("{\u200c{", "{{"))


def unescaped_markup(text: str) -> list[str]:
    found, i = [], 0
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        if text[i] in MARKUP:
            found.append(text[i])
        i += 1
    return found


@pytest.mark.parametrize("text", HOSTILE)
def test_every_markup_character_is_escaped_and_the_text_survives(text: str) -> None:
    out = escape(text)
    assert unescaped_markup(out) == []
    assert unescape(out) == text


@pytest.mark.parametrize("text", HOSTILE)
def test_no_line_starts_a_list_heading_or_quote(text: str) -> None:
    for line in escape(text).split("\n"):
        stripped = line.lstrip()
        assert not re.match(r"^([-+*=>#]|\d+[.)])", stripped), line


def test_card_functions_are_broken_up() -> None:
    assert "{{" not in escape("{{DATE(2017-02-14T06:08:39Z, SHORT)}}")


def test_controls_and_invisible_characters_are_removed() -> None:
    sneaky = "pay\u202eyad\u200b now\x1b[31m\x00\r\nnext"
    assert strip_controls(sneaky) == "payyad now[31m\nnext"
    assert plain(sneaky) == strip_controls(sneaky)
    assert "\u202e" not in escape(sneaky) and "\x1b" not in escape(sneaky)


def test_plain_fields_keep_their_text() -> None:
    assert plain("[click](x) **b**") == "[click](x) **b**"
