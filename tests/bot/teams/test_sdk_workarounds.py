"""The contract with botbuilder: the defects of the pinned release that
bot/teams/sdk_workarounds.py works around, shown on the installed SDK.

On an upgrade: the version test fails first and names what to check. A defect test that
then fails means the new release fixed that defect: drop its workaround (and the test).
A workaround test that fails means the new release changed what the workaround relies on.
"""

from __future__ import annotations

import importlib.metadata

import pytest
from botbuilder.core import TurnContext
from botbuilder.core.adapters import TestAdapter
from botbuilder.core.conversation_reference_extension import get_continuation_activity
from botbuilder.integration.aiohttp.cloud_adapter import serializer_helper
from botbuilder.schema import (
    Activity,
    ActivityTypes,
    ConversationAccount,
    ConversationReference,
    InvokeResponse,
)

from bot.teams import sdk_workarounds
from bot.teams.sdk_workarounds import WRITTEN_FOR, invoke_json, is_proactive, wire

CARD_ANSWER = {"statusCode": 200, "type": "application/vnd.microsoft.card.adaptive", "value": {}}


def test_the_installed_botbuilder_is_the_release_the_workarounds_were_written_for() -> None:
    installed = {
        name: importlib.metadata.version(name)
        for name in ("botbuilder-core", "botbuilder-schema", "botbuilder-integration-aiohttp")
    }
    assert set(installed.values()) == {WRITTEN_FOR}, (
        f"botbuilder is {installed}; bot/teams/sdk_workarounds.py was written for "
        f"{WRITTEN_FOR}. Run this file: each defect test that fails is fixed upstream (drop "
        "its workaround). Check by hand that the per-turn msrest ConnectorClient is still "
        "costly (workaround 4, LeanAuthentication: bench/bench_teams_turn.py), "
        "then set WRITTEN_FOR."
    )


def test_defect_1_process_cannot_serialize_an_invoke_body() -> None:
    # CloudAdapter.process() hands the InvokeResponse body to serializer_helper.
    with pytest.raises(AttributeError):
        serializer_helper(CARD_ANSWER)
    with pytest.raises(AttributeError):
        serializer_helper([Activity(type="message", text="hi").serialize()])


def test_workaround_1_writes_invoke_bodies_of_data_and_of_models() -> None:
    assert invoke_json(CARD_ANSWER) == CARD_ANSWER
    reply = Activity(type="message", text="hi")
    assert invoke_json([reply]) == [{"type": "message", "text": "hi"}]
    assert invoke_json(InvokeResponse(status=200, body={"a": 1})) == {
        "status": 200,
        "body": {"a": 1},
    }


def test_defect_2_the_schema_drops_the_tenant_id() -> None:
    activity = Activity(type="message", conversation=ConversationAccount(id="c", tenant_id="t"))
    conversation = activity.serialize()["conversation"]
    assert "tenantId" not in conversation and conversation["tenantID"] == "t"


def test_workaround_2_puts_the_tenant_id_back() -> None:
    activity = Activity(
        type="message",
        conversation=ConversationAccount(id="c", tenant_id="t"),
        reply_to_id="1700000000001",
    )
    body = wire(activity)
    assert body["conversation"]["tenantId"] == "t"
    assert "replyToId" not in body
    assert wire(activity, keep_reply_to=True)["replyToId"] == "1700000000001"


def test_defect_3_a_proactive_turn_replies_to_a_made_up_activity() -> None:
    reference = ConversationReference(
        conversation=ConversationAccount(id="c"), service_url="https://x", channel_id="msteams"
    )
    proactive = get_continuation_activity(reference)
    assert proactive.id  # made up: no such activity exists in the conversation
    answer = TurnContext.apply_conversation_reference(
        Activity(type="message"),
        TurnContext.get_conversation_reference(proactive),
    )
    assert answer.reply_to_id == proactive.id


def test_workaround_3_recognises_the_proactive_turn() -> None:
    reference = ConversationReference(
        conversation=ConversationAccount(id="c"), service_url="https://x", channel_id="msteams"
    )
    adapter = TestAdapter()
    assert is_proactive(TurnContext(adapter, get_continuation_activity(reference)))
    assert not is_proactive(TurnContext(adapter, Activity(type=ActivityTypes.message)))


def test_the_module_holds_every_override_of_an_sdk_class() -> None:
    # The SDK classes overridden for a defect live in sdk_workarounds alone.
    assert sdk_workarounds.LeanAuthentication.__module__ == "bot.teams.sdk_workarounds"
    assert sdk_workarounds.LeanConnectorFactory.__module__ == "bot.teams.sdk_workarounds"
