"""Hacker News through Algolia: `search_by_date` for stories and comments matching `query`.

`numericFilters=created_at_i>SINCE` asks only for what is newer than the last poll; pages
are read newest first. Algolia serves at most 1,000 hits per query, so a larger backlog is
narrowed with `created_at_i<=UNTIL` on the next fetch (base.Window) instead of being lost.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from core.clock import utcnow
from core.ports import FetchResult
from core.raw import RawMention
from integrations.sources.base import BaseSource, Window
from integrations.sources.values import count, items, obj, parse_time, text

API_BASE = "https://hn.algolia.com"
PAGE = 100
ITEM_URL = "https://news.ycombinator.com/item?id={}"


class HackerNewsSource(BaseSource):
    """`query` on Hacker News; options: tags (default "(story,comment)")."""

    type = "hackernews"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.query = self.require(self.config.query, "query")
        self.base_url = (self.config.base_url or API_BASE).rstrip("/")
        self.tags = self.str_option("tags", "(story,comment)")

    async def fetch(self, cursor: dict[str, Any]) -> FetchResult:
        window = Window.load(cursor.get("window"))
        if window.since is None:
            window.since = int((utcnow() - self.lookback).replace(tzinfo=dt.UTC).timestamp())
        filters = f"created_at_i>{int(window.since)}"
        if window.until is not None:
            filters += f",created_at_i<={int(window.until)}"
        found: list[RawMention] = []
        top = bottom = None
        complete = False
        for page in range(self.max_pages):
            resp = await self.client.request(
                "GET",
                f"{self.base_url}/api/v1/search_by_date",
                params={
                    "query": self.query,
                    "tags": self.tags,
                    "numericFilters": filters,
                    "hitsPerPage": PAGE,
                    "page": page,
                },
            )
            payload = obj(resp.json())
            hits = [obj(h) for h in items(payload.get("hits"))]
            for hit in hits:
                stamp = hit.get("created_at_i")
                if isinstance(stamp, int):
                    top = stamp if top is None or stamp > top else top
                    bottom = stamp if bottom is None or stamp < bottom else bottom
                if (m := self.mention(hit)) is not None:
                    found.append(m)
            pages = count(payload.get("nbPages"))
            if not hits or page + 1 >= pages:
                complete = True
                break
        after = window.advance(top=top, bottom=bottom, complete=complete, key=int)
        return FetchResult(items=found, cursor={"window": after.dump()}, more=not complete)

    def mention(self, hit: dict[str, Any]) -> RawMention | None:
        """A story or comment hit as a raw mention."""
        ident = text(str(hit.get("objectID") or ""))
        created = parse_time(hit.get("created_at_i")) or parse_time(hit.get("created_at"))
        if not ident or created is None:
            return None
        tags = [t for t in items(hit.get("_tags")) if isinstance(t, str)]
        is_comment = "comment" in tags or hit.get("comment_text") is not None
        if is_comment:
            body, title = hit.get("comment_text"), text(hit.get("story_title"))
        else:
            body, title = hit.get("story_text"), text(hit.get("title"))
        parent, story = hit.get("parent_id"), hit.get("story_id")
        return RawMention(
            source=self.name,
            external_id=ident,
            text=str(body or ""),
            title=title,
            published_at=created,
            source_type=self.type,
            url=(None if is_comment else text(hit.get("url"))) or ITEM_URL.format(ident),
            author=text(hit.get("author")),
            author_handle=text(hit.get("author")),
            likes=count(hit.get("points")),
            replies=count(hit.get("num_comments")),
            reply_to=str(parent) if is_comment and parent else None,
            thread_id=str(story) if story else (ident if not is_comment else None),
            keep_unmatched=True,
        )
