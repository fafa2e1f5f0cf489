"""The running bot with Teams on, against a FakeConnector: activities in, recorded calls out.

`running_bot(db_url)` builds the real services and the real aiohttp application
(bot.app.build_app, every setup) and serves it on 127.0.0.1; activities are posted to
POST /api/messages exactly as the Bot Framework posts them.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from aiohttp import ClientResponse
from aiohttp.test_utils import TestClient, TestServer

from bot.teams import RUNTIME
from bot.teams.connector import RetryPolicy
from config.settings import Settings
from tests.bot.teams import sample_handlers
from tests.bot.teams.fake_connector import FakeConnector
from tests.fakes import RuleAnalyzer

# Retries as in production, but waits of milliseconds instead of seconds.
FAST_RETRIES = RetryPolicy(
    attempts=5, initial=0.001, maximum=0.005, jitter=0.001, max_retry_after=0.005
)


@dataclass
class TeamsHarness:
    fake: FakeConnector
    client: TestClient  # type: ignore[type-arg]
    services: Any
    runtime: Any  # TeamsRuntime, or None when Teams is off

    @property
    def gate(self) -> asyncio.Event:
        return sample_handlers.gate_of(self.services)

    async def post(
        self, activity: dict[str, Any], headers: dict[str, str] | None = None
    ) -> ClientResponse:
        return await self.client.post("/api/messages", json=activity, headers=headers or {})

    async def settle(self) -> None:
        """Wait for the work the bot does after its turns."""
        await asyncio.wait_for(self.runtime.drain(), timeout=20)


async def start_bot(
    db_url: str, *, fake: FakeConnector | None = None, **settings: Any
) -> TeamsHarness:
    """Start the bot (and a FakeConnector, unless one from before a restart is given)."""
    from bot.app import build_app
    from bot.services import build_services

    if fake is None:
        fake = FakeConnector()
        await fake.start()
    # The rule analyzer: these tests are about Teams, not about the sentiment model.
    services = await build_services(
        Settings.for_tests(database_url=db_url, **settings), analyzer=RuleAnalyzer()
    )
    services.registry.add_module(sample_handlers)
    app = await build_app(services)
    runtime = app.get(RUNTIME)  # None when the settings turned Teams off
    if runtime is not None:
        runtime.connector.policy = FAST_RETRIES
    client = TestClient(TestServer(app, host="127.0.0.1"))
    await client.start_server()
    return TeamsHarness(fake, client, services, runtime)


async def stop_bot(harness: TeamsHarness, *, keep_fake: bool = False) -> None:
    """Stop the bot as a shutdown does (the app's cleanup runs)."""
    from bot.services import close_services

    await harness.client.close()
    await close_services(harness.services)
    if not keep_fake:
        await harness.fake.stop()


@asynccontextmanager
async def running_bot(db_url: str, **settings: Any) -> AsyncIterator[TeamsHarness]:
    """The bot's whole aiohttp app with Teams, answering at a FakeConnector."""
    harness = await start_bot(db_url, **settings)
    try:
        yield harness
    finally:
        await stop_bot(harness)
