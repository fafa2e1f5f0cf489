"""X: recent search with a bearer token, replaying the real tweepy-recorded response."""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

import pytest
from aiohttp import web

from core.source_catalog import x_posts_per_day
from integrations.sources.http import HttpClient, HttpError
from integrations.sources.x import XSource, snowflake_time
from tests.integrations.sources.conftest import FakeAPI, fixture_json, source_config

REAL = fixture_json("x", "search_recent_tweepy.json")
PATH = "/2/tweets/search/recent"


def source(http: HttpClient, base: str, **options: Any) -> XSource:
    cfg = source_config("x", "x", base_url=base, query="Tweepy", options=options)
    return XSource(cfg, http, bearer_token="bearer-1")


async def test_the_real_response_is_read(api: FakeAPI, http: HttpClient) -> None:
    async def search(request: web.Request) -> web.Response:
        assert request.headers["Authorization"] == "Bearer bearer-1"
        body = copy.deepcopy(REAL)
        del body["meta"]["next_token"]  # one page here; paging is tested below
        return web.json_response(body, headers={"x-rate-limit-remaining": "448"})

    api.get(PATH, search)
    base = await api.start()
    result = await source(http, base).fetch({})
    assert len(result.items) == 10 and result.quota_remaining == 448
    first = result.items[0]
    assert first.external_id == "1578516068309794817"
    assert first.text == "2022-10-07 22:42:12.637103 tweepy"
    # The capture has no created_at: the time comes from the id, to the second of the text.
    assert abs(
        first.published_at - dt.datetime(2022, 10, 7, 22, 42, 12, tzinfo=dt.UTC)
    ) < dt.timedelta(seconds=1)
    assert result.cursor == {"window": {"since": "1578516068309794817"}}
    query = api.requests[0].query
    assert "start_time" in query and "since_id" not in query
    assert query["expansions"] == "author_id" and "public_metrics" in query["tweet.fields"]
    assert any("X bills" in n for n in result.notes)


async def test_author_and_metrics_come_from_the_expansions(api: FakeAPI, http: HttpClient) -> None:
    # The X API v2 reference shape for tweet.fields + expansions=author_id (no capture has it).
    post = {
        "id": "1578516068309794817",
        "text": "Lumora Brew ist super",
        "author_id": "2244994945",
        "created_at": "2022-10-07T22:42:12.000Z",
        "lang": "de",
        "conversation_id": "1578516068309794817",
        "public_metrics": {"retweet_count": 3, "reply_count": 2, "like_count": 9, "quote_count": 1},
        "referenced_tweets": [{"type": "replied_to", "id": "1578510000000000000"}],
    }
    user = {
        "id": "2244994945",
        "name": "Developers",
        "username": "XDevelopers",
        "public_metrics": {"followers_count": 570000},
    }

    async def search(_request: web.Request) -> web.Response:
        return web.json_response(
            {
                "data": [post],
                "includes": {"users": [user]},
                "meta": {"result_count": 1, "newest_id": post["id"]},
            }
        )

    api.get(PATH, search)
    base = await api.start()
    [m] = (await source(http, base).fetch({})).items
    assert (m.author, m.author_handle, m.followers) == ("Developers", "@XDevelopers", 570000)
    assert (m.likes, m.reposts, m.replies, m.language) == (9, 4, 2, "de")
    assert m.reply_to == "1578510000000000000" and m.thread_id == post["conversation_id"]
    assert m.url == "https://x.com/XDevelopers/status/1578516068309794817"


async def test_next_token_paging_and_since_id(api: FakeAPI, http: HttpClient) -> None:
    pages = {None: REAL, REAL["meta"]["next_token"]: {"meta": {"result_count": 0}}}

    async def search(request: web.Request) -> web.Response:
        return web.json_response(pages[request.query.get("next_token")])

    api.get(PATH, search)
    base = await api.start()
    x = source(http, base)
    first = await x.fetch({})
    assert len(first.items) == 10 and not first.more
    assert api.requests[1].query["next_token"] == REAL["meta"]["next_token"]
    await x.fetch(first.cursor)
    assert api.requests[-2].query["since_id"] == "1578516068309794817"


async def test_a_page_budget_leaves_a_backlog_with_until_id(api: FakeAPI, http: HttpClient) -> None:
    async def search(_request: web.Request) -> web.Response:
        return web.json_response(REAL)  # always says more

    api.get(PATH, search)
    base = await api.start()
    result = await source(http, base, max_pages=1).fetch({})
    assert result.more and result.cursor["window"]["until"] == "1578511538419212288"
    await source(http, base, max_pages=1).fetch(result.cursor)
    assert api.requests[-1].query["until_id"] == "1578511538419212288"


async def test_an_unauthorised_token_fails(api: FakeAPI, http: HttpClient) -> None:
    async def search(_request: web.Request) -> web.Response:
        return web.json_response({"title": "Unauthorized", "status": 401}, status=401)

    api.get(PATH, search)
    base = await api.start()
    with pytest.raises(HttpError, match="401"):
        await source(http, base).fetch({})


def test_cost_ceiling_and_snowflake_time() -> None:
    cfg = source_config("x", "x", query="q", interval_seconds=900, options={"max_pages": 2})
    assert x_posts_per_day(cfg) == 96 * 100 * 2
    assert snowflake_time("1578511538419212288").year == 2022
