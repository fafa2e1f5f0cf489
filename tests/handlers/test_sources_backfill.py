"""`sources backfill` through the real dispatch: a run started from chat reports in the
asker's conversation, `sources backfill` lists it, and briefs and trends over a longer
period say that the source is covered only from where the run reached."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest

from config.settings import Settings
from config.workspace import SourceConfig
from core.reply import Reply
from integrations.sources.backfill_service import BackfillService
from integrations.sources.http import HttpClient, RetryPolicy
from tests.conftest import console_request
from tests.fakes import RuleAnalyzer
from tests.integrations.sources.backfill_fakes import Algolia, hn_hits, spread
from tests.integrations.sources.conftest import FakeAPI

pytestmark = pytest.mark.storage


class Notes:
    """A Notifier for the console that keeps what it was asked to post."""

    platform = "console"

    def __init__(self) -> None:
        self.posts: list[tuple[str, str]] = []

    async def post(
        self,
        *,
        channel_id: str,
        reply: Reply,
        thread_id: str | None = None,
        locale: str | None = None,
    ) -> str | None:
        self.posts.append((channel_id, reply.plain_text()))
        return str(len(self.posts))


@pytest.fixture
async def wired(db_url: str) -> AsyncIterator[tuple[Any, Notes, BackfillService]]:
    from bot.services import build_services, close_services

    api = FakeAPI()
    algolia = Algolia(hn_hits(spread(240, 9.5)), max_hits=100)
    api.get("/api/v1/search_by_date", algolia.handle)
    base = await api.start()
    svc = await build_services(Settings.for_tests(database_url=db_url), analyzer=RuleAnalyzer())
    hn = SourceConfig(name="hn", type="hackernews", base_url=base, query="Lumora")
    svc.workspace = svc.workspace.model_copy(update={"sources": [hn]})
    notes = Notes()
    svc.notifiers["console"] = notes
    http = HttpClient(timeout=5, retry=RetryPolicy(attempts=2, initial=0.01, max_wait=0.05))
    service = BackfillService(svc, http)
    svc.background.backfill = service
    svc.background.backfill_offer_done = True  # the offer has tests of its own
    yield svc, notes, service
    await service.close()
    await http.close()
    await close_services(svc)
    await api.close()


async def ask(services: Any, text: str, locale: str = "en") -> Reply:
    from handlers.dispatch import dispatch

    return await dispatch(services.registry, services, console_request(text, locale=locale))


async def test_a_backfill_from_chat_reports_and_briefs_name_the_coverage(wired: Any) -> None:
    services, notes, service = wired
    reply = await ask(services, "sources backfill hn --days 10")
    assert reply.sections[0].startswith("Fetching the past of hn: the last 10 days, back to ")
    await asyncio.wait_for(asyncio.gather(*service._tasks), timeout=60)
    lines = [text for _channel, text in notes.posts]
    progress = [t for t in lines if t.startswith("Backfill of hn: ")]
    assert progress and all(" read, back to " in t for t in progress), lines
    assert lines[-1].startswith("Backfill of hn done: ") and "240 new mentions" in lines[-1]

    runs = await ask(services, "sources backfill")
    [run] = runs.items
    assert run.title == "hn (10 days)" and run.text == "done"
    assert {f.label: f.value for f in run.facts}["Read"] == "100%"

    again = await ask(services, "sources backfill hn --days 10")
    assert again.sections[0].startswith("Fetching the past of hn")  # a finished run: a new one
    await asyncio.wait_for(asyncio.gather(*service._tasks), timeout=60)
    assert "0 new mentions" not in notes.posts[-1][1] or "were already stored" in notes.posts[-1][1]

    brief = await ask(services, "brief 30d")
    assert any(
        n.startswith("Coverage is partial: hn covered only from ") for n in brief.footnotes
    ), brief.footnotes
    trends = await ask(services, "trends 30d")
    assert any(n.startswith("Coverage is partial: hn") for n in trends.footnotes)
    week = await ask(services, "brief 7d")  # inside the covered days: nothing partial
    assert not any(n.startswith("Coverage is partial") for n in week.footnotes)
    german = await ask(services, "brief 30d", locale="de")
    assert any(n.startswith("Abdeckung lückenhaft: hn erst ab ") for n in german.footnotes)


async def test_wrong_names_and_days_are_explained(wired: Any) -> None:
    services, _notes, _service = wired
    unknown = await ask(services, "sources backfill nope")
    assert unknown.error and "There is no source nope" in unknown.sections[0]
    assert "hn" in unknown.sections[0]
    bad = await ask(services, "sources backfill hn --days 0")
    assert bad.error and "--days takes a whole number of days from 1 to 3650" in bad.sections[0]
    services.background.backfill = None
    cli = await ask(services, "sources backfill hn --days 5")
    assert "python -m bot ingest --backfill hn --days 5" in cli.sections[0]


async def test_a_new_workspace_offers_the_backfill_once(db_url: str) -> None:
    from bot.services import build_services, close_services
    from handlers.sources_backfill import backfill_offer

    svc = await build_services(Settings.for_tests(database_url=db_url), analyzer=RuleAnalyzer())
    try:
        hn = SourceConfig(name="hn", type="hackernews", query="Lumora")
        svc.workspace = svc.workspace.model_copy(update={"sources": [hn]})
        line = await backfill_offer(svc, "de")
        assert line is not None and "sources backfill hn --days 30" in line
        assert line.startswith("Neu hier?")
        svc.background.backfill_offer_done = False
        assert await backfill_offer(svc, "de") is None  # once per database, not per process
    finally:
        await close_services(svc)


async def test_at_start_the_bot_resumes_a_run_whose_process_died(wired: Any) -> None:
    import socket

    from core.backfill import window
    from core.db import session_scope
    from core.storage import backfills as runs

    services, notes, service = wired
    since, until, _ = window("hackernews", 10, services.clock())
    dead = f"{socket.gethostname()}:{2**22 + 12345}"  # above any pid this host hands out
    async with session_scope(services.sessions) as session:
        run = await runs.create_run(
            session=session,
            source="hn",
            days=10,
            since=since,
            until=until,
            owner=dead,
            now=services.clock(),
            notify={"platform": "console", "channel_id": "console", "locale": "de"},
        )
    assert await service.resume_orphans() == 1
    await asyncio.wait_for(asyncio.gather(*service._tasks), timeout=60)
    async with services.sessions() as session:
        done = await runs.get_run(session=session, run_id=run.id)
    assert done is not None and done.status == "done" and done.stored == 240
    assert notes.posts[-1][1].startswith("Nachladen von hn fertig:")
