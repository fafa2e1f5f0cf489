"""The poller against a real database and local servers: a line per source, failures kept
inside their source, backoff, and a restart that neither loses nor doubles a mention."""

from __future__ import annotations

import asyncio
import copy
import datetime as dt
import time
from typing import Any

import pytest
from aiohttp import web
from sqlalchemy import func, select

from core.models import Mention, SourceState
from core.models_sources import SourceRun
from core.storage import sources as store
from integrations.sources import poller
from integrations.sources.http import HttpClient
from tests.integrations.sources.conftest import FakeAPI, fixture_bytes, fixture_json, source_config

pytestmark = pytest.mark.storage

COMMENT = next(
    r["reply"]["hits"][0]
    for r in fixture_json("hackernews", "algolia_api_v1_fixtures.json")
    if r["url"] == "/api/v1/search_by_date?hitsPerPage=1&tags=(comment)"
)


def hits(count: int, start: int) -> list[dict[str, Any]]:
    """The real comment hit with its own id, time and a text about the watched brand."""
    out = []
    for i in range(start, start + count):
        hit = copy.deepcopy(COMMENT)
        hit["objectID"] = str(8_000_000 + i)
        hit["created_at_i"] = int(time.time()) - 3000 + 60 * i
        hit["comment_text"] = f"Die Lumora Brew Nummer {i} ist super"
        out.append(hit)
    return out


class Algolia:
    def __init__(self) -> None:
        self.hits: list[dict[str, Any]] = []
        self.mode = "ok"

    async def handle(self, request: web.Request) -> web.Response:
        if self.mode == "truncated":
            return web.Response(
                body=b'{"hits": [{"objectID": "1", "comment_te', content_type="application/json"
            )
        if self.mode == "slow":
            await asyncio.sleep(3)
        since = int(request.query["numericFilters"].split(">")[1].split(",")[0])
        newer = [h for h in self.hits if h["created_at_i"] > since]
        newer.sort(key=lambda h: h["created_at_i"], reverse=True)
        return web.json_response({"hits": newer, "nbPages": 1, "page": 0})


@pytest.fixture
async def wired(api: FakeAPI, http: HttpClient, source_services: Any) -> Any:
    """Three sources on local servers: HN (Algolia), a feed, and a Mastodon instance."""
    algolia = Algolia()
    algolia.hits = hits(3, 0)
    api.get("/api/v1/search_by_date", algolia.handle)
    feed = fixture_bytes("feeds", "wellformed_namespace_rss2.0withAtomNS.xml")
    state = {"mastodon": "error"}

    async def rss(_request: web.Request) -> web.Response:
        return web.Response(body=feed, content_type="application/rss+xml")

    async def tag(_request: web.Request) -> web.Response:
        if state["mastodon"] == "error":
            return web.Response(status=500, text="Internal Server Error")
        return web.Response(status=429, headers={"Retry-After": "120"})

    api.get("/feed.xml", rss)
    api.get("/api/v1/timelines/tag/lumora", tag)
    base = await api.start()
    sources = [
        source_config("hn", "hackernews", base_url=base, query="Lumora"),
        source_config("blog", "rss", url=f"{base}/feed.xml", keep_all=True),
        source_config("masto", "mastodon", base_url=base, hashtags=["lumora"]),
        source_config("hook", "webhook"),
        source_config("x", "x", query="Lumora"),
    ]
    source_services.workspace = source_services.workspace.model_copy(update={"sources": sources})
    return source_services, algolia, state


async def _count(services: Any, model: Any = Mention) -> int:
    async with services.sessions() as s:
        return int((await s.execute(select(func.count()).select_from(model))).scalar_one())


async def _state(services: Any, name: str) -> SourceState | None:
    async with services.sessions() as s:
        return await store.get_state(session=s, name=name)


async def test_one_failing_source_does_not_stop_the_others(wired: Any, http: HttpClient) -> None:
    services, _, _ = wired
    lines, failed = await poller.ingest_once(services, client=http)
    assert failed
    assert lines[0] == "hn: 3 new, 0 duplicates, 0 errors"
    assert lines[1] == "blog: 1 new, 0 duplicates, 0 errors"
    assert lines[2].startswith("masto: 0 new, 0 duplicates, 1 errors (HTTP 500 from 127.0.0.1")
    assert lines[3] == "hook: off: needs HORCH_WEBHOOK_SECRET"
    assert lines[4] == "x: off: needs X_BEARER_TOKEN (X bills every post read)"
    assert await _count(services) == 4
    masto = await _state(services, "masto")
    assert masto is not None and masto.error_count == 1 and "HTTP 500" in (masto.last_error or "")
    assert masto.next_poll_at is not None and masto.next_poll_at > services.clock()
    hn = await _state(services, "hn")
    assert hn is not None and hn.last_success is not None and hn.error_count == 0
    assert await _count(services, SourceRun) == 3


