"""Bluesky: `app.bsky.feed.searchPosts` for the configured query, newest first.

With a handle and an app password (Settings: BLUESKY_HANDLE, BLUESKY_APP_PASSWORD) the
source logs in with `com.atproto.server.createSession` and pages through the results
with the API's cursor. Without them it searches anonymously on the public AppView, which
serves one page per query: each poll reads one page (up to 100 posts), and a burst larger
than that is read over the following polls (`until` narrows the next query), so the
`sources` command says so.

A backfill asks for `since`/`until` and narrows `until` to the oldest post of each page,
which works the same with and without a login; it rests when `ratelimit-remaining` runs
out until `ratelimit-reset`.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from typing import Any

from core.clock import utcnow
from core.ports import FetchResult
from core.raw import RawMention
from integrations.sources.base import BackfillStep, BaseSource, Window, pause_until_reset
from integrations.sources.http import HttpError, Response, SourceError
from integrations.sources.values import count, iso_z, items, language, obj, parse_time, text

log = logging.getLogger(__name__)
AUTH_BASE = "https://bsky.social"
PUBLIC_BASE = "https://public.api.bsky.app"
PAGE = 100  # the lexicon's maximum
SEARCH = "/xrpc/app.bsky.feed.searchPosts"


class BlueskySource(BaseSource):
    """`query` on Bluesky; `base_url` is the PDS (or the public AppView when anonymous)."""

    type = "bluesky"

    def __init__(self, *args: Any, handle: str = "", app_password: str = "", **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.query = self.require(self.config.query, "query")
        self.handle, self.password = handle.strip().lstrip("@"), app_password
        self.authenticated = bool(self.handle and self.password)
        default = AUTH_BASE if self.authenticated else PUBLIC_BASE
        self.base_url = (self.config.base_url or default).rstrip("/")
        self.pages = self.max_pages if self.authenticated else 1
        self._access: str | None = None
        self._refresh: str | None = None

    async def fetch(self, cursor: dict[str, Any]) -> FetchResult:
        window = Window.load(cursor.get("window"))
        if window.since is None:
            window.since = iso_z(utcnow().replace(tzinfo=dt.UTC) - self.lookback)
        params: dict[str, Any] = {"q": self.query, "sort": "latest", "limit": PAGE}
        params["since"] = window.since
        if window.until is not None:
            # `until` is exclusive; a millisecond more re-reads the boundary post (deduped).
            params["until"] = _plus_ms(window.until)
        found: list[RawMention] = []
        top = bottom = None
        complete = False
        quota: int | None = None
        api_cursor: str | None = None
        for _ in range(self.pages):
            resp = await self._search({**params, "cursor": api_cursor})
            quota = _int(resp.header_float("ratelimit-remaining"))
            payload = obj(resp.json())
            for view in items(payload.get("posts")):
                post = obj(view)
                key = _sort_at(post)
                if key is None:
                    continue
                top = key if top is None or key > top else top
                bottom = key if bottom is None or key < bottom else bottom
                if (m := self.mention(post)) is not None:
                    found.append(m)
            api_cursor = text(payload.get("cursor"))
            if not items(payload.get("posts")) or not api_cursor:
                complete = True
                break
        after = window.advance(top=top, bottom=bottom, complete=complete, key=str)
        notes = [] if self.authenticated else ["anonymous search: one page per poll"]
        return FetchResult(
            items=found,
            cursor={"window": after.dump()},
            quota_remaining=quota,
            more=not complete and self.authenticated,
            notes=notes,
        )

    async def backfill(
        self, state: dict[str, Any], *, since: dt.datetime, until: dt.datetime
    ) -> BackfillStep:
        """One page of the past: `until` narrows to the oldest post read (module docstring)."""
        upper = text(state.get("until")) or iso_z(until)
        params = {"q": self.query, "sort": "latest", "limit": PAGE, "since": iso_z(since)}
        resp = await self._search({**params, "until": upper})
        posts = [obj(p) for p in items(obj(resp.json()).get("posts"))]
        keys = [k for p in posts if (k := _sort_at(p)) is not None]
        found = [m for p in posts if (m := self.mention(p)) is not None]
        remaining = resp.header_float("ratelimit-remaining")
        pause = pause_until_reset(remaining, resp.header_float("ratelimit-reset"), time.time())
        if not keys:
            return BackfillStep(found, {"until": upper}, True, since, False, _int(remaining))
        bottom = min(keys)
        # `until` is exclusive: a millisecond more reads the boundary post again (a
        # duplicate), unless that makes no progress, when the boundary itself is the bound.
        nxt = _plus_ms(bottom)
        if nxt >= upper:
            nxt = bottom
        if nxt >= upper:
            return BackfillStep(found, {"until": upper}, True, since, False, _int(remaining))
        reached = parse_time(bottom)
        return BackfillStep(found, {"until": nxt}, False, reached, False, _int(remaining), pause)

    async def _search(self, params: dict[str, Any]) -> Response:
        if not self.authenticated:
            return await self.client.request("GET", self.base_url + SEARCH, params=params)
        if self._access is None:
            await self._login()
        for attempt in range(2):
            resp = await self.client.request(
                "GET",
                self.base_url + SEARCH,
                params=params,
                headers={"Authorization": f"Bearer {self._access}"},
                accept=(400, 401),
            )
            if resp.status < 400:
                return resp
            error = str(obj(_safe_json(resp)).get("error") or "")
            if attempt == 0 and (resp.status == 401 or error in ("ExpiredToken", "InvalidToken")):
                await self._renew()
                continue
            raise HttpError(resp.status, resp.url)
        raise SourceError("Bluesky rejected the renewed session", kind="auth")

    async def _login(self) -> None:
        try:
            resp = await self.client.request(
                "POST",
                self.base_url + "/xrpc/com.atproto.server.createSession",
                json_body={"identifier": self.handle, "password": self.password},
            )
        except HttpError as exc:
            if exc.status in (400, 401):
                raise SourceError(
                    "Bluesky login failed: check BLUESKY_HANDLE and BLUESKY_APP_PASSWORD",
                    kind="auth",
                ) from exc
            raise
        self._take(resp)

    async def _renew(self) -> None:
        """Refresh the session with the refresh token; log in afresh if that fails too."""
        if self._refresh:
            try:
                resp = await self.client.request(
                    "POST",
                    self.base_url + "/xrpc/com.atproto.server.refreshSession",
                    headers={"Authorization": f"Bearer {self._refresh}"},
                )
                self._take(resp)
                return
            except HttpError:
                log.info("%s: refreshing the Bluesky session failed; logging in again", self.name)
        await self._login()

    def _take(self, resp: Response) -> None:
        session = obj(resp.json())
        self._access, self._refresh = (
            text(session.get("accessJwt")),
            text(session.get("refreshJwt")),
        )
        if not self._access:
            raise SourceError("Bluesky answered the login without an access token", kind="auth")

    def mention(self, post: dict[str, Any]) -> RawMention | None:
        """A `postView` (searchPosts → posts[]) as a raw mention."""
        record = obj(post.get("record"))
        author = obj(post.get("author"))
        uri = text(post.get("uri"))
        created = parse_time(record.get("createdAt")) or parse_time(post.get("indexedAt"))
        if not uri or created is None:
            return None
        reply = obj(record.get("reply"))
        langs = [lang for lang in items(record.get("langs")) if isinstance(lang, str)]
        return RawMention(
            source=self.name,
            external_id=uri,
            text=str(record.get("text") or ""),
            published_at=created,
            source_type=self.type,
            url=post_url(uri, text(author.get("handle"))),
            author=text(author.get("displayName")) or text(author.get("handle")),
            author_handle=f"@{author['handle']}" if text(author.get("handle")) else None,
            likes=count(post.get("likeCount")),
            reposts=count(post.get("repostCount")) + count(post.get("quoteCount")),
            replies=count(post.get("replyCount")),
            reply_to=text(obj(reply.get("parent")).get("uri")),
            thread_id=text(obj(reply.get("root")).get("uri")),
            language=language(langs[0]) if langs else None,
            keep_unmatched=True,
        )


def post_url(uri: str, handle: str | None) -> str | None:
    """at://DID/app.bsky.feed.post/RKEY → https://bsky.app/profile/HANDLE/post/RKEY."""
    parts = uri.removeprefix("at://").split("/")
    if len(parts) != 3 or parts[1] != "app.bsky.feed.post":
        return None
    return f"https://bsky.app/profile/{handle or parts[0]}/post/{parts[2]}"


def _sort_at(post: dict[str, Any]) -> str | None:
    """The time search orders by: the earlier of createdAt and indexedAt."""
    times = [
        t
        for t in (
            parse_time(obj(post.get("record")).get("createdAt")),
            parse_time(post.get("indexedAt")),
        )
        if t is not None
    ]
    return iso_z(min(times)) if times else None


def _plus_ms(value: str) -> str:
    parsed = parse_time(value)
    return iso_z(parsed + dt.timedelta(milliseconds=1)) if parsed else value


def _int(value: float | None) -> int | None:
    return int(value) if value is not None else None


def _safe_json(resp: Response) -> Any:
    try:
        return resp.json()
    except SourceError:
        return {}
