"""Backfills against local APIs that page like the real ones (backfill_fakes.py, items from
real captured responses): every item of the span stored once through the pipeline, runs
resumed from their stored cursor after a failure, rate limits waited out, and the coverage
each run leaves behind."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest
from aiohttp import web
from sqlalchemy import func, select

from core.backfill import window
from core.db import session_scope
from core.metrics import MENTIONS_INGESTED
from core.models import Mention, SourceState
from core.storage import backfills as runs
from integrations.sources.backfill import Progress, run_backfill
from integrations.sources.bluesky import BlueskySource
from integrations.sources.hackernews import HackerNewsSource
from integrations.sources.http import HttpClient
from integrations.sources.mastodon import MastodonSource
from integrations.sources.reddit import RedditSource
from integrations.sources.x import XSource
from tests.integrations.sources.backfill_fakes import (
    Algolia,
    BlueskySearch,
    MastodonTag,
    RedditListing,
    XRecent,
    hn_hits,
    reddit_children,
    sky_posts,
    spread,
    statuses,
    x_posts,
)
from tests.integrations.sources.conftest import FakeAPI, source_config

pytestmark = pytest.mark.storage
OWNER = "test-host:1"


async def new_run(services: Any, source: Any, days: int) -> int:
    since, until, _ = window(source.type, days, services.clock())
    async with session_scope(services.sessions) as session:
        run = await runs.create_run(
            session=session,
            source=source.name,
            days=days,
            since=since,
            until=until,
            owner=OWNER,
            now=services.clock(),
        )
    assert run.id is not None
    return run.id


async def stored_ids(services: Any, source: str) -> list[str]:
    async with services.sessions() as session:
        rows = await session.execute(select(Mention.external_id).where(Mention.source == source))
    return sorted(i for (i,) in rows.all())


async def state_of(services: Any, name: str) -> SourceState | None:
    async with services.sessions() as session:
        return await session.get(SourceState, name)


class Sleeps:
    def __init__(self) -> None:
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


async def test_hn_reads_every_hit_of_the_span_once_narrowing_past_the_hit_cap(
    api: FakeAPI, http: HttpClient, source_services: Any
) -> None:
    inside = hn_hits(spread(450, 19.5))
    older = hn_hits(spread(30, 40)[-10:], start=900)  # before the span: never asked for
    algolia = Algolia(inside + older, max_hits=200)
    api.get("/api/v1/search_by_date", algolia.handle)
    base = await api.start()
    hn = HackerNewsSource(source_config("hn", "hackernews", base_url=base, query="Lumora"), http)
    run_id = await new_run(source_services, hn, 20)
    before = MENTIONS_INGESTED.labels("hn", "backfill")._value.get()
    seen: list[Progress] = []

    async def on_progress(p: Progress) -> None:
        seen.append(Progress(**vars(p)))

    report = await run_backfill(
        source_services, hn, run_id=run_id, owner=OWNER, on_progress=on_progress
    )
    assert report.outcome == "done" and report.progress.stored == 450
    assert await stored_ids(source_services, "hn") == sorted(h["objectID"] for h in inside)
    assert MENTIONS_INGESTED.labels("hn", "backfill")._value.get() - before == 450
    # more than the 200 hits served of one query: the window narrowed to the oldest read
    uppers = [q["numericFilters"].split("<=")[1] for q in algolia.queries]
    assert len(set(uppers)) >= 3
    fractions = [p.fraction for p in seen]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    async with source_services.sessions() as session:
        run = await runs.get_run(session=session, run_id=run_id)
    assert run is not None and run.status == "done" and run.claimed_by is None
    state = await state_of(source_services, "hn")
    assert state is not None and state.covered_from == run.since


async def test_a_failed_run_resumes_from_its_stored_cursor(
    api: FakeAPI, http: HttpClient, source_services: Any
) -> None:
    hits = hn_hits(spread(320, 9.5))
    algolia = Algolia(hits, max_hits=100)
    algolia.fail_after = 2
    api.get("/api/v1/search_by_date", algolia.handle)
    base = await api.start()
    hn = HackerNewsSource(source_config("hn", "hackernews", base_url=base, query="Lumora"), http)
    run_id = await new_run(source_services, hn, 10)
    first = await run_backfill(source_services, hn, run_id=run_id, owner=OWNER)
    assert first.outcome == "failed" and "HTTP 500" in (first.error or "")
    assert len(await stored_ids(source_services, "hn")) == 199  # the boundary hit read twice
    async with source_services.sessions() as session:
        run = await runs.get_run(session=session, run_id=run_id)
    assert run is not None and run.status == "failed" and run.reached is not None
    cursor = runs.load_cursor(run.cursor)
    partial = await state_of(source_services, "hn")
    assert partial is not None and partial.covered_from == run.reached  # what it got so far
    algolia.fail_after = None
    asked = len(algolia.queries)
    async with session_scope(source_services.sessions) as session:
        assert await runs.claim_run(
            session=session, run_id=run_id, owner="other:2", now=run.updated_at
        )
    second = await run_backfill(source_services, hn, run_id=run_id, owner="other:2")
    assert second.outcome == "done"
    # the resumed run asks from where the first one stopped, not from the start
    resumed = algolia.queries[asked]
    assert resumed["numericFilters"].endswith(f"<={cursor['until']}")
    assert resumed["page"] == str(cursor["page"])
    assert await stored_ids(source_services, "hn") == sorted(h["objectID"] for h in hits)


async def test_a_long_retry_after_is_waited_out(
    api: FakeAPI, http: HttpClient, source_services: Any
) -> None:
    hits = hn_hits(spread(150, 4))
    algolia = Algolia(hits)
    calls = {"n": 0}

    async def limited(request: web.Request) -> web.StreamResponse:
        calls["n"] += 1
        if calls["n"] == 2:
            return web.Response(status=429, headers={"Retry-After": "120"})
        return await algolia.handle(request)

    api.get("/api/v1/search_by_date", limited)
    base = await api.start()
    hn = HackerNewsSource(source_config("hn", "hackernews", base_url=base, query="Lumora"), http)
    run_id = await new_run(source_services, hn, 5)
    sleeps = Sleeps()
    report = await run_backfill(source_services, hn, run_id=run_id, owner=OWNER, sleep=sleeps)
    assert report.outcome == "done" and report.progress.stored == 150
    assert sum(sleeps.waits) == pytest.approx(120)  # in chunks, renewing the lease


async def test_mastodon_pages_back_with_max_id_until_the_day_asked(
    api: FakeAPI, http: HttpClient, source_services: Any
) -> None:
    posts = statuses(spread(130, 6)) + statuses(spread(200, 30)[-20:], start=-1000)
    tag = MastodonTag(posts)
    api.get("/api/v1/timelines/tag/lumora", tag.handle)
    base = await api.start()
    cfg = source_config("masto", "mastodon", base_url=base, hashtags=["lumora"])
    masto = MastodonSource(cfg, http)
    run_id = await new_run(source_services, masto, 7)
    report = await run_backfill(source_services, masto, run_id=run_id, owner=OWNER)
    assert report.outcome == "done"
    in_span = [p["uri"] for p in posts[:130]]
    assert await stored_ids(source_services, "masto") == sorted(in_span)
    max_ids = [r.query.get("max_id") for r in api.hits("/api/v1/timelines/tag/lumora")]
    assert max_ids[0] is None and len(set(max_ids)) == len(max_ids) >= 4


async def test_mastodon_rests_until_its_rate_limit_resets(
    api: FakeAPI, http: HttpClient, source_services: Any
) -> None:
    tag = MastodonTag(statuses(spread(60, 3)))
    tag.reset_in = 30
    api.get("/api/v1/timelines/tag/lumora", tag.handle)
    base = await api.start()
    cfg = source_config("masto", "mastodon", base_url=base, hashtags=["lumora"])
    run_id = await new_run(source_services, MastodonSource(cfg, http), 5)
    sleeps = Sleeps()
    await run_backfill(
        source_services, MastodonSource(cfg, http), run_id=run_id, owner=OWNER, sleep=sleeps
    )
    assert sleeps.waits and 25 < sum(sleeps.waits) <= 30 * 2


async def test_bluesky_narrows_until_to_the_oldest_post_read(
    api: FakeAPI, http: HttpClient, source_services: Any
) -> None:
    posts = sky_posts(spread(260, 9))
    search = BlueskySearch(posts)
    api.get("/xrpc/app.bsky.feed.searchPosts", search.handle)
    base = await api.start()
    sky = BlueskySource(source_config("sky", "bluesky", base_url=base, query="Lumora"), http)
    run_id = await new_run(source_services, sky, 10)
    report = await run_backfill(source_services, sky, run_id=run_id, owner=OWNER)
    assert report.outcome == "done" and report.progress.stored == 260
    assert await stored_ids(source_services, "sky") == sorted(p["uri"] for p in posts)
    assert all(q["since"] == search.queries[0]["since"] for q in search.queries)
    untils = [q["until"] for q in search.queries]
    assert untils == sorted(untils, reverse=True) and len(set(untils)) == len(untils)


async def test_reddit_search_pages_with_after_and_says_when_the_listing_is_capped(
    api: FakeAPI, http: HttpClient, source_services: Any
) -> None:
    children = reddit_children(spread(300, 28))
    listing = RedditListing(children, cap=250)
    api.post("/api/v1/access_token", listing.token)
    api.get("/search", listing.handle)
    base = await api.start()
    cfg = source_config(
        "reddit", "reddit", base_url=base, query="Lumora", options={"auth_url": base}
    )
    red = RedditSource(cfg, http, client_id=f"bf-{uuid.uuid4().hex[:8]}", client_secret="s")
    run_id = await new_run(source_services, red, 30)
    report = await run_backfill(source_services, red, run_id=run_id, owner=OWNER)
    assert report.outcome == "done" and report.capped
    assert report.progress.stored == 250
    assert all(q["t"] == "month" and q["sort"] == "new" for q in listing.queries)
    oldest = min(c["data"]["created_utc"] for c in children[:250])
    state = await state_of(source_services, "reddit")
    assert state is not None and state.covered_from is not None
    covered = state.covered_from.replace(tzinfo=dt.UTC).timestamp()
    assert covered == pytest.approx(oldest, abs=1)  # covered only as far as it could read


async def test_x_reads_seven_days_at_most_and_rests_when_its_window_is_spent(
    api: FakeAPI, http: HttpClient, source_services: Any
) -> None:
    posts = x_posts(spread(45, 6.5)) + x_posts(spread(40, 20)[-5:])
    recent = XRecent(posts)
    recent.remaining = "0"
    api.get("/2/tweets/search/recent", recent.handle)
    base = await api.start()
    cfg = source_config("x", "x", base_url=base, query="Lumora", options={"max_results": 10})
    x = XSource(cfg, http, bearer_token="b")
    since, until, clamped = window("x", 30, source_services.clock())
    assert clamped and until - since < dt.timedelta(days=7)
    run_id = await new_run(source_services, x, 30)
    sleeps = Sleeps()
    report = await run_backfill(source_services, x, run_id=run_id, owner=OWNER, sleep=sleeps)
    assert report.outcome == "done" and report.progress.stored == 45
    assert [q.get("next_token") for q in recent.queries] == [None, "10", "20", "30", "40"]
    assert sleeps.waits  # x-rate-limit-remaining 0: rested until the reset


async def test_a_run_held_by_a_live_process_is_not_taken_over(source_services: Any) -> None:
    now = source_services.clock()
    async with session_scope(source_services.sessions) as session:
        run = await runs.create_run(
            session=session,
            source="hn",
            days=3,
            since=now - dt.timedelta(days=3),
            until=now,
            owner="elsewhere:42",
            now=now,
        )
        assert run.id is not None
        assert not await runs.claim_run(session=session, run_id=run.id, owner="me:1", now=now)
        assert await runs.claim_run(
            session=session, run_id=run.id, owner="me:1", now=now, is_dead=lambda o: True
        )
        later = now + runs.LEASE + dt.timedelta(seconds=1)
        assert await runs.claim_run(session=session, run_id=run.id, owner="third:3", now=later)
    async with source_services.sessions() as session:
        total = (await session.execute(select(func.count()).select_from(SourceState))).scalar()
    assert total == 0  # claiming touches no source state
