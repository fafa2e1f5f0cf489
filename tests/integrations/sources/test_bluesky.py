"""Bluesky: a local PDS with createSession, refreshSession and searchPosts, serving postViews
derived from the real captured one (tests/fixtures/bluesky/PROVENANCE.md)."""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

import pytest
from aiohttp import web

from integrations.sources.bluesky import BlueskySource, post_url
from integrations.sources.http import HttpClient, SourceError
from integrations.sources.values import iso_z
from tests.integrations.sources.conftest import FakeAPI, fixture_json, source_config

REAL_POST = fixture_json("bluesky", "getPostThread_response_real.json")["thread"]["post"]
SEARCH = "/xrpc/app.bsky.feed.searchPosts"
T0 = dt.datetime.now(dt.UTC).replace(microsecond=0) - dt.timedelta(hours=1)


def post(i: int, text: str = "") -> dict[str, Any]:
    """The real postView with its own rkey, text and time (i minutes after T0)."""
    view = copy.deepcopy(REAL_POST)
    when = iso_z(T0 + dt.timedelta(minutes=i))
    view["uri"] = view["uri"].rsplit("/", 1)[0] + f"/3kaheyt6vp{i:03d}"
    view["record"]["text"] = text or f"Lumora Brew Nummer {i} ist super"
    view["record"]["createdAt"] = when
    view["indexedAt"] = when
    return view


class PDS:
    """A Bluesky PDS: sessions with handle + app password, searchPosts with cursor paging."""

    def __init__(self, posts: list[dict[str, Any]], page: int = 2) -> None:
        self.posts, self.page = posts, page
        self.tokens = {"access-1"}
        self.expired: set[str] = set()
        self.logins = 0

    async def create_session(self, request: web.Request) -> web.Response:
        body = await request.json()
        if (body.get("identifier"), body.get("password")) != ("lumora.bsky.social", "app-pw"):
            return web.json_response(
                {"error": "AuthenticationRequired", "message": "Invalid identifier or password"},
                status=401,
            )
        self.logins += 1
        return web.json_response(
            {"accessJwt": "access-1", "refreshJwt": "refresh-1", "handle": body["identifier"]}
        )

    async def refresh(self, request: web.Request) -> web.Response:
        assert request.headers["Authorization"] == "Bearer refresh-1"
        self.tokens.add("access-2")
        return web.json_response({"accessJwt": "access-2", "refreshJwt": "refresh-1"})

    async def search(self, request: web.Request) -> web.Response:
        auth = request.headers.get("Authorization", "")
        token = auth.removeprefix("Bearer ")
        if auth and (token not in self.tokens or token in self.expired):
            return web.json_response(
                {"error": "ExpiredToken", "message": "Token has expired"}, status=400
            )
        since, until = request.query.get("since"), request.query.get("until")
        hits = [
            p
            for p in sorted(self.posts, key=lambda p: p["indexedAt"], reverse=True)
            if (not since or p["indexedAt"] >= since) and (not until or p["indexedAt"] < until)
        ]
        start = int(request.query.get("cursor") or 0)
        page = hits[start : start + self.page]
        payload: dict[str, Any] = {"posts": page, "hitsTotal": len(hits)}
        if start + self.page < len(hits):
            payload["cursor"] = str(start + self.page)
        return web.json_response(payload, headers={"ratelimit-remaining": "2999"})

    def mount(self, api: FakeAPI) -> None:
        api.post("/xrpc/com.atproto.server.createSession", self.create_session)
        api.post("/xrpc/com.atproto.server.refreshSession", self.refresh)
        api.get(SEARCH, self.search)


def source(http: HttpClient, base: str, *, auth: bool = True, **options: Any) -> BlueskySource:
    cfg = source_config("bsky", "bluesky", base_url=base, query="Lumora", options=options)
    if not auth:
        return BlueskySource(cfg, http)
    return BlueskySource(cfg, http, handle="@lumora.bsky.social", app_password="app-pw")


async def test_the_real_post_view_is_read(api: FakeAPI, http: HttpClient) -> None:
    PDS([REAL_POST | {"indexedAt": iso_z(T0)}]).mount(api)
    base = await api.start()
    result = await source(http, base).fetch({})
    [m] = result.items
    assert m.external_id == REAL_POST["uri"]
    assert m.url == "https://bsky.app/profile/test.marshal.dev/post/3kaheyt6vpc22"
    assert (m.author, m.author_handle, m.language) == ("Python SDK", "@test.marshal.dev", "en")
    assert m.text == ""  # an image with a quote and no words: the pipeline counts it invalid


