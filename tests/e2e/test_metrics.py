"""GET /metrics counts what happened: commands from every front end, the webhook, answers,
Slack's 429s and the HTTP responses — each driven through the real endpoints.

The registry is the process's own, shared by every test: each test reads /metrics before
and after and checks the difference.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from bot.console.chat import answer as console_answer
from integrations.sources.webhook import SIGNATURE_HEADER, TIMESTAMP_HEADER, sign
from tests.bot.slack.harness import running_bot
from tests.metrics_text import sample

pytestmark = pytest.mark.e2e
HOOK_SECRET = "metrics-webhook-secret"


class Scrape:
    """Two readings of GET /metrics: `delta(name, **labels)` is what happened in between."""

    def __init__(self, client: TestClient) -> None:  # type: ignore[type-arg]
        self.client = client
        self.before = ""
        self.after = ""

    async def read(self) -> str:
        response = await self.client.get("/metrics")
        assert response.status == 200
        return await response.text()

    async def start(self) -> None:
        self.before = await self.read()

    async def stop(self) -> None:
        self.after = await self.read()

    def delta(self, name: str, **labels: str) -> float:
        return sample(self.after, name, **labels) - sample(self.before, name, **labels)


def _batch() -> bytes:
    """Three items: two posts and a repost of the first (same text, another id)."""
    now = dt.datetime.now(dt.UTC)
    text = "Die Lumora Brew ist seit heute im Laden – endlich!"
    items = [
        {"id": "m-1", "text": text, "published_at": (now - dt.timedelta(hours=2)).isoformat()},
        {
            "id": "m-2",
            "text": "Lumora liefert wieder nicht, dritte Woche Warten.",
            "published_at": (now - dt.timedelta(hours=1)).isoformat(),
        },
        {"id": "m-3", "text": text, "published_at": (now - dt.timedelta(minutes=5)).isoformat()},
    ]
    return json.dumps({"platform": "forum", "items": items}).encode()


async def _post_hook(client: TestClient, body: bytes) -> dict[str, Any]:  # type: ignore[type-arg]
    stamp = str(int(time.time()))
    headers = {
        TIMESTAMP_HEADER: stamp,
        SIGNATURE_HEADER: sign(HOOK_SECRET, stamp, body),
        "Content-Type": "application/json",
    }
    response = await client.post("/ingest/webhook", data=body, headers=headers)
    assert response.status == 200, await response.text()
    return dict(await response.json())


async def test_three_slack_commands_and_a_webhook_batch_are_counted(db_url: str) -> None:
    async with running_bot(db_url, samples=False, webhook_secret=HOOK_SECRET) as bot:
        scrape = Scrape(bot.client)
        await scrape.start()
        for text in ("help", "watch list", "frobnicate now"):
            assert (await bot.command(text)).status == 200
        await bot.settle()
        first = await _post_hook(bot.client, _batch())
        again = await _post_hook(bot.client, _batch())
        await scrape.stop()

    commands = "horch_commands_total"
    assert scrape.delta(commands, platform="slack", command="help", outcome="ok") == 1
    assert scrape.delta(commands, platform="slack", command="watch", outcome="ok") == 1
    assert scrape.delta(commands, platform="slack", command="unknown", outcome="unknown") == 1
    assert scrape.delta(commands, platform="slack") == 3
    seconds = "horch_command_seconds_count"
    assert scrape.delta(seconds, platform="slack", command="help") == 1
    assert scrape.delta(seconds, platform="slack") == 3
    assert scrape.delta("horch_posts_total", platform="slack", kind="answer", outcome="ok") == 3

    assert (first["new"], again["duplicates"]) == (3, 3)
    # A webhook's mentions are stored under "webhook:<platform>" (the batch says "forum").
    way = {"source": "webhook:forum", "via": "webhook"}
    assert scrape.delta("horch_mentions_ingested_total", **way) == 3
    assert scrape.delta("horch_mentions_near_duplicate_total", **way) == 1
    assert scrape.delta("horch_mentions_duplicate_total", **way) == 3

    responses = "horch_http_responses_total"
    assert scrape.delta(responses, route="/slack/events", status="200") == 3
    assert scrape.delta(responses, route="/ingest/webhook", status="200") == 2


async def test_commands_are_counted_alike_from_the_console(db_url: str) -> None:
    async with running_bot(db_url, samples=False) as bot:
        scrape = Scrape(bot.client)
        await scrape.start()
        registry = bot.services.registry
        await console_answer(registry, bot.services, "help")
        await console_answer(registry, bot.services, "mentions --since forever")
        await console_answer(registry, bot.services, "!nothing.registered 1")
        await scrape.stop()
    commands = "horch_commands_total"
    assert scrape.delta(commands, platform="console", command="help", outcome="ok") == 1
    assert scrape.delta(commands, platform="console", command="mentions", outcome="usage") == 1
    assert scrape.delta(commands, platform="console", command="unknown", outcome="unknown") == 1
    assert scrape.delta("horch_command_seconds_count", platform="console") == 3


async def test_slack_429s_are_counted_and_the_answer_still_goes_out(db_url: str) -> None:
    async with running_bot(db_url, samples=False) as bot:
        scrape = Scrape(bot.client)
        await scrape.start()
        # chat.postMessage is refused twice with 429 (Retry-After: 0), then accepted.
        bot.fake.fail("chat.postMessage", 429, error="ratelimited", retry_after=0, times=2)
        assert (await bot.command("help", channel_id="C0METRICS1")).status == 200
        await bot.settle()
        await scrape.stop()
        assert bot.fake.of("chat.postMessage"), "the answer was posted after the 429s"
    assert scrape.delta("horch_platform_throttled_total", platform="slack") == 2
    assert scrape.delta("horch_posts_total", platform="slack", kind="answer", outcome="ok") == 1


async def test_http_errors_are_counted_by_route_and_status(db_url: str) -> None:
    async with running_bot(db_url, samples=False, webhook_secret=HOOK_SECRET) as bot:
        scrape = Scrape(bot.client)
        await scrape.start()
        unsigned = await bot.client.post("/slack/events", data=b"token=x&command=%2Fhorch")
        assert unsigned.status == 401
        assert (await bot.client.get("/no/such/page")).status == 404

        async def broken(*_args: Any, **_kwargs: Any) -> Any:
            raise ConnectionResetError("the database went away")

        bot.services.pipeline.ingest = broken
        stamp = str(int(time.time()))
        body = _batch()
        failed = await bot.client.post(
            "/ingest/webhook",
            data=body,
            headers={
                TIMESTAMP_HEADER: stamp,
                SIGNATURE_HEADER: sign(HOOK_SECRET, stamp, body),
                "Content-Type": "application/json",
            },
        )
        assert failed.status == 503
        await scrape.stop()
    responses = "horch_http_responses_total"
    assert scrape.delta(responses, route="/slack/events", status="401") == 1
    assert scrape.delta(responses, route="unmatched", status="404") == 1
    assert scrape.delta(responses, route="/ingest/webhook", status="503") == 1


async def test_teams_commands_are_counted_in_the_same_place(db_url: str) -> None:
    from tests.bot.teams import activities as act
    from tests.bot.teams.harness import running_bot as running_teams

    async with running_teams(db_url) as bot:
        scrape = Scrape(bot.client)
        await scrape.start()
        assert (await bot.post(act.personal_message("help", bot.fake.url))).status == 200
        assert (await bot.post(act.channel_message("frobnicate", bot.fake.url))).status == 200
        await bot.settle()
        await scrape.stop()
    commands = "horch_commands_total"
    assert scrape.delta(commands, platform="teams", command="help", outcome="ok") == 1
    assert scrape.delta(commands, platform="teams", command="unknown", outcome="unknown") == 1
    assert scrape.delta("horch_command_seconds_count", platform="teams") == 2
    assert scrape.delta("horch_posts_total", platform="teams", kind="answer", outcome="ok") == 2
    assert scrape.delta("horch_http_responses_total", route="/api/messages", status="200") == 2


async def test_teams_429s_are_counted_and_the_answer_still_goes_out(db_url: str) -> None:
    from tests.bot.teams import activities as act
    from tests.bot.teams.harness import running_bot as running_teams

    async with running_teams(db_url) as bot:
        scrape = Scrape(bot.client)
        await scrape.start()
        bot.fake.fail(429, 429, retry_after="0")  # the Bot Connector refuses twice
        assert (await bot.post(act.personal_message("help", bot.fake.url))).status == 200
        await bot.settle()
        await scrape.stop()
        assert bot.fake.ok(), "the answer was posted after the 429s"
    assert scrape.delta("horch_platform_throttled_total", platform="teams") == 2
    assert scrape.delta("horch_posts_total", platform="teams", kind="answer", outcome="ok") == 1
