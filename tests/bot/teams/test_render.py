"""Reply → Adaptive Card: every part of the Reply, escaped, within Teams' size."""

from __future__ import annotations

import datetime as dt
import io
import json
from typing import Any

import pytest
from PIL import Image as PILImage
from PIL import ImageDraw

from bot.teams.elements import safe_url
from bot.teams.render import MAX_CARD_CHARS, render_card
from core.reply import Action, Fact, Image, Input, Item, Reply


def body_types(card: dict[str, Any]) -> list[str]:
    return [element["type"] for element in card["body"]]


def chart_png(width: int = 1600, height: int = 900) -> bytes:
    image = PILImage.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    for i in range(0, width, 7):
        draw.line(
            (i, height - (i * 37) % height, i + 7, height - ((i + 7) * 53) % height),
            fill=(i % 255, 80, 160),
            width=3,
        )
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def test_a_full_reply_becomes_a_schema_1_5_card_in_order() -> None:
    reply = Reply(
        title="Mentions",
        sections=["Newest first\nsecond line"],
        facts=[Fact("Reach", "1.234")],
        items=[
            Item(
                "A post",
                "text",
                url="https://news.example/1",
                author="Anna",
                source="rss",
                time=dt.datetime(2026, 11, 20, 8, 0),
                sentiment="negative",
                facts=(Fact("Matches", "lumora"),),
                actions=(Action("draft.create", "Draft", "5"),),
            ),
        ],
        footnotes=["demo data"],
        actions=[Action("mentions.page", "More", '{"page": "2"}', style="primary")],
    )
    card = render_card(reply, locale="de", zone="Europe/Berlin")
    assert card["type"] == "AdaptiveCard" and card["version"] == "1.5"
    assert card["$schema"] == "http://adaptivecards.io/schemas/adaptive-card.json"
    assert body_types(card) == [
        "TextBlock",
        "TextBlock",
        "TextBlock",
        "FactSet",
        "Container",
        "ActionSet",
        "TextBlock",
    ]
    item = card["body"][4]["items"]
    assert item[0]["text"].startswith("▼ negativ") and "20.11.2026 09:00" in item[0]["text"]
    assert item[0]["color"] == "Attention"
    buttons = item[-1]["actions"]
    assert buttons[0] == {
        "type": "Action.Execute",
        "title": "Draft",
        "verb": "draft.create",
        "data": {"action_id": "draft.create", "value": "5"},
    }
    assert buttons[1] == {
        "type": "Action.OpenUrl",
        "title": "Öffnen",
        "url": "https://news.example/1",
    }
    more = card["body"][5]["actions"][0]
    assert more["style"] == "positive" and more["data"]["value"] == '{"page": "2"}'
    assert json.loads(json.dumps(card)) == card  # plain JSON all the way down


def test_an_error_is_marked_and_an_empty_reply_still_renders() -> None:
    card = render_card(Reply(sections=["Unknown command"], error=True), locale="en", zone="UTC")
    assert card["body"][0]["color"] == "Attention"
    assert render_card(Reply(), locale="en", zone="UTC")["body"]


def test_a_form_submits_its_inputs_with_the_first_action_only() -> None:
    reply = Reply(
        inputs=[
            Input("text", "Reply text", "Hallo", max_length=280),
            Input("why", "Why", multiline=False),
        ],
        actions=[
            Action("draft.save", "Save", "9"),
            Action("draft.cancel", "Cancel", "9", style="danger"),
        ],
    )
    card = render_card(reply, locale="en", zone="UTC")
    inputs = [e for e in card["body"] if e["type"] == "Input.Text"]
    assert [i["id"] for i in inputs] == ["input.text", "input.why"]
    assert inputs[0]["maxLength"] == 280 and inputs[1]["isMultiline"] is False
    save, cancel = card["body"][-1]["actions"]
    assert "associatedInputs" not in save
    assert cancel["associatedInputs"] == "none" and cancel["style"] == "destructive"


@pytest.mark.parametrize(
    "url,ok",
    [
        ("https://news.example/a?b=1", True),
        ("http://news.example", True),
        ("javascript:alert(1)", False),
        ("data:text/html,<b>x</b>", False),
        ("https://bank.example@evil.example/", False),
        ("https://user:pw@evil.example/", False),
        ("https://evil.example/a b", False),
        ("https:///nohost", False),
        ("ftp://files.example/x", False),
        ("", False),
        (None, False),
    ],
)
def test_only_plain_http_links_are_offered(url: str | None, ok: bool) -> None:
    assert (safe_url(url) is not None) is ok
    card = render_card(Reply(items=[Item("x", url=url)]), locale="en", zone="UTC")
    opens = [
        a for a in card["body"][0]["items"][-1].get("actions", []) if a["type"] == "Action.OpenUrl"
    ]
    assert bool(opens) is ok


def test_a_button_with_a_bad_url_is_left_out() -> None:
    reply = Reply(
        actions=[
            Action("x", "Open", url="javascript:1"),
            Action("y", "Go", url="https://a.example"),
        ]
    )
    card = render_card(reply, locale="en", zone="UTC")
    assert [a["title"] for a in card["body"][-1]["actions"]] == ["Go"]


def test_a_long_list_is_cut_to_fit_with_a_note() -> None:
    items = [Item(f"Post {i}", "x" * 900, author="someone") for i in range(80)]
    card = render_card(Reply(title="Mentions", items=items), locale="en", zone="UTC")
    assert len(json.dumps(card)) <= MAX_CARD_CHARS
    shown = sum(1 for e in card["body"] if e["type"] == "Container")
    assert 0 < shown < 80
    assert card["body"][-1]["text"] == f"… and {80 - shown} more"


def test_a_chart_is_shrunk_into_the_card_or_shown_as_text() -> None:
    png = chart_png()
    assert len(png) * 4 // 3 > MAX_CARD_CHARS  # too big as it is
    card = render_card(
        Reply(images=[Image(png, alt="Mentions per day", title="Trend")]), locale="en", zone="UTC"
    )
    image = next(e for e in card["body"] if e["type"] == "Image")
    assert (
        image["url"].startswith("data:image/png;base64,") and image["altText"] == "Mentions per day"
    )
    assert len(json.dumps(card)) <= MAX_CARD_CHARS
    broken = render_card(
        Reply(images=[Image(b"GIF89a...", alt="a", text_fallback="▁▃▅▇")]), locale="en", zone="UTC"
    )
    assert [e["type"] for e in broken["body"]] == ["TextBlock"]
    assert broken["body"][0]["text"] == "▁▃▅▇"
