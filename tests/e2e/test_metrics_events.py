"""GET /metrics counts the events that no request starts: polls and their errors, imports,
alerts raised and delivered, drafts changing state, scheduled runs, claims lost to another
replica, standups posted — each driven through the real code path."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot import app as bot_app
from bot.alert_jobs import engine_for
from bot.scheduler import Scheduler
from bot.services import build_services, close_services
from bot.standup_jobs import StandupJobs
from config.settings import Settings
from core.db import session_scope
from core.storage import conversations
from integrations.sources.files import import_file
from integrations.sources.poller import ingest_once
from tests.conftest import console_request
from tests.core.drafts.conftest import add_mention
from tests.core.trends.helpers import NOW, Clock, Recorder, make_services, raws, write_history
from tests.e2e.test_metrics import Scrape
from tests.fakes import RuleAnalyzer
from tests.faults.fake_feed import FakeFeed

pytestmark = pytest.mark.e2e


@pytest.fixture
async def scrape() -> AsyncIterator[Scrape]:
    """GET /metrics of the bot's own handler (the registry is the process's)."""
    app = web.Application()
    app.router.add_get("/metrics", bot_app.metrics)
    client = TestClient(TestServer(app, host="127.0.0.1"))
    await client.start_server()
    reading = Scrape(client)
    await reading.start()
    yield reading
    await client.close()


async def test_polls_and_source_errors_by_kind(db_url: str, tmp_path: Path, scrape: Scrape) -> None:
    feed = FakeFeed("metrics-feed")
    await feed.start()
    workspace = tmp_path / "workspace.yaml"
    source = {"name": "metrics-feed", "type": "rss", "url": feed.url}
    workspace.write_text(yaml.safe_dump({"brand": {"name": "Lumora"}, "sources": [source]}))
    settings = Settings.for_tests(database_url=db_url, workspace_path=workspace)
    services = await build_services(settings, analyzer=RuleAnalyzer())
    try:
        feed.grow(4)
        _, failed = await ingest_once(services)
        assert not failed
        feed.set_mode("error")  # 503
        await ingest_once(services)
        feed.set_mode("garbage")  # 200, but no feed
        await ingest_once(services)
        await scrape.stop()
    finally:
        await close_services(services)
        await feed.stop()
    name = {"source": "metrics-feed"}
    assert scrape.delta("horch_source_polls_total", outcome="ok", **name) == 1
    assert scrape.delta("horch_source_polls_total", outcome="error", **name) == 2
    assert scrape.delta("horch_source_errors_total", kind="http_5xx", **name) == 1
    assert scrape.delta("horch_source_errors_total", kind="payload", **name) == 1
    assert scrape.delta("horch_mentions_ingested_total", via="poll", **name) == 4
    assert scrape.delta("horch_mentions_duplicate_total", via="poll", **name) == 0
    assert scrape.after.count('horch_source_up{source="metrics-feed"} 0.0') == 1


async def test_an_import_is_counted_as_its_own_way_in(
    services: Any, tmp_path: Path, scrape: Scrape
) -> None:
    path = tmp_path / "export.csv"
    rows = ["text,url,author,published_at"]
    rows += [
        f"Lumora Brew Test {i},https://example.org/{i},Jana,2026-11-0{i + 1}T10:00:00Z"
        for i in range(3)
    ]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    for _ in range(2):  # the second import finds everything stored
        await import_file(
            services, path=path, source="export", mapping=[], fmt=None, progress=False
        )
    await scrape.stop()
    way = {"source": "export", "via": "import"}
    assert scrape.delta("horch_mentions_ingested_total", **way) == 3
    assert scrape.delta("horch_mentions_duplicate_total", **way) == 3


async def test_alerts_raised_delivered_and_failed(db_url: str, scrape: Scrape) -> None:
    clock = Clock()
    services = await make_services(db_url, clock)
    recorder = Recorder()
    services.notifiers["console"] = recorder
    engine = engine_for(services)
    try:
        async with session_scope(services.sessions) as session:
            for channel in ("ok-channel", "down-channel"):
                await conversations.set_subscription(
                    session=session,
                    platform="console",
                    channel_id=channel,
                    kind="alerts",
                    enabled=True,
                    now=NOW,
                )
        engine.forget_targets()
        current = NOW.replace(minute=0)
        await write_history(services, "term:entkalken", [2] * (24 * 10), end=current)
        recorder.fail = 1  # one of the two channels cannot be reached
        texts = [f"Entkalken geht bei der Maschine nicht ({i})?" for i in range(40)]
        await services.pipeline.ingest(raws(texts, start=current))
        await engine.drain()
        await scrape.stop()
    finally:
        await engine.drain()
        await close_services(services)
    assert scrape.delta("horch_alerts_total", kind="burst", level="normal") == 1
    deliveries = "horch_alert_deliveries_total"
    assert scrape.delta(deliveries, platform="console", outcome="posted") == 1
    assert scrape.delta(deliveries, platform="console", outcome="failed") == 1
    posts = "horch_posts_total"
    assert scrape.delta(posts, platform="console", kind="alert", outcome="ok") == 1
    assert scrape.delta(posts, platform="console", kind="alert", outcome="error") == 1
    assert scrape.delta("horch_mentions_ingested_total", via="direct") == 40


async def test_drafts_are_counted_by_the_state_they_enter(services: Any, scrape: Scrape) -> None:
    from handlers.dispatch import dispatch

    registry = services.registry
    mention = await add_mention(services.sessions, text="Wann kommt meine Lieferung?")
    card = await dispatch(registry, services, console_request(f"draft {mention.id}"))
    assert not card.error
    reject = next(a for a in card.actions if a.id == "draft.reject")
    click = console_request(f"!draft.reject {reject.value}")
    assert not (await dispatch(registry, services, click)).error
    again = console_request(f"!draft.reject {reject.value}")  # a second click changes nothing
    await dispatch(registry, services, again)
    await scrape.stop()
    assert scrape.delta("horch_drafts_total", state="proposed") == 1
    assert scrape.delta("horch_drafts_total", state="rejected") == 1


async def test_scheduled_runs_and_claims_lost_to_another_replica(
    services: Any, scrape: Scrape
) -> None:
    services.instance = "replica-a"
    a = Scheduler(services)
    b = Scheduler(services)
    b.owner = "replica-b"
    ran: list[str] = []

    async def work() -> None:
        ran.append("x")

    async def broken() -> None:
        raise RuntimeError("the job's bug")

    ttl = dt.timedelta(minutes=1)
    assert await a.run_claimed("metrics-job", "7", work, ttl)
    assert not await b.run_claimed("metrics-job", "7", work, ttl)  # a has it
    assert await b.run_claimed("metrics-job", "8", broken, ttl)
    await scrape.stop()
    assert ran == ["x"]
    runs = "horch_job_runs_total"
    assert scrape.delta(runs, job="metrics-job", outcome="done") == 1
    assert scrape.delta(runs, job="metrics-job", outcome="failed") == 1
    assert scrape.delta("horch_job_claim_conflicts_total", job="metrics-job") == 1


async def test_a_standup_posted_once_by_two_replicas(db_url: str, scrape: Scrape) -> None:
    clock = Clock(dt.datetime(2026, 11, 24, 12, 0))  # a Tuesday, after the 09:30 standup
    one = await make_services(db_url, clock, instance="replica-a")
    two = await make_services(db_url, clock, instance="replica-b")
    try:
        for svc in (one, two):
            svc.notifiers["slack"] = Recorder("slack")
        async with session_scope(one.sessions) as session:
            await conversations.set_subscription(
                session=session,
                platform="slack",
                channel_id="C0STANDUP",
                kind="standup",
                enabled=True,
                now=clock(),
                settings={"active_from": "2026-11-23T00:00:00", "at": "11:30", "zone": "UTC"},
            )
        first = await StandupJobs(one).tick()
        second = await StandupJobs(two).tick()
        await scrape.stop()
    finally:
        await close_services(one)
        await close_services(two)
    assert [o.result for o in first] == ["posted"] and second == []
    assert scrape.delta("horch_posts_total", platform="slack", kind="standup", outcome="ok") == 1
    assert scrape.delta("horch_job_claim_conflicts_total", job="standup") == 1
