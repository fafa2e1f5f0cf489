"""Teams end to end: buttons on cards (`adaptiveCard/action` invokes, Universal Actions).

The invoke's HTTP answer carries the refreshed card (it changes in place for the person
who clicked), and after the turn the bot updates the card for everyone (PUT) or posts the
answer as a new message. A card with missing data gets a 400 that says so.
"""

from __future__ import annotations

from typing import Any

import pytest

from core.i18n import Translator
from tests.bot.teams import activities as act
from tests.bot.teams.harness import running_bot
from tests.e2e.test_teams_messages import texts

pytestmark = pytest.mark.e2e
t = Translator("de")  # the example workspace speaks German by default

CARD_TYPE = "application/vnd.microsoft.card.adaptive"
PERSONAL = (
    "a:17vxw6pGQOb3Zfh8acXT8m_PqHycYpaFgzu2mFMUfkT-h0UskMctq5ZPPc7FIQxn2bx7rBSm5yE_HeUXsCcKZ"
    "Brv77RgorB3_1_pAdvMhi39ClxQgawzyQ9GBFkdiwOxT"
)


def all_actions(node: Any) -> list[dict[str, Any]]:
    """Every button anywhere on a card (items carry their own)."""
    if isinstance(node, list):
        return [a for child in node for a in all_actions(child)]
    if not isinstance(node, dict):
        return []
    own = [node] if str(node.get("type", "")).startswith("Action.") else []
    return own + [a for value in node.values() for a in all_actions(value)]


