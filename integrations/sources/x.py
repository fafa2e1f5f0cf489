"""X (Twitter): API v2 `GET /2/tweets/search/recent` with an app bearer token.

Off unless X_BEARER_TOKEN is set: X bills reads per post, so each fetch reads at most
`max_pages` × `max_results` posts, and `sources` shows that ceiling per day
(core.source_catalog.x_posts_per_day). Paging uses
`since_id` (and `until_id` for a backlog, base.Window); the first poll looks back
`lookback_hours` (at most the 7 days that recent search covers).

A backfill asks recent search for `start_time`/`end_time` (7 days at most) and pages with
`next_token`; when `x-rate-limit-remaining` runs out it rests until `x-rate-limit-reset`.
Every post read is billed, so `sources` and the backfill say how many were read.
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from core.clock import utcnow
from core.ports import FetchResult
from core.raw import RawMention
from core.source_catalog import X_PAGE_SIZE
from integrations.sources.base import BackfillStep, BaseSource, Window, pause_until_reset
from integrations.sources.values import count, items, language, obj, parse_time, text

API_BASE = "https://api.x.com"
TWEET_FIELDS = (
    "created_at,author_id,public_metrics,lang,conversation_id,in_reply_to_user_id,referenced_tweets"
)
USER_FIELDS = "username,name,public_metrics"
MAX_LOOKBACK = dt.timedelta(days=7) - dt.timedelta(minutes=5)
TWITTER_EPOCH_MS = 1288834974657


def snowflake_time(ident: str) -> dt.datetime:
    """When a post was created, from its id (X ids carry milliseconds since 2010-11-04)."""
    ms = (int(ident) >> 22) + TWITTER_EPOCH_MS
    return dt.datetime.fromtimestamp(ms / 1000, dt.UTC)


class XSource(BaseSource):
    """`query` in X's search syntax; options: max_results (10–100), max_pages, lookback_hours."""

    type = "x"

    def __init__(self, *args: Any, bearer_token: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.query = self.require(self.config.query, "query")
        self.token = bearer_token
        self.base_url = (self.config.base_url or API_BASE).rstrip("/")
        self.page_size = self.int_option("max_results", X_PAGE_SIZE, 10, 100)

    async def fetch(self, cursor: dict[str, Any]) -> FetchResult:
        window = Window.load(cursor.get("window"))
        base: dict[str, Any] = {
            "query": self.query,
            "max_results": self.page_size,
            "tweet.fields": TWEET_FIELDS,
            "expansions": "author_id",
            "user.fields": USER_FIELDS,
        }
        if window.since is not None:
            base["since_id"] = window.since
        else:
            start = utcnow() - min(self.lookback, MAX_LOOKBACK)
            base["start_time"] = start.strftime("%Y-%m-%dT%H:%M:%SZ")
        if window.until is not None:
            base["until_id"] = window.until
        found: list[RawMention] = []
        top = bottom = None
        complete, quota, token = False, None, None
        for _ in range(self.max_pages):
            resp = await self.client.request(
                "GET",
                f"{self.base_url}/2/tweets/search/recent",
                params={**base, "next_token": token},
                headers={"Authorization": f"Bearer {self.token}"},
            )
            remaining = resp.header_float("x-rate-limit-remaining")
            quota = int(remaining) if remaining is not None else quota
            payload = obj(resp.json())
            users = {
                str(u.get("id")): u
                for u in map(obj, items(obj(payload.get("includes")).get("users")))
            }
            posts = [obj(p) for p in items(payload.get("data"))]
            for post in posts:
                ident = text(str(post.get("id") or ""))
                if ident and ident.isascii() and ident.isdigit():
                    top = ident if top is None or int(ident) > int(top) else top
                    bottom = ident if bottom is None or int(ident) < int(bottom) else bottom
                if (m := self.mention(post, users)) is not None:
                    found.append(m)
            token = text(obj(payload.get("meta")).get("next_token"))
            if not posts or not token:
                complete = True
                break
        after = window.advance(top=top, bottom=bottom, complete=complete, key=int)
        notes = [f"{len(found)} posts read (X bills each read)"] if found else []
        return FetchResult(
            items=found,
            cursor={"window": after.dump()},
            quota_remaining=quota,
            more=not complete,
            notes=notes,
        )

    async def backfill(
        self, state: dict[str, Any], *, since: dt.datetime, until: dt.datetime
    ) -> BackfillStep:
        """One page of recent search between `since` and `until` (module docstring)."""
        # A run resumed days later: recent search no longer reaches its start.
        since = max(since, utcnow().replace(tzinfo=dt.UTC) - MAX_LOOKBACK)
        params: dict[str, Any] = {
            "query": self.query,
            "max_results": self.page_size,
            "tweet.fields": TWEET_FIELDS,
            "expansions": "author_id",
            "user.fields": USER_FIELDS,
            "start_time": since.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "end_time": until.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "next_token": text(state.get("next_token")),
        }
        resp = await self.client.request(
            "GET",
            f"{self.base_url}/2/tweets/search/recent",
            params=params,
            headers={"Authorization": f"Bearer {self.token}"},
        )
        remaining = resp.header_float("x-rate-limit-remaining")
        pause = pause_until_reset(remaining, resp.header_float("x-rate-limit-reset"), time.time())
        payload = obj(resp.json())
        users = {
            str(u.get("id")): u for u in map(obj, items(obj(payload.get("includes")).get("users")))
        }
        found = [m for p in items(payload.get("data")) if (m := self.mention(obj(p), users))]
        token = text(obj(payload.get("meta")).get("next_token"))
        quota = int(remaining) if remaining is not None else None
        notes = [f"{len(found)} posts read (X bills each read)"] if found else []
        if not token or not found:
            return BackfillStep(found, {}, True, since, False, quota, pause, notes)
        reached = max(min(m.published_at for m in found), since)
        return BackfillStep(
            found, {"next_token": token}, False, reached, False, quota, pause, notes
        )

    def mention(self, post: dict[str, Any], users: dict[str, dict[str, Any]]) -> RawMention | None:
        """A post with its author from `includes.users` as a raw mention."""
        ident = text(str(post.get("id") or ""))
        if not ident or not (ident.isascii() and ident.isdigit()):  # not "²" or "１２３"
            return None
        try:
            created = parse_time(post.get("created_at")) or snowflake_time(ident)
        except (OverflowError, OSError, ValueError):  # an id too big to be a real post's
            return None
        user = users.get(str(post.get("author_id")), {})
        metrics = obj(post.get("public_metrics"))
        username = text(user.get("username"))
        replied = next(
            (
                text(str(obj(r).get("id")))
                for r in items(post.get("referenced_tweets"))
                if obj(r).get("type") == "replied_to"
            ),
            None,
        )
        return RawMention(
            source=self.name,
            external_id=ident,
            text=str(post.get("text") or ""),
            published_at=created,
            source_type=self.type,
            url=f"https://x.com/{username or 'i/web'}/status/{ident}",
            author=text(user.get("name")) or username,
            author_handle=f"@{username}" if username else None,
            likes=count(metrics.get("like_count")),
            reposts=count(metrics.get("retweet_count")) + count(metrics.get("quote_count")),
            replies=count(metrics.get("reply_count")),
            followers=count(obj(user.get("public_metrics")).get("followers_count")),
            reply_to=replied,
            thread_id=text(str(post.get("conversation_id") or "")),
            language=language(post.get("lang")),
            keep_unmatched=True,
        )
