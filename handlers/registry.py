"""Tagging handlers, and the registry that one explicit `register_all()` fills.

`@command` and `@action` only put a tag on the function; nothing is registered at import
time. `register_all()` (in handlers/__init__.py) imports the handler modules and collects
the tagged functions into a Registry, so the wiring is in one place and tests can build
their own registry.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from core.reply import Reply, Request

Handler = Callable[[Request, Any], Awaitable[Reply]]
_COMMAND_TAG = "__horch_command__"
_ACTION_TAG = "__horch_action__"


@dataclass(frozen=True)
class CommandSpec:
    name: str
    handler: Handler
    aliases: tuple[str, ...]
    summary: dict[str, str]
    usage: str
    order: int
    hidden: bool


def command(
    name: str, *, aliases: Iterable[str] = (), order: int = 100, hidden: bool = False
) -> Callable[[Handler], Handler]:
    """Tag a coroutine `(request, ctx) -> Reply` as the handler of a chat command."""

    def tag(fn: Handler) -> Handler:
        setattr(fn, _COMMAND_TAG, (name, tuple(aliases), order, hidden))
        return fn

    return tag


def action(prefix: str) -> Callable[[Handler], Handler]:
    """Tag a coroutine as the handler of buttons whose action id starts with `prefix`."""

    def tag(fn: Handler) -> Handler:
        setattr(fn, _ACTION_TAG, prefix)
        return fn

    return tag


_LANG_LINE = re.compile(r"^(de|en):\s*(.+)$")


def parse_docstring(doc: str | None) -> tuple[dict[str, str], str]:
    """A handler docstring → ({locale: summary}, usage).

    The first line is the English summary; a line `de: …` the German one; a line
    `Usage: …` the syntax (the same in both languages: commands are not translated).
    """
    summary: dict[str, str] = {}
    usage = ""
    lines = inspect.cleandoc(doc or "").splitlines()
    if lines:
        summary["en"] = lines[0].strip()
    for line in lines[1:]:
        line = line.strip()
        if match := _LANG_LINE.match(line):
            summary[match.group(1)] = match.group(2).strip()
        elif line.lower().startswith("usage:"):
            usage = line.split(":", 1)[1].strip()
    return summary, usage


class Registry:
    """Commands by name and alias, and actions by id prefix."""

    def __init__(self) -> None:
        self.commands: dict[str, CommandSpec] = {}
        self._names: dict[str, str] = {}
        self.actions: dict[str, Handler] = {}

    def add_module(self, module: ModuleType) -> None:
        for _, fn in inspect.getmembers(module, inspect.iscoroutinefunction):
            if tag := getattr(fn, _COMMAND_TAG, None):
                self.add_command(fn, *tag)
            if prefix := getattr(fn, _ACTION_TAG, None):
                if prefix in self.actions and self.actions[prefix] is not fn:
                    raise ValueError(f"action prefix {prefix!r} registered twice")
                self.actions[prefix] = fn

    def add_command(
        self, fn: Handler, name: str, aliases: tuple[str, ...], order: int, hidden: bool
    ) -> None:
        summary, usage = parse_docstring(fn.__doc__)
        spec = CommandSpec(name, fn, aliases, summary, usage or name, order, hidden)
        for key in (name, *aliases):
            if key in self._names and self._names[key] != name:
                raise ValueError(f"command name {key!r} registered twice")
            self._names[key] = name
        self.commands[name] = spec

    def find(self, name: str) -> CommandSpec | None:
        canonical = self._names.get(name.lower())
        return self.commands.get(canonical) if canonical else None

    def find_action(self, action_id: str) -> Handler | None:
        """The handler whose prefix is the longest match of the action id."""
        best = self.action_prefix(action_id)
        return self.actions[best] if best is not None else None

    def action_prefix(self, action_id: str) -> str | None:
        """The registered prefix that is the longest match of the action id."""
        return max((p for p in self.actions if action_id.startswith(p)), key=len, default=None)

    def names(self) -> list[str]:
        return sorted(self._names)

    def visible(self) -> list[CommandSpec]:
        return sorted(
            (c for c in self.commands.values() if not c.hidden), key=lambda c: (c.order, c.name)
        )
