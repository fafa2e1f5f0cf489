"""Feed and API responses of every polled source, real ones with parts replaced and plain
garbage: each poll ends in items the database takes, or in the source's own error
(SourceError, which `sources` shows) — never in another exception or a hang.

The responses come from one local server on 127.0.0.1; each example sets what it answers.
"""

from __future__ import annotations

import asyncio
import copy
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
import pytest_asyncio
from aiohttp import web
from aiohttp.test_utils import TestServer
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from integrations.sources.appstore import AppStoreSource
from integrations.sources.base import BaseSource
from integrations.sources.bluesky import BlueskySource
from integrations.sources.discourse import DiscourseSource
from integrations.sources.hackernews import HackerNewsSource
from integrations.sources.http import HttpClient, RetryPolicy, SourceError
from integrations.sources.lemmy import LemmySource
from integrations.sources.mastodon import MastodonSource
from integrations.sources.reddit import RedditSource
from integrations.sources.rss import FeedSource
from integrations.sources.x import XSource
from integrations.sources.youtube import YouTubeSource
from tests.integrations.sources.conftest import fixture_bytes, fixture_json, source_config
from tests.integrations.sources.contract import APPSTORE_FEED, LEMMY_SEARCH
from tests.security.strategies import any_text, dumps, garbage, json_values, mutated
from tests.security.test_parsers import assert_storable

ASYNC = pytest.mark.asyncio(loop_scope="module")
DIRECT = settings(max_examples=80, deadline=None, suppress_health_check=list(HealthCheck))
OVER_HTTP = settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
FETCH_TIMEOUT = 10.0

MASTODON = fixture_json("mastodon", "timelines_tag_cats_example_partial.json")["response"]
REDDIT = fixture_json("reddit", "search_listing_r_all_praw_oauth_search.json")["response"]
HN = {r["url"]: r["reply"] for r in fixture_json("hackernews", "algolia_api_v1_fixtures.json")}
HN_PAGE = HN["/api/v1/search_by_date?hitsPerPage=1&tags=(comment)"]
X = fixture_json("x", "search_recent_tweepy.json")
BLUESKY_POST = fixture_json("bluesky", "getPostThread_response_real.json")["thread"]["post"]
DISCOURSE_SEARCH = fixture_json("discourse", "search_query_response.json")
DISCOURSE_TOPIC = fixture_json("discourse", "topic.json")
YOUTUBE_SEARCH = fixture_json("youtube", "search_by_keywords_p1.json")
YOUTUBE_COMMENTS = fixture_json("youtube", "comment_threads_by_video_paged_1.json")
FEEDS = [
    fixture_bytes("feeds", name)
    for name in (
        "wellformed_namespace_rss2.0withAtomNS.xml",
        "wellformed_namespace_atomthreadingwithentry.xml",
        "illformed_chardet_koi8r.xml",
        "json_example.json",
    )
]
RATE_HEADERS = ["inf", "-inf", "nan", "1e400", "-5", "abc", "", "9" * 400]


class Upstream:
    """Answers every GET with what the current example set (and a token to every login)."""

    def __init__(self) -> None:
        self.status, self.body = 200, b""
        self.headers: dict[str, str] = {}
        self.app = web.Application()
        self.app.router.add_route("*", "/api/v1/access_token", self.token)
        self.app.router.add_route("*", "/{tail:.*}", self.answer)
        self.server = TestServer(self.app, host="127.0.0.1")

    async def token(self, _request: web.Request) -> web.Response:
        return web.json_response({"access_token": "t", "expires_in": 3600})

    async def answer(self, _request: web.Request) -> web.Response:
        return web.Response(status=self.status, body=self.body, headers=self.headers)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.port}"


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def upstream() -> AsyncIterator[Upstream]:
    server = Upstream()
    await server.server.start_server()
    yield server
    await server.server.close()


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def http() -> AsyncIterator[HttpClient]:
    client = HttpClient(timeout=5, retry=RetryPolicy(attempts=1))
    yield client
    await client.close()


