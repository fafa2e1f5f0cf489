"""Mastodon: the real documented hashtag timeline and status, served by a local instance."""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

import pytest
from aiohttp import web

from integrations.sources.http import HttpClient, HttpError
from integrations.sources.mastodon import MastodonSource
from tests.integrations.sources.conftest import FakeAPI, fixture_json, source_config

TIMELINE = fixture_json("mastodon", "timelines_tag_cats_example_partial.json")["response"]
STATUS = fixture_json("mastodon", "status_example.json")


def statuses(count: int, start: int = 103270115826048975) -> list[dict[str, Any]]:
    """The real example status, `count` times with growing ids (newest first, as served)."""
    out = []
    for i in range(count):
        status = copy.deepcopy(STATUS)
        ident = str(start + i)
        status["id"] = ident
        status["uri"] = f"https://mastodon.social/users/Gargron/statuses/{ident}"
        status["url"] = f"https://mastodon.social/@Gargron/{ident}"
        out.append(status)
    return sorted(out, key=lambda s: int(s["id"]), reverse=True)


class Instance:
    """GET /api/v1/timelines/tag/:tag answering with min_id/limit like Mastodon does."""

    def __init__(self, posts: list[dict[str, Any]]) -> None:
        self.posts = posts

    async def tag(self, request: web.Request) -> web.Response:
        limit = int(request.query.get("limit", 20))
        newest_first = sorted(self.posts, key=lambda s: int(s["id"]), reverse=True)
        if "min_id" in request.query:
            after = [s for s in newest_first if int(s["id"]) > int(request.query["min_id"])]
            page = after[-limit:]  # the statuses immediately newer than min_id
        else:
            page = newest_first[:limit]
        return web.json_response(page, headers={"X-RateLimit-Remaining": "299"})


def source(http: HttpClient, base: str, **values: Any) -> MastodonSource:
    cfg = source_config("masto", "mastodon", base_url=base, hashtags=["cats"], **values)
    return MastodonSource(cfg, http)


async def test_the_real_hashtag_timeline_is_parsed(api: FakeAPI, http: HttpClient) -> None:
    async def tag(_request: web.Request) -> web.Response:
        return web.json_response(TIMELINE)

    api.get("/api/v1/timelines/tag/cats", tag)
    base = await api.start()
    result = await source(http, base).fetch({})
    assert [m.external_id for m in result.items] == [
        "127.0.0.1:" + base.rsplit(":", 1)[1] + "/statuses/103206185588894565",
        "127.0.0.1:" + base.rsplit(":", 1)[1] + "/statuses/103203659567597966",
    ]
    second = result.items[1]
    assert "Caught on the hop" in second.text and "Qualitätskatzen" in second.text
    assert second.published_at == dt.datetime(2019, 11, 26, 10, 7, 49, tzinfo=dt.UTC)
    assert second.keep_unmatched is True
    assert result.cursor == {"tag:cats": "103206185588894565"}


async def test_the_real_status_gives_author_counts_and_language(
    api: FakeAPI, http: HttpClient
) -> None:
    async def tag(_request: web.Request) -> web.Response:
        return web.json_response([STATUS])

    api.get("/api/v1/timelines/tag/cats", tag)
    base = await api.start()
    [m] = (await source(http, base).fetch({})).items
    assert m.external_id == "https://mastodon.social/users/Gargron/statuses/103270115826048975"
    assert m.url == "https://mastodon.social/@Gargron/103270115826048975"
    assert (m.author, m.author_handle) == ("Eugen", "@Gargron@" + base.split("//")[1])
    assert (m.likes, m.reposts, m.replies, m.language) == (11, 6, 5, "en")
    assert m.followers == STATUS["account"]["followers_count"]


async def test_min_id_pages_forward_without_a_gap(api: FakeAPI, http: HttpClient) -> None:
    instance = Instance(statuses(5))
    api.get("/api/v1/timelines/tag/cats", instance.tag)
    base = await api.start()
    masto = source(http, base)
    first = await masto.fetch({})
    assert len(first.items) == 5 and not first.more
    instance.posts += statuses(95, start=103270115826049000)  # a burst of 95 new statuses
    second = await masto.fetch(first.cursor)
    # max_pages (5) × 40 covers the burst: every new status once, in pages after min_id.
    assert len({m.external_id for m in second.items}) == 95 and not second.more
    mins = [r.query.get("min_id") for r in api.requests[1:]]
    assert mins[0] == first.cursor["tag:cats"] and len(set(mins)) == len(mins)
    assert second.cursor["tag:cats"] == str(103270115826049000 + 94)
    assert second.quota_remaining == 299


async def test_search_needs_a_token_on_most_instances(api: FakeAPI, http: HttpClient) -> None:
    async def tag(_request: web.Request) -> web.Response:
        return web.json_response(TIMELINE)

    async def search(request: web.Request) -> web.Response:
        if request.headers.get("Authorization") != "Bearer tok":
            return web.json_response({"error": "The access token is invalid"}, status=401)
        return web.json_response({"accounts": [], "hashtags": [], "statuses": [STATUS]})

    api.get("/api/v1/timelines/tag/cats", tag)
    api.get("/api/v2/search", search)
    base = await api.start()
    anonymous = await source(http, base, query="Lumora").fetch({})
    assert len(anonymous.items) == 2 and any("search not allowed" in n for n in anonymous.notes)
    cfg = source_config("masto", "mastodon", base_url=base, hashtags=["cats"], query="Lumora")
    signed = await MastodonSource(cfg, http, access_token="tok").fetch({})
    assert len(signed.items) == 3 and "search" in signed.cursor
    assert api.hits("/api/v2/search")[-1].query["type"] == "statuses"


async def test_a_server_error_fails_the_fetch(api: FakeAPI, http: HttpClient) -> None:
    async def broken(_request: web.Request) -> web.Response:
        return web.Response(status=500)

    api.get("/api/v1/timelines/tag/cats", broken)
    base = await api.start()
    with pytest.raises(HttpError):
        await source(http, base).fetch({})
