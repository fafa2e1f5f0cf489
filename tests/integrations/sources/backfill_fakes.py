"""Local APIs that page through the past as the real ones do, over items derived from the
real captured responses in tests/fixtures (only ids, times and texts changed, per item):

- Algolia's `search_by_date` with `numericFilters` on `created_at_i` (>, >=, <, <=), pages
  of `hitsPerPage`, and at most `max_hits` hits served of one query (`paginationLimitedTo`;
  `nbHits` still counts them all);
- a Mastodon hashtag timeline with `max_id` (the statuses just older) and `limit`;
- Bluesky's `searchPosts` with `since` (inclusive) and `until` (exclusive), newest first;
- a Reddit listing with `after`, `limit`, and at most `cap` items served;
- X's recent search with `start_time`, `end_time` and `next_token`.
"""

from __future__ import annotations

import copy
import datetime as dt
import re
import time
from typing import Any

from aiohttp import web

from tests.integrations.sources.conftest import fixture_json

HN_COMMENT = next(
    r["reply"]["hits"][0]
    for r in fixture_json("hackernews", "algolia_api_v1_fixtures.json")
    if r["url"] == "/api/v1/search_by_date?hitsPerPage=1&tags=(comment)"
)
MASTODON_STATUS = fixture_json("mastodon", "status_example.json")
BLUESKY_POST = fixture_json("bluesky", "getPostThread_response_real.json")["thread"]["post"]
REDDIT_POST = fixture_json("reddit", "search_listing_r_all_praw_oauth_search.json")["response"][
    "data"
]["children"][0]
X_PAGE = fixture_json("x", "search_recent_tweepy.json")
DAY = 86_400


def spread(count: int, days: float, *, now: float | None = None) -> list[int]:
    """`count` Unix times spread evenly over the last `days` (newest first)."""
    now = now or time.time()
    step = days * DAY / (count + 1)
    return [int(now - step * (i + 1)) for i in range(count)]


def hn_hits(times: list[int], start: int = 0) -> list[dict[str, Any]]:
    """The real comment hit, once per time, with its own id and a text about the brand."""
    out = []
    for i, stamp in enumerate(times):
        hit = copy.deepcopy(HN_COMMENT)
        hit["objectID"] = str(7_000_000 + start + i)
        hit["created_at_i"] = stamp
        hit["created_at"] = dt.datetime.fromtimestamp(stamp, dt.UTC).isoformat()
        hit["comment_text"] = f"Lumora Brew Erfahrung Nummer {start + i}: läuft gut"
        out.append(hit)
    return out


