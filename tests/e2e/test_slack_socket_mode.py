"""Socket Mode, end to end: the bot opens the WebSocket (apps.connections.open) to a fake
Slack, acks the envelopes it receives (Slack's own, tests/fixtures/slack) and answers
through the Web API. Without a signing secret the HTTP endpoint stays off.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from tests.bot.slack.fake_slack import fixture
from tests.bot.slack.harness import BOT_USER, SlackHarness, running_bot

pytestmark = pytest.mark.e2e
APP_TOKEN = "xapp-1-A111-1111-abcdef"


def envelope(n: int, **payload: Any) -> dict[str, Any]:
    data = copy.deepcopy(fixture("socket_mode_envelopes.json")[n])
    data["payload"].update(payload)
    return data


async def connected(bot: SlackHarness) -> None:
    await bot.fake.wait_for(lambda: bot.fake.of("apps.connections.open"))


async def test_socket_mode_acks_and_answers_commands_and_mentions(db_url: str) -> None:
    async with running_bot(db_url, slack_signing_secret="", slack_app_token=APP_TOKEN) as bot:
        # No signing secret: no HTTP endpoint to forge requests against.
        assert (await bot.client.post("/slack/events", data=b"{}")).status in (404, 405)
        await connected(bot)
        opened = bot.fake.of("apps.connections.open")[0]
        assert opened.headers["Authorization"] == f"Bearer {APP_TOKEN}"

        command = envelope(0, command="/horch", text="help", response_url=bot.fake.hook("sm"))
        await bot.fake.envelopes_out.put(command)
        await bot.fake.wait_for(lambda: bot.fake.of("chat.postMessage"))
        assert {"envelope_id": command["envelope_id"]} in bot.fake.acks

        event = envelope(1)
        event["payload"]["event"]["text"] = f"<@{BOT_USER}> help"
        redelivery = copy.deepcopy(event)
        redelivery.update(envelope_id="e2-redelivered", retry_attempt=1, retry_reason="timeout")
        await bot.fake.envelopes_out.put(event)
        await bot.fake.envelopes_out.put(redelivery)
        await bot.fake.wait_for(
            lambda: (
                {a.get("envelope_id") for a in bot.fake.acks}
                >= {event["envelope_id"], "e2-redelivered"}
            )
        )
        await bot.settle()
        posts = bot.fake.of("chat.postMessage")
        assert len(posts) == 2  # the command and the mention; the redelivery ran nothing
        assert all(p.params["channel"] == "C111" for p in posts)
