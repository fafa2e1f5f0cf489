"""Real Teams activities (tests/fixtures/teams), pointed at a fake Bot Connector.

Each builder copies a captured payload and changes only what the test is about: the
serviceUrl, the text after the bot's @mention, the button's data.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "teams"

CHANNEL_MESSAGE = "channel_message.json"
PERSONAL_MESSAGE = "personal_message.json"
CARD_ACTION = "card_action_invoke.json"
TEAM_INSTALL = "conversation_update_team_install.json"


def fixture(name: str) -> dict[str, Any]:
    return dict(json.loads((FIXTURES / name).read_text(encoding="utf-8")))


def channel_message(text: str, service_url: str) -> dict[str, Any]:
    """An @mention of the bot in a channel thread: `<at>ridotest</at> TEXT`."""
    activity = fixture(CHANNEL_MESSAGE)
    mention = activity["entities"][0]["text"]
    activity.update(text=f"{mention} {text}", serviceUrl=service_url)
    return activity


def group_message(text: str, service_url: str) -> dict[str, Any]:
    """The channel message as Teams sends it from a group chat (see PROVENANCE.md)."""
    activity = channel_message(text, service_url)
    activity["conversation"] = {
        "id": "19:1a2b3c4d5e6f47a8b9c0d1e2f3a4b5c6@thread.v2",
        "isGroup": True,
        "conversationType": "groupChat",
        "tenantId": activity["conversation"]["tenantId"],
    }
    activity["channelData"] = {"tenant": activity["channelData"]["tenant"]}
    return activity


def personal_message(text: str, service_url: str) -> dict[str, Any]:
    activity = fixture(PERSONAL_MESSAGE)
    activity.update(text=text, serviceUrl=service_url)
    activity.pop("attachments", None)  # the HTML copy of the text is not what we test
    return activity


def card_action(
    service_url: str,
    *,
    data: dict[str, Any] | None,
    verb: str | None = None,
    reply_to: str = "1767765488332",
    base: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """An `adaptiveCard/action` invoke: a click on an Action.Execute button."""
    activity = fixture(CARD_ACTION)
    if base is not None:  # the click comes from a card in another conversation
        for key in ("conversation", "recipient", "channelData"):
            activity[key] = copy.deepcopy(base[key])
    activity.update(serviceUrl=service_url, replyToId=reply_to)
    action = activity["value"]["action"]
    action.pop("data", None)
    if data is not None:
        action["data"] = data
    if verb is not None:
        action["verb"] = verb
    return activity


def team_install(service_url: str) -> dict[str, Any]:
    """The conversationUpdate a channel gets when the bot is added to its team."""
    activity = fixture(TEAM_INSTALL)
    activity["serviceUrl"] = service_url
    return activity


def expect_replies(activity: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(activity)
    out["deliveryMode"] = "expectReplies"
    return out
