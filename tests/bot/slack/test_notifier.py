"""The Slack Notifier: scheduled posts in the channel's language, long ones threaded."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from core.db import session_scope
from core.reply import Image, Item, Reply
from core.storage import prefs
from tests.bot.slack.harness import running_bot
from tests.bot.slack.sample_handlers import PNG

pytestmark = pytest.mark.e2e


async def test_notifier_posts_in_the_channel_language(db_url: str) -> None:
    async with running_bot(db_url) as bot:
        notifier: Any = bot.services.notifiers["slack"]
        async with session_scope(bot.services.sessions) as session:
            await prefs.set_pref(
                session=session,
                platform="slack",
                scope="channel",
                subject_id="CEN",
                key="locale",
                value="en",
                now=dt.datetime(2026, 11, 20, 8, 0),
            )
        item = Item(title="Trend", text="<!channel> up", source="rss", sentiment="negative")
        reply = Reply(title="Alert", items=[item] * 60, images=[Image(PNG, "chart", "Chart")])
        ts = await notifier.post(channel_id="CEN", reply=reply)
        await notifier.post(channel_id="CDE", reply=Reply(items=[item]), thread_id="1.2")
        posts = bot.fake.of("chat.postMessage")
        en = [p for p in posts if p.params["channel"] == "CEN"]
        assert ts == en[0].response["ts"]
        assert len(en) >= 2 and {p.params.get("thread_ts") for p in en[1:]} == {ts}
        assert "negative" in str(en[0].params["blocks"]) and "&lt;!channel&gt;" in str(
            en[0].params["blocks"]
        )
        de = [p for p in posts if p.params["channel"] == "CDE"]
        assert "negativ" in str(de[0].params["blocks"]) and de[0].params["thread_ts"] == "1.2"
        assert bot.fake.of("files.completeUploadExternal")[0].params["channel_id"] == "CEN"


async def test_without_a_signing_secret_slack_only_posts(db_url: str) -> None:
    async with running_bot(db_url, slack_signing_secret="") as bot:
        assert "slack" in bot.services.notifiers
        assert (await bot.client.post("/slack/events", data=b"{}")).status in (404, 405)
