"""Reply → terminal text with rich.

Text from outside goes in as rich `Text` objects, never as markup, so `[bold]` or
`[link=…]` in a mention stays literal; terminal control sequences are removed first so a
mention cannot move the cursor or retitle the window.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from rich.console import Console, Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from bot.files_disk import shown_path
from core.format import SENTIMENT_MARK, format_time
from core.i18n import Translator
from core.reply import Action, Item, Reply
from core.url_policy import safe_url

# Whole escape sequences first (CSI, and OSC such as a window title), so that no remnant
# like "[31m" is left; then single controls, zero-width and bidi characters (which hide or
# reorder text: core.text drops them from mentions at ingest, this from every field).
_CONTROL = re.compile(
    r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"
    r"|[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]"
)
_NBSP = "\u00a0"
_SENT_STYLE = {"negative": "red", "neutral": "yellow", "positive": "green"}


def safe(value: str) -> str:
    """Drop terminal control characters and escape sequences from outside text."""
    return _CONTROL.sub("", value)


def render(
    reply: Reply, *, locale: str, zone: str, numbers: dict[int, int] | None = None
) -> RenderableType:
    """A rich renderable for the whole reply.

    `numbers` ({id(action): number}, from bot.console.buttons) shows each button by its
    number, which the person types to click it (`[3] Freigeben`); without it (scripts, logs)
    a button shows how to click it by hand, `!ACTION_ID VALUE`, with its whole value."""
    t = Translator(locale)
    parts: list[RenderableType] = []
    for section in reply.sections:
        parts.append(Text(safe(section)))
    if reply.facts:
        table = Table.grid(padding=(0, 2))
        table.add_column(style="bold")
        table.add_column()
        for fact in reply.facts:
            table.add_row(Text(safe(fact.label)), Text(safe(fact.value)))
        parts.append(table)
    for item in reply.items:
        parts.append(_item(item, t, locale, zone, numbers))
    for image in reply.images:
        fallback = image.text_fallback or image.alt
        parts.append(Text(safe(f"{image.title}\n{fallback}" if image.title else fallback)))
    for file in reply.files:
        where = shown_path(file.path) if file.path is not None else file.name
        parts.append(Text(safe(t("render.file", path=where, size=_size(t, file.size)))))
    for field in reply.inputs:
        parts.append(Text(safe(f"[{field.label}] {field.value}"), style="italic"))
    if reply.actions:
        parts.append(_buttons(reply.actions, numbers))
    for note in reply.footnotes:
        parts.append(Text(safe(note), style="dim"))
    title = Text(safe(reply.title), style="bold") if reply.title else None
    style = "red" if reply.error else "cyan"
    return Panel(Group(*parts), title=title, title_align="left", border_style=style)


def _buttons(actions: Iterable[Action], numbers: dict[int, int] | None) -> Text:
    """One line of buttons: `[3] Freigeben`, or `[Freigeben] !draft.approve 1:1` unnumbered."""
    line = Text()
    for action in actions:
        number = numbers.get(id(action)) if numbers is not None else None
        if number is not None:
            # No-break spaces keep a button on one line when the row wraps.
            line.append(f"[{number}]", style="bold reverse")
            line.append(_NBSP + safe(action.label).replace(" ", _NBSP), style="bold")
        else:
            line.append(f"[{safe(action.label)}]", style="reverse")
            if not action.url:
                line.append(f" !{action.id} {safe(action.value)}".rstrip(), style="dim")
        if action.url:
            line.append(f" {safe(action.url)}", style="underline blue")
        line.append("   ")
    line.rstrip()
    return line


def _item(
    item: Item, t: Translator, locale: str, zone: str, numbers: dict[int, int] | None
) -> RenderableType:
    head = Text()
    if item.sentiment:
        head.append(
            f"{SENTIMENT_MARK[item.sentiment]} {t('sentiment.' + item.sentiment)}  ",
            style=_SENT_STYLE[item.sentiment],
        )
    if item.time:
        head.append(format_time(item.time, locale, zone) + "  ", style="dim")
    if item.author:
        head.append(safe(t("render.by", author=item.author)) + "  ", style="bold")
    if item.source:
        head.append(safe(t("render.via", source=item.source)), style="dim")
    # A card without sentiment, time, author or source (a trend, a backlog item) starts
    # with its title, not with an empty line.
    lines: list[RenderableType] = [head] if head.plain else []
    if item.title:
        lines.append(Text(safe(item.title), style="bold"))
    if item.text:
        lines.append(Text(safe(item.text)))
    for fact in item.facts:
        lines.append(Text(f"{safe(fact.label)}: {safe(fact.value)}", style="dim"))
    if url := safe_url(item.url):
        lines.append(Text(url, style="underline blue"))
    if item.actions:
        lines.append(_buttons(item.actions, numbers))
    return Panel(Group(*lines), border_style="dim")


def to_text(
    reply: Reply,
    *,
    locale: str,
    zone: str,
    width: int = 100,
    numbers: dict[int, int] | None = None,
) -> str:
    """The reply as plain terminal text (no colour), for `chat --once` in scripts and tests."""
    console = Console(width=width, record=True, color_system=None, force_terminal=False)
    with console.capture() as capture:
        console.print(render(reply, locale=locale, zone=zone, numbers=numbers))
    return capture.get()


def _size(t: Translator, size: int) -> str:
    if size >= 1024 * 1024:
        return t("render.megabytes", n=t.number(size / (1024 * 1024), 1))
    return t("render.kilobytes", n=t.number(max(1, round(size / 1024))))
