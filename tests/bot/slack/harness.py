"""The running bot with Slack on, against FakeSlack: signed requests in, recorded calls out.

`running_bot(db_url)` builds the real services and the real aiohttp application
(bot.app.build_app, every setup) and serves it on 127.0.0.1; `SlackHarness` signs and
sends slash commands, events and interactivity payloads exactly as Slack does.
"""

from __future__ import annotations

import copy
import hashlib
import hmac
import json
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode

from aiohttp import ClientResponse
from aiohttp.test_utils import TestClient, TestServer

from config.settings import Settings
from tests.bot.slack import sample_handlers
from tests.bot.slack.fake_slack import FIXTURES, FakeSlack, fixture
from tests.fakes import RuleAnalyzer

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
TOKEN = "xoxb-17653672481-19874698323-pdFZKVeTuE8sk7oOcBrzbqgy"
BOT_USER = fixture("auth_test.json")["user_id"]


def sign(body: str, *, secret: str = SECRET, timestamp: int | None = None) -> dict[str, str]:
    """Slack's v0 signature headers for a body."""
    ts = str(int(time.time()) if timestamp is None else timestamp)
    digest = hmac.new(secret.encode(), f"v0:{ts}:{body}".encode(), hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": f"v0={digest}"}


def slash_form(text: str, **fields: str) -> dict[str, str]:
    """The captured slash command with our command, text and fields."""
    raw = (FIXTURES / "slash_command.form").read_text().strip()
    form = dict(parse_qsl(raw, keep_blank_values=True))
    form.update(command="/horch", text=text, **fields)
    return form


def interactive_body(payload: dict[str, Any]) -> str:
    return f"payload={quote(json.dumps(payload))}"


def block_action(action_id: str, value: str, **changes: Any) -> dict[str, Any]:
    """The captured block_actions payload, clicking `action_id` with `value`."""
    payload = copy.deepcopy(fixture("block_actions.json"))
    payload["actions"][0].update(action_id=action_id, value=value)
    payload["container"]["is_ephemeral"] = False
    for key, value_ in changes.items():
        payload[key] = value_
    return payload


@dataclass
class SlackHarness:
    fake: FakeSlack
    client: TestClient  # type: ignore[type-arg]
    services: Any

    @property
    def adapter(self) -> Any:
        from bot.slack import ADAPTER

        return self.client.server.app[ADAPTER]

    async def post(
        self, body: str, content_type: str, headers: dict[str, str] | None = None
    ) -> ClientResponse:
        all_headers = {
            "Content-Type": content_type,
            **(headers if headers is not None else sign(body)),
        }
        return await self.client.post("/slack/events", data=body.encode(), headers=all_headers)

    async def command(self, text: str, **fields: str) -> ClientResponse:
        form = slash_form(text, **{"response_url": self.fake.hook("cmd"), **fields})
        return await self.post(urlencode(form), "application/x-www-form-urlencoded")

    async def event(self, payload: dict[str, Any], retry_num: int | None = None) -> ClientResponse:
        body = json.dumps(payload)
        headers = sign(body)
        if retry_num is not None:
            headers.update(
                {"X-Slack-Retry-Num": str(retry_num), "X-Slack-Retry-Reason": "http_timeout"}
            )
        return await self.post(body, "application/json", headers)

    async def interact(self, payload: dict[str, Any]) -> ClientResponse:
        return await self.post(interactive_body(payload), "application/x-www-form-urlencoded")

    async def settle(self) -> None:
        """Wait for the work the bot does after its acks."""
        await self.adapter.drain(timeout=20)


@asynccontextmanager
async def running_bot(
    db_url: str, *, samples: bool = True, **settings: Any
) -> AsyncIterator[SlackHarness]:
    """The bot's whole aiohttp app with Slack pointed at a FakeSlack (+ sample handlers)."""
    from bot.app import build_app
    from bot.services import build_services, close_services

    fake = FakeSlack()
    await fake.start()
    values: dict[str, Any] = {
        "database_url": db_url,
        "slack_signing_secret": SECRET,
        "slack_bot_token": TOKEN,
        "slack_api_url": fake.api_url,
        **settings,
    }
    # The rule analyzer keeps the tests independent of the shipped sentiment model.
    services = await build_services(Settings.for_tests(**values), analyzer=RuleAnalyzer())
    if samples:
        services.registry.add_module(sample_handlers)
    app = await build_app(services)
    client = TestClient(TestServer(app, host="127.0.0.1"))
    await client.start_server()
    harness = SlackHarness(fake, client, services)
    from bot.slack import ADAPTER

    if ADAPTER in app:
        # One post a second per channel is right for Slack, slow for a test suite.
        app[ADAPTER].deliverer.pacer.interval = 0.01
    try:
        yield harness
    finally:
        await client.close()
        await close_services(services)
        await fake.stop()
