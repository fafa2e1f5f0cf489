"""Feeds: feedparser's own real test feeds served from 127.0.0.1, including ill-formed ones."""

from __future__ import annotations

import datetime as dt

import pytest
from aiohttp import web

from integrations.sources.http import BadPayload, HttpClient
from integrations.sources.rss import FeedSource, unwrap_redirect
from tests.integrations.sources.conftest import FakeAPI, fixture_bytes, source_config

RSS = "application/rss+xml"


def serve(api: FakeAPI, path: str, name: str, content_type: str = RSS) -> None:
    body = fixture_bytes("feeds", name)

    async def handler(_request: web.Request) -> web.Response:
        return web.Response(body=body, headers={"Content-Type": content_type})

    api.get(path, handler)


def feed(http: HttpClient, url: str, *, keep_all: bool = False) -> FeedSource:
    return FeedSource(source_config("blog", "rss", url=url, keep_all=keep_all), http)


async def test_rss2_entries_become_mentions(api: FakeAPI, http: HttpClient) -> None:
    serve(api, "/rss2", "wellformed_namespace_rss2.0withAtomNS.xml")
    base = await api.start()
    result = await feed(http, f"{base}/rss2").fetch({})
    [item] = result.items
    assert item.title == "rsync and vfat | Geek at Play"
    assert item.url == "http://www.kylev.com/2005/03/29/rsync-and-vfat/"
    assert item.external_id == "http://delicious.com/url/174603f9d836a1aafac49e28ace1c19e#wearehugh"
    assert item.published_at == dt.datetime(2009, 12, 25, 3, 30, 22, tzinfo=dt.UTC)
    assert item.author == "wearehugh"
    assert item.keep_unmatched is False  # a whole-site feed keeps only watchlist matches


async def test_rss1_and_atom_threading(api: FakeAPI, http: HttpClient) -> None:
    serve(api, "/rdf", "wellformed_namespace_rss1.0withModules.xml", "application/rdf+xml")
    serve(api, "/atom", "wellformed_namespace_atomthreadingwithentry.xml", "application/atom+xml")
    base = await api.start()
    rdf = await feed(http, f"{base}/rdf", keep_all=True).fetch({})
    assert rdf.items[0].title == "Test Item - RSS 1.0" and rdf.items[0].keep_unmatched
    atom = await feed(http, f"{base}/atom").fetch({})
    reply = atom.items[0]
    assert reply.reply_to == "tag:blogger.com,1999:blog-893591374313312737.post-3861663258538857954"
    assert reply.author and reply.text


async def test_json_feed_is_read_without_feedparser(api: FakeAPI, http: HttpClient) -> None:
    serve(api, "/feed.json", "json_example.json", "application/feed+json")
    base = await api.start()
    result = await feed(http, f"{base}/feed.json").fetch({})
    by_id = {m.external_id: m for m in result.items}
    assert set(by_id) == {"1", "2"}
    assert by_id["2"].title == "post 2" and by_id["2"].text == "This is a second item."
    assert by_id["1"].author == "you" and by_id["1"].url == "https://example.org/initial-post"
    assert "<script>" in by_id["1"].text  # the pipeline's HTML-to-text drops the script


async def test_conditional_get_sends_etag_and_handles_304(api: FakeAPI, http: HttpClient) -> None:
    body = fixture_bytes("feeds", "wellformed_namespace_rss2.0withAtomNS.xml")

    async def handler(request: web.Request) -> web.Response:
        if request.headers.get("If-None-Match") == '"v1"':
            return web.Response(status=304)
        headers = {"ETag": '"v1"', "Last-Modified": "Fri, 25 Dec 2009 03:30:22 GMT"}
        return web.Response(body=body, content_type=RSS, headers=headers)

    api.get("/feed", handler)
    base = await api.start()
    source = feed(http, f"{base}/feed")
    first = await source.fetch({})
    assert first.cursor == {"etag": '"v1"', "modified": "Fri, 25 Dec 2009 03:30:22 GMT"}
    second = await source.fetch(first.cursor)
    assert second.items == [] and second.cursor == first.cursor
    assert api.requests[1].headers["If-Modified-Since"] == "Fri, 25 Dec 2009 03:30:22 GMT"


async def test_a_feed_in_an_undeclared_encoding_is_detected(api: FakeAPI, http: HttpClient) -> None:
    serve(api, "/koi8", "illformed_chardet_koi8r.xml", "application/xml")
    base = await api.start()
    result = await feed(http, f"{base}/koi8").fetch({})
    assert result.items[0].title == "Как пережить новогоднюю ночь"
    assert any("koi8" in n.lower() for n in result.notes)


async def test_a_broken_feed_fails_the_poll_with_the_reason(api: FakeAPI, http: HttpClient) -> None:
    serve(api, "/cdata", "illformed_rss_incomplete_cdata.xml")
    base = await api.start()
    with pytest.raises(BadPayload, match="malformed feed"):
        await feed(http, f"{base}/cdata").fetch({})


async def test_an_html_page_is_not_a_feed(api: FakeAPI, http: HttpClient) -> None:
    async def page(_request: web.Request) -> web.Response:
        return web.Response(text="<html><body>Moved</body></html>", content_type="text/html")

    api.get("/page", page)
    base = await api.start()
    with pytest.raises(BadPayload, match="did not send a feed"):
        await feed(http, f"{base}/page").fetch({})


async def test_readable_parts_of_an_ill_formed_feed_are_kept(
    api: FakeAPI, http: HttpClient
) -> None:
    serve(api, "/amp", "illformed_rss_item_link_corrupted_ampersands.xml")
    base = await api.start()
    result = await feed(http, f"{base}/amp").fetch({})
    # The only entry is a bare link: nothing to listen to, so it is skipped and said so.
    assert result.items == []
    assert any("not well-formed" in n for n in result.notes)
    assert any("skipped" in n for n in result.notes)


async def test_google_alert_links_are_unwrapped(api: FakeAPI, http: HttpClient) -> None:
    # The real Atom test feed, its entry link replaced by a Google Alerts redirect.
    body = fixture_bytes("feeds", "wellformed_namespace_atomthreadingwithentry.xml")
    target = "http://salmon-test.blogspot.com/2009/10/test-post.html"
    alert = (
        "https://www.google.com/url?rct=j&amp;sa=t&amp;url=https://lumora.example/news/1"
        "&amp;ct=ga&amp;cd=CAIyGjE&amp;usg=AOvVaw1"
    )
    body = body.replace(target.encode(), alert.encode())

    async def handler(_request: web.Request) -> web.Response:
        return web.Response(body=body, content_type="application/atom+xml")

    api.get("/alerts", handler)
    base = await api.start()
    result = await feed(http, f"{base}/alerts").fetch({})
    assert result.items[0].url == "https://lumora.example/news/1"


def test_unwrap_redirect_leaves_ordinary_links_alone() -> None:
    assert unwrap_redirect("https://example.org/a?url=https://b.example") == (
        "https://example.org/a?url=https://b.example"
    )
    assert unwrap_redirect("https://www.google.de/url?q=https://lumora.example/x&sa=U") == (
        "https://lumora.example/x"
    )
