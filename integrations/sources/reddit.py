"""Reddit: `/search` for `query` and `/r/NAME/new` (and `/r/NAME/comments`) per subreddit.

An app-only OAuth token (client credentials: REDDIT_CLIENT_ID, REDDIT_CLIENT_SECRET) is
fetched from `/api/v1/access_token` and reused until it expires. Reddit allows 100
requests a minute per client: a token bucket keeps the source within that, and the
`X-Ratelimit-Remaining`/`X-Ratelimit-Reset` headers correct it. A wait longer than half a
minute is not sat out: the poll ends and the source rests until the window resets.

Listings are newest first and page backwards with `after`; the window (base.Window) is
kept in `created_utc`, and an interrupted backlog resumes from the stored `after`.

A backfill pages each stream back with `after` (the search sorted by new, with `t=` the
smallest period that holds the days asked for) until it passes the day asked for. Reddit
serves at most 1,000 items of a listing (250 of a search): a stream that ends there before
the day asked for is capped, and the run says how far back it got.
"""

from __future__ import annotations

import datetime as dt
import math
import time
from typing import Any

import aiohttp

from core.ports import FetchResult
from core.raw import RawMention
from integrations.sources.base import (
    BackfillStep,
    BaseSource,
    Window,
    stream_progress,
    streams_step,
)
from integrations.sources.budget import TokenBucket
from integrations.sources.http import RateLimited, Response, SourceError
from integrations.sources.values import (
    count,
    items,
    obj,
    parse_time,
    text,
)

API_BASE = "https://oauth.reddit.com"
AUTH_BASE = "https://www.reddit.com"
PAGE = 100
MAX_WAIT = 30.0
LISTING_CAP = 1000
SEARCH_CAP = 250
# One budget per OAuth client in this process, whichever source uses it.
_BUDGETS: dict[str, TokenBucket] = {}


def budget_for(client_id: str) -> TokenBucket:
    if client_id not in _BUDGETS:
        _BUDGETS[client_id] = TokenBucket(100, 60.0)
    return _BUDGETS[client_id]


