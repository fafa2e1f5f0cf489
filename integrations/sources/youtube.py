"""YouTube through the Data API v3 (YOUTUBE_API_KEY): video titles and their comments.

`search.list` (`type=video`, `order=date`, `publishedAfter` the last poll) finds the videos
matching `query`; each becomes a mention (title and description). The newest videos found
are followed for `follow_days`, and `commentThreads.list` (`order=time`) reads their new
top-level comments back to the last one seen, each a mention under its video.

The API grants a daily quota (10,000 units unless Google raised it; it resets at midnight
Pacific time): a search page costs 100 units, a page of comments 1. The source counts what
it spends in its cursor and never plans past `daily_quota`; a `quotaExceeded` answer rests
the source until the reset. `sources` shows the units left.
"""

from __future__ import annotations

import datetime as dt
import html
from typing import Any
from zoneinfo import ZoneInfo

from core.clock import utcnow
from core.ports import FetchResult
from core.raw import RawMention
from integrations.sources.base import BaseSource
from integrations.sources.http import RateLimited, Response, SourceError
from integrations.sources.values import count, items, language, obj, parse_time, text

API_BASE = "https://www.googleapis.com"
SEARCH_COST, COMMENTS_COST = 100, 1
DEFAULT_QUOTA = 10_000
PACIFIC = ZoneInfo("America/Los_Angeles")
WATCH_URL = "https://www.youtube.com/watch?v={}"


