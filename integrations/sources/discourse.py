"""Discourse forums through their public JSON: the forum software many brand communities and
product forums run on.

With `query`: `GET /search.json?q=QUERY order:latest&page=N`, newest first; each post found
is a mention (its `blurb`, under its topic's title), and the pages are read back to what the
last poll saw. Without: `GET /latest.json` lists the topics with new posts, and each topic
bumped since the last poll is read with `GET /t/ID.json` (its posts, `cooked` HTML); like a
feed, a whole forum keeps only what matches the watchlist unless `keep_all`.

A post is stored as `HOST/p/ID`, so the same post found by search and in its topic is one
mention. Forums behind a login answer 403: the source says so. Discourse limits anonymous
requests per IP (429 with Retry-After), which the shared client honours.
"""

from __future__ import annotations

import datetime as dt
import html
from typing import Any
from urllib.parse import urlsplit

from core.clock import utcnow
from core.ports import FetchResult
from core.raw import RawMention
from integrations.sources.base import BaseSource
from integrations.sources.http import HttpError, SourceError
from integrations.sources.values import count, items, obj, parse_time, text

SEARCH_PAGES = 5
TOPICS_PER_POLL = 10


class DiscourseSource(BaseSource):
    """One forum (`base_url`); `query` searches it, otherwise its latest topics are read.
    Options: max_pages, lookback_hours."""

    type = "discourse"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.base_url = self.require(self.config.base_url, "base_url").rstrip("/")
        self.query = (self.config.query or "").strip()
        self.host = urlsplit(self.base_url).netloc

    async def fetch(self, cursor: dict[str, Any]) -> FetchResult:
        since = parse_time(cursor.get("since"))
        if since is None:
            since = utcnow().replace(tzinfo=dt.UTC) - self.lookback
        try:
            found, newest, more = await (self._search(since) if self.query else self._latest(since))
        except HttpError as exc:
            if exc.status in (401, 403):
                raise SourceError(
                    f"{self.host} answers only to signed-in users (HTTP {exc.status})",
                    kind="auth",
                ) from exc
            raise
        top = max([since, *(t for t in newest if t is not None)])
        return FetchResult(items=found, cursor={"since": top.isoformat()}, more=more)

    async def _get(self, path: str, params: dict[str, Any] | None = None) -> Any:
        resp = await self.client.request(
            "GET", self.base_url + path, params=params, headers={"Accept": "application/json"}
        )
        return resp.json()

    async def _search(
        self, since: dt.datetime
    ) -> tuple[list[RawMention], list[dt.datetime | None], bool]:
        found: list[RawMention] = []
        times: list[dt.datetime | None] = []
        for page in range(1, min(self.max_pages, SEARCH_PAGES) + 1):
            payload = obj(
                await self._get("/search.json", {"q": f"{self.query} order:latest", "page": page})
            )
            topics = {
                t["id"]: t
                for t in map(obj, items(payload.get("topics")))
                if isinstance(t.get("id"), int | str)
            }
            posts = [obj(p) for p in items(payload.get("posts"))]
            reached = False
            for post in posts:
                created = parse_time(post.get("created_at"))
                if created is not None and created <= since:
                    reached = True
                    continue
                times.append(created)
                tid = post.get("topic_id")
                topic = obj(topics.get(tid)) if isinstance(tid, int | str) else {}
                body = text(post.get("cooked")) or text(post.get("blurb")) or ""
                if (m := self.mention(post, topic, body, keep=True)) is not None:
                    found.append(m)
            more = obj(payload.get("grouped_search_result")).get("more_full_page_results")
            if reached or not posts or not more:
                return found, times, False
        return found, times, False

    async def _latest(
        self, since: dt.datetime
    ) -> tuple[list[RawMention], list[dt.datetime | None], bool]:
        listing = obj(obj(await self._get("/latest.json")).get("topic_list"))
        bumped = []
        for topic in map(obj, items(listing.get("topics"))):
            last = parse_time(topic.get("last_posted_at")) or parse_time(topic.get("bumped_at"))
            if isinstance(topic.get("id"), int) and last is not None and last > since:
                bumped.append((last, topic))
        bumped.sort(key=lambda pair: pair[0], reverse=True)
        found: list[RawMention] = []
        times: list[dt.datetime | None] = []
        # A burst of bumped topics is read over several polls, oldest last: the cursor only
        # moves past what was read.
        chosen = bumped[:TOPICS_PER_POLL]
        more = len(bumped) > len(chosen)
        if more:
            chosen = bumped[-TOPICS_PER_POLL:]
        for _last, topic in chosen:
            detail = obj(await self._get(f"/t/{topic['id']}.json"))
            head: dict[str, Any] = dict(topic)
            head.update({k: detail[k] for k in ("title", "slug") if k in detail})
            for post in map(obj, items(obj(detail.get("post_stream")).get("posts"))):
                created = parse_time(post.get("created_at"))
                if created is None or created <= since:
                    continue
                times.append(created)
                body = text(post.get("cooked")) or ""
                if (m := self.mention(post, head, body, keep=self.config.keep_all)) is not None:
                    found.append(m)
        return found, times, more

    def mention(
        self, post: dict[str, Any], topic: dict[str, Any], body: str, *, keep: bool
    ) -> RawMention | None:
        """A post (of a search or a topic) under its topic as a raw mention."""
        ident, created = post.get("id"), parse_time(post.get("created_at"))
        if not isinstance(ident, int) or isinstance(ident, bool) or created is None:
            return None
        topic_id = post.get("topic_id") or topic.get("id")
        slug = text(post.get("topic_slug")) or text(topic.get("slug")) or "-"
        number = count(post.get("post_number"))
        url = None
        if isinstance(topic_id, int) and not isinstance(topic_id, bool):
            url = f"{self.base_url}/t/{slug}/{topic_id}" + (f"/{number}" if number else "")
        title = text(topic.get("title")) or text(post.get("topic_title"))
        reply_no = count(post.get("reply_to_post_number"))
        return RawMention(
            source=self.name,
            external_id=f"{self.host}/p/{ident}",
            text=body,
            title=html.unescape(title) if title else None,
            published_at=created,
            source_type=self.type,
            url=url,
            author=text(post.get("name")) or text(post.get("username")),
            author_handle=f"@{post['username']}" if text(post.get("username")) else None,
            likes=count(post.get("like_count")),
            replies=count(post.get("reply_count")),
            reply_to=f"{self.host}/t/{topic_id}/{reply_no}" if reply_no else None,
            thread_id=f"{self.host}/t/{topic_id}" if topic_id else None,
            keep_unmatched=keep,
        )
