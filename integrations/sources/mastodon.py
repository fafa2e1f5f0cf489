"""Mastodon: the hashtag timelines of one instance, and its status search where allowed.

`GET /api/v1/timelines/tag/:hashtag` per configured hashtag, and `GET /api/v2/search`
(`type=statuses`) for `query` when the instance allows it (most require an access token
and full-text search). Paging uses `min_id`, which returns the statuses immediately newer
than the cursor, so a burst larger than a page is read page by page without a gap.
A status is stored under its ActivityPub URI, so the same post seen through a hashtag and
through the search is one mention.

A backfill reads each stream backwards with `max_id` (the statuses just older than it)
until it passes the day asked for, one page per step, and rests when the instance's
`X-RateLimit-Remaining` runs out until its `X-RateLimit-Reset`.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from typing import Any
from urllib.parse import quote, urlsplit

from core.ports import FetchResult
from core.raw import RawMention
from integrations.sources.base import (
    BackfillStep,
    BaseSource,
    pause_until_reset,
    stream_progress,
    streams_step,
)
from integrations.sources.http import HttpError, Response
from integrations.sources.values import (
    count,
    items,
    language,
    obj,
    parse_time,
    text,
)

log = logging.getLogger(__name__)
PAGE = 40  # the API's maximum


def _id_key(value: Any) -> tuple[int, str]:
    """Mastodon ids are numeric strings of growing length: compare by length, then text."""
    s = str(value)
    return (len(s), s)


class MastodonSource(BaseSource):
    """One instance (`base_url`), its `hashtags`, and `query` for the status search."""

    type = "mastodon"

    def __init__(self, *args: Any, access_token: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.base_url = self.require(self.config.base_url, "base_url").rstrip("/")
        self.token = access_token
        self.hashtags = [h.lstrip("#").strip() for h in self.config.hashtags if h.strip("# ")]
        self.query = (self.config.query or "").strip()
        self.search = self.bool_option("search", bool(self.query))
        if not self.hashtags and not (self.query and self.search):
            self.require(None, "hashtags or query")
        self.host = urlsplit(self.base_url).netloc

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}

    async def fetch(self, cursor: dict[str, Any]) -> FetchResult:
        new_cursor = dict(cursor)
        found: list[RawMention] = []
        notes: list[str] = []
        quota: int | None = None
        more = False
        streams: list[tuple[str, str, dict[str, Any]]] = [
            (f"tag:{t.lower()}", self._tag_url(t), {}) for t in self.hashtags
        ]
        if self.query and self.search:
            search = {"q": self.query, "type": "statuses", "resolve": False}
            streams.append(("search", f"{self.base_url}/api/v2/search", search))
        for key, url, params in streams:
            try:
                statuses, newest, full, resp = await self._read(
                    url, params, new_cursor.get(key), search=key == "search"
                )
            except HttpError as exc:
                if key == "search" and exc.status in (401, 403, 422):
                    notes.append(f"search not allowed on {self.host} (HTTP {exc.status})")
                    continue
                raise
            found += [m for s in statuses if (m := self.mention(s)) is not None]
            if newest is not None:
                new_cursor[key] = newest
            more = more or full
            remaining = resp.header_float("X-RateLimit-Remaining")
            if remaining is not None:
                quota = int(remaining) if quota is None else min(quota, int(remaining))
        return FetchResult(
            items=found, cursor=new_cursor, quota_remaining=quota, more=more, notes=notes
        )

    def _streams(self) -> list[tuple[str, str, dict[str, Any]]]:
        out: list[tuple[str, str, dict[str, Any]]] = [
            (f"tag:{t.lower()}", self._tag_url(t), {}) for t in self.hashtags
        ]
        if self.query and self.search and self.token:
            search = {"q": self.query, "type": "statuses", "resolve": False}
            out.append(("search", f"{self.base_url}/api/v2/search", search))
        return out

    async def backfill(
        self, state: dict[str, Any], *, since: dt.datetime, until: dt.datetime
    ) -> BackfillStep:
        """One page of one stream, backwards from `until` to `since` (module docstring)."""
        streams = self._streams()
        progress, todo = stream_progress(state, streams)
        notes: list[str] = []
        found: list[RawMention] = []
        pause, quota = 0.0, None
        if todo:
            key, url, params = todo[0]
            mine = progress.setdefault(key, {})
            query = {**params, "limit": PAGE, "max_id": mine.get("max_id")}
            try:
                resp = await self.client.request("GET", url, params=query, headers=self._headers())
            except HttpError as exc:
                if key != "search" or exc.status not in (401, 403, 422):
                    raise
                notes.append(f"search not allowed on {self.host} (HTTP {exc.status})")
                mine["done"] = True
            else:
                payload = resp.json()
                page = items(obj(payload).get("statuses")) if key == "search" else items(payload)
                page = [obj(p) for p in page if obj(p).get("id")]
                times = [t for p in page if (t := parse_time(obj(p).get("created_at")))]
                found = [
                    m
                    for p in page
                    if (m := self.mention(p)) is not None and m.published_at >= since
                ]
                if page:
                    mine["max_id"] = min((str(p["id"]) for p in page), key=_id_key)
                if times:
                    mine["oldest"] = min(times).isoformat()
                mine["done"] = not page or (bool(times) and min(times) < since)
                remaining = resp.header_float("X-RateLimit-Remaining")
                reset = parse_time(resp.headers.get("X-RateLimit-Reset"))
                quota = int(remaining) if remaining is not None else None
                pause = pause_until_reset(
                    remaining, reset.timestamp() if reset else None, time.time()
                )
        return streams_step(
            progress,
            streams,
            since=since,
            until=until,
            found=found,
            quota=quota,
            pause=pause,
            notes=notes,
        )

    def _tag_url(self, tag: str) -> str:
        return f"{self.base_url}/api/v1/timelines/tag/{quote(tag, safe='')}"

    async def _read(
        self, url: str, params: dict[str, Any], min_id: Any, *, search: bool
    ) -> tuple[list[dict[str, Any]], str | None, bool, Response]:
        """Up to `max_pages` pages after `min_id`; the newest id read; whether more wait."""
        statuses: list[dict[str, Any]] = []
        newest = str(min_id) if min_id else None
        resp: Response | None = None
        for _ in range(self.max_pages):
            query = {**params, "limit": PAGE, "min_id": newest}
            resp = await self.client.request("GET", url, params=query, headers=self._headers())
            payload = resp.json()
            page = items(obj(payload).get("statuses")) if search else items(payload)
            page = [obj(s) for s in page if obj(s).get("id")]
            statuses += page
            if page:
                top = max((str(s["id"]) for s in page), key=_id_key)
                newest = top if newest is None else max(newest, top, key=_id_key)
            # Without a cursor the first page is just the newest statuses: start from there.
            if len(page) < PAGE or not min_id:
                return statuses, newest, False, resp
        assert resp is not None
        return statuses, newest, True, resp

    def mention(self, status: dict[str, Any]) -> RawMention | None:
        """A status (or the status a boost shares) as a raw mention."""
        boost = obj(status.get("reblog"))
        post = boost or status
        account = obj(post.get("account"))
        created = parse_time(post.get("created_at"))
        if created is None or not post.get("id"):
            return None
        ident = text(post.get("uri")) or f"{self.host}/statuses/{post['id']}"
        body = str(post.get("content") or "")
        spoiler = text(post.get("spoiler_text"))
        return RawMention(
            source=self.name,
            external_id=ident,
            text=body,
            title=spoiler,
            published_at=created,
            source_type=self.type,
            url=text(post.get("url")) or text(post.get("uri")),
            author=text(account.get("display_name")) or text(account.get("username")),
            author_handle=_handle(account, self.host),
            likes=count(post.get("favourites_count")),
            reposts=count(post.get("reblogs_count")),
            replies=count(post.get("replies_count")),
            followers=count(account.get("followers_count")),
            reply_to=text(str(post.get("in_reply_to_id") or "")),
            language=language(post.get("language")),
            keep_unmatched=True,
        )


def _handle(account: dict[str, Any], host: str) -> str | None:
    acct = text(account.get("acct"))
    if not acct:
        return None
    return f"@{acct}" if "@" in acct else f"@{acct}@{host}"
