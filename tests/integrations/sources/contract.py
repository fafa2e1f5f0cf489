"""One case per polled source type for the contract tests (test_contract.py): its workspace
entry and a local server answering like the real API, from the captured responses in
tests/fixtures/<type>/ (see each PROVENANCE.md).

Captures of years past would fall before a first poll's look-back, so `recent()` moves every
time of a payload by one offset, keeping their order and spacing: nothing else changes.
Lemmy's search has no licensed capture anywhere reachable: its case answers with the items of
two captures of other endpoints, which carry the same PostView and CommentView
(tests/fixtures/lemmy/PROVENANCE.md).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from config.workspace import SourceConfig
from integrations.sources.base import BaseSource
from integrations.sources.http import HttpClient
from integrations.sources.registry import build_source
from tests.integrations.sources.backfill_fakes import BLUESKY_POST, HN_COMMENT, sky_posts
from tests.integrations.sources.conftest import FakeAPI, fixture_bytes, fixture_json

ISO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)?$")


def _walk(value: Any, fn: Callable[[str], str]) -> Any:
    if isinstance(value, dict):
        return {k: _walk(v, fn) for k, v in value.items()}
    if isinstance(value, list):
        return [_walk(v, fn) for v in value]
    if isinstance(value, str) and ISO.match(value):
        return fn(value)
    return value


def recent(payload: Any, anchor: Any = None) -> Any:
    """The payload with every ISO time moved by one offset, the newest time of `anchor`
    (default: the payload itself) to an hour ago."""
    times: list[dt.datetime] = []

    def collect(text: str) -> str:
        parsed = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
        times.append(parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC))
        return text

    _walk(payload if anchor is None else anchor, collect)
    if not times:
        return payload
    shift = dt.datetime.now(dt.UTC) - dt.timedelta(hours=1) - max(times)

    def move(text: str) -> str:
        parsed = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
        aware = parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)
        return (aware + shift).astimezone(dt.UTC).isoformat().replace("+00:00", "Z")

    return _walk(payload, move)


@dataclass
class Case:
    """A source type's entry and its API; `mount` adds the routes to a FakeAPI."""

    kind: str
    entry: Callable[[str], dict[str, Any]]
    mount: Callable[[FakeAPI], None]
    settings: dict[str, str]

    def source(self, base: str, http: HttpClient) -> BaseSource:
        from config.settings import Settings

        cfg = SourceConfig(**self.entry(base))
        return build_source(cfg, Settings.for_tests(**self.settings), http)


def _json(payload: Any) -> Callable[[web.Request], Any]:
    async def handle(_request: web.Request) -> web.Response:
        return web.json_response(payload)

    return handle


def _feed(_api: FakeAPI, path: str) -> Callable[[FakeAPI], None]:
    body = fixture_bytes("feeds", "wellformed_namespace_rss2.0withAtomNS.xml")

    def mount(api: FakeAPI) -> None:
        async def handle(_request: web.Request) -> web.Response:
            return web.Response(body=body, content_type="application/rss+xml")

        api.get(path, handle)

    return mount


def _hn(api: FakeAPI) -> None:
    page = fixture_json("hackernews", "algolia_api_v1_fixtures.json")
    found = [h for r in page if "search_by_date" in r["url"] for h in r["reply"]["hits"]]
    hits = list({h["objectID"]: h for h in found}.values())[:6]
    now = int(dt.datetime.now(dt.UTC).timestamp())
    moved = [{**h, "created_at_i": now - 600 * (i + 1)} for i, h in enumerate(hits or [HN_COMMENT])]
    api.get("/api/v1/search_by_date", _json({"hits": moved, "nbPages": 1, "nbHits": len(moved)}))


def _mastodon(api: FakeAPI) -> None:
    timeline = fixture_json("mastodon", "timelines_tag_cats_example_partial.json")["response"]
    api.get("/api/v1/timelines/tag/lumora", _json(timeline))


def _bluesky(api: FakeAPI) -> None:
    # The captured post is an image without text, which the pipeline refuses as empty:
    # the second one is the same post with a text (and its own uri), as sky_posts derives.
    now = int(dt.datetime.now(dt.UTC).timestamp())
    posts = [*recent({"posts": [BLUESKY_POST]})["posts"], *sky_posts([now - 120])]
    api.get("/xrpc/app.bsky.feed.searchPosts", _json({"posts": posts}))


def _reddit(api: FakeAPI) -> None:
    listing = fixture_json("reddit", "search_listing_r_all_praw_oauth_search.json")["response"]
    api.post("/api/v1/access_token", _json({"access_token": "t", "expires_in": 3600}))
    api.get("/search", _json(listing))


def _x(api: FakeAPI) -> None:
    page = fixture_json("x", "search_recent_tweepy.json")

    async def handle(request: web.Request) -> web.Response:
        if request.query.get("next_token"):  # the capture is one page: the next is empty
            return web.json_response({"meta": {"result_count": 0}})
        return web.json_response(page)

    api.get("/2/tweets/search/recent", handle)


def _discourse_search(api: FakeAPI) -> None:
    api.get("/search.json", _json(recent(fixture_json("discourse", "search_query_response.json"))))


def _discourse_latest(api: FakeAPI) -> None:
    latest = fixture_json("discourse", "latest.json")
    topic = fixture_json("discourse", "topic.json")
    # One shift for both (its newest post an hour ago), so the topic's posts stay inside
    # the times its listing names.
    posts = [{"t": p["created_at"]} for p in topic["post_stream"]["posts"]]
    both = recent({"latest": latest, "topic": topic}, anchor=posts)
    topic_list = both["latest"]["topic_list"]
    topic_list["topics"] = [{**t, "id": 57} for t in topic_list["topics"][:1]]  # its id
    api.get("/latest.json", _json(both["latest"]))
    api.get("/t/57.json", _json(both["topic"]))


