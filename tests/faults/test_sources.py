"""A source that answers slowly, hangs, then sends garbage: the others keep their pace,
`sources` and /metrics show the trouble, and it recovers by itself.

The whole bot runs in-process (bot.app with its scheduler, claims and poller) against
three local RSS feeds, polled every half second instead of every few minutes.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from aiohttp.test_utils import TestClient, TestServer

from bot.app import build_app
from bot.services import build_services, close_services
from config.settings import Settings
from core.reply import Reply
from handlers.dispatch import dispatch
from tests.conftest import console_request
from tests.fakes import RuleAnalyzer
from tests.faults.fake_feed import FakeFeed
from tests.metrics_text import has, sample

pytestmark = [pytest.mark.slow]
INTERVAL = 0.5  # seconds between polls of each source (the workspace's minimum is 10)
BAD_WINDOW = 2.0  # seconds of each kind of trouble


@pytest.fixture
async def feeds() -> AsyncIterator[dict[str, FakeFeed]]:
    made = {name: FakeFeed(name) for name in ("steady-a", "steady-b", "flaky")}
    for feed in made.values():
        await feed.start()
    yield made
    for feed in made.values():
        await feed.stop()


@pytest.fixture
async def bot(db_url: str, tmp_path: Path, feeds: dict[str, FakeFeed]) -> AsyncIterator[Any]:
    workspace = tmp_path / "workspace.yaml"
    sources = [{"name": n, "type": "rss", "url": f.url} for n, f in feeds.items()]
    workspace.write_text(
        yaml.safe_dump({"brand": {"name": "Lumora"}, "default_locale": "en", "sources": sources})
    )
    settings = Settings.for_tests(database_url=db_url, workspace_path=workspace)
    services = await build_services(settings, analyzer=RuleAnalyzer())
    for source in services.workspace.sources:
        source.interval_seconds = INTERVAL  # type: ignore[assignment]
    client = TestClient(TestServer(await build_app(services), host="127.0.0.1"))
    await client.start_server()
    try:
        yield client, services
    finally:
        await client.close()
        await close_services(services)


async def _until(check: Callable[[], Awaitable[bool]], what: str, timeout: float = 30) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not await check():
        assert loop.time() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.1)


async def _metric(client: TestClient, name: str, source: str) -> float | None:  # type: ignore[type-arg]
    body = await (await client.get("/metrics")).text()
    return sample(body, name, source=source) if has(body, name, source=source) else None


async def _sources(services: Any) -> dict[str, str]:
    """What `sources` says of each source: its state line and facts, as text."""
    reply: Reply = await dispatch(services.registry, services, console_request("sources"))
    return {
        item.title.split(" ")[0]: " | ".join(
            [item.text, *(f"{f.label}: {f.value}" for f in item.facts)]
        )
        for item in reply.items
    }


async def _stored(services: Any, source: str) -> int:
    from sqlalchemy import func, select

    from core.models import Mention

    async with services.sessions() as session:
        stmt = select(func.count()).select_from(Mention).where(Mention.source == source)  # type: ignore[arg-type]
        return int((await session.execute(stmt)).scalar_one())


async def test_a_misbehaving_source_does_not_slow_the_others_and_recovers(
    bot: Any, feeds: dict[str, FakeFeed]
) -> None:
    client, services = bot
    steady = [feeds["steady-a"], feeds["steady-b"]]
    flaky = feeds["flaky"]

    async def publish() -> None:
        while True:
            for feed in feeds.values():
                feed.grow(3)
            await asyncio.sleep(0.25)

    growing = asyncio.create_task(publish())
    try:

        async def all_polled() -> bool:
            return all(f.served >= 2 for f in feeds.values())

        await _until(all_polled, "the first polls of every source")

        before = [f.served for f in steady]
        flaky.set_mode("slow", delay=1.5)
        await asyncio.sleep(BAD_WINDOW)
        flaky.set_mode("hang")
        await asyncio.sleep(BAD_WINDOW)
        flaky.set_mode("garbage")

        async def flaky_down() -> bool:
            return await _metric(client, "horch_source_up", "flaky") == 0.0

        await _until(flaky_down, "/metrics to show the flaky source down")
        await asyncio.sleep(BAD_WINDOW)
        during = [f.served - b for f, b in zip(steady, before, strict=True)]
        # The steady sources were polled on and on while the flaky one hung: at half-second
        # intervals they get several polls in the 6-second window (not a timing figure:
        # a blocked poller would give them none).
        assert all(n >= 3 for n in during), during
        assert (await _metric(client, "horch_source_errors_total", "flaky") or 0) >= 1
        said = await _sources(services)
        assert "failing" in said["flaky"] and "did not send a feed" in said["flaky"], said
        assert "working" in said["steady-a"] and "working" in said["steady-b"], said

        flaky.set_mode("ok")

        async def flaky_back() -> bool:
            return await _metric(client, "horch_source_up", "flaky") == 1.0

        await _until(flaky_back, "the flaky source to recover by itself")
    finally:
        growing.cancel()
    said = await _sources(services)
    assert "working" in said["flaky"], said

    async def caught_up() -> bool:
        counts = [await _stored(services, name) for name in feeds]
        return counts == [len(f.items) for f in feeds.values()]

    await _until(caught_up, "every item of every feed stored (once)")