class RedditSource(BaseSource):
    """`query` (site-wide search) and `subreddits`; options: comments (bool), auth_url."""

    type = "reddit"

    def __init__(self, *args: Any, client_id: str = "", client_secret: str = "", **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.client_id, self.client_secret = client_id, client_secret
        self.base_url = (self.config.base_url or API_BASE).rstrip("/")
        self.auth_url = self.str_option("auth_url", AUTH_BASE).rstrip("/")
        self.comments = self.bool_option("comments", False)
        self.query = (self.config.query or "").strip()
        self.subreddits = [
            s.strip().removeprefix("r/") for s in self.config.subreddits if s.strip()
        ]
        if not self.query and not self.subreddits:
            self.require(None, "query or subreddits")
        self.budget = budget_for(client_id)
        self._token: str | None = None
        self._token_expires = 0.0

    def streams(self) -> list[tuple[str, str, dict[str, Any]]]:
        out: list[tuple[str, str, dict[str, Any]]] = []
        if self.query:
            out.append(("search", "/search", {"q": self.query, "sort": "new", "type": "link"}))
        for sub in self.subreddits:
            out.append((f"r/{sub.lower()}", f"/r/{sub}/new", {}))
            if self.comments:
                out.append((f"r/{sub.lower()}/comments", f"/r/{sub}/comments", {}))
        return out

    async def fetch(self, cursor: dict[str, Any]) -> FetchResult:
        new_cursor = dict(cursor)
        found: list[RawMention] = []
        more = False
        quota: int | None = None
        for key, path, params in self.streams():
            mentions, state, full, remaining = await self._stream(path, params, cursor.get(key))
            found += mentions
            new_cursor[key] = state
            more = more or full
            if remaining is not None:
                quota = remaining
        return FetchResult(items=found, cursor=new_cursor, quota_remaining=quota, more=more)

    async def _stream(
        self, path: str, params: dict[str, Any], state: Any
    ) -> tuple[list[RawMention], dict[str, Any], bool, int | None]:
        window = Window.load(state)
        after = obj(state).get("after") if window.until is not None else None
        since = float(window.since) if window.since is not None else None
        found: list[RawMention] = []
        top = bottom = None
        complete, remaining = False, None
        for _ in range(self.max_pages):
            resp = await self._get(path, {**params, "limit": PAGE, "raw_json": 1, "after": after})
            remaining = _remaining(resp)
            listing = obj(obj(resp.json()).get("data"))
            children = [
                obj(obj(c).get("data")) | {"_kind": obj(c).get("kind")}
                for c in items(listing.get("children"))
            ]
            reached = False
            for child in children:
                created = child.get("created_utc")
                if not isinstance(created, int | float):
                    continue
                if since is not None and created < since:
                    reached = True
                    continue
                top = created if top is None or created > top else top
                bottom = created if bottom is None or created < bottom else bottom
                if (m := self.mention(child)) is not None:
                    found.append(m)
            after = text(listing.get("after"))
            if reached or not after or not children or since is None:
                complete = True
                break
        new = window.advance(top=top, bottom=bottom, complete=complete, key=float).dump()
        if not complete and after:
            new["after"] = after
        return found, new, not complete, remaining

    async def backfill(
        self, state: dict[str, Any], *, since: dt.datetime, until: dt.datetime
    ) -> BackfillStep:
        """One page of one stream, back from `until` to `since` (module docstring)."""
        streams = self.streams()
        progress, todo = stream_progress(state, streams)
        found: list[RawMention] = []
        quota = None
        if todo:
            key, path, params = todo[0]
            mine = progress.setdefault(key, {})
            if key == "search":
                params = {**params, "t": _period(until - since)}
            query = {**params, "limit": PAGE, "raw_json": 1, "after": mine.get("after")}
            resp = await self._get(path, query)
            quota = _remaining(resp)
            listing = obj(obj(resp.json()).get("data"))
            children = [
                obj(obj(c).get("data")) | {"_kind": obj(c).get("kind")}
                for c in items(listing.get("children"))
            ]
            stamps = [c["created_utc"] for c in children if _is_time(c.get("created_utc"))]
            low, high = since.timestamp(), until.timestamp()
            found = [
                m
                for c in children
                if _is_time(c.get("created_utc"))
                and low <= c["created_utc"] <= high
                and (m := self.mention(c)) is not None
            ]
            mine["seen"] = count(mine.get("seen")) + len(children)
            if stamps:
                mine["oldest"] = min(stamps + ([mine["oldest"]] if "oldest" in mine else []))
            after = text(listing.get("after"))
            mine["after"] = after
            passed = bool(stamps) and min(stamps) < low
            if passed or not after or not children:
                mine["done"] = True
                cap = SEARCH_CAP if key == "search" else LISTING_CAP
                mine["capped"] = not passed and mine["seen"] >= cap
        return streams_step(progress, streams, since=since, until=until, found=found, quota=quota)

    async def _get(self, path: str, params: dict[str, Any]) -> Response:
        await self._spend()
        token = await self._access_token()
        resp = await self.client.request(
            "GET",
            self.base_url + path,
            params=params,
            headers={"Authorization": f"bearer {token}"},
        )
        left, reset = (
            resp.header_float("X-Ratelimit-Remaining"),
            resp.header_float("X-Ratelimit-Reset"),
        )
        if left is not None:
            self.budget.drain(self.client_id, left, reset or 60.0)
        return resp

    async def _spend(self) -> None:
        wait = self.budget.try_take(self.client_id)
        if wait <= 0:
            return
        if wait > MAX_WAIT:
            raise RateLimited(429, self.base_url, retry_after=wait)
        await self.budget.take(self.client_id)

    async def _access_token(self) -> str:
        if self._token and time.monotonic() < self._token_expires:
            return self._token
        await self._spend()
        resp = await self.client.request(
            "POST",
            self.auth_url + "/api/v1/access_token",
            data={"grant_type": "client_credentials"},
            auth=aiohttp.BasicAuth(self.client_id, self.client_secret),
            accept=(400, 401),
        )
        payload = obj(resp.json())
        token = text(payload.get("access_token"))
        if resp.status >= 400 or not token:
            raise SourceError(
                "Reddit refused the app credentials: check REDDIT_CLIENT_ID and "
                f"REDDIT_CLIENT_SECRET ({payload.get('error') or resp.status})",
                kind="auth",
            )
        lifetime = float(count(payload.get("expires_in")) or 3600)
        self._token, self._token_expires = token, time.monotonic() + max(lifetime - 60, 30)
        return token

    def mention(self, data: dict[str, Any]) -> RawMention | None:
        """A post (t3) or comment (t1) of a listing as a raw mention."""
        kind, name = data.get("_kind"), text(data.get("name"))
        created = parse_time(data.get("created_utc"))
        if kind not in ("t1", "t3") or not name or created is None:
            return None
        sub = text(data.get("subreddit")) or ""
        if kind == "t3":
            body, title = str(data.get("selftext") or ""), text(data.get("title"))
            replies, reply_to, thread = count(data.get("num_comments")), None, text(name)
        else:
            body, title = str(data.get("body") or ""), text(data.get("link_title"))
            replies, reply_to, thread = 0, text(data.get("parent_id")), text(data.get("link_id"))
        return RawMention(
            source=self.name,
            external_id=name,
            text=body,
            title=title,
            published_at=created,
            source_type=self.type,
            url=_permalink(data, sub),
            author=text(data.get("author")),
            author_handle=f"u/{data['author']}" if text(data.get("author")) else None,
            likes=count(data.get("score")),
            replies=replies,
            reply_to=reply_to,
            thread_id=thread,
            keep_unmatched=True,
        )


def _permalink(data: dict[str, Any], sub: str) -> str | None:
    if link := text(data.get("permalink")):
        return "https://www.reddit.com" + link if link.startswith("/") else link
    link_id, ident = text(data.get("link_id")), text(data.get("id"))
    if link_id and ident and sub:  # comments of older listings carry no permalink
        return f"https://www.reddit.com/r/{sub}/comments/{link_id.removeprefix('t3_')}/_/{ident}/"
    return None


def _is_time(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _period(span: dt.timedelta) -> str:
    """The `t=` of a search that holds `span`: Reddit's day, week, month, year or all."""
    for name, days in (("day", 1), ("week", 7), ("month", 31), ("year", 366)):
        if span <= dt.timedelta(days=days):
            return name
    return "all"


def _remaining(resp: Response) -> int | None:
    value = resp.header_float("X-Ratelimit-Remaining")
    return int(value) if value is not None else None
