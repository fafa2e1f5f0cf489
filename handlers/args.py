"""Parsing the arguments of a chat command: positional words and `--flag value` options."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from core.text import UNSTORABLE


class UsageError(Exception):
    """Bad arguments: `key` names a localized message, `values` fill it in."""

    def __init__(self, key: str, **values: str) -> None:
        super().__init__(key)
        self.key = key
        self.values = values


def json_button_value(raw: str | None) -> dict[str, str]:
    """A button's JSON object value as strings; anything else is a forged value."""
    try:
        value = json.loads(raw or "{}")
    except ValueError as exc:
        raise UsageError("errors.bad_action_value") from exc
    if not isinstance(value, dict):
        raise UsageError("errors.bad_action_value")
    options = {str(k): str(v) for k, v in value.items()}
    # JSON can spell NUL or a lone surrogate as an escape ("\\u0000"), which survives the
    # raw-text cleaning in dispatch and which no database stores: a forged value.
    if any(UNSTORABLE.search(k) or UNSTORABLE.search(v) for k, v in options.items()):
        raise UsageError("errors.bad_action_value")
    return options


# Slack and Teams clients turn quotes into typographic ones; accept both.
_TYPOGRAPHIC = str.maketrans({"“": '"', "”": '"', "„": '"', "‘": "'", "’": "'"})


def split_text(text: str) -> list[str]:
    """Split a command line into words; quoting forgives (see `read_words`)."""
    return read_words(text)[0]


def read_words(text: str) -> tuple[list[str], bool]:
    """Split a command line into words, and say whether it had to guess.

    Words are separated by white space. A quote groups words only where it is balanced: it
    opens at the start of a word and closes at the end of one (`"Lumora Brew"`,
    `'new machine'`). An apostrophe anywhere else is text: inside a word (`Lumora's`,
    `geht's`) or at its end (`Tobias' post`). A backslash keeps the next quote or space
    literal. A double quote that nothing closes is dropped and the answer says how the line
    was read (the second value is True), rather than refusing the command.
    """
    text = text.translate(_TYPOGRAPHIC)
    words: list[str] = []
    guessed = False
    current: list[str] = []
    in_word = False
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch.isspace():
            if in_word:
                words.append("".join(current))
                current, in_word = [], False
            i += 1
            continue
        if ch == "\\" and i + 1 < n and (text[i + 1] in "\"' \\" or text[i + 1].isspace()):
            current.append(text[i + 1])
            in_word = True
            i += 2
            continue
        # A quote groups when it is closed: a double quote anywhere, an apostrophe only at
        # the start of a word (inside or at the end of one it is text: Lumora's, Tobias').
        if ch == '"' or (ch == "'" and not in_word):
            end = _closing(text, i + 1, ch)
            if end is not None:
                current.append(text[i + 1 : end])
                in_word = True
                i = end + 1
                continue
            if ch == '"':
                # A double quote that closes nothing: the writer meant a group that we
                # cannot see; drop it and say so.
                guessed = True
                i += 1
                continue
        current.append(ch)
        in_word = True
        i += 1
    if in_word:
        words.append("".join(current))
    return words, guessed


def _closing(text: str, start: int, quote: str) -> int | None:
    """Where the quote opened before `start` closes: the next same quote that ends a word
    (followed by a space or the end), or None."""
    i = text.find(quote, start)
    while i != -1:
        if i + 1 == len(text) or text[i + 1].isspace():
            return i
        i = text.find(quote, i + 1)
    return None


def is_id(text: str) -> bool:
    """ASCII digits that fit a 32-bit id column ("²" and "١٢٣" are digits to str.isdigit,
    and a 20-digit number overflows both databases)."""
    return text.isascii() and text.isdigit() and len(text) <= 9


@dataclass
class Parsed:
    positional: list[str] = field(default_factory=list)
    options: dict[str, str] = field(default_factory=dict)

    def text(self) -> str:
        return " ".join(self.positional)


def parse(
    args: Iterable[str],
    *,
    options: Iterable[str] = (),
    choices: Mapping[str, Iterable[str]] | None = None,
    max_positional: int | None = None,
) -> Parsed:
    """Split args into positional words and known `--options` (each taking one value)."""
    known = set(options)
    choices = {k: [c.lower() for c in v] for k, v in (choices or {}).items()}
    out = Parsed()
    items = list(args)
    i = 0
    while i < len(items):
        word = items[i]
        if word.startswith("--") and len(word) > 2:
            name, _, value = word[2:].partition("=")
            name = name.lower()
            if name not in known:
                raise UsageError("usage.unknown_option", option=f"--{name}")
            if not value:
                if i + 1 >= len(items):
                    raise UsageError("usage.missing_value", option=f"--{name}")
                i += 1
                value = items[i]
            if name in choices and value.lower() not in choices[name]:
                raise UsageError(
                    "usage.bad_choice",
                    option=f"--{name}",
                    value=value,
                    choices="|".join(choices[name]),
                )
            out.options[name] = value.lower() if name in choices else value
        else:
            out.positional.append(word)
        i += 1
    if max_positional is not None and len(out.positional) > max_positional:
        raise UsageError("usage.too_many", extra=" ".join(out.positional[max_positional:]))
    return out