def build(kind: str, base: str, http: HttpClient) -> BaseSource:
    if kind == "rss":
        return FeedSource(source_config("feed", "rss", url=f"{base}/feed", keep_all=True), http)
    if kind == "mastodon":
        cfg = source_config("masto", "mastodon", base_url=base, hashtags=["lumora"])
        return MastodonSource(cfg, http, access_token="tok")
    if kind == "bluesky":
        return BlueskySource(source_config("sky", "bluesky", base_url=base, query="x"), http)
    if kind == "reddit":
        cfg = source_config("red", "reddit", base_url=base, query="x", options={"auth_url": base})
        # A client id of its own: Reddit's budget (100 a minute) is kept per client id.
        return RedditSource(cfg, http, client_id=f"id-{uuid.uuid4()}", client_secret="s")
    if kind == "hackernews":
        return HackerNewsSource(source_config("hn", "hackernews", base_url=base, query="x"), http)
    if kind == "discourse":
        cfg = source_config(
            "forum", "discourse", base_url=base, query="x", options={"lookback_hours": 720}
        )
        return DiscourseSource(cfg, http)
    if kind == "youtube":
        return YouTubeSource(
            source_config("yt", "youtube", base_url=base, query="x"), http, api_key="k"
        )
    if kind == "appstore":
        cfg = source_config("app", "appstore", base_url=base, app_id="123", countries=["de"])
        return AppStoreSource(cfg, http)
    if kind == "lemmy":
        return LemmySource(source_config("lemmy", "lemmy", base_url=base, query="x"), http)
    return XSource(source_config("x", "x", base_url=base, query="x"), http, bearer_token="b")


def real_response(kind: str) -> Any:
    return {
        "mastodon": MASTODON,
        "bluesky": {"posts": [BLUESKY_POST, BLUESKY_POST], "cursor": "c"},
        "reddit": REDDIT,
        "hackernews": HN_PAGE,
        "x": X,
        "discourse": DISCOURSE_SEARCH,
        "youtube": YOUTUBE_SEARCH,
        "appstore": APPSTORE_FEED,
        "lemmy": LEMMY_SEARCH,
    }[kind]


async def poll(source: BaseSource, cursor: dict[str, Any]) -> None:
    try:
        result = await asyncio.wait_for(source.fetch(cursor), FETCH_TIMEOUT)
    except SourceError as exc:
        assert str(exc)  # a reason the `sources` command can show
        return
    for item in result.items:
        assert_storable(item)


# --- responses over HTTP -----------------------------------------------------------------

JSON_KINDS = [
    "mastodon",
    "bluesky",
    "reddit",
    "hackernews",
    "x",
    "discourse",
    "youtube",
    "appstore",
    "lemmy",
]


@ASYNC
@pytest.mark.parametrize("kind", JSON_KINDS)
@OVER_HTTP
@given(data=st.data(), status=st.sampled_from([200, 200, 200, 204, 400, 404, 500, 503]))
async def test_api_responses(
    upstream: Upstream, http: HttpClient, kind: str, data: st.DataObject, status: int
) -> None:
    body = data.draw(
        st.one_of(mutated(real_response(kind), max_changes=4).map(dumps), garbage),
        label="body",
    )
    headers = data.draw(
        st.dictionaries(
            st.sampled_from(
                [
                    "X-RateLimit-Remaining",
                    "ratelimit-remaining",
                    "x-rate-limit-remaining",
                    "X-Ratelimit-Reset",
                    "Retry-After",
                ]
            ),
            st.sampled_from(RATE_HEADERS),
            max_size=3,
        ),
        label="headers",
    )
    upstream.status, upstream.body = status, body
    upstream.headers = {"Content-Type": "application/json", **headers}
    await poll(build(kind, upstream.url, http), {})


@ASYNC
@OVER_HTTP
@given(
    body=st.sampled_from(FEEDS).flatmap(
        lambda feed: st.tuples(st.integers(0, len(feed)), st.binary(max_size=40)).map(
            lambda cut: feed[: cut[0]] + cut[1] + feed[cut[0] :]
        )
    )
    | garbage
    | mutated(fixture_json("feeds", "json_example.json"), max_changes=4).map(dumps),
    content_type=st.sampled_from(
        ["application/rss+xml", "application/feed+json", "text/html; charset=koi8-r", ""]
    ),
)
@example(body=FEEDS[0][:30] + b"\x80" + FEEDS[0][30:], content_type="application/rss+xml")
@example(body=FEEDS[0][:30] + b"\x00" + FEEDS[0][30:], content_type="application/rss+xml")
async def test_feed_responses(
    upstream: Upstream, http: HttpClient, body: bytes, content_type: str
) -> None:
    upstream.status, upstream.body = 200, body
    upstream.headers = {"Content-Type": content_type} if content_type else {}
    await poll(build("rss", upstream.url, http), {})


# --- one post at a time, straight into each source's reader ------------------------------


