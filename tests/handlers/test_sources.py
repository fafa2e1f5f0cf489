"""`sources` through the real dispatch: each source's state, and what is not covered."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from config.settings import Settings
from config.workspace import SourceConfig
from core.clock import utcnow
from core.db import session_scope
from core.storage import sources as store

pytestmark = pytest.mark.storage

SOURCES = [
    SourceConfig(name="hn", type="hackernews", query="Lumora"),
    SourceConfig(
        name="masto", type="mastodon", base_url="https://social.example", hashtags=["lumora"]
    ),
    SourceConfig(name="bsky", type="bluesky", query="Lumora"),
    SourceConfig(name="blog", type="rss", url="https://blog.example/feed", enabled=False),
    SourceConfig(name="reddit", type="reddit", query="Lumora"),
    SourceConfig(name="twitter", type="x", query="Lumora", interval_seconds=900),
    SourceConfig(name="broken", type="rss"),
    SourceConfig(name="typo", type="hackernews", query="Lumora", options={"max_page": 3}),
    SourceConfig(name="webhook", type="webhook"),
]


@pytest.fixture
def settings(db_url: str) -> Settings:
    return Settings.for_tests(database_url=db_url, webhook_secret="s3cret")


@pytest.fixture
async def configured(services: Any) -> Any:
    services.workspace = services.workspace.model_copy(update={"sources": SOURCES})
    now = utcnow()
    async with session_scope(services.sessions) as s:
        await store.save_progress(
            session=s, name="hn", cursor={}, now=now - dt.timedelta(minutes=5), quota_remaining=77
        )
        await store.record_run(session=s, source="hn", now=now - dt.timedelta(hours=2), new=5)
        await store.record_run(session=s, source="hn", now=now - dt.timedelta(hours=30), new=9)
        for _ in range(2):
            await store.record_failure(
                session=s,
                name="masto",
                error="HTTP 500 from social.example/api/v1/timelines/tag/lumora",
                now=now,
                interval=300,
            )
        await store.record_run(session=s, source="webhook", now=now - dt.timedelta(hours=1), new=3)
        await store.record_run(
            session=s, source="crm-export", now=now - dt.timedelta(hours=3), new=12
        )
    return services


async def test_each_source_with_its_state(ask: Callable[..., Any], configured: Any) -> None:
    reply = await ask("sources")
    items = {i.title: i for i in reply.items}
    hn = items["hn (hackernews)"]
    facts = {f.label: f.value for f in hn.facts}
    assert hn.text == "working"
    assert facts["New in 24 h"] == "5" and facts["Remaining quota"] == "77"
    assert facts["Polled every"] == "5 min" and facts["Last success"] != "never"
    masto = items["masto (mastodon)"]
    assert masto.text.startswith("failing (2 times in a row); next try ")
    assert "HTTP 500 from social.example" in {f.label: f.value for f in masto.facts}["Last error"]
    assert "anonymous search: one page" in items["bsky (bluesky)"].text
    assert items["blog (rss)"].text == "switched off in the workspace file"
    assert items["reddit (reddit)"].text == "off: needs REDDIT_CLIENT_ID and REDDIT_CLIENT_SECRET"
    assert items["twitter (x)"].text == "off: needs X_BEARER_TOKEN (X bills every post read)"
    assert items["broken (rss)"].text == (
        "misconfigured: needs `url` in its entry of the workspace file"
    )
    assert items["typo (hackernews)"].text == (
        "misconfigured: has no option max_page (it knows: max_pages, lookback_hours, tags)"
    )
    hook = {f.label: f.value for f in items["webhook (webhook)"].facts}
    assert hook["Receives"] == "POST /ingest/webhook (signed)" and hook["New in 24 h"] == "3"
    assert {f.label: f.value for f in items["crm-export"].facts}["New in 24 h"] == "12"
    assert reply.footnotes == [
        "Not covered directly: LinkedIn, Xing, Facebook, Instagram, X (no X_BEARER_TOKEN). "
        "These reach me only through the webhook (POST /ingest/webhook) or a file import "
        "(python -m bot import); a brief does not cover them otherwise.",
        "`sources backfill NAME --days 30` fetches the past of: hn, masto, bsky "
        "(e.g. `sources backfill hn --days 30`).",
        # the first answer of a new workspace offers it once
        "New here? I can fetch what was said before you started listening: "
        "`sources backfill hn --days 30` (possible for hn, masto, bsky).",
    ]
    again = await ask("sources")
    assert len(again.footnotes) == 2  # offered once, never again


async def test_with_a_token_x_is_covered_and_its_cost_is_shown(
    ask: Callable[..., Any], configured: Any
) -> None:
    configured.settings = Settings.for_tests(
        database_url=configured.settings.database_url, x_bearer_token="t"
    )
    reply = await ask("sources")
    x = next(i for i in reply.items if i.title == "twitter (x)")
    assert x.text.splitlines() == [
        "not polled yet",
        "X bills every post read: at this interval this source reads at most 48000 posts a day",
    ]
    assert "X (no" not in reply.footnotes[0] and "LinkedIn" in reply.footnotes[0]


async def test_german(ask: Callable[..., Any], configured: Any) -> None:
    reply = await ask("quellen", locale="de")
    assert reply.title == "Quellen"
    items = {i.title: i for i in reply.items}
    assert items["hn (hackernews)"].text == "läuft"
    assert {f.label: f.value for f in items["hn (hackernews)"].facts}["Neu in 24 Std."] == "5"
    assert reply.footnotes[0].startswith("Nicht direkt abgedeckt: LinkedIn, Xing")


async def test_no_sources_and_no_arguments(ask: Callable[..., Any], services: Any) -> None:
    services.workspace = services.workspace.model_copy(update={"sources": []})
    reply = await ask("sources")
    assert reply.sections == [
        "No sources are configured. Add them under `sources:` in the workspace file."
    ]
    assert "X (no X_BEARER_TOKEN)" in reply.footnotes[0]
    assert (await ask("sources extra")).error
