"""POST /api/messages: the SDK defect it works around, and the Emulator-mode loopback rule."""

from __future__ import annotations

import asyncio
from typing import Any
from unittest import mock

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer, make_mocked_request
from botbuilder.core import TurnContext
from botbuilder.integration.aiohttp import CloudAdapter, ConfigurationBotFrameworkAuthentication

from bot.teams import build_runtime
from bot.teams.auth import SdkConfig
from bot.teams.endpoint import MessagesEndpoint, is_loopback
from bot.teams.outbound import card_answer
from bot.teams.turn import TeamsBot
from tests.bot.teams import activities as act
from tests.bot.teams.harness import running_bot

CARD = {"type": "AdaptiveCard", "version": "1.5", "body": []}


class InvokeBot:
    async def on_turn(self, context: TurnContext) -> None:
        if context.activity.type == "invoke":
            await context.send_activity(card_answer(CARD))
        else:
            await context.send_activity("hi")


async def test_the_sdks_own_process_answers_500_where_ours_answers_200(db_url: str) -> None:
    """botbuilder 4.17.1: CloudAdapter.process() fails on any invoke/expectReplies body."""
    adapter = CloudAdapter(
        ConfigurationBotFrameworkAuthentication(SdkConfig("", "", "MultiTenant", ""))
    )
    sdk_app = web.Application()

    async def sdk_route(request: web.Request) -> web.StreamResponse:
        response = await adapter.process(request, InvokeBot())
        assert response is not None
        return response

    sdk_app.router.add_post("/api/messages", sdk_route)
    async with running_bot(db_url) as bot, TestClient(TestServer(sdk_app, host="127.0.0.1")) as sdk:
        invoke = act.card_action(
            bot.fake.url, data={"action_id": "teamstest.approve", "value": "1"}
        )
        replies = act.expect_replies(act.personal_message("help", bot.fake.url))
        for activity in (invoke, replies):
            assert (await sdk.post("/api/messages", json=activity)).status == 500  # the defect
            ours = await bot.post(activity)
            assert ours.status == 200
            body = await ours.json()
            assert body["statusCode"] == 200 if activity is invoke else body["activities"]


@pytest.mark.parametrize(
    "remote,local",
    [
        ("127.0.0.1", True),
        ("127.8.9.10", True),
        ("::1", True),
        ("::ffff:127.0.0.1", True),
        ("10.0.0.5", False),
        ("203.0.113.9", False),
        ("::ffff:203.0.113.9", False),
        ("fe80::1%eth0", False),
        (None, False),
        ("not-an-ip", False),
    ],
)
def test_loopback_addresses(remote: str | None, local: bool) -> None:
    assert is_loopback(remote) is local


async def test_emulator_mode_refuses_other_machines_with_403(services: Any) -> None:
    runtime = build_runtime(services)
    assert not runtime.authenticated
    endpoint = MessagesEndpoint(runtime, TeamsBot(runtime))
    transport = mock.Mock()
    transport.get_extra_info.side_effect = lambda name, default=None: (
        ("203.0.113.9", 50000) if name == "peername" else default
    )
    request = make_mocked_request(
        "POST", "/api/messages", headers={"Content-Type": "application/json"}, transport=transport
    )
    assert request.remote == "203.0.113.9"
    response = await endpoint(request)
    assert response.status == 403
    await runtime.close()


async def test_emulator_mode_says_so_at_start(
    services: Any, caplog: pytest.LogCaptureFixture
) -> None:
    from bot.teams import RUNTIME, setup

    app = web.Application()
    with caplog.at_level("WARNING", logger="bot.teams"):
        setup(app, services)
    assert "HORCH_TEAMS_EMULATOR=true" in caplog.text
    assert "127.0.0.1 only" in caplog.text
    assert services.notifiers["teams"].platform == "teams"
    await app[RUNTIME].close()


async def test_without_app_id_and_emulator_mode_the_endpoint_is_404(db_url: str) -> None:
    """A Slack-only deployment (no MicrosoftAppId, HORCH_TEAMS_EMULATOR unset) exposes no
    unauthenticated Teams endpoint: 404 with the reason in one line, nothing runs."""
    async with running_bot(db_url, teams_emulator=False) as bot:
        assert bot.runtime is None and "teams" not in bot.services.notifiers
        response = await bot.post(act.personal_message("help", bot.fake.url))
        assert response.status == 404
        reason = (await response.json())["error"]
        assert "\n" not in reason and "MicrosoftAppId" in reason
        assert "HORCH_TEAMS_EMULATOR=true" in reason
        await asyncio.sleep(0.2)
        assert bot.fake.calls == []