@DIRECT
@given(status=mutated(MASTODON[0], max_changes=4))
def test_mastodon_status(status: Any) -> None:
    source = build("mastodon", "http://127.0.0.1:9", HttpClient())
    if isinstance(status, dict) and (item := source.mention(status)) is not None:  # type: ignore[attr-defined]
        assert_storable(item)


@DIRECT
@given(post=mutated(BLUESKY_POST, max_changes=4))
def test_bluesky_post(post: Any) -> None:
    source = build("bluesky", "http://127.0.0.1:9", HttpClient())
    if isinstance(post, dict) and (item := source.mention(post)) is not None:  # type: ignore[attr-defined]
        assert_storable(item)


@DIRECT
@given(child=mutated(REDDIT["data"]["children"][0]["data"], max_changes=4), kind=any_text)
def test_reddit_child(child: Any, kind: str) -> None:
    source = build("reddit", "http://127.0.0.1:9", HttpClient())
    if isinstance(child, dict):
        for data in ({**child, "_kind": "t3"}, {**child, "_kind": "t1"}, {**child, "_kind": kind}):
            if (item := source.mention(data)) is not None:  # type: ignore[attr-defined]
                assert_storable(item)


@DIRECT
@given(hit=mutated(HN_PAGE["hits"][0], max_changes=4))
def test_hackernews_hit(hit: Any) -> None:
    source = build("hackernews", "http://127.0.0.1:9", HttpClient())
    if isinstance(hit, dict) and (item := source.mention(hit)) is not None:  # type: ignore[attr-defined]
        assert_storable(item)


@DIRECT
@given(
    post=mutated(X["data"][0], max_changes=4),
    ident=st.none() | any_text | st.sampled_from(["9" * 40, "²", "１２３", "0"]),
    users=json_values,
)
def test_x_post(post: Any, ident: str | None, users: Any) -> None:
    source = build("x", "http://127.0.0.1:9", HttpClient())
    if not isinstance(post, dict):
        return
    if ident is not None:
        post = {**copy.deepcopy(post), "id": ident}
    users = users if isinstance(users, dict) else {}
    users = {str(k): v for k, v in users.items() if isinstance(v, dict)}
    if (item := source.mention(post, users)) is not None:  # type: ignore[attr-defined]
        assert_storable(item)


@DIRECT
@given(
    post=mutated(DISCOURSE_TOPIC["post_stream"]["posts"][0], max_changes=4),
    topic=mutated(DISCOURSE_SEARCH["topics"][0], max_changes=3),
    body=any_text,
)
def test_discourse_post(post: Any, topic: Any, body: str) -> None:
    source = build("discourse", "http://127.0.0.1:9", HttpClient())
    if isinstance(post, dict) and isinstance(topic, dict):
        item = source.mention(post, topic, body, keep=True)  # type: ignore[attr-defined]
        if item is not None:
            assert_storable(item)


@DIRECT
@given(
    video=mutated(YOUTUBE_SEARCH["items"][0], max_changes=4),
    thread=mutated(YOUTUBE_COMMENTS["items"][0], max_changes=4),
    title=st.none() | any_text,
)
def test_youtube_video_and_comment(video: Any, thread: Any, title: str | None) -> None:
    source = build("youtube", "http://127.0.0.1:9", HttpClient())
    if isinstance(video, dict) and (item := source.video(video)) is not None:  # type: ignore[attr-defined]
        assert_storable(item)
    if isinstance(thread, dict) and (item := source.comment(thread, title)) is not None:  # type: ignore[attr-defined]
        assert_storable(item)


@DIRECT
@given(entry=mutated(APPSTORE_FEED["feed"]["entry"][0], max_changes=4), country=any_text)
def test_appstore_review(entry: Any, country: str) -> None:
    source = build("appstore", "http://127.0.0.1:9", HttpClient())
    if isinstance(entry, dict) and (item := source.review(entry, country)) is not None:  # type: ignore[attr-defined]
        assert_storable(item)


@DIRECT
@given(
    post=mutated(LEMMY_SEARCH["posts"][0], max_changes=4),
    comment=mutated(LEMMY_SEARCH["comments"][0], max_changes=4),
)
def test_lemmy_post_and_comment(post: Any, comment: Any) -> None:
    source = build("lemmy", "http://127.0.0.1:9", HttpClient())
    if isinstance(post, dict) and (item := source.post(post)) is not None:  # type: ignore[attr-defined]
        assert_storable(item)
    if isinstance(comment, dict) and (item := source.comment(comment)) is not None:  # type: ignore[attr-defined]
        assert_storable(item)
