"""RSS, Atom and JSON Feed: blogs, news, forums, and alert feeds (Google Alerts, Talkwalker).

The feed is fetched here (aiohttp, conditional GET with ETag and Last-Modified) and parsed
from bytes, never handed to feedparser as a URL. A feed is a whole site, so its entries are
kept only when they match the watchlist, unless the source says `keep_all`. Alert feeds
link through a redirect (`https://www.google.com/url?…&url=REAL`); the real link is
unwrapped so that the same article from two alerts is one mention.

News coverage is followed through search-as-RSS presets: `options: {preset: google_news}`
(or `bing_news`) with a `query` builds the feed URL of that search (presets.py), in the
language and country of `options.language`/`options.country`. Every item of such a feed
answers the query, so all are kept; the publisher named by the feed is the author.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import logging
from typing import Any
from urllib.parse import parse_qs, urlsplit

import feedparser

from core.clock import utcnow
from core.ports import FetchResult
from core.raw import RawMention
from integrations.sources.base import BaseSource, ConfigError
from integrations.sources.http import BadPayload
from integrations.sources.jsonfeed import is_json_feed, json_feed_entries
from integrations.sources.presets import PRESETS, preset_url
from integrations.sources.values import language, parse_time

log = logging.getLogger(__name__)
_ENCODING_PROBLEMS = (feedparser.CharacterEncodingOverride, feedparser.CharacterEncodingUnknown)
_REDIRECT_PARAMS = ("url", "q", "u")


class FeedSource(BaseSource):
    """One feed URL (`url`), or a search-as-RSS preset with a `query`; options: preset,
    language, country."""

    type = "rss"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.preset = self.str_option("preset", "") or None
        if self.preset is not None:
            if self.preset not in PRESETS:
                raise ConfigError(
                    "sources.config.bad_preset", value=self.preset, known=", ".join(PRESETS)
                )
            self.url = preset_url(
                self.preset,
                self.require(self.config.query, "query"),
                language=self.str_option("language", "de"),
                country=self.str_option("country", "DE"),
                base_url=self.config.base_url,
            )
        else:
            self.url = self.require(self.config.url, "url")
        self.keep_all = self.config.keep_all or self.preset is not None

    async def fetch(self, cursor: dict[str, Any]) -> FetchResult:
        headers = {
            "Accept": "application/atom+xml, application/rss+xml, application/feed+json, "
            "application/json;q=0.9, application/xml;q=0.8, text/xml;q=0.8, */*;q=0.5"
        }
        if cursor.get("etag"):
            headers["If-None-Match"] = str(cursor["etag"])
        if cursor.get("modified"):
            headers["If-Modified-Since"] = str(cursor["modified"])
        resp = await self.client.request("GET", self.url, headers=headers)
        if resp.status == 304:
            return FetchResult(items=[], cursor=cursor, notes=["not modified"])
        content_type = resp.headers.get("Content-Type", "")
        notes: list[str] = []
        if is_json_feed(resp.body, content_type):
            entries = json_feed_entries(resp.json())
        else:
            # In a thread: feedparser's HTML sanitizer is slow on hostile markup (a second per
            # 250 kB), and the event loop must keep serving the others meanwhile.
            entries, notes = await asyncio.to_thread(
                parse_xml_feed, resp.body, content_type, self.url
            )
        now = utcnow()
        items = [m for e in entries if (m := self._mention(e, now)) is not None]
        skipped = len(entries) - len(items)
        if skipped:
            notes.append(f"{skipped} entries without an id, link or text skipped")
        new_cursor = {
            k: v
            for k, v in {
                "etag": resp.headers.get("ETag"),
                "modified": resp.headers.get("Last-Modified"),
            }.items()
            if v
        }
        return FetchResult(items=items, cursor=new_cursor, notes=notes)

    def _mention(self, entry: dict[str, Any], now: dt.datetime) -> RawMention | None:
        link = unwrap_redirect(str(entry.get("link") or "")) or None
        title = entry.get("title") or None
        text = _entry_text(entry)
        if not (text or title):
            return None
        ident = entry.get("id") or link
        if not ident:
            ident = "h:" + hashlib.blake2b(f"{title}\n{text}".encode(), digest_size=12).hexdigest()
        published = (
            parse_time(entry.get("published_parsed"))
            or parse_time(entry.get("updated_parsed"))
            or parse_time(entry.get("date_published"))
            or now
        )
        reply = entry.get("thr_in-reply-to") or {}
        reply_to = reply.get("ref") or reply.get("href") if isinstance(reply, dict) else None
        return RawMention(
            source=self.name,
            external_id=str(ident),
            text=text or "",
            title=title,
            published_at=published,
            source_type=self.type,
            url=link,
            author=entry.get("author") or _publisher(entry) or None,
            reply_to=str(reply_to)[:255] if reply_to else None,
            language=language(entry.get("language")),
            keep_unmatched=self.keep_all,
        )


def _publisher(entry: dict[str, Any]) -> str | None:
    """The publisher a news feed names for an item (`<source>` of Google and Bing News)."""
    source = entry.get("source")
    title = source.get("title") if isinstance(source, dict) else None
    return str(title) if title else None


def _feedparse(body: bytes, headers: dict[str, str], url: str) -> Any:
    """feedparser.parse; what it raises on broken bytes (a NUL or a byte that is not UTF-8 in
    the XML declaration) is a BadPayload like any other unreadable feed."""
    try:
        return feedparser.parse(body, response_headers=headers)
    except (ValueError, LookupError) as exc:
        where = urlsplit(url).netloc or url
        raise BadPayload(f"{where} sent an unreadable feed ({type(exc).__name__})") from exc


def parse_xml_feed(body: bytes, content_type: str, url: str) -> tuple[list[Any], list[str]]:
    """feedparser on bytes; a wrongly labelled encoding is detected and parsed again."""
    headers = {"content-type": content_type or "application/xml", "content-location": url}
    parsed = _feedparse(body, headers, url)
    notes: list[str] = []
    if parsed.bozo and isinstance(parsed.get("bozo_exception"), _ENCODING_PROBLEMS):
        import charset_normalizer

        best = charset_normalizer.from_bytes(body).best()
        if best is not None and best.encoding:
            headers["content-type"] = f"application/xml; charset={best.encoding}"
            parsed = _feedparse(body, headers, url)
            notes.append(f"encoding detected as {best.encoding}")
    entries = [e for e in parsed.entries if e]
    if not parsed.get("version") and not entries:
        problem = parsed.get("bozo_exception")
        reason = f": {problem}" if problem else ""
        raise BadPayload(f"{urlsplit(url).netloc or url} did not send a feed{reason}")
    if parsed.bozo and not entries:
        raise BadPayload(f"malformed feed from {urlsplit(url).netloc}: {parsed.bozo_exception}")
    if parsed.bozo:
        notes.append(f"feed is not well-formed ({parsed.bozo_exception}); read what was readable")
    return entries, notes


def _entry_text(entry: dict[str, Any]) -> str:
    for block in entry.get("content") or []:
        value = block.get("value") if isinstance(block, dict) else None
        if value:
            return str(value)
    return str(entry.get("summary") or entry.get("description") or "")


def unwrap_redirect(link: str) -> str:
    """The target of an alert feed's redirect link (Google `/url?url=…`), else the link."""
    parts = urlsplit(link)
    host = parts.netloc.lower().split(":")[0]
    is_google = host.startswith(("google.", "www.google.")) and parts.path == "/url"
    is_talkwalker = host.endswith("talkwalker.com") and "redirect" in parts.path
    if not (is_google or is_talkwalker):
        return link
    query = parse_qs(parts.query)
    for name in _REDIRECT_PARAMS:
        for value in query.get(name, []):
            if value.startswith(("http://", "https://")):
                return value
    return link
