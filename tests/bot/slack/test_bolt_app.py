"""The bolt app stays single-workspace whatever the environment holds."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from tests.bot.slack.harness import running_bot

pytestmark = pytest.mark.e2e


async def test_oauth_variables_do_not_switch_the_bot_to_oauth(
    db_url: str, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    monkeypatch.setenv("SLACK_CLIENT_ID", "111.222")
    monkeypatch.setenv("SLACK_CLIENT_SECRET", "shh")
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))  # bolt's default installation store lives there
    caplog.set_level(logging.WARNING, logger="bot.slack")
    async with running_bot(db_url) as bot:
        assert "single-workspace" in caplog.text
        await bot.command("help")
        posts = await bot.fake.wait_for(lambda: bot.fake.of("chat.postMessage"))
        # Authorized with SLACK_BOT_TOKEN, as without the variables.
        assert posts[0].headers["Authorization"].startswith("Bearer xoxb-")
    assert not any(home.iterdir())  # no installation files were written
