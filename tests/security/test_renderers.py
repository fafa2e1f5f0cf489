"""Every hostile string in every field of a Reply, through Block Kit, Adaptive Cards and
the console: no ping, link, markup or invisible character survives, and the limits hold.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.console.render import to_text
from bot.slack.forms import ModalContext, modal_view
from bot.slack.render import render as render_slack
from bot.teams.render import render_card
from core.i18n import Translator
from core.reply import Action, Item, Reply
from tests.security.hostile import (
    GOOD_URL,
    HOSTILE,
    HOSTILE_URLS,
    hostile_form,
    hostile_reply,
    json_roundtrip,
)
from tests.security.render_checks import check_console, check_slack, check_teams

ZONE = "Europe/Berlin"
CASES = sorted(HOSTILE)
SHORT = [name for name in CASES if len(HOSTILE[name]) < 2000]


def variants(name: str) -> list[Reply]:
    """The hostile text in every field of a list reply, an error reply and a form."""
    text = HOSTILE[name]
    if name not in SHORT:  # 100 kB in every field: the error styling adds nothing here
        return [hostile_reply(text), hostile_form(text)]
    return [hostile_reply(text), hostile_reply(text, error=True), hostile_form(text)]


def slack_problems(reply: Reply, *, upload_images: bool = True) -> list[str]:
    rendered = render_slack(reply, locale="en", zone=ZONE, upload_images=upload_images)
    problems: list[str] = []
    for message in rendered.messages:
        problems += check_slack(message)
    return problems


@pytest.mark.parametrize("name", CASES)
def test_slack_escapes_every_field(name: str) -> None:
    text = HOSTILE[name]
    for reply in variants(name):
        assert slack_problems(reply) == []
    assert slack_problems(hostile_reply(text[:5000]), upload_images=False) == []


@pytest.mark.parametrize("name", SHORT)
def test_slack_modal_escapes_every_field(name: str) -> None:
    view = modal_view(
        hostile_form(HOSTILE[name]), Translator("en"), ModalContext(action_id="draft.save")
    )
    view = json_roundtrip(view)
    assert len(view["title"]["text"]) <= 24
    assert len(view["blocks"]) <= 100
    for block in view["blocks"]:
        if block["type"] == "input":
            # The field's own value goes back as it is (plain, editable), never as mrkdwn.
            assert block["element"]["type"] == "plain_text_input"
            assert len(block["element"].get("initial_value") or "") <= 3000
            assert "<" not in block["label"]["text"]


@pytest.mark.parametrize("name", CASES)
def test_teams_escapes_every_field(name: str) -> None:
    for reply in variants(name):
        card = render_card(reply, locale="en", zone=ZONE)
        assert check_teams(card, allowed_urls={GOOD_URL}) == []


@pytest.mark.parametrize("name", CASES)
def test_console_strips_controls_and_keeps_markup_literal(name: str) -> None:
    text = HOSTILE[name]
    replies = [hostile_reply(text), hostile_form(text)]
    if name not in SHORT:
        # Rich lays out every line of every field; one big field of each kind is enough.
        replies = [Reply(title=text, sections=[text], items=[Item(title="t", text=text)])]
    for reply in replies:
        output = to_text(reply, locale="en", zone=ZONE)
        assert check_console(output) == []


def test_console_shows_rich_markup_as_written() -> None:
    output = to_text(hostile_reply(HOSTILE["rich"]), locale="en", zone=ZONE, width=200)
    assert "[bold red]alarm[/bold red]" in output
    assert "[link=https://evil.example]bank[/link]" in output


@pytest.mark.parametrize("url", HOSTILE_URLS)
def test_only_http_urls_become_links(url: str) -> None:
    reply = hostile_reply("Lumora", url=url)
    assert slack_problems(reply) == []
    allowed = {url.strip()} if url.lower().startswith(("http://", "https://")) else set()
    if len(url) > 2048:
        allowed = set()  # no link that long is offered
    assert check_teams(render_card(reply, locale="en", zone=ZONE), allowed_urls=allowed) == []


def test_a_fake_slack_link_is_text_and_the_real_host_is_shown() -> None:
    reply = Reply(items=[Item(title=HOSTILE["slack_link"], url="https://shop.example/a")])
    message = render_slack(reply, locale="en", zone=ZONE).messages[0]
    section = message.blocks[0]["text"]["text"]
    assert section.startswith("*<https://shop.example/a|&lt;https://evil.example|")
    assert "shop.example" in message.blocks[1]["elements"][0]["text"]


def test_card_json_in_text_adds_no_element() -> None:
    card = render_card(
        Reply(title=HOSTILE["card_json"], sections=[HOSTILE["card_json2"]]),
        locale="en",
        zone=ZONE,
    )
    assert [e["type"] for e in card["body"]] == ["TextBlock", "TextBlock"]
    assert "Action.OpenUrl" not in [a.get("type") for a in card.get("actions", [])]


def test_many_items_are_split_or_cut_within_limits() -> None:
    items = [Item(title=HOSTILE["user"], text=HOSTILE["big"][:2900]) for _ in range(120)]
    reply = Reply(title="t", items=items, actions=[Action("a.b", "more", "1")])
    rendered = render_slack(reply, locale="en", zone=ZONE)
    assert len(rendered.messages) > 1
    for message in rendered.messages:
        assert check_slack(message) == []
    card = render_card(reply, locale="en", zone=ZONE)
    assert check_teams(card, allowed_urls=set()) == []
    assert card["body"][-1]["type"] == "ActionSet"  # the buttons are never what is cut


fields = st.text(
    alphabet=st.characters(codec="utf-8", categories=None), max_size=400
) | st.sampled_from([HOSTILE[n] for n in SHORT])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=fields, url=st.sampled_from([GOOD_URL, None, *HOSTILE_URLS]))
def test_arbitrary_text_renders_safely_everywhere(text: str, url: str | None) -> None:
    reply = hostile_reply(text, url=url)
    assert slack_problems(reply) == []
    allowed = {GOOD_URL} if url == GOOD_URL else {url.strip()} if url else set()
    card = render_card(reply, locale="de", zone=ZONE)
    problems = check_teams(card, allowed_urls=allowed | {GOOD_URL})
    assert problems == []
    assert check_console(to_text(reply, locale="de", zone=ZONE)) == []
