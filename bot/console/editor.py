"""The console's line editor (prompt_toolkit): history kept in var/, arrow keys, and
completion of commands, sub-commands, flags, flag values and watch terms.

What completes is read from the same place help reads it: each command's usage line
(`watch list | add TERM [--as brand|product|…] | remove TERM`). Lower-case words are
sub-commands or values, `--flags` are flags and `--flag a|b|c` gives the flag's values.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from prompt_toolkit import PromptSession
from prompt_toolkit.completion import CompleteEvent, Completer, Completion
from prompt_toolkit.document import Document
from prompt_toolkit.formatted_text import AnyFormattedText
from prompt_toolkit.history import FileHistory, History, InMemoryHistory
from prompt_toolkit.key_binding import KeyBindings, KeyPressEvent

from handlers.registry import Registry

_FLAG = re.compile(r"--([a-z][a-z0-9_-]*)(?:[ =]([A-Za-z0-9_|:-]+))?")
_WORD = re.compile(r"(?<![-\w])([a-z][a-z0-9_-]*|\d+[hd])(?![\w])")


@dataclass
class CommandWords:
    """What may follow one command: sub-commands and values, flags and their values."""

    words: list[str] = field(default_factory=list)
    flags: dict[str, list[str]] = field(default_factory=dict)


def words_of(usage: str, name: str) -> CommandWords:
    """Sub-commands, flags and flag values from a usage line."""
    out = CommandWords()
    for match in _FLAG.finditer(usage):
        values = match.group(2) or ""
        choices = [v for v in values.split("|") if v and v.islower() and "|" in values]
        flag = "--" + match.group(1)
        out.flags[flag] = out.flags.get(flag) or choices
    rest = _FLAG.sub(" ", usage)
    for match in _WORD.finditer(rest):
        word = match.group(1)
        if word != name and word not in out.words:
            out.words.append(word)
    return out


class CommandCompleter(Completer):
    """Completes the first word from the registry's commands, later words from the
    command's usage line, and `watch remove` from the current watch terms."""

    def __init__(self, registry: Registry, watch_terms: Callable[[], Iterable[str]]) -> None:
        self.registry = registry
        self.watch_terms = watch_terms
        self.commands = {
            spec.name: words_of(spec.usage, spec.name) for spec in registry.commands.values()
        }

    def get_completions(
        self, document: Document, complete_event: CompleteEvent
    ) -> Iterator[Completion]:
        text = document.text_before_cursor
        for prefix in ("/horch ", "horch ", "@horchposten "):
            if text.lower().startswith(prefix):
                text = text[len(prefix) :]
                break
        words = text.split()
        current = "" if not words or text[-1:].isspace() else words[-1]
        before = words[:-1] if current else words
        if text.startswith("!"):
            return
        if not before:
            yield from _matching(current, self.registry.names())
            return
        spec = self.registry.find(before[0])
        if spec is None:
            return
        known = self.commands[spec.name]
        if before[-1] in known.flags and not current.startswith("-"):
            yield from _matching(current, known.flags[before[-1]])
            return
        if current.startswith("-"):
            yield from _matching(current, known.flags)
            return
        if spec.name == "watch" and len(before) >= 2 and before[1].lower() in ("remove", "rm"):
            yield from _matching(" ".join([*before[2:], current]).strip(), self.watch_terms())
            return
        if len(before) == 1:
            names = [s.name for s in self.registry.visible()] if spec.name == "help" else []
            yield from _matching(current, known.words or names)


def _matching(current: str, options: Iterable[str]) -> Iterator[Completion]:
    low = current.lower()
    for option in options:
        if option.lower().startswith(low) and option != current:
            yield Completion(option, start_position=-len(current))


def history_at(path: Path | None) -> History:
    """The line history in a file (its folder made if missing), or in memory."""
    if path is None:
        return InMemoryHistory()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch(exist_ok=True)
    except OSError:
        return InMemoryHistory()
    return FileHistory(str(path))


class LineCancelled(Exception):
    """Ctrl-C at the prompt: the line is dropped (an Exception, unlike KeyboardInterrupt,
    so it never escapes the event loop's task machinery)."""


def _keys() -> KeyBindings:
    keys = KeyBindings()

    @keys.add("c-c")
    def _cancel(event: KeyPressEvent) -> None:
        event.app.exit(exception=LineCancelled(), style="class:aborting")

    return keys


def prompt_session(
    registry: Registry,
    *,
    history: Path | None,
    watch_terms: Callable[[], Iterable[str]],
    toolbar: Callable[[], AnyFormattedText] | None = None,
) -> PromptSession[str]:
    """A prompt with history, completion (Tab, and while typing) and an optional toolbar."""
    return PromptSession(
        history=history_at(history),
        completer=CommandCompleter(registry, watch_terms),
        complete_while_typing=False,
        bottom_toolbar=toolbar,
        # Redraw now and then, so the toolbar's progress moves while the person types.
        refresh_interval=0.5 if toolbar is not None else 0,
        enable_history_search=True,
        key_bindings=_keys(),
    )
