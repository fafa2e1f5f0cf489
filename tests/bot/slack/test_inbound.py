"""Slack payloads (Slack's own fixtures) → neutral Requests and where to answer."""

from __future__ import annotations

import copy
from urllib.parse import parse_qsl

import pytest

from bot.slack.forms import ModalContext
from bot.slack.inbound import (
    PayloadError,
    action_request,
    command_origin,
    command_request,
    event_origin,
    event_request,
    plain_text,
    view_request,
)
from tests.bot.slack.fake_slack import FIXTURES, fixture


def slash(text: str) -> dict[str, str]:
    body = dict(parse_qsl((FIXTURES / "slash_command.form").read_text().strip()))
    body["text"] = text
    return body


def test_slash_command_becomes_a_request() -> None:
    body = slash('mentions "Lumora Brew" --since 7d')
    origin = command_origin(body)
    request = command_request(body, origin)
    assert (request.command, request.args) == ("mentions", ["Lumora Brew", "--since", "7d"])
    assert request.actor.id == "W111" and request.actor.name == "primary-owner"
    assert request.actor.platform == "slack"
    assert request.conversation.id == "C111" and request.conversation.platform == "slack"
    assert origin.response_url and origin.trigger_id == "111.111.xxx"


def test_slash_command_alone_is_help_and_typographic_quotes_work() -> None:
    body = slash("")
    assert command_request(body, command_origin(body)).command == "help"
    body = slash("mentions „Lumora Brew“")
    assert command_request(body, command_origin(body)).args == ["Lumora Brew"]


def test_unclosed_quote_is_read_as_text_and_missing_fields_a_payload_error() -> None:
    body = slash('mentions "open')
    request = command_request(body, command_origin(body))
    assert (request.command, request.args, request.read_as) == (
        "mentions",
        ["open"],
        ("mentions", "open"),
    )
    with pytest.raises(PayloadError):
        command_origin({"text": "help", "channel_id": "C1"})


def test_slack_markup_is_unwrapped_to_what_the_user_typed() -> None:
    text = (
        "<@W23456789> watch add <http://lumora.example|lumora.example> &amp; <#C1|general> <!here>"
    )
    assert plain_text(text, "W23456789") == "watch add lumora.example & #general @here"
    assert plain_text("<@U1> brief", None) == "brief"
    assert plain_text("<https://example.com/feed>") == "https://example.com/feed"


def test_app_mention_strips_the_bot_and_keeps_the_thread() -> None:
    body = copy.deepcopy(fixture("app_mention.json"))
    body["event"].update(text="<@W111> brief --since 24h", thread_ts="1595926000.000100")
    origin = event_origin(body)
    assert origin is not None and origin.kind == "mention"
    request = event_request(body, origin, "W111")
    assert (request.command, request.args) == ("brief", ["--since", "24h"])
    assert request.conversation.thread_id == "1595926000.000100"
    assert origin.message_ts == "1595926230.009600"


def test_direct_messages_and_what_is_ignored() -> None:
    body = copy.deepcopy(fixture("message_im.json"))
    body["event"]["text"] = "/horch help language"
    origin = event_origin(body)
    assert origin is not None and origin.kind == "dm" and origin.channel_id == "D111"
    assert event_request(body, origin, None).args == ["language"]
    for change in ({"bot_id": "B1"}, {"subtype": "message_deleted"}, {"channel_type": "group"}):
        other = copy.deepcopy(body)
        other["event"].update(change)
        assert event_origin(other) is None
    assert event_origin({"event": {"type": "reaction_added"}}) is None


def test_block_action_carries_id_value_and_message_ref() -> None:
    body = copy.deepcopy(fixture("block_actions.json"))
    body["actions"][0].update(action_id="backlog.state#3", value="12:done")
    origin, request = action_request(body)
    assert request.action_id == "backlog.state"  # the duplicate marker is the adapter's
    assert request.action_value == "12:done"
    assert request.message_ref == "C111:111.222"
    assert origin.ephemeral is True and origin.trigger_id == "111.222.valid"
    with pytest.raises(PayloadError):
        action_request({**body, "actions": []})
    with pytest.raises(PayloadError):
        action_request({**body, "user": {}})


def test_view_submission_maps_back_to_the_form_action() -> None:
    body = copy.deepcopy(fixture("view_submission.json"))
    context = ModalContext("draft.save", "42", "C111", "1.2", "3.4", "https://hooks/x", False)
    body["view"].update(
        callback_id="horch.form",
        private_metadata=context.encode(),
        state={
            "values": {
                "text": {"value": {"type": "plain_text_input", "value": "Neu"}},
                "note": {"value": {"value": None}},
            }
        },
    )
    origin, request = view_request(body)
    assert (request.action_id, request.action_value) == ("draft.save", "42")
    assert request.form == {"text": "Neu", "note": ""}
    assert request.message_ref == "C111:3.4"
    assert request.conversation.thread_id == "1.2"
    assert origin.response_url == "https://hooks/x"
    body["view"]["callback_id"] = "view-id"  # the fixture's own: another app's modal
    with pytest.raises(PayloadError):
        view_request(body)
