"""The scheduled standup through the real Slack and Teams notifiers: a channel subscribes
by command, the standup tick (driven by a test clock) posts to the fake platform once."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.bot.slack.harness import running_bot as slack_bot
from tests.bot.teams import activities as act
from tests.bot.teams.harness import running_bot as teams_bot
from tests.core.backlog.helpers import Clock, migrated_db_url
from tests.e2e.test_sprint_teams import texts

pytestmark = [pytest.mark.e2e, pytest.mark.storage]
MONDAY_0800 = dt.datetime(2026, 11, 23, 7, 0)  # 08:00 in Berlin


@pytest.fixture
def db_url(backend: str, tmp_path: Path) -> Iterator[str]:
    """A migrated database (a copy of a migrated template on SQLite: faster)."""
    yield from migrated_db_url(backend, tmp_path)


async def test_slack_channel_gets_its_standup_once(db_url: str) -> None:
    async with slack_bot(db_url, samples=False) as bot:
        clock = Clock(MONDAY_0800)
        bot.services.clock = clock
        jobs = bot.services.background.standups
        jobs.clock = clock
        await bot.command("standup on")
        await bot.fake.wait_for(lambda: bot.fake.of("chat.postMessage"))
        for _ in range(8):  # 08:00 … 10:20 Berlin, every 20 minutes
            clock.advance(minutes=20)
            await jobs.tick()
        standups = [
            c
            for c in bot.fake.of("chat.postMessage")
            if str(c.params["text"]).startswith("Standup")
        ]
        assert len(standups) == 1
        assert standups[0].params["channel"] == "C111"
        assert standups[0].params["text"] == "Standup — 23.11.2026"


async def test_teams_channel_gets_its_standup_once(db_url: str) -> None:
    async with teams_bot(db_url) as bot:
        clock = Clock(MONDAY_0800)
        bot.services.clock = clock
        jobs = bot.services.background.standups
        jobs.clock = clock
        await bot.post(act.channel_message("standup on", bot.fake.url))
        await bot.settle()
        before = len(bot.fake.calls)
        for _ in range(8):
            clock.advance(minutes=20)
            await jobs.tick()
        await bot.settle()
        posts = [c for c in bot.fake.calls[before:] if "Standup" in texts(c.card)]
        assert len(posts) == 1
        assert "Standup — 23.11.2026" in texts(posts[0].card)
