"""The console adapter: line parsing, button clicks with forms, and safe rendering."""

from __future__ import annotations

import datetime as dt

from bot.console.chat import parse_line
from bot.console.render import to_text
from core.reply import Action, Fact, Item, Reply


def test_prefixes_are_optional() -> None:
    for line in (
        "/horch mentions a b",
        "horch mentions a b",
        "@Horchposten mentions a b",
        "mentions a b",
    ):
        req = parse_line(line, "en")
        assert (req.command, req.args) == ("mentions", ["a", "b"])
    assert parse_line("", None).command == "help"
    assert parse_line("/horch", None).command == "help"


def test_button_clicks_and_forms() -> None:
    click = parse_line("!draft.approve 12")
    assert (click.action_id, click.action_value, click.form) == ("draft.approve", "12", {})
    form = parse_line('!draft.save 12 text="Hallo du, danke!" note=ok')
    assert form.action_value == "12" and form.form == {"text": "Hallo du, danke!", "note": "ok"}
    raw_json = parse_line('!mentions.page {"page": "2", "q": "a=b"}')
    assert raw_json.action_value == '{"page": "2", "q": "a=b"}' and raw_json.form == {}


def test_hostile_text_is_shown_literally_without_terminal_escapes() -> None:
    hostile = "[bold red]x[/] \x1b[2J\x1b]0;pwned\x07 <!channel> @here"
    reply = Reply(
        title=hostile,
        sections=[hostile],
        facts=[Fact(hostile, hostile)],
        items=[
            Item(
                title=hostile,
                text=hostile,
                author=hostile,
                url="https://x.example/a",
                time=dt.datetime(2026, 11, 20, 9, 0),
                sentiment="negative",
            )
        ],
        actions=[Action("a.b", hostile, "1")],
    )
    out = to_text(reply, locale="de", zone="Europe/Berlin")
    assert "\x1b" not in out and "\x07" not in out
    assert "[bold red]x[/]" in out  # markup stays literal text
    assert "20.11.2026 10:00" in out  # the team's time zone


def test_a_card_without_sender_or_time_starts_with_its_title() -> None:
    """Trend and backlog cards once opened with an empty line where a mention's sentiment,
    time and author go."""
    reply = Reply(items=[Item(title="#latteart: rising fast", text="13 in the last hour")])
    lines = [ln.strip("│╭╮╰╯─ ") for ln in to_text(reply, locale="en", zone="UTC").splitlines()]
    # The reply's frame, the card's frame, then the title: no blank line before it.
    assert lines[2] == "#latteart: rising fast", lines
    mention = Reply(items=[Item(title="t", text="x", sentiment="negative", author="Ana")])
    card = to_text(mention, locale="en", zone="UTC")
    assert "▼ negative" in card.splitlines()[2]
