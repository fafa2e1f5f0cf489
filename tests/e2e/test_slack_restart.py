"""An Events API retry that reaches a restarted bot (or another replica) runs nothing twice.

Runs on SQLite, and on PostgreSQL too when HORCH_TEST_PG=1 (the `db_url` fixture).
"""

from __future__ import annotations

import copy

import pytest

from tests.bot.slack.fake_slack import fixture
from tests.bot.slack.harness import BOT_USER, running_bot

pytestmark = [pytest.mark.e2e, pytest.mark.storage]


async def test_a_retry_after_a_restart_does_not_run_the_command_again(db_url: str) -> None:
    payload = copy.deepcopy(fixture("app_mention.json"))
    payload["event_id"] = "Ev0RESTART1"
    payload["event"]["text"] = f"<@{BOT_USER}> help"
    async with running_bot(db_url) as first:
        assert (await first.event(payload)).status == 200
        await first.settle()
        assert len(first.fake.of("chat.postMessage")) == 1
    async with running_bot(db_url) as second:
        assert (await second.event(payload, retry_num=1)).status == 200
        other = copy.deepcopy(payload)
        other["event_id"] = "Ev0RESTART2"
        assert (await second.event(other)).status == 200
        await second.settle()
        # Only the new event was answered.
        assert len(second.fake.of("chat.postMessage")) == 1
