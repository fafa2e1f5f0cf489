"""The neutral request and reply that every platform adapter translates to and from.

Handlers return a `Reply`; Slack renders it as Block Kit, Teams as an Adaptive Card and the
console as terminal text. All text in a Reply is *plain text*: renderers escape every field,
so text from outside (mentions, authors, model output) can never become markup, a ping or a
link. Structure comes from the fields (title, facts, items, actions), never from markup.

It lives in `core` (not `handlers`) because the `Notifier` port, which core defines, carries
Replies; `handlers.reply` re-exports it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

Platform = Literal["slack", "teams", "console", "system"]
Sentiment = Literal["negative", "neutral", "positive"]


@dataclass(frozen=True)
class Actor:
    """Who asked: a platform user id (Slack user id, Teams AAD object id, `console`)."""

    id: str
    name: str = ""
    platform: Platform = "console"
    groups: tuple[str, ...] = ()


SYSTEM = Actor(id="system", name="Horchposten", platform="system")


@dataclass(frozen=True)
class Conversation:
    """Where a request came from and where its reply goes (channel, and thread if any)."""

    platform: Platform
    id: str
    thread_id: str | None = None
    tenant_id: str | None = None


@dataclass
class Request:
    """A command from a person or a trigger, independent of the platform."""

    command: str
    args: list[str]
    actor: Actor
    conversation: Conversation
    locale: str | None = None
    text: str = ""
    # For button clicks: the action id and its value, and the message being acted on.
    action_id: str | None = None
    action_value: str | None = None
    message_ref: str | None = None
    form: dict[str, str] = field(default_factory=dict)
    # The words as read, when the line's quoting was ambiguous (an unclosed quotation
    # mark): the answer then says how it read them instead of refusing.
    read_as: tuple[str, ...] = ()


@dataclass(frozen=True)
class Fact:
    label: str
    value: str


@dataclass(frozen=True)
class Action:
    """A button: `id` says which handler answers it, `value` what it acts on."""

    id: str
    label: str
    value: str = ""
    style: Literal["default", "primary", "danger"] = "default"
    url: str | None = None


@dataclass(frozen=True)
class Item:
    """One entry in a list: a mention, a trend, a backlog item, a draft…"""

    title: str
    text: str = ""
    url: str | None = None
    author: str | None = None
    source: str | None = None
    time: dt.datetime | None = None
    sentiment: Sentiment | None = None
    facts: tuple[Fact, ...] = ()
    actions: tuple[Action, ...] = ()


@dataclass(frozen=True)
class Image:
    """A picture (a chart): PNG bytes, with a text alternative and a console sparkline."""

    png: bytes
    alt: str
    title: str = ""
    text_fallback: str = ""


@dataclass(frozen=True)
class File:
    """A file handed over with the reply (a report PDF, an export): Slack uploads it, Teams
    links to it (a signed, expiring download link), the console names where it lies.

    `path` is where it was written on this host (large files: exports stream to disk), or
    `data` holds it in memory (small ones); `name` is the file name people see.
    """

    name: str
    mime: str
    path: Path | None = None
    data: bytes | None = None
    title: str = ""

    def content(self) -> bytes:
        """The file's bytes (read from `path` when it is on disk)."""
        if self.data is not None:
            return self.data
        if self.path is None:
            raise ValueError(f"file {self.name!r} has neither data nor a path")
        return self.path.read_bytes()

    @property
    def size(self) -> int:
        if self.data is not None:
            return len(self.data)
        return self.path.stat().st_size if self.path is not None else 0


@dataclass(frozen=True)
class Input:
    """A text field on the reply (Teams card input, Slack modal field)."""

    id: str
    label: str
    value: str = ""
    multiline: bool = True
    max_length: int | None = None


@dataclass
class Reply:
    """What a handler answers; every adapter renders it natively."""

    title: str = ""
    sections: list[str] = field(default_factory=list)
    facts: list[Fact] = field(default_factory=list)
    items: list[Item] = field(default_factory=list)
    images: list[Image] = field(default_factory=list)
    files: list[File] = field(default_factory=list)
    actions: list[Action] = field(default_factory=list)
    inputs: list[Input] = field(default_factory=list)
    footnotes: list[str] = field(default_factory=list)
    # Only the asker sees it (Slack ephemeral; Teams and console show it to the asker).
    ephemeral: bool = False
    # Replace the message the action came from instead of posting a new one.
    replace: bool = False
    # Post into the thread of the request's conversation.
    in_thread: bool = False
    # Marks an error/usage reply, so adapters may style it.
    error: bool = False

    def plain_text(self) -> str:
        """All visible text of the reply, one line per element (logs, notifications, tests)."""
        parts = [self.title, *self.sections]
        parts += [f"{f.label}: {f.value}" for f in self.facts]
        for item in self.items:
            parts.append(" ".join(p for p in (item.title, item.text) if p))
        parts += [a.label for a in self.actions]
        parts += [f.title or f.name for f in self.files]
        parts += self.footnotes
        return "\n".join(p for p in parts if p)