def actions(card: dict[str, Any]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for element in card["body"]:
        if element["type"] == "ActionSet":
            found += element["actions"]
    return found


async def test_a_form_card_submits_its_field_and_changes_in_place(db_url: str) -> None:
    async with running_bot(db_url) as bot:
        await bot.post(act.personal_message("teamsform", bot.fake.url))
        card = bot.fake.calls[0].card
        assert card is not None
        [field] = [e for e in card["body"] if e["type"] == "Input.Text"]
        assert field["id"] == "input.note" and field["value"] == "first draft"
        save, cancel = actions(card)
        assert save["type"] == "Action.Execute" and save["verb"] == "teamstest.approve"
        assert save["data"] == {"action_id": "teamstest.approve", "value": "draft-42"}
        assert save["style"] == "positive" and "associatedInputs" not in save
        assert cancel["associatedInputs"] == "none"

        # Teams sends the button's data with the field's value merged in.
        click = act.card_action(
            bot.fake.url,
            data={**save["data"], "input.note": "final text"},
            verb=save["verb"],
            reply_to="1700000000001",
        )
        response = await bot.post(click)
        assert response.status == 200
        answer = await response.json()
        assert answer["statusCode"] == 200 and answer["type"] == CARD_TYPE
        refreshed = answer["value"]
        assert "approved by Rido" in texts(refreshed) and "final text" in texts(refreshed)
        await bot.settle()
        update = bot.fake.calls[-1]
        assert update.kind == "update" and update.method == "PUT"
        assert update.conversation_id == PERSONAL and update.activity_id == "1700000000001"
        assert update.card == refreshed


async def test_a_button_whose_answer_is_a_new_message(db_url: str) -> None:
    async with running_bot(db_url) as bot:
        click = act.card_action(bot.fake.url, data={"action_id": "teamstest.post", "value": "7"})
        response = await bot.post(click)
        answer = await response.json()
        assert answer["type"] == "application/vnd.microsoft.activity.message"
        assert answer["value"] == t("teams.done")
        await bot.settle()
        [posted] = bot.fake.calls
        assert posted.kind == "send" and posted.conversation_id == PERSONAL
        assert "value 7" in texts(posted.card)


async def test_answers_that_change_nothing_go_to_the_clicker_only(db_url: str) -> None:
    async with running_bot(db_url) as bot:
        # An ephemeral answer: a note for the person who clicked.
        click = act.card_action(bot.fake.url, data={"action_id": "teamstest.cancel", "value": "1"})
        answer = await (await bot.post(click)).json()
        assert answer["value"] == "Nothing changed."
        # A button no handler knows (any more): explained, not ignored.
        click = act.card_action(bot.fake.url, data={"action_id": "gone.button", "value": "1"})
        response = await bot.post(click)
        assert response.status == 200
        assert (await response.json())["value"] == t("errors.unknown_action")
        await bot.settle()
        assert bot.fake.calls == []


BAD_VALUES: list[Any] = [
    None,  # the captured invoke's own data: {"feedback": "test invokes"}, no action id
    {"action": {"type": "Action.Execute", "data": "not an object"}},
    {"action": {"type": "Action.Execute", "data": {"action_id": ""}}},
    "a string",
]


async def test_a_card_without_usable_data_gets_a_400_with_a_reason(db_url: str) -> None:
    async with running_bot(db_url) as bot:
        for value in BAD_VALUES:
            click = act.fixture(act.CARD_ACTION)
            click["serviceUrl"] = bot.fake.url
            if value is not None:
                click["value"] = value
            response = await bot.post(click)
            assert response.status == 400, value
            answer = await response.json()
            assert answer["statusCode"] == 400
            assert answer["type"] == "application/vnd.microsoft.error"
            assert answer["value"]["message"] == t("teams.bad_card")
        # Other invokes than a card action are not for this bot.
        invoke = act.card_action(bot.fake.url, data={"action_id": "teamstest.post"})
        invoke["name"] = "composeExtension/query"
        response = await bot.post(invoke)
        assert response.status == 400
        assert "composeExtension/query" in (await response.json())["value"]["message"]
        assert bot.fake.calls == []


async def test_a_slow_approval_answers_at_once_and_updates_the_card_later(db_url: str) -> None:
    async with running_bot(db_url) as bot:
        bot.runtime.responder.deadline = 0.05
        click = act.card_action(
            bot.fake.url, data={"action_id": "teamstest.slowapprove", "value": "draft-9"}
        )
        answer = await (await bot.post(click)).json()
        assert answer["value"] == t("teams.working")
        assert bot.fake.calls == []
        bot.gate.set()
        await bot.settle()
        [update] = bot.fake.calls
        assert update.kind == "update" and update.activity_id == "1767765488332"
        assert "Approved late" in texts(update.card) and "draft-9" in texts(update.card)


async def test_a_click_in_a_channel_thread_updates_the_card_there(db_url: str) -> None:
    async with running_bot(db_url) as bot:
        base = act.channel_message("x", bot.fake.url)
        click = act.card_action(
            bot.fake.url,
            data={"action_id": "teamstest.approve", "value": "1"},
            base=base,
            reply_to="1759944781999",
        )
        assert (await bot.post(click)).status == 200
        await bot.settle()
        [update] = bot.fake.calls
        assert update.conversation_id == base["conversation"]["id"]
        assert update.activity_id == "1759944781999"


async def test_the_card_update_is_retried_on_502_and_429(db_url: str) -> None:
    async with running_bot(db_url) as bot:
        bot.fake.fail(502, 429, retry_after="1")
        bot.fake.fail(504, 412)
        click = act.card_action(bot.fake.url, data={"action_id": "teamstest.approve", "value": "1"})
        assert (await bot.post(click)).status == 200
        await bot.settle()
        assert [c.status for c in bot.fake.calls] == [502, 429, 504, 412, 200]
        assert all(c.kind == "update" for c in bot.fake.calls)


async def test_hostile_text_stays_text_on_the_card(db_url: str) -> None:
    async with running_bot(db_url) as bot:
        await bot.post(act.personal_message("teamshostile", bot.fake.url))
        card = bot.fake.calls[0].card
        assert card is not None
        marked = markdown_texts(card)  # what the card renders as markdown
        assert marked and all(unescaped(text) == [] for text in marked), marked
        assert "javascript:" not in str(card)  # the bad link is not offered
        links = [a for a in all_actions(card) if a["type"] == "Action.OpenUrl"]
        assert [a["url"] for a in links] == ["https://news.example/1"]
        # A button title is plain text: shown as written, never rendered.
        assert any(
            a.get("title") == "[click me](https://evil.example/login)" for a in all_actions(card)
        )


def markdown_texts(node: Any) -> list[str]:
    """The TextBlock texts and FactSet facts of a card (the fields that render markdown)."""
    if isinstance(node, list):
        return [t for child in node for t in markdown_texts(child)]
    if not isinstance(node, dict):
        return []
    own: list[str] = []
    if node.get("type") == "TextBlock":
        own.append(node["text"])
    if node.get("type") == "FactSet":
        own += [part for fact in node["facts"] for part in (fact["title"], fact["value"])]
    return own + [t for key, value in node.items() if key != "facts" for t in markdown_texts(value)]


def unescaped(text: str) -> list[str]:
    """Markup characters without a backslash before them."""
    bad = []
    i = 0
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        if text[i] in "*_[]()`<>&#":
            bad.append(text[i])
        i += 1
    return bad


async def test_an_action_submit_message_is_handled_like_a_click(db_url: str) -> None:
    async with running_bot(db_url) as bot:
        submit = act.personal_message("", bot.fake.url)
        submit.update(
            value={"action_id": "teamstest.approve", "value": "5", "input.note": "ok"},
            replyToId="1700000000123",
        )
        assert (await bot.post(submit)).status == 200
        [update] = bot.fake.calls
        assert update.kind == "update" and update.activity_id == "1700000000123"
        assert "approved by Megan Bowen" in texts(update.card) and "ok" in texts(update.card)
