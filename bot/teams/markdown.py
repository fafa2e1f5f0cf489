"""Escaping outside text for the markdown subset of Adaptive Card TextBlocks (and FactSets).

Teams renders `**bold**`, `_italic_`, `[text](url)` links, `- ` and `1. ` lists, headings,
quotes and code in a TextBlock. Text from outside (a mention, an author, a model's draft)
must show exactly as written: so every character that can open markup is backslash-escaped
(CommonMark escapes, which the card renderers honour), a link can never form, and `<at>`
cannot become a mention. Control and bidi characters are removed first, so nothing invisible
can reorder or hide what the reader sees.
"""

from __future__ import annotations

import re

# C0/C1 controls except tab and newline, and the invisible bidi/zero-width controls.
_CONTROL = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]"
)
# Characters that open markup anywhere in a line (the backslash first, so that an escape
# written by someone else cannot combine with ours).
_INLINE = re.compile(r"([\\*_\[\]()`<>&#~|!])")
# At the start of a line: list bullets, setext heading underlines and numbered lists.
_LIST_BULLET = re.compile(r"^(\s*)([-+=])", re.MULTILINE)
_NUMBERED = re.compile(r"^(\s*\d+)([.)])", re.MULTILINE)
# Adaptive Cards format `{{DATE(...)}}` and `{{TIME(...)}}` inside TextBlocks.
_CARD_FUNCTION = re.compile(r"\{\{")


def strip_controls(text: str) -> str:
    """Remove control and invisible formatting characters; keep newlines and tabs."""
    return _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def escape(text: str) -> str:
    """Outside text as card markdown that renders literally."""
    text = strip_controls(text)
    text = _INLINE.sub(r"\\\1", text)
    text = _LIST_BULLET.sub(r"\1\\\2", text)
    text = _NUMBERED.sub(r"\1\\\2", text)
    return _CARD_FUNCTION.sub("{\u200c{", text)


def plain(text: str) -> str:
    """Outside text for a field the card shows without markdown (button titles, inputs)."""
    return strip_controls(text)
