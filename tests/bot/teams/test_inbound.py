"""Activity → Request, from real Teams payloads (tests/fixtures/teams)."""

from __future__ import annotations

from typing import Any

import pytest
from botbuilder.schema import Activity

from bot.teams import inbound
from core.reply import Actor, Conversation
from tests.bot.teams import activities as act

URL = "https://smba.trafficmanager.net/amer/"


def activity(data: dict[str, Any]) -> Activity:
    return Activity().deserialize(data)


def test_a_channel_mention_becomes_a_command_in_its_thread() -> None:
    request = inbound.message_request(
        activity(act.channel_message('mentions "Lumora Brew" --since 7d', URL))
    )
    assert request.command == "mentions"
    assert request.args == ["Lumora Brew", "--since", "7d"]
    assert request.actor == Actor("b15a9416-0ad3-4172-9210-7beb711d3f70", "rido", "teams")
    assert request.conversation == Conversation(
        "teams",
        "19:6848757105754c8981c67612732d9aa7@thread.tacv2",
        thread_id="1759881511856",
        tenant_id="50612dbb-0237-4969-b378-8d42590f9c00",
    )


def test_the_captured_message_itself_is_just_words() -> None:
    raw = act.fixture(act.CHANNEL_MESSAGE)  # "<at>ridotest</at> reply to thread"
    request = inbound.message_request(activity(raw))
    assert (request.command, request.args) == ("reply", ["to", "thread"])


def test_a_personal_chat_needs_no_mention_and_has_no_thread() -> None:
    raw = act.personal_message("/horch hilfe", URL)
    request = inbound.message_request(activity(raw))
    assert request.command == "hilfe" and request.args == []
    assert request.conversation.thread_id is None
    assert request.conversation.tenant_id == "72f988bf-86f1-41af-91ab-2d7cd011db47"  # channelData
    assert request.actor.id == "7faf8ab2-3d56-4244-b585-20c8a42ed2b8"


def test_a_group_chat_strips_the_mention_and_keeps_other_people_as_names() -> None:
    raw = act.group_message("mentions <at>Anna Schmidt</at>", URL)
    raw["entities"].append(
        {
            "type": "mention",
            "mentioned": {"id": "29:anna", "name": "Anna Schmidt"},
            "text": "<at>Anna Schmidt</at>",
        }
    )
    request = inbound.message_request(activity(raw))
    assert request.args == ["Anna", "Schmidt"]
    assert request.conversation.id == "19:1a2b3c4d5e6f47a8b9c0d1e2f3a4b5c6@thread.v2"
    assert request.conversation.thread_id is None


def test_an_empty_mention_is_help_and_an_open_quote_is_read_as_text() -> None:
    assert inbound.message_request(activity(act.channel_message("", URL))).command == "help"
    # An unclosed quote is forgiven (issue 14): the words are read as text and the answer
    # says how they were read.
    request = inbound.message_request(activity(act.channel_message('mentions "open', URL)))
    assert (request.command, request.args) == ("mentions", ["open"])
    assert request.read_as == ("mentions", "open")


def test_a_card_click_carries_action_value_form_and_the_card() -> None:
    raw = act.card_action(
        URL,
        data={
            "action_id": "draft.approve",
            "value": "42",
            "input.text": "Danke!",
            "input.n": 3,
            "other": "x",
        },
    )
    a = activity(raw)
    action = inbound.card_action(a.value)
    assert action == inbound.CardAction("draft.approve", "42", {"text": "Danke!", "n": "3"})
    request = inbound.action_request(a, action)
    assert request.action_id == "draft.approve" and request.message_ref == "1767765488332"
    assert request.conversation.id.startswith("a:17vxw6")


def test_the_verb_stands_in_for_a_missing_action_id_and_values_become_text() -> None:
    action = inbound.card_action(
        {"action": {"type": "Action.Execute", "verb": "x.y", "data": {"value": {"page": 2}}}}
    )
    assert action == inbound.CardAction("x.y", '{"page": 2}', {})


def test_an_action_submit_value_is_read_the_same_way() -> None:
    assert inbound.card_action({"action_id": "a.b", "value": "1"}).action_id == "a.b"


@pytest.mark.parametrize(
    "payload",
    [
        None,
        "x",
        [],
        {"action": {"data": []}},
        {"action": {"data": {"feedback": "x"}}},
        {"action": {"verb": 5}},
    ],
)
def test_a_click_without_an_action_id_is_refused(payload: Any) -> None:
    with pytest.raises(inbound.BadCardAction):
        inbound.card_action(payload)


def test_the_install_names_the_bot_as_added() -> None:
    assert inbound.bot_was_added(activity(act.team_install(URL)))
    assert not inbound.bot_was_added(activity(act.personal_message("x", URL)))


def test_thread_ids_split_and_join() -> None:
    assert inbound.split_conversation("19:a@thread.tacv2;messageid=17") == (
        "19:a@thread.tacv2",
        "17",
    )
    assert inbound.split_conversation("a:1") == ("a:1", None)
    assert inbound.join_conversation("19:a@thread.tacv2", "17") == "19:a@thread.tacv2;messageid=17"
