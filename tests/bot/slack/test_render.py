"""Reply → Block Kit: every field escaped, Slack's limits kept, long replies split."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from bot.slack.render import render
from core.reply import Action, Fact, Image, Input, Item, Reply
from tests.bot.slack.sample_handlers import HOSTILE, PNG


def shown(blocks: list[dict[str, Any]]) -> str:
    return json.dumps(blocks, ensure_ascii=False)


def mrkdwn_objects(node: Any) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    if isinstance(node, dict):
        if node.get("type") == "mrkdwn":
            out.append(node)
        for value in node.values():
            out += mrkdwn_objects(value)
    elif isinstance(node, list):
        for value in node:
            out += mrkdwn_objects(value)
    return out


def hostile_reply() -> Reply:
    return Reply(
        title=HOSTILE,
        sections=[HOSTILE],
        facts=[Fact(HOSTILE, HOSTILE)],
        items=[
            Item(
                title=HOSTILE,
                text=HOSTILE,
                url="https://evil.example/login",
                author=HOSTILE,
                source=HOSTILE,
                time=dt.datetime(2026, 11, 26, 9, 42),
                sentiment="negative",
                facts=(Fact(HOSTILE, HOSTILE),),
                actions=(Action("draft.create", HOSTILE, "1"), Action("x.y", HOSTILE, "2")),
            )
        ],
        actions=[Action("a.b", HOSTILE, "v", "danger")],
        footnotes=[HOSTILE],
    )


def test_every_field_is_escaped() -> None:
    message = render(hostile_reply(), locale="en", zone="Europe/Berlin").messages[0]
    text = shown(message.blocks) + message.text
    for bad in ("<!", "<@", "<#", "<https://evil.example|https://bank", "@here", "@channel"):
        assert bad not in text
    # The item's own link is there, pointing where it says, with its host beside it.
    assert "<https://evil.example/login|" in text
    assert "🔗 evil.example" in text
    assert all(obj["verbatim"] is True for obj in mrkdwn_objects(message.blocks))


def test_item_shows_time_in_the_team_zone_and_sentiment() -> None:
    item = Item(title="t", time=dt.datetime(2026, 11, 26, 9, 42), sentiment="positive")
    de = shown(render(Reply(items=[item]), locale="de", zone="Europe/Berlin").messages[0].blocks)
    en = shown(render(Reply(items=[item]), locale="en", zone="America/New_York").messages[0].blocks)
    assert "26.11.2026 10:42" in de and "positiv" in de
    assert "2026-11-26 04:42" in en and "positive" in en


def test_button_limits_and_unique_ids() -> None:
    reply = Reply(
        actions=[
            Action("backlog.state", "x" * 200, "todo"),
            Action("backlog.state", "y", "done"),
            Action("big", "too big", "v" * 2001),
            Action("web", "Open", url="https://example.com/a"),
            Action("bad", "Open", url="javascript:alert(1)"),
        ]
    )
    block = render(reply, locale="en", zone="UTC").messages[0].blocks[-1]
    buttons = block["elements"]
    ids = [b["action_id"] for b in buttons]
    assert ids == ["backlog.state", "backlog.state#1", "_slack.link.3"]
    assert len(buttons[0]["text"]["text"]) <= 75
    assert buttons[2]["url"] == "https://example.com/a"


def test_more_than_25_buttons_take_several_action_blocks() -> None:
    reply = Reply(actions=[Action(f"a.{n}", str(n), str(n)) for n in range(30)])
    blocks = render(reply, locale="en", zone="UTC").messages[0].blocks
    assert [len(b["elements"]) for b in blocks if b["type"] == "actions"] == [25, 5]


def test_a_long_reply_is_split_and_says_so() -> None:
    reply = Reply(
        title="Report",
        sections=["Wort " * 2000],
        items=[
            Item(title=f"item {n}", text="text", source="rss", actions=(Action("a", "b", str(n)),))
            for n in range(60)
        ],
        footnotes=["the end"],
    )
    rendered = render(reply, locale="de", zone="UTC")
    assert len(rendered.messages) >= 2
    for message in rendered.messages:
        assert len(message.blocks) <= 50
        for block in message.blocks:
            if block["type"] == "section" and "text" in block:
                assert len(block["text"]["text"]) <= 3000
    assert "(weiter im Thread)" in shown(rendered.messages[0].blocks)
    assert "the end" in shown(rendered.messages[-1].blocks)
    # An item's section and its context line stay in the same message.
    for message in rendered.messages:
        for n, block in enumerate(message.blocks):
            if "*item " in shown([block]):
                assert message.blocks[n + 1]["type"] == "context"


def test_images_are_uploaded_or_shown_as_text() -> None:
    reply = Reply(images=[Image(png=PNG, alt="alt", title="Chart", text_fallback="▁▃▅")])
    uploaded = render(reply, locale="en", zone="UTC")
    assert uploaded.images and "▁▃▅" not in shown(uploaded.messages[0].blocks)
    inline = render(reply, locale="en", zone="UTC", upload_images=False)
    assert not inline.images and "▁▃▅" in shown(inline.messages[0].blocks)


def test_a_form_without_modal_shows_its_fields_and_an_open_button() -> None:
    reply = Reply(
        title="Edit",
        inputs=[Input("text", "Text", "Hello & <bye>")],
        actions=[Action("draft.save", "Save", "7"), Action("draft.cancel", "Cancel", "7")],
    )
    blocks = render(reply, locale="en", zone="UTC").messages[0].blocks
    assert "Hello &amp; &lt;bye&gt;" in shown(blocks)
    buttons = blocks[-1]["elements"]
    assert [b["action_id"] for b in buttons] == ["_slack.form", "draft.cancel"]
    assert json.loads(buttons[0]["value"])[0] == "draft.save"


def test_an_error_reply_is_marked_and_empty_replies_still_render() -> None:
    error = render(Reply(sections=["nope"], error=True), locale="en", zone="UTC").messages[0]
    assert error.blocks[0]["text"]["text"].startswith("⚠")
    empty = render(Reply(), locale="en", zone="UTC").messages[0]
    assert empty.blocks and empty.text.strip() == ""


def test_help_style_facts_become_lines_and_short_facts_fields() -> None:
    long = [Fact("/horch mentions [QUERY] [--since 24h|7d|30d] [--source NAME]", "Mentions")]
    blocks = render(Reply(facts=long), locale="en", zone="UTC").messages[0].blocks
    assert "fields" not in blocks[0] and blocks[0]["text"]["text"].startswith("*/horch mentions")
    short = [Fact("Reach", "1,234"), Fact("Sentiment", "positive")]
    blocks = render(Reply(facts=short), locale="en", zone="UTC").messages[0].blocks
    assert [f["text"] for f in blocks[0]["fields"]] == ["*Reach*\n1,234", "*Sentiment*\npositive"]