def quota_day(now: dt.datetime) -> tuple[str, float]:
    """The quota day (Pacific) of `now` (aware UTC), and seconds until it resets."""
    local = now.astimezone(PACIFIC)
    midnight = (local + dt.timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    return local.date().isoformat(), (midnight - local).total_seconds()


class YouTubeSource(BaseSource):
    """`query` on YouTube; options: max_pages, lookback_hours, daily_quota, follow_videos,
    follow_days, comments."""

    type = "youtube"

    def __init__(self, *args: Any, api_key: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.query = self.require(self.config.query, "query")
        self.key = api_key
        self.base_url = (self.config.base_url or API_BASE).rstrip("/")
        self.daily_quota = self.int_option("daily_quota", DEFAULT_QUOTA, 100, 10_000_000)
        self.follow = self.int_option("follow_videos", 10, 0, 50)
        self.follow_days = self.int_option("follow_days", 7, 1, 90)
        self.comments = self.bool_option("comments", True)

    async def fetch(self, cursor: dict[str, Any]) -> FetchResult:
        now = utcnow().replace(tzinfo=dt.UTC)
        day, reset_in = quota_day(now)
        spent = obj(cursor.get("quota"))
        used = count(spent.get("used")) if spent.get("day") == day else 0
        since = parse_time(cursor.get("since")) or now - self.lookback
        videos = {k: dict(obj(v)) for k, v in obj(cursor.get("videos")).items()}
        found: list[RawMention] = []
        notes: list[str] = []
        newest = since
        token: str | None = None
        for _ in range(self.max_pages):
            if used + SEARCH_COST > self.daily_quota:
                notes.append("daily quota spent: the search waits for the reset")
                break
            params = {
                "part": "snippet",
                "q": self.query,
                "type": "video",
                "order": "date",
                "maxResults": 50,
                "publishedAfter": since.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "pageToken": token,
            }
            payload = await self._call("/youtube/v3/search", params, reset_in)
            used += SEARCH_COST
            for item in map(obj, items(payload.get("items"))):
                video = self.video(item)
                # Search pages overlap when new videos arrive while paging: once each.
                if video is None or any(v.external_id == video.external_id for v in found):
                    continue
                found.append(video)
                newest = max(newest, video.published_at)
                videos.setdefault(
                    video.external_id.removeprefix("yt:video:"),
                    {"title": video.title, "at": video.published_at.isoformat()},
                )
            token = text(payload.get("nextPageToken"))
            if not token:
                break
        videos = self._followed(videos, now)
        if self.comments:
            for vid, info in videos.items():
                if used + COMMENTS_COST > self.daily_quota:
                    notes.append("daily quota spent: comments wait for the reset")
                    break
                comments, spent_units, seen = await self._comments(vid, info, reset_in)
                used += spent_units
                found += comments
                if seen:
                    info["seen"] = seen
        return FetchResult(
            items=found,
            cursor={
                "since": newest.isoformat(),
                "videos": videos,
                "quota": {"day": day, "used": used},
            },
            quota_remaining=max(self.daily_quota - used, 0),
            notes=notes,
        )

    def _followed(self, videos: dict[str, dict[str, Any]], now: dt.datetime) -> dict[str, Any]:
        """The newest `follow` videos of the last `follow_days` (whose comments are read)."""
        cutoff = now - dt.timedelta(days=self.follow_days)
        recent = [
            (at, vid, info)
            for vid, info in videos.items()
            if (at := parse_time(info.get("at"))) is not None and at >= cutoff
        ]
        recent.sort(key=lambda row: row[0], reverse=True)
        return {vid: info for _at, vid, info in recent[: self.follow]}

    async def _comments(
        self, vid: str, info: dict[str, Any], reset_in: float
    ) -> tuple[list[RawMention], int, str | None]:
        seen = parse_time(info.get("seen"))
        found: list[RawMention] = []
        newest: dt.datetime | None = None
        token: str | None = None
        units = 0
        for _ in range(self.max_pages):
            params = {
                "part": "snippet",
                "videoId": vid,
                "order": "time",
                "maxResults": 100,
                "textFormat": "plainText",
                "pageToken": token,
            }
            try:
                payload = await self._call("/youtube/v3/commentThreads", params, reset_in)
            except _CommentsOff:
                return found, units + COMMENTS_COST, None
            units += COMMENTS_COST
            reached = False
            for thread in map(obj, items(payload.get("items"))):
                mention = self.comment(thread, text(info.get("title")))
                if mention is None:
                    continue
                if seen is not None and mention.published_at <= seen:
                    reached = True
                    continue
                newest = max(newest or mention.published_at, mention.published_at)
                found.append(mention)
            token = text(payload.get("nextPageToken"))
            if reached or not token or seen is None:
                break
        return found, units, newest.isoformat() if newest else info.get("seen")

    async def _call(self, path: str, params: dict[str, Any], reset_in: float) -> dict[str, Any]:
        resp = await self.client.request(
            "GET", self.base_url + path, params={**params, "key": self.key}, accept=(400, 403)
        )
        if resp.status < 400:
            return obj(resp.json())  # a broken body of a success is the source's error
        payload = obj(_json(resp))
        error = obj(payload.get("error"))
        reasons = {str(obj(e).get("reason")) for e in items(error.get("errors"))}
        if reasons & {"quotaExceeded", "dailyLimitExceeded", "rateLimitExceeded"}:
            raise RateLimited(resp.status, resp.url, retry_after=reset_in)
        if "commentsDisabled" in reasons or "videoNotFound" in reasons:
            raise _CommentsOff()
        if reasons & {"keyInvalid", "forbidden", "accessNotConfigured"} or resp.status == 403:
            raise SourceError(
                "YouTube refused the API key: check YOUTUBE_API_KEY and that the "
                f"YouTube Data API v3 is enabled ({', '.join(sorted(reasons)) or resp.status})",
                kind="auth",
            )
        raise SourceError(f"YouTube refused the request ({', '.join(sorted(reasons)) or 400})")

    def video(self, item: dict[str, Any]) -> RawMention | None:
        """A `search.list` result (a video) as a raw mention."""
        vid = text(obj(item.get("id")).get("videoId"))
        snippet = obj(item.get("snippet"))
        published = parse_time(snippet.get("publishedAt"))
        if not vid or published is None:
            return None
        title = text(snippet.get("title"))
        return RawMention(
            source=self.name,
            external_id=f"yt:video:{vid}",
            text=html.unescape(str(snippet.get("description") or "")),
            title=html.unescape(title) if title else None,
            published_at=published,
            source_type=self.type,
            url=WATCH_URL.format(vid),
            author=text(snippet.get("channelTitle")),
            author_handle=text(snippet.get("channelId")),
            thread_id=f"yt:video:{vid}",
            language=language(snippet.get("defaultAudioLanguage")),
            keep_unmatched=True,
        )

    def comment(self, thread: dict[str, Any], title: str | None) -> RawMention | None:
        """A `commentThreads.list` item (its top-level comment) as a raw mention."""
        top = obj(obj(thread.get("snippet")).get("topLevelComment"))
        snippet = obj(top.get("snippet"))
        ident = text(top.get("id")) or text(thread.get("id"))
        vid = text(snippet.get("videoId")) or text(obj(thread.get("snippet")).get("videoId"))
        published = parse_time(snippet.get("publishedAt"))
        if not ident or not vid or published is None:
            return None
        body = text(snippet.get("textOriginal")) or str(snippet.get("textDisplay") or "")
        return RawMention(
            source=self.name,
            external_id=f"yt:comment:{ident}",
            text=body,
            title=title,
            published_at=published,
            source_type=self.type,
            url=f"{WATCH_URL.format(vid)}&lc={ident}",
            author=text(snippet.get("authorDisplayName")),
            author_handle=text(obj(snippet.get("authorChannelId")).get("value")),
            likes=count(snippet.get("likeCount")),
            replies=count(obj(thread.get("snippet")).get("totalReplyCount")),
            reply_to=f"yt:video:{vid}",
            thread_id=f"yt:video:{vid}",
            keep_unmatched=True,
        )


class _CommentsOff(Exception):
    """The video has comments switched off (or is gone): nothing to read there."""


def _json(resp: Response) -> Any:
    try:
        return resp.json()
    except SourceError:
        return {}
