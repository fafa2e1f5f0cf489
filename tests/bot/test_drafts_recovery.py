"""The recovery job is scheduled, closes the model client, and tells the thread."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from aiohttp import web

from bot import drafts_recovery, scheduler
from bot.services import build_services, close_services
from config.settings import Settings
from core.reply import Actor, Conversation, Reply
from handlers.drafts import service_for
from tests.core.drafts import conftest as drafts_db
from tests.core.drafts.conftest import FakePublisher, add_mention

pytestmark = pytest.mark.storage
sqlite_template = drafts_db.sqlite_template
db_url = drafts_db.db_url


class RecordingNotifier:
    platform = "slack"

    def __init__(self) -> None:
        self.posts: list[tuple[str, str | None, Reply]] = []

    async def post(
        self,
        *,
        channel_id: str,
        reply: Reply,
        thread_id: str | None = None,
        locale: str | None = None,
    ) -> str | None:
        self.posts.append((channel_id, thread_id, reply))
        return "1.2"


async def test_setup_schedules_the_job_and_recovery_tells_the_thread(db_url: str) -> None:
    services: Any = await build_services(Settings.for_tests(database_url=db_url))
    try:
        app = web.Application()
        scheduler.setup(app, services)
        drafts_recovery.setup(app, services)
        assert [j.name for j in services.background.scheduler._jobs] == [drafts_recovery.JOB]
        assert await drafts_recovery.recover(services) == []

        publisher = FakePublisher()
        publisher.fail = [RuntimeError("connection reset")]
        notifier = RecordingNotifier()
        services.publishers = {"mastodon": publisher}
        services.notifiers = {"slack": notifier}
        mention = await add_mention(services.sessions)
        drafts = service_for(services)
        anna = Actor("console", "console", "console")
        created = await drafts.create(
            mention_ref=str(mention.id),
            actor=anna,
            conversation=Conversation("slack", "C1", "1700.1"),
        )
        assert created.draft is not None
        await drafts.approve(draft_id=created.draft.id, version=1, actor=anna)
        assert notifier.posts == []  # the failure is on the card; no extra message

        later = services.clock() + dt.timedelta(minutes=2)
        services.clock = lambda: later
        (outcome,) = await drafts_recovery.recover(services)
        assert outcome.status == "published"
        ((channel, thread, reply),) = notifier.posts
        assert (channel, thread) == ("C1", "1700.1")
        assert "https://mastodon.example/@lumora/1" in reply.plain_text()
    finally:
        await close_services(services)
