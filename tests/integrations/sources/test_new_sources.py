"""What the new sources do beyond the shared contract (test_contract.py): Discourse's topics
and forums behind a login, YouTube's quota, the App Store's storefronts, Lemmy's federated
ids, and the news presets of the feed source."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from aiohttp import web

from config.settings import Settings
from config.workspace import SourceConfig
from core.source_catalog import assess
from integrations.sources.http import HttpClient, RateLimited, SourceError
from integrations.sources.presets import preset_url
from integrations.sources.registry import build_source
from integrations.sources.youtube import YouTubeSource, quota_day
from tests.integrations.sources.conftest import FakeAPI, fixture_json, source_config
from tests.integrations.sources.contract import APPSTORE_PAGE, CASES, LEMMY_SEARCH, recent

CASE = {c.kind: c for c in CASES}


async def test_discourse_posts_carry_their_topic_and_link(api: FakeAPI, http: HttpClient) -> None:
    CASE["discourse-latest"].mount(api)
    base = await api.start()
    result = await CASE["discourse-latest"].source(base, http).fetch({})
    first = next(m for m in result.items if m.external_id.endswith("/p/83"))
    assert first.title == "THIS SITE IS A SANDBOX -- it is reset every day"
    assert first.url == f"{base}/t/this-site-is-a-sandbox-it-is-reset-every-day/57/1"
    assert "Try is a sandbox" in first.text and first.author == "Sam Saffron"
    reply = next(m for m in result.items if m.external_id.endswith("/p/226"))
    assert reply.reply_to is not None and reply.reply_to.endswith("/t/57/1")
    assert result.cursor["since"] > (dt.datetime.now(dt.UTC) - dt.timedelta(hours=2)).isoformat()


async def test_discourse_search_reads_the_blurb_and_skips_malformed_topics(
    api: FakeAPI, http: HttpClient
) -> None:
    payload = recent(fixture_json("discourse", "search_query_response.json"))
    payload["topics"].append({"id": [1, 2], "title": "a list is no id"})

    async def search(request: web.Request) -> web.Response:
        assert request.query["q"] == "Lumora order:latest"
        return web.json_response(payload)

    api.get("/search.json", search)
    base = await api.start()
    [post] = (await CASE["discourse"].source(base, http).fetch({})).items
    assert post.title == "2a6aa74e-e341-5e3c-1eaa-78c6331f305f" and post.text.startswith(
        "<p>ecf65fcd"
    )


async def test_a_forum_behind_a_login_says_so(api: FakeAPI, http: HttpClient) -> None:
    async def denied(_request: web.Request) -> web.Response:
        return web.json_response({"errors": ["not allowed"]}, status=403)

    api.get("/search.json", denied)
    base = await api.start()
    with pytest.raises(SourceError, match="answers only to signed-in users"):
        await CASE["discourse"].source(base, http).fetch({})


def youtube(base: str, http: HttpClient, **options: Any) -> YouTubeSource:
    cfg = source_config("yt", "youtube", base_url=base, query="Lumora", options=options)
    return YouTubeSource(cfg, http, api_key="key")


async def test_youtube_counts_its_quota_and_stops_before_spending_it(
    api: FakeAPI, http: HttpClient
) -> None:
    CASE["youtube"].mount(api)
    base = await api.start()
    result = await youtube(base, http).fetch({})
    searches = api.hits("/youtube/v3/search")
    assert len(searches) == 3 and searches[0].query["key"] == "key"  # p1, p2, an empty page
    assert searches[0].query["order"] == "date" and searches[0].query["type"] == "video"
    comments = len(api.hits("/youtube/v3/commentThreads"))
    assert result.cursor["quota"]["used"] == 3 * 100 + comments
    assert result.quota_remaining == 10_000 - result.cursor["quota"]["used"]
    video = next(m for m in result.items if m.external_id == "yt:video:i2hewkFijuY")
    assert video.title == "SURFING PERFECT PIPE & BACKDOOR || SUNRISE SHACK!"  # entity unescaped
    comment = next(m for m in result.items if m.external_id.startswith("yt:comment:"))
    assert comment.reply_to == "yt:video:F1UP7wRCPH8" and "&lc=" in (comment.url or "")
    # A quota nearly spent: no search (100 units), only what fits.
    day, _ = quota_day(dt.datetime.now(dt.UTC))
    before = len(api.hits("/youtube/v3/search"))
    tight = await youtube(base, http, daily_quota=150).fetch({"quota": {"day": day, "used": 60}})
    assert len(api.hits("/youtube/v3/search")) == before
    assert any("daily quota spent" in n for n in tight.notes)


async def test_youtube_quota_exceeded_rests_until_midnight_pacific(
    api: FakeAPI, http: HttpClient
) -> None:
    async def exceeded(_request: web.Request) -> web.Response:
        error = {"code": 403, "errors": [{"reason": "quotaExceeded", "domain": "youtube.quota"}]}
        return web.json_response({"error": error}, status=403)

    api.get("/youtube/v3/search", exceeded)
    base = await api.start()
    with pytest.raises(RateLimited) as caught:
        await youtube(base, http).fetch({})
    assert caught.value.retry_after is not None and 0 < caught.value.retry_after <= 86_400


async def test_youtube_without_a_key_is_off_and_a_bad_key_is_named(
    api: FakeAPI, http: HttpClient
) -> None:
    cfg = SourceConfig(name="yt", type="youtube", query="Lumora")
    assert assess(cfg, Settings.for_tests()).reason == "sources.off.youtube_key"

    async def bad_key(_request: web.Request) -> web.Response:
        error = {"code": 400, "errors": [{"reason": "keyInvalid"}]}
        return web.json_response({"error": error}, status=400)

    api.get("/youtube/v3/search", bad_key)
    base = await api.start()
    with pytest.raises(SourceError, match="YOUTUBE_API_KEY"):
        await youtube(base, http).fetch({})


async def test_app_store_reads_each_storefront_back_to_the_last_review_seen(
    api: FakeAPI, http: HttpClient
) -> None:
    CASE["appstore"].mount(api)
    base = await api.start()
    source = CASE["appstore"].source(base, http)
    first = await source.fetch({})
    assert [m.external_id for m in first.items] == [
        "appstore:6504352127",
        "appstore:6108405527",
        "appstore:6096833863",
        "appstore:6091772301",
    ]
    review = first.items[0]
    assert review.title == "★★★★★ · Amazing photos integration"
    assert review.author == "immeallme" and review.text.startswith("Such a great app")
    assert review.extra == {"rating": "5", "version": "1.1.0", "country": "gb"}
    assert review.keep_unmatched and review.url is not None and "/gb/app/id1510826067" in review.url
    assert first.cursor == {"gb": {"newest": 6504352127}}
    again = await source.fetch(first.cursor)
    assert again.items == [] and again.cursor == first.cursor
    # Behind an older review, pages are read on until one without entries (page 2).
    behind = await source.fetch({"gb": {"newest": 6096833863}})
    assert [m.external_id for m in behind.items] == ["appstore:6504352127", "appstore:6108405527"]
    assert len(api.hits(APPSTORE_PAGE.format(1))) == 3 and not api.hits(APPSTORE_PAGE.format(2))
    older = await source.fetch({"gb": {"newest": 1}})
    assert len(older.items) == 4 and len(api.hits(APPSTORE_PAGE.format(2))) == 1


async def test_app_store_reviews_without_a_time_take_their_pages(
    api: FakeAPI, http: HttpClient
) -> None:
    # Apple's feeds as captured (2015, 2021) date only the page, not its reviews; the 2015
    # one also lists the app itself first. Every review is kept, dated by its page.
    feed = recent(fixture_json("appstore", "ios_review.json"))

    async def page(_request: web.Request) -> web.Response:
        return web.json_response(feed)

    api.get("/jp/rss/customerreviews/page=1/id=375380948/sortby=mostrecent/json", page)
    base = await api.start()
    cfg = source_config("app", "appstore", base_url=base, app_id="id375380948", countries=["JP"])
    source = build_source(cfg, Settings.for_tests(), http)
    result = await source.fetch({})
    assert len(result.items) == 50  # the app's own entry (no rating) is no review
    page_time = dt.datetime.fromisoformat(feed["feed"]["updated"]["label"].replace("Z", "+00:00"))
    assert {m.published_at for m in result.items} == {page_time}
    ids = [int(m.external_id.removeprefix("appstore:")) for m in result.items]
    assert result.cursor == {"jp": {"newest": max(ids)}}
    entry = feed["feed"]["entry"][1]
    assert "updated" not in entry
    assert source.review(entry, "jp") is None  # type: ignore[attr-defined]  # no date to give


async def test_lemmy_stores_under_the_activitypub_id(api: FakeAPI, http: HttpClient) -> None:
    CASE["lemmy"].mount(api)
    base = await api.start()
    result = await CASE["lemmy"].source(base, http).fetch({})
    post, comment = result.items  # the second post and comment are older than a day
    assert post.external_id == "https://lemmy.world/post/2808539"
    assert post.title == "Fuck SUVs in particular." and post.text == ""
    assert post.author == "Striker" and post.author_handle == "@STRIKINGdebate2@lemmy.world"
    assert (post.likes, post.replies, post.extra) == (1276, 120, {"community": "fuckcars"})
    assert comment.external_id == "https://lemmy.world/comment/3031618"
    assert comment.reply_to == comment.thread_id == "https://lemmy.world/post/4252100"
    assert comment.author == "Nunc Finibus Augue" and comment.title == "Nunc finibus purus"
    query = api.hits("/api/v3/search")[0].query
    assert (query["type_"], query["sort"], query["q"]) == ("All", "New", "Lemmy")


def test_lemmy_reads_times_without_a_zone_as_utc() -> None:
    # Lemmy 0.18, as captured, writes times without a zone (and a kbin comment of the
    # same capture without a fraction of a second): they are UTC.
    cfg = source_config("lemmy", "lemmy", base_url="http://127.0.0.1:9", query="x")
    source = build_source(cfg, Settings.for_tests(), HttpClient())
    [view] = [p for p in LEMMY_SEARCH["posts"] if p["post"]["id"] == 1549703]
    assert view["post"]["published"] == "2023-08-07T13:35:18.433381"
    post = source.post(view)  # type: ignore[attr-defined]
    assert post is not None
    assert post.published_at == dt.datetime(2023, 8, 7, 13, 35, 18, 433381, tzinfo=dt.UTC)
    bare = {**view, "post": {**view["post"], "published": "2023-08-07T13:54:27"}}
    assert source.post(bare).published_at == dt.datetime(2023, 8, 7, 13, 54, 27, tzinfo=dt.UTC)  # type: ignore[attr-defined]


def test_news_presets_build_the_search_feed_url() -> None:
    google = preset_url("google_news", '"Lumora Brew" OR Lumora', language="de", country="DE")
    parts = urlsplit(google)
    assert (parts.netloc, parts.path) == ("news.google.com", "/rss/search")
    assert parse_qs(parts.query) == {
        "q": ['"Lumora Brew" OR Lumora'],
        "hl": ["de"],
        "gl": ["DE"],
        "ceid": ["DE:de"],
    }
    bing = preset_url("bing_news", "Lumora", language="en", country="us")
    assert parse_qs(urlsplit(bing).query) == {
        "q": ["Lumora"],
        "format": ["rss"],
        "setlang": ["en"],
        "cc": ["US"],
    }
    local = preset_url(
        "google_news", "x", language="de", country="DE", base_url="http://127.0.0.1:9"
    )
    assert local.startswith("http://127.0.0.1:9/rss/search?q=x")


def test_a_preset_needs_a_query_and_a_known_name() -> None:
    settings = Settings.for_tests()
    no_query = SourceConfig(name="n", type="rss", options={"preset": "google_news"})
    assert assess(no_query, settings).values == {"key": "query"}
    ready = SourceConfig(name="n", type="rss", query="Lumora", options={"preset": "google_news"})
    assert assess(ready, settings).status == "ready"
    from config.workspace import Brand, Workspace
    from integrations.sources.registry import load_sources

    wrong = SourceConfig(name="n", type="rss", query="Lumora", options={"preset": "yahoo"})
    ws = Workspace(brand=Brand(name="Lumora"), sources=[wrong])
    [info] = load_sources(ws, settings, HttpClient())
    assert info.status == "misconfigured" and info.reason == "sources.config.bad_preset"
