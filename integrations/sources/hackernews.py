"""Hacker News through Algolia: `search_by_date` for stories and comments matching `query`.

`numericFilters=created_at_i>SINCE` asks only for what is newer than the last poll; pages
are read newest first. Algolia serves at most 1,000 hits per query, so a larger backlog is
narrowed with `created_at_i<=UNTIL` on the next fetch (base.Window) instead of being lost.

A backfill pages through `created_at_i>=SINCE,created_at_i<=UNTIL` the same way: when a
window holds more than the 1,000 hits Algolia serves, `UNTIL` moves down to the oldest hit
read (that second is read again; the repeats are dropped as duplicates). Algolia allows
10,000 requests an hour per client: a token bucket keeps a backfill within that.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from core.clock import utcnow
from core.ports import FetchResult
from core.raw import RawMention
from integrations.sources.base import BackfillStep, BaseSource, Window
from integrations.sources.budget import TokenBucket
from integrations.sources.values import count, items, obj, parse_time, text

API_BASE = "https://hn.algolia.com"
PAGE = 100
ITEM_URL = "https://news.ycombinator.com/item?id={}"
MAX_HITS = 1000  # Algolia's paginationLimitedTo: hits it serves of one query
BUDGET = TokenBucket(10_000, 3600.0)


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
            payload = await self._page(filters, page)
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

    async def _page(self, filters: str, page: int) -> dict[str, Any]:
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
        return obj(resp.json())

    async def backfill(
        self, state: dict[str, Any], *, since: dt.datetime, until: dt.datetime
    ) -> BackfillStep:
        """One page of the past between `since` and `until` (see the module docstring)."""
        low = int(since.timestamp())
        high = int(state.get("until") or until.timestamp())
        page = count(state.get("page"))
        await BUDGET.take(self.base_url)
        payload = await self._page(f"created_at_i>={low},created_at_i<={high}", page)
        hits = [obj(h) for h in items(payload.get("hits"))]
        stamps = [h["created_at_i"] for h in hits if isinstance(h.get("created_at_i"), int)]
        found = [m for h in hits if (m := self.mention(h)) is not None]
        if not hits or not stamps:
            return BackfillStep(found, {"until": high, "page": page}, True, since)
        bottom = min(stamps)
        pages, total = count(payload.get("nbPages")), count(payload.get("nbHits"))
        if page + 1 < min(pages, MAX_HITS // PAGE):
            nxt: dict[str, Any] = {"until": high, "page": page + 1}
        elif total > (page + 1) * PAGE:  # more than Algolia serves: narrow the window
            nxt = {"until": bottom if bottom < high else bottom - 1, "page": 0}
        else:
            return BackfillStep(found, {"until": bottom, "page": 0}, True, since)
        reached = dt.datetime.fromtimestamp(bottom, dt.UTC)
        return BackfillStep(found, nxt, False, reached)

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
