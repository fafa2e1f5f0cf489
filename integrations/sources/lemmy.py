"""Lemmy, the federated link forum, beside Mastodon: one instance's public search.

`GET /api/v3/search?q=QUERY&type_=All&sort=New&listing_type=All&page=N&limit=50` returns
posts and comments of every community the instance federates with, newest first; pages are
read back to what the last poll saw. A post or comment is stored under its ActivityPub id
(`ap_id`), so the same item found through two instances is one mention. Lemmy 0.18 writes
times without a zone (UTC), 0.19 with `Z`; both are read as UTC.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlsplit

from core.clock import utcnow
from core.ports import FetchResult
from core.raw import RawMention
from integrations.sources.base import BaseSource
from integrations.sources.values import count, items, obj, parse_time, text

PAGE = 50


class LemmySource(BaseSource):
    """One instance (`base_url`) and `query`; options: max_pages, lookback_hours."""

    type = "lemmy"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.base_url = self.require(self.config.base_url, "base_url").rstrip("/")
        self.query = self.require(self.config.query, "query")
        self.host = urlsplit(self.base_url).netloc

    async def fetch(self, cursor: dict[str, Any]) -> FetchResult:
        since = parse_time(cursor.get("since")) or utcnow().replace(tzinfo=dt.UTC) - self.lookback
        found: list[RawMention] = []
        newest = since
        more = False
        for page in range(1, self.max_pages + 1):
            resp = await self.client.request(
                "GET",
                f"{self.base_url}/api/v3/search",
                params={
                    "q": self.query,
                    "type_": "All",
                    "sort": "New",
                    "listing_type": "All",
                    "page": page,
                    "limit": PAGE,
                },
            )
            payload = obj(resp.json())
            views = [("post", obj(v)) for v in items(payload.get("posts"))]
            views += [("comment", obj(v)) for v in items(payload.get("comments"))]
            reached = False
            for kind, view in views:
                mention = self.post(view) if kind == "post" else self.comment(view)
                if mention is None:
                    continue
                if mention.published_at <= since:
                    reached = True
                    continue
                newest = max(newest, mention.published_at)
                found.append(mention)
            full = (
                len(items(payload.get("posts"))) >= PAGE
                or len(items(payload.get("comments"))) >= PAGE
            )
            if reached or not full:
                break
            more = page == self.max_pages
        return FetchResult(items=found, cursor={"since": newest.isoformat()}, more=more)

    def post(self, view: dict[str, Any]) -> RawMention | None:
        """A PostView of the search as a raw mention."""
        post = obj(view.get("post"))
        community = obj(view.get("community"))
        return self._mention(
            view,
            post,
            body=post.get("body"),
            replies="comments",
            thread=text(post.get("ap_id")),
            extra={"community": str(community.get("name") or "")[:64]},
        )

    def comment(self, view: dict[str, Any]) -> RawMention | None:
        """A CommentView of the search as a raw mention, under its post."""
        comment = obj(view.get("comment"))
        parent = text(obj(view.get("post")).get("ap_id"))
        return self._mention(
            view,
            comment,
            body=comment.get("content"),
            replies="child_count",
            thread=parent,
            reply_to=parent,
        )

    def _mention(
        self,
        view: dict[str, Any],
        item: dict[str, Any],
        *,
        body: Any,
        replies: str,
        thread: str | None,
        reply_to: str | None = None,
        extra: dict[str, str] | None = None,
    ) -> RawMention | None:
        """A post or a comment (`item`) of a search view; None for a deleted or undated one."""
        creator, counts = obj(view.get("creator")), obj(view.get("counts"))
        ap_id, published = text(item.get("ap_id")), parse_time(item.get("published"))
        if not ap_id or published is None or item.get("deleted") is True:
            return None
        return RawMention(
            source=self.name,
            external_id=ap_id,
            text=str(body or ""),
            title=text(obj(view.get("post")).get("name")),
            published_at=published,
            source_type=self.type,
            url=ap_id,
            author=text(creator.get("display_name")) or text(creator.get("name")),
            author_handle=_handle(creator),
            likes=count(counts.get("score")),
            replies=count(counts.get(replies)),
            reply_to=reply_to,
            thread_id=thread,
            extra=extra or {},
            keep_unmatched=True,
        )


def _handle(creator: dict[str, Any]) -> str | None:
    name, actor = text(creator.get("name")), text(creator.get("actor_id"))
    if not name:
        return None
    host = urlsplit(actor).netloc if actor else ""
    return f"@{name}@{host}" if host else f"@{name}"
