"""The console adapter: line parsing, button clicks with forms, and safe rendering."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from prompt_toolkit.completion import CompleteEvent
from prompt_toolkit.document import Document

from bot.console.buttons import ButtonBook, button_number
from bot.console.chat import parse_line
from bot.console.editor import CommandCompleter, history_at
from bot.console.render import to_text
from core.reply import Action, Fact, Input, Item, Reply
from handlers import register_all


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


def test_buttons_are_numbered_and_keep_their_whole_value() -> None:
    long_value = '{"q": "' + "x" * 300 + '", "page": "2"}'
    reply = Reply(
        items=[Item(title="a", actions=(Action("draft.create", "Draft reply", "19835"),))],
        actions=[
            Action("mentions.page", "More", long_value),
            Action("x.open", "Open", url="https://lumora.example/help"),
        ],
        inputs=[Input("text", "Reply text", "Hallo")],
    )
    book = ButtonBook()
    numbers = book.number(reply)
    out = to_text(reply, locale="en", zone="UTC", numbers=numbers).replace("\u00a0", " ")
    assert "[1] Draft reply" in out and "[2] More" in out and "[3] Open" in out
    assert "draft.create" not in out and "xxxx" not in out
    more = book.get(2)
    assert more is not None and more.action.value == long_value  # not cut at 40
    assert more.fields == (Input("text", "Reply text", "Hallo"),)  # the form's first button
    assert book.get(1) is not None and book.get(1).fields == ()  # type: ignore[union-attr]
    # Numbers run on across replies.
    assert book.number(Reply(actions=[Action("a.b", "Again", "1")])) != {}
    assert book.get(4) is not None and book.get(4).action.label == "Again"  # type: ignore[union-attr]
    assert [button_number(s) for s in ("3", "!3", " ! 12 ", "draft 3", "!draft.approve 1:1")] == [
        3,
        3,
        12,
        None,
        None,
    ]


def test_scripts_see_how_to_click_by_hand() -> None:
    long_value = "v" * 120
    out = to_text(
        Reply(actions=[Action("mentions.page", "More", long_value)]),
        locale="en",
        zone="UTC",
        width=300,
    )
    assert f"[More] !mentions.page {long_value}" in out  # the whole value, clickable


def test_a_book_forgets_the_oldest_buttons() -> None:
    book = ButtonBook(keep=3)
    for i in range(5):
        book.number(Reply(actions=[Action("a.b", f"b{i}", str(i))]))
    assert book.get(1) is None and book.get(2) is None and book.get(5) is not None


def _complete(completer: CommandCompleter, text: str) -> list[str]:
    return [c.text for c in completer.get_completions(Document(text), CompleteEvent())]


def test_completion_of_commands_subcommands_flags_values_and_watch_terms() -> None:
    completer = CommandCompleter(register_all(), lambda: ["Lumora", "Lumora Brew", "Kaffeeko"])
    assert "mentions" in _complete(completer, "men")
    assert _complete(completer, "watch re") == ["remove"]
    assert set(_complete(completer, "backlog ")) >= {"list", "suggest", "add", "show", "drop"}
    assert "--sentiment" in _complete(completer, "mentions x --sen")
    assert sorted(_complete(completer, "mentions x --sentiment ne")) == [
        "negativ",
        "negative",
        "neutral",
    ]
    assert _complete(completer, "watch add x --as comp") == ["competitor"]
    assert _complete(completer, "watch remove Lum") == ["Lumora", "Lumora Brew"]
    assert "mentions" in _complete(completer, "help men")
    assert _complete(completer, "/horch spri") == ["sprint"]


def test_history_is_kept_in_a_file_whose_folder_is_made(tmp_path: Path) -> None:
    path = tmp_path / "var" / "console_history"
    history = history_at(path)
    history.append_string("mentions Lumora's")
    assert "mentions Lumora's" in path.read_text(encoding="utf-8")
    assert list(history_at(path).load_history_strings()) == ["mentions Lumora's"]


def test_the_banner_says_where_the_bot_listens_and_how_slack_and_teams_reach_it() -> None:
    from bot.console.session import Listening, banner_lines
    from core.i18n import Translator

    where = Listening(
        address="0.0.0.0:3978 (http://127.0.0.1:3978)",
        url="http://127.0.0.1:3978",
        slack="Socket Mode",
        teams=True,
    )
    lines = banner_lines(Translator("en"), where)
    assert lines[0].startswith("Listening on 0.0.0.0:3978 (http://127.0.0.1:3978)")
    assert lines[1] == "Slack: connected (Socket Mode)."
    assert lines[2] == "Teams: messages to POST http://127.0.0.1:3978/api/messages."
    german = banner_lines(Translator("de"), Listening(address="127.0.0.1:3978"))
    assert "127.0.0.1:3978" in german[0] and len(german) == 4  # Slack and Teams: not configured
    assert banner_lines(Translator("en"), None)[0].startswith("Console only")