def _youtube(api: FakeAPI) -> None:
    both = recent(
        {
            "p1": fixture_json("youtube", "search_by_keywords_p1.json"),
            "p2": fixture_json("youtube", "search_by_keywords_p2.json"),
            "c1": fixture_json("youtube", "comment_threads_by_video_paged_1.json"),
            "c2": fixture_json("youtube", "comment_threads_by_video_paged_2.json"),
        }
    )

    async def search(request: web.Request) -> web.Response:
        token = request.query.get("pageToken")
        if token and token != both["p1"]["nextPageToken"]:  # the capture has two pages
            return web.json_response({"kind": "youtube#searchListResponse", "items": []})
        return web.json_response(both["p2" if token else "p1"])

    # The captured comments belong to one video: the first one asked for gets them.
    owner: list[str] = []

    async def comments(request: web.Request) -> web.Response:
        owner[:] = owner or [request.query["videoId"]]
        if request.query["videoId"] != owner[0]:
            return web.json_response({"kind": "youtube#commentThreadListResponse", "items": []})
        return web.json_response(both["c2" if request.query.get("pageToken") else "c1"])

    api.get("/youtube/v3/search", search)
    api.get("/youtube/v3/commentThreads", comments)


# A search page as Lemmy answers `GET /api/v3/search` (type_, comments, posts, communities,
# users), its posts from the captured post list and its comments from the captured person
# details, as served (times without a zone, Lemmy 0.18).
LEMMY_SEARCH = {
    "type_": "All",
    "comments": fixture_json("lemmy", "user_31989.json")["comments"],
    "posts": fixture_json("lemmy", "post_list_all_hot.json")["posts"],
    "communities": [],
    "users": [],
}
# Page 1 of a storefront's feed (four reviews, none with a time of its own) and page 2 (no
# `entry` at all), as Apple served them in 2021.
APPSTORE_FEED = fixture_json("appstore", "1510826067_gb_1.json")
APPSTORE_LAST_PAGE = fixture_json("appstore", "1510826067_gb_2.json")
APPSTORE_PAGE = "/gb/rss/customerreviews/page={}/id=1510826067/sortby=mostrecent/json"


def _lemmy(api: FakeAPI) -> None:
    # Each capture moved on its own, so both fall inside a first poll's look-back.
    posts, comments = recent(LEMMY_SEARCH["posts"]), recent(LEMMY_SEARCH["comments"])
    api.get("/api/v3/search", _json({**LEMMY_SEARCH, "posts": posts, "comments": comments}))


def _appstore(api: FakeAPI) -> None:
    api.get(APPSTORE_PAGE.format(1), _json(recent(APPSTORE_FEED)))
    api.get(APPSTORE_PAGE.format(2), _json(recent(APPSTORE_LAST_PAGE)))


CASES = [
    Case(
        "rss",
        lambda b: {"name": "feed", "type": "rss", "url": f"{b}/feed.xml", "keep_all": True},
        lambda a: _feed(a, "/feed.xml")(a),
        {},
    ),
    Case(
        "rss-google-news",
        lambda b: {
            "name": "news",
            "type": "rss",
            "base_url": b,
            "query": '"Lumora Brew"',
            "options": {"preset": "google_news"},
        },
        lambda a: _feed(a, "/rss/search")(a),
        {},
    ),
    Case(
        "rss-bing-news",
        lambda b: {
            "name": "bing",
            "type": "rss",
            "base_url": b,
            "query": "Lumora",
            "options": {"preset": "bing_news", "language": "en", "country": "us"},
        },
        lambda a: _feed(a, "/news/search")(a),
        {},
    ),
    Case(
        "hackernews",
        lambda b: {"name": "hn", "type": "hackernews", "base_url": b, "query": "apple"},
        _hn,
        {},
    ),
    Case(
        "mastodon",
        lambda b: {"name": "masto", "type": "mastodon", "base_url": b, "hashtags": ["lumora"]},
        _mastodon,
        {},
    ),
    Case(
        "bluesky",
        lambda b: {"name": "sky", "type": "bluesky", "base_url": b, "query": "Lumora"},
        _bluesky,
        {},
    ),
    Case(
        "reddit",
        lambda b: {
            "name": "red",
            "type": "reddit",
            "base_url": b,
            "query": "praw",
            "options": {"auth_url": b},
        },
        _reddit,
        {"reddit_client_id": "contract-id", "reddit_client_secret": "s"},
    ),
    Case(
        "x",
        lambda b: {"name": "x", "type": "x", "base_url": b, "query": "Tweepy"},
        _x,
        {"x_bearer_token": "b"},
    ),
    Case(
        "discourse",
        lambda b: {"name": "forum", "type": "discourse", "base_url": b, "query": "Lumora"},
        _discourse_search,
        {},
    ),
    Case(
        "discourse-latest",
        lambda b: {"name": "forum2", "type": "discourse", "base_url": b, "keep_all": True},
        _discourse_latest,
        {},
    ),
    Case(
        "youtube",
        lambda b: {"name": "yt", "type": "youtube", "base_url": b, "query": "surfing"},
        _youtube,
        {"youtube_api_key": "k"},
    ),
    Case(
        "lemmy",
        lambda b: {"name": "lemmy", "type": "lemmy", "base_url": b, "query": "Lemmy"},
        _lemmy,
        {},
    ),
    Case(
        "appstore",
        lambda b: {
            "name": "app",
            "type": "appstore",
            "base_url": b,
            "app_id": "1510826067",
            "countries": ["gb"],
        },
        _appstore,
        {},
    ),
]
