"""Teams end to end: proactive posts (standups, alerts) through the Teams Notifier.

The conversation reference is saved when the bot is installed; after a restart (new
services and app on the same database) the notifier still posts: a new top-level post in
the channel (POST /v3/conversations), a reply into a thread, a message in a chat. Posts
are retried on 429/412/502/504 with backoff, and give up with a clear error otherwise.
"""

from __future__ import annotations

import pytest

from bot.teams.connector import ConnectorError
from bot.teams.notifier import UnknownConversation
from core.reply import Fact, Reply
from tests.bot.teams import activities as act
from tests.bot.teams.harness import running_bot, start_bot, stop_bot
from tests.e2e.test_teams_messages import texts

pytestmark = pytest.mark.e2e

CHANNEL = "19:0b7f32667e064dd9b25d7969801541f4@thread.tacv2"
TENANT = "b28fdbfd-2b78-4f93-b0f8-8881793f0f8f"
STANDUP = Reply(title="Standup", sections=["3 new mentions"], facts=[Fact("Open", "2")])


async def test_a_post_after_a_restart_starts_a_new_thread_in_the_channel(db_url: str) -> None:
    first = await start_bot(db_url)
    await first.post(act.team_install(first.fake.url))
    fake = first.fake
    await stop_bot(first, keep_fake=True)
    fake.calls.clear()

    second = await start_bot(db_url, fake=fake)  # a new process: nothing in memory
    try:
        notifier = second.services.notifiers["teams"]
        posted = await notifier.post(channel_id=CHANNEL, reply=STANDUP, locale="en")
        [create] = fake.calls
        assert create.kind == "create" and create.method == "POST"
        assert create.body["isGroup"] is True
        assert create.body["channelData"]["channel"]["id"] == CHANNEL
        assert create.body["tenantId"] == TENANT
        assert create.body["bot"]["id"] == "28:608cacfd-1cea-40c9-b678-4b93e69bb72b"
        assert "Standup" in texts(create.card) and "3 new mentions" in texts(create.card)
        assert posted is not None and posted.isdigit()

        await notifier.post(channel_id=CHANNEL, reply=STANDUP, thread_id=posted)
        reply = fake.calls[-1]
        assert reply.kind == "send"
        assert reply.conversation_id == f"{CHANNEL};messageid={posted}"
        assert "replyToId" not in reply.body
    finally:
        await stop_bot(second)


async def test_a_post_to_a_personal_chat_and_to_an_unknown_channel(db_url: str) -> None:
    async with running_bot(db_url) as bot:
        personal = act.personal_message("help", bot.fake.url)
        await bot.post(personal)
        bot.fake.calls.clear()
        notifier = bot.services.notifiers["teams"]
        await notifier.post(channel_id=personal["conversation"]["id"], reply=STANDUP)
        [sent] = bot.fake.calls
        assert sent.kind == "send" and sent.conversation_id == personal["conversation"]["id"]
        with pytest.raises(UnknownConversation):
            await notifier.post(channel_id="19:never-seen@thread.tacv2", reply=STANDUP)


async def test_posts_are_retried_on_429_412_502_504(db_url: str) -> None:
    async with running_bot(db_url) as bot:
        await bot.post(act.team_install(bot.fake.url))
        bot.fake.calls.clear()
        bot.fake.fail(429, retry_after="2")
        bot.fake.fail(412, 502, 504)
        posted = await bot.services.notifiers["teams"].post(channel_id=CHANNEL, reply=STANDUP)
        assert [c.status for c in bot.fake.calls] == [429, 412, 502, 504, 200]
        assert posted is not None and posted.isdigit()


async def test_a_post_gives_up_after_the_retries_and_at_once_on_other_errors(db_url: str) -> None:
    async with running_bot(db_url) as bot:
        await bot.post(act.team_install(bot.fake.url))
        notifier = bot.services.notifiers["teams"]
        bot.fake.calls.clear()
        bot.fake.fail(502, 502, 502, 502, 502)
        with pytest.raises(ConnectorError) as failed:
            await notifier.post(channel_id=CHANNEL, reply=STANDUP)
        assert failed.value.status == 502 and len(bot.fake.calls) == 5
        bot.fake.calls.clear()
        bot.fake.fail(403)  # the bot was removed from the team: no use in trying again
        with pytest.raises(ConnectorError) as forbidden:
            await notifier.post(channel_id=CHANNEL, reply=STANDUP)
        assert forbidden.value.status == 403 and len(bot.fake.calls) == 1
