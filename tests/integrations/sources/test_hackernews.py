"""Hacker News: Algolia's search_by_date with the real 2014 responses, from 127.0.0.1."""

from __future__ import annotations

import copy
import datetime as dt
import re
import time
from typing import Any

from aiohttp import web

from integrations.sources.hackernews import HackerNewsSource
from integrations.sources.http import HttpClient
from tests.integrations.sources.conftest import FakeAPI, fixture_json, source_config

REPLIES = {r["url"]: r["reply"] for r in fixture_json("hackernews", "algolia_api_v1_fixtures.json")}
COMMENT = REPLIES["/api/v1/search_by_date?hitsPerPage=1&tags=(comment)"]["hits"][0]
STORY = REPLIES["/api/v1/search_by_date?hitsPerPage=1&tags=(story)&query=apple"]["hits"][0]
ASK = REPLIES["/api/v1/search_by_date?hitsPerPage=1&tags=(ask_hn)&page=2&query=apple"]["hits"][0]
PATH = "/api/v1/search_by_date"


class Algolia:
    """search_by_date over a set of hits: numericFilters on created_at_i, pages of `per`."""

    def __init__(self, hits: list[dict[str, Any]], per: int | None = None) -> None:
        self.hits, self.per = hits, per

    async def handle(self, request: web.Request) -> web.Response:
        filters = request.query.get("numericFilters", "")
        hits = sorted(self.hits, key=lambda h: h["created_at_i"], reverse=True)
        for op, value in re.findall(r"created_at_i(>|<=)(\d+)", filters):
            bound = int(value)
            hits = [
                h
                for h in hits
                if (h["created_at_i"] > bound if op == ">" else h["created_at_i"] <= bound)
            ]
        per = self.per or int(request.query.get("hitsPerPage", 20))
        page = int(request.query.get("page", 0))
        pages = max(1, -(-len(hits) // per))
        chunk = hits[page * per : (page + 1) * per]
        return web.json_response(
            {"hits": chunk, "nbHits": len(hits), "page": page, "nbPages": pages, "hitsPerPage": per}
        )


def derived(count: int, start: int) -> list[dict[str, Any]]:
    """The real comment hit, `count` times with its own id and a time a minute apart."""
    out = []
    for i in range(count):
        hit = copy.deepcopy(COMMENT)
        hit["objectID"] = str(9_000_000 + start + i)
        hit["created_at_i"] = int(time.time()) - 3600 + 60 * (start + i)
        out.append(hit)
    return out


def source(http: HttpClient, base: str, **options: Any) -> HackerNewsSource:
    cfg = source_config("hn", "hackernews", base_url=base, query="Lumora", options=options)
    return HackerNewsSource(cfg, http)


async def test_real_stories_and_comments_are_read(api: FakeAPI, http: HttpClient) -> None:
    async def handle(_request: web.Request) -> web.Response:
        return web.json_response({"hits": [COMMENT, STORY, ASK], "nbPages": 1, "page": 0})

    api.get(PATH, handle)
    base = await api.start()
    result = await source(http, base, lookback_hours=24 * 30).fetch({})
    by_id = {m.external_id: m for m in result.items}
    comment, story, ask = by_id["7919431"], by_id["7919424"], by_id[ASK["objectID"]]
    assert comment.title == "Fibonacci Flim-Flam" and "perennial HN favorite" in comment.text
    assert comment.url == "https://news.ycombinator.com/item?id=7919431"
    assert (comment.reply_to, comment.thread_id) == ("7919207", "7919207")
    assert comment.published_at == dt.datetime.fromtimestamp(1403235595, dt.UTC)
    assert story.title == "Judge says concerned about Apple, Google hiring settlement"
    assert story.url.startswith("http://in.reuters.com/") and story.reply_to is None
    assert ask.url == f"https://news.ycombinator.com/item?id={ASK['objectID']}"  # Ask HN: no url
    query = api.requests[0].query
    assert query["tags"] == "(story,comment)" and query["query"] == "Lumora"
    assert query["numericFilters"].startswith("created_at_i>")


async def test_the_next_poll_asks_only_for_newer_items(api: FakeAPI, http: HttpClient) -> None:
    algolia = Algolia(derived(3, 0))
    api.get(PATH, algolia.handle)
    base = await api.start()
    hn = source(http, base)
    first = await hn.fetch({})
    assert len(first.items) == 3
    newest = max(h["created_at_i"] for h in algolia.hits)
    assert first.cursor == {"window": {"since": newest}}
    algolia.hits += derived(2, 10)
    second = await hn.fetch(first.cursor)
    assert len(second.items) == 2
    assert api.requests[-1].query["numericFilters"] == f"created_at_i>{newest}"


async def test_a_backlog_beyond_the_page_budget_is_kept(api: FakeAPI, http: HttpClient) -> None:
    algolia = Algolia(derived(10, 0), per=2)
    api.get(PATH, algolia.handle)
    base = await api.start()
    hn = source(http, base, max_pages=3)
    first = await hn.fetch({})
    assert len(first.items) == 6 and first.more
    second = await hn.fetch(first.cursor)
    until = first.cursor["window"]["until"]
    assert api.requests[-1].query["numericFilters"].endswith(f",created_at_i<={until}")
    ids = {m.external_id for m in first.items} | {m.external_id for m in second.items}
    assert len(ids) == 10 and not second.more
    assert second.cursor == {"window": {"since": max(h["created_at_i"] for h in algolia.hits)}}
