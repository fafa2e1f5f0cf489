"""Reddit: app-only OAuth and the real PRAW-recorded listings, served from 127.0.0.1."""

from __future__ import annotations

import base64
import uuid
from typing import Any

import pytest
from aiohttp import web

from integrations.sources.http import HttpClient, RateLimited, SourceError
from integrations.sources.reddit import RedditSource
from tests.integrations.sources.conftest import FakeAPI, fixture_json, source_config

SEARCH = fixture_json("reddit", "search_listing_r_all_praw_oauth_search.json")["response"]
COMMENTS = fixture_json("reddit", "subreddit_comments_listing.json")["response"]["data"]["children"]


class Reddit:
    """www.reddit.com's token endpoint and oauth.reddit.com's listings, on one local server."""

    def __init__(self, client_id: str) -> None:
        self.client_id = client_id
        self.comments: list[dict[str, Any]] = list(COMMENTS)
        self.remaining = "598"
        self.reset = "300"

    async def token(self, request: web.Request) -> web.Response:
        expected = base64.b64encode(f"{self.client_id}:secret".encode()).decode()
        form = await request.post()
        if request.headers.get("Authorization") != f"Basic {expected}":
            return web.json_response({"error": "invalid_client"}, status=401)
        assert form["grant_type"] == "client_credentials"
        return web.json_response(
            {"access_token": "app-token", "token_type": "bearer", "expires_in": 86400}
        )

    def _headers(self) -> dict[str, str]:
        return {"X-Ratelimit-Remaining": self.remaining, "X-Ratelimit-Reset": self.reset}

    async def search(self, request: web.Request) -> web.Response:
        assert request.headers["Authorization"] == "bearer app-token"
        return web.json_response(SEARCH, headers=self._headers())

    async def listing(self, request: web.Request) -> web.Response:
        limit = min(int(request.query.get("limit", 25)), 25)  # pages of 25 to exercise paging
        names = [c["data"]["name"] for c in self.comments]
        after = request.query.get("after")
        start = names.index(after) + 1 if after in names else 0
        page = self.comments[start : start + limit]
        more = start + limit < len(self.comments)
        data = {"children": page, "after": page[-1]["data"]["name"] if more else None}
        return web.json_response({"kind": "Listing", "data": data}, headers=self._headers())

    async def no_posts(self, _request: web.Request) -> web.Response:
        empty = {"kind": "Listing", "data": {"children": [], "after": None}}
        return web.json_response(empty, headers=self._headers())

    def mount(self, api: FakeAPI) -> None:
        api.post("/api/v1/access_token", self.token)
        api.get("/search", self.search)
        api.get("/r/AskReddit/new", self.no_posts)
        api.get("/r/AskReddit/comments", self.listing)


def source(http: HttpClient, base: str, client_id: str, **values: Any) -> RedditSource:
    values.setdefault("options", {})["auth_url"] = base
    cfg = source_config("reddit", "reddit", base_url=base, **values)
    return RedditSource(cfg, http, client_id=client_id, client_secret="secret")


def fresh_id() -> str:
    return f"test-{uuid.uuid4().hex[:8]}"  # each test its own request budget


async def test_search_posts_from_the_real_listing(api: FakeAPI, http: HttpClient) -> None:
    client_id = fresh_id()
    Reddit(client_id).mount(api)
    base = await api.start()
    result = await source(http, base, client_id, query="praw oauth search").fetch({})
    by_id = {m.external_id: m for m in result.items}
    assert len(by_id) == 6
    post = by_id["t3_3gpbiu"]
    assert post.title == (
        "[PRAW][OAuth2Util] Problem using get_banned() : raise Forbidden(_raw=response)"
    )
    assert post.url == (
        "https://www.reddit.com/r/redditdev/comments/3gpbiu/"
        "prawoauth2util_problem_using_get_banned_raise/?ref=search_posts"
    )
    assert post.author == "dClauzel" and post.text.startswith("# solved")
    assert result.quota_remaining == 598
    token_request = api.hits("/api/v1/access_token")
    assert len(token_request) == 1
    assert api.hits("/search")[0].query["sort"] == "new"


async def test_comments_are_paged_back_to_the_last_poll(api: FakeAPI, http: HttpClient) -> None:
    client_id = fresh_id()
    reddit = Reddit(client_id)
    reddit.comments = COMMENTS[50:]  # what was there at the first poll
    reddit.mount(api)
    base = await api.start()
    red = source(http, base, client_id, subreddits=["r/AskReddit"], options={"comments": True})
    assert [key for key, *_ in red.streams()] == ["r/askreddit", "r/askreddit/comments"]
    first = await red.fetch({})
    assert len(first.items) == 25  # a first poll reads only the newest page
    reddit.comments = list(COMMENTS)  # 50 newer comments arrived
    second = await red.fetch(first.cursor)
    got = {m.external_id for m in second.items}
    assert {c["data"]["name"] for c in COMMENTS[:50]} <= got
    assert len(api.hits("/r/AskReddit/comments")) == 1 + 3  # stopped at the last poll's page
    comment = next(m for m in second.items if m.external_id == "t1_d4y8bdp")
    assert (
        comment.title == '[Serious] To anyone who "followed their dreams", how has it panned out?'
    )
    assert comment.reply_to == "t3_4r4inc" and comment.thread_id == "t3_4r4inc"
    assert comment.url == "https://www.reddit.com/r/AskReddit/comments/4r4inc/_/d4y8bdp/"


async def test_an_exhausted_budget_ends_the_poll_until_the_reset(
    api: FakeAPI, http: HttpClient
) -> None:
    client_id = fresh_id()
    reddit = Reddit(client_id)
    reddit.remaining, reddit.reset = "0", "240"
    reddit.mount(api)
    base = await api.start()
    red = source(http, base, client_id, query="lumora")
    result = await red.fetch({})
    assert result.quota_remaining == 0
    with pytest.raises(RateLimited) as caught:
        await red.fetch(result.cursor)
    assert caught.value.retry_after is not None and caught.value.retry_after > 200


async def test_wrong_app_credentials_are_named(api: FakeAPI, http: HttpClient) -> None:
    Reddit("right-id").mount(api)
    base = await api.start()
    red = source(http, base, fresh_id(), query="lumora")
    with pytest.raises(SourceError, match="REDDIT_CLIENT_ID and REDDIT_CLIENT_SECRET"):
        await red.fetch({})