async def test_logs_in_and_pages_with_the_cursor(api: FakeAPI, http: HttpClient) -> None:
    pds = PDS([post(i) for i in range(5)])
    pds.mount(api)
    base = await api.start()
    result = await source(http, base).fetch({})
    assert pds.logins == 1
    assert sorted(m.text for m in result.items) == sorted(
        f"Lumora Brew Nummer {i} ist super" for i in range(5)
    )
    assert not result.more and result.quota_remaining == 2999
    searches = api.hits(SEARCH)
    assert [r.query.get("cursor") for r in searches] == [None, "2", "4"]
    assert all(r.headers["Authorization"] == "Bearer access-1" for r in searches)
    assert result.cursor["window"]["since"] == iso_z(T0 + dt.timedelta(minutes=4))


async def test_the_next_poll_asks_only_for_newer_posts(api: FakeAPI, http: HttpClient) -> None:
    pds = PDS([post(i) for i in range(3)], page=10)
    pds.mount(api)
    base = await api.start()
    bsky = source(http, base)
    first = await bsky.fetch({})
    pds.posts.append(post(7, "Lumora neu"))
    second = await bsky.fetch(first.cursor)
    # `since` is inclusive: the boundary post comes again (the store drops it) with the new one.
    assert {m.text for m in second.items} == {"Lumora neu", "Lumora Brew Nummer 2 ist super"}
    assert api.hits(SEARCH)[-1].query["since"] == first.cursor["window"]["since"]


async def test_a_burst_beyond_the_page_budget_is_read_next_time(
    api: FakeAPI, http: HttpClient
) -> None:
    pds = PDS([post(i) for i in range(6)], page=2)
    pds.mount(api)
    base = await api.start()
    bsky = source(http, base, max_pages=2)
    first = await bsky.fetch({})
    assert len(first.items) == 4 and first.more
    assert "until" in first.cursor["window"]
    second = await bsky.fetch(first.cursor)
    seen = {m.external_id for m in first.items} | {m.external_id for m in second.items}
    assert len(seen) == 6 and not second.more
    assert second.cursor["window"] == {"since": iso_z(T0 + dt.timedelta(minutes=5))}


async def test_an_expired_session_is_refreshed(api: FakeAPI, http: HttpClient) -> None:
    pds = PDS([post(1)])
    pds.mount(api)
    base = await api.start()
    bsky = source(http, base)
    await bsky.fetch({})
    pds.expired.add("access-1")
    result = await bsky.fetch({})
    assert len(result.items) == 1
    assert api.hits(SEARCH)[-1].headers["Authorization"] == "Bearer access-2"


async def test_wrong_credentials_say_which_settings(api: FakeAPI, http: HttpClient) -> None:
    PDS([post(1)]).mount(api)
    base = await api.start()
    cfg = source_config("bsky", "bluesky", base_url=base, query="Lumora")
    bsky = BlueskySource(cfg, http, handle="lumora.bsky.social", app_password="wrong")
    with pytest.raises(SourceError, match="BLUESKY_HANDLE and BLUESKY_APP_PASSWORD"):
        await bsky.fetch({})


async def test_anonymous_search_reads_one_page_and_says_so(api: FakeAPI, http: HttpClient) -> None:
    PDS([post(i) for i in range(5)], page=2).mount(api)
    base = await api.start()
    anon = source(http, base, auth=False)
    result = await anon.fetch({})
    assert len(result.items) == 2 and not result.more
    assert "Authorization" not in api.hits(SEARCH)[0].headers
    assert any("one page" in n for n in result.notes)
    # The rest is not lost: the next poll narrows the query with `until`.
    again = await anon.fetch(result.cursor)
    assert "until" in api.hits(SEARCH)[-1].query and len(again.items) == 2


def test_post_url_from_at_uri() -> None:
    uri = "at://did:plc:kvwvcn5iqfooopmyzvb4qzba/app.bsky.feed.post/3kaheyt6vpc22"
    assert post_url(uri, None) == (
        "https://bsky.app/profile/did:plc:kvwvcn5iqfooopmyzvb4qzba/post/3kaheyt6vpc22"
    )
    assert post_url("at://did:plc:x/app.bsky.feed.like/1", "h") is None