async def test_a_restart_after_a_crash_resumes_without_duplicates(
    wired: Any, http: HttpClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    services, algolia, _ = wired
    await poller.ingest_once(services, client=http, only="hn")
    algolia.hits += hits(2, 10)
    real_save = store.save_progress

    async def crash(**_kwargs: Any) -> None:
        raise RuntimeError("killed before the cursor was stored")

    monkeypatch.setattr(store, "save_progress", crash)
    lines, failed = await poller.ingest_once(services, client=http, only="hn")
    assert failed and "unexpected error (RuntimeError)" in lines[0]
    assert await _count(services) == 5  # the batch is stored; only its cursor is missing
    monkeypatch.setattr(store, "save_progress", real_save)
    algolia.hits += hits(1, 20)
    lines, failed = await poller.ingest_once(services, client=http, only="hn")
    assert not failed
    assert lines == ["hn: 1 new, 2 duplicates, 0 errors"]  # refetched the 2, stored them once
    async with services.sessions() as s:
        ids = (await s.execute(select(Mention.external_id).where(Mention.source == "hn"))).all()
    assert sorted(i for (i,) in ids) == sorted(h["objectID"] for h in algolia.hits)


async def test_bad_payloads_and_timeouts_are_marked_and_retried_later(
    wired: Any, http: HttpClient
) -> None:
    services, algolia, _ = wired
    algolia.mode = "truncated"
    lines, failed = await poller.ingest_once(services, client=http, only="hn")
    assert failed and "invalid or truncated JSON" in lines[0]
    algolia.mode = "slow"
    lines, _ = await poller.ingest_once(services, client=http, only="hn")
    assert "timeout after 1 s" in lines[0]
    state = await _state(services, "hn")
    assert state is not None and state.error_count == 2
    algolia.mode = "ok"
    lines, failed = await poller.ingest_once(services, client=http, only="hn")
    assert not failed and lines[0] == "hn: 3 new, 0 duplicates, 0 errors"
    state = await _state(services, "hn")
    assert state is not None and state.error_count == 0 and state.next_poll_at is None


async def test_a_long_retry_after_rests_the_source_that_long(wired: Any, http: HttpClient) -> None:
    services, _, state = wired
    state["mastodon"] = "rate-limited"
    lines, _ = await poller.ingest_once(services, client=http, only="masto")
    assert "HTTP 429" in lines[0]
    masto = await _state(services, "masto")
    assert masto is not None and masto.next_poll_at is not None
    assert masto.next_poll_at - services.clock() > dt.timedelta(seconds=110)


async def test_a_scheduled_poll_skips_a_resting_source(
    wired: Any, http: HttpClient, api: FakeAPI
) -> None:
    services, _, _ = wired
    await poller.ingest_once(services, client=http, only="masto")
    before = len(api.requests)
    info = next(
        i
        for i in poller.load_sources(services.workspace, services.settings, HttpClient())
        if i.name == "masto"
    )
    assert info.source is not None
    await poller.poll_if_due(services, info.source, interval=300)
    assert len(api.requests) == before  # resting after the failure: not asked again yet


async def test_unknown_source_name_is_an_error(wired: Any, http: HttpClient) -> None:
    services, _, _ = wired
    assert await poller.ingest_once(services, client=http, only="nope") == (
        ["nope: no such source in the workspace file"],
        True,
    )


async def test_setup_registers_one_job_per_ready_source(wired: Any) -> None:
    services, _, _ = wired
    jobs: list[tuple[str, float]] = []

    class Scheduler:
        def every(self, name: str, seconds: float, fn: Any) -> None:
            jobs.append((name, seconds))

    services.background.scheduler = Scheduler()
    app = web.Application()
    poller.setup(app, services)
    assert jobs == [("poll:hn", 300), ("poll:blog", 300), ("poll:masto", 300)]