class Algolia:
    """search_by_date over `hits`; `delay` seconds per answer; `fail_after` requests served
    before answering 500 (None: never)."""

    def __init__(self, hits: list[dict[str, Any]], *, max_hits: int = 1000) -> None:
        self.hits = hits
        self.max_hits = max_hits
        self.delay = 0.0
        self.fail_after: int | None = None
        self.served = 0
        self.queries: list[dict[str, str]] = []

    async def handle(self, request: web.Request) -> web.Response:
        import asyncio

        self.queries.append(dict(request.query))
        if self.fail_after is not None and self.served >= self.fail_after:
            return web.Response(status=500, text="Internal Server Error")
        if self.delay:
            await asyncio.sleep(self.delay)
        self.served += 1
        hits = sorted(self.hits, key=lambda h: h["created_at_i"], reverse=True)
        ops = {">": int.__gt__, ">=": int.__ge__, "<": int.__lt__, "<=": int.__le__}
        filters = request.query.get("numericFilters", "")
        for op, value in re.findall(r"created_at_i(>=|<=|>|<)(\d+)", filters):
            hits = [h for h in hits if ops[op](h["created_at_i"], int(value))]
        per = int(request.query.get("hitsPerPage", 20))
        page = int(request.query.get("page", 0))
        served = hits[: self.max_hits]
        pages = max(1, -(-len(served) // per))
        chunk = served[page * per : (page + 1) * per]
        return web.json_response(
            {"hits": chunk, "nbHits": len(hits), "page": page, "nbPages": pages, "hitsPerPage": per}
        )


def statuses(times: list[int], start: int = 0) -> list[dict[str, Any]]:
    """The real example status, once per time, ids growing with time."""
    out = []
    for i, stamp in enumerate(sorted(times)):
        status = copy.deepcopy(MASTODON_STATUS)
        ident = str(110_000_000_000_000_000 + start + i)
        status["id"] = ident
        status["uri"] = f"https://mastodon.social/users/Gargron/statuses/{ident}"
        status["url"] = f"https://mastodon.social/@Gargron/{ident}"
        status["created_at"] = dt.datetime.fromtimestamp(stamp, dt.UTC).isoformat()
        status["content"] = f"<p>Lumora Nummer {start + i}</p>"
        out.append(status)
    return out


class MastodonTag:
    """GET /api/v1/timelines/tag/:tag with max_id and limit, newest first."""

    def __init__(self, posts: list[dict[str, Any]]) -> None:
        self.posts = posts
        self.reset_in: float | None = None

    async def handle(self, request: web.Request) -> web.Response:
        limit = int(request.query.get("limit", 20))
        page = sorted(self.posts, key=lambda s: int(s["id"]), reverse=True)
        if "max_id" in request.query:
            page = [s for s in page if int(s["id"]) < int(request.query["max_id"])]
        headers = {"X-RateLimit-Remaining": "250"}
        if self.reset_in is not None:
            reset = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=self.reset_in)
            headers = {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": reset.isoformat()}
        return web.json_response(page[:limit], headers=headers)


def sky_posts(times: list[int], start: int = 0) -> list[dict[str, Any]]:
    """The real postView, once per time, with its own rkey, text and times."""
    out = []
    for i, stamp in enumerate(times):
        post = copy.deepcopy(BLUESKY_POST)
        when = dt.datetime.fromtimestamp(stamp, dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")
        post["uri"] = f"at://did:plc:test/app.bsky.feed.post/3k{start + i:08d}"
        post["record"]["text"] = f"Lumora Brew Nummer {start + i}"
        post["record"]["createdAt"] = when
        post["indexedAt"] = when
        out.append(post)
    return out


class BlueskySearch:
    """searchPosts: `since` inclusive, `until` exclusive, newest first, `limit` per page."""

    def __init__(self, posts: list[dict[str, Any]]) -> None:
        self.posts = posts
        self.queries: list[dict[str, str]] = []

    async def handle(self, request: web.Request) -> web.Response:
        self.queries.append(dict(request.query))
        q = request.query
        found = [
            p
            for p in self.posts
            if q.get("since", "") <= p["indexedAt"] and p["indexedAt"] < q.get("until", "~")
        ]
        found.sort(key=lambda p: p["indexedAt"], reverse=True)
        limit = int(q.get("limit", 25))
        return web.json_response({"posts": found[:limit], "hitsTotal": len(found)})


def reddit_children(times: list[int], start: int = 0) -> list[dict[str, Any]]:
    out = []
    for i, stamp in enumerate(sorted(times, reverse=True)):
        child = copy.deepcopy(REDDIT_POST)
        child["data"]["name"] = f"t3_bf{start + i:05d}"
        child["data"]["id"] = f"bf{start + i:05d}"
        child["data"]["created_utc"] = float(stamp)
        child["data"]["title"] = f"Lumora Frage {start + i}"
        out.append(child)
    return out


class RedditListing:
    """A listing newest first with `after` and `limit`; serves at most `cap` items."""

    def __init__(self, children: list[dict[str, Any]], *, cap: int = 1000) -> None:
        self.children = children
        self.cap = cap
        self.queries: list[dict[str, str]] = []

    async def token(self, _request: web.Request) -> web.Response:
        return web.json_response({"access_token": "app-token", "expires_in": 86400})

    async def handle(self, request: web.Request) -> web.Response:
        self.queries.append(dict(request.query))
        served = self.children[: self.cap]
        names = [c["data"]["name"] for c in served]
        after = request.query.get("after")
        start = names.index(after) + 1 if after in names else 0
        limit = int(request.query.get("limit", 25))
        page = served[start : start + limit]
        more = start + limit < len(served)
        data = {"children": page, "after": page[-1]["data"]["name"] if more and page else None}
        headers = {"X-Ratelimit-Remaining": "590", "X-Ratelimit-Reset": "300"}
        return web.json_response({"kind": "Listing", "data": data}, headers=headers)


def x_posts(times: list[int]) -> list[dict[str, Any]]:
    """The captured posts (ids and texts as recorded), given times; cycled if need be."""
    real = X_PAGE["data"]
    out = []
    for i, stamp in enumerate(sorted(times, reverse=True)):
        post = copy.deepcopy(real[i % len(real)])
        post["id"] = str(1_600_000_000_000_000_000 + stamp * 1000 + i)
        post["created_at"] = dt.datetime.fromtimestamp(stamp, dt.UTC).strftime(
            "%Y-%m-%dT%H:%M:%S.000Z"
        )
        out.append(post)
    return out


class XRecent:
    """recent search: start_time/end_time, max_results, next_token (an offset here)."""

    def __init__(self, posts: list[dict[str, Any]]) -> None:
        self.posts = posts
        self.queries: list[dict[str, str]] = []
        self.remaining = "440"

    async def handle(self, request: web.Request) -> web.Response:
        q = request.query
        self.queries.append(dict(q))
        start, end = q["start_time"], q["end_time"]
        found = [p for p in self.posts if start <= p["created_at"] < end]
        offset = int(q.get("next_token") or 0)
        per = int(q.get("max_results", 10))
        page = found[offset : offset + per]
        meta: dict[str, Any] = {"result_count": len(page)}
        if offset + per < len(found):
            meta["next_token"] = str(offset + per)
        headers = {
            "x-rate-limit-remaining": self.remaining,
            "x-rate-limit-reset": str(int(time.time()) + 3),
        }
        return web.json_response({"data": page, "meta": meta}, headers=headers)
