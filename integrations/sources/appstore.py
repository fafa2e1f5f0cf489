"""App Store reviews: Apple's public customer-reviews feed of an app, per storefront.

`GET https://itunes.apple.com/{country}/rss/customerreviews/page={n}/id={app}/sortby=mostrecent/json`
serves the newest reviews, 50 a page, up to 10 pages. Each review is a mention (its title,
text, author, the app version and the stars), kept whether or not it names the brand: a
review of the brand's app is about the brand. Pages are read back to the newest review the
last poll saw in that storefront. Older feeds put the app itself first among the entries;
an entry without a rating is not a review and is skipped. The feeds captured in 2015 and
2021 (tests/fixtures/appstore) give no review a time of its own, only the page its
`updated`: such a review is dated by its page, the earliest Apple vouches it existed by.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from core.ports import FetchResult
from core.raw import RawMention
from integrations.sources.base import BaseSource, ConfigError
from integrations.sources.values import count, obj, parse_time, text

API_BASE = "https://itunes.apple.com"
MAX_FEED_PAGES = 10
STARS = "★★★★★"


def _label(node: Any) -> str | None:
    return text(obj(node).get("label"))


class AppStoreSource(BaseSource):
    """`app_id` and `countries` (storefronts, default de); options: max_pages."""

    type = "appstore"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        app = self.require(self.config.app_id, "app_id").removeprefix("id")
        if not (app.isascii() and app.isdigit()):
            raise ConfigError("sources.config.bad_app_id", value=app)
        self.app_id = app
        self.countries = [c.strip().lower() for c in self.config.countries if c.strip()] or ["de"]
        self.base_url = (self.config.base_url or API_BASE).rstrip("/")

    async def fetch(self, cursor: dict[str, Any]) -> FetchResult:
        new_cursor = dict(cursor)
        found: list[RawMention] = []
        for country in self.countries:
            seen = count(obj(cursor.get(country)).get("newest"))
            newest = seen
            for page in range(1, min(self.max_pages, MAX_FEED_PAGES) + 1):
                resp = await self.client.request(
                    "GET",
                    f"{self.base_url}/{country}/rss/customerreviews/page={page}"
                    f"/id={self.app_id}/sortby=mostrecent/json",
                )
                feed = obj(obj(resp.json()).get("feed"))
                page_time = parse_time(_label(feed.get("updated")))
                raw = feed.get("entry")
                entries = [obj(e) for e in (raw if isinstance(raw, list) else [raw] if raw else [])]
                reviews = [e for e in entries if _label(e.get("im:rating"))]
                reached = False
                for entry in reviews:
                    ident = count(_label(entry.get("id")))
                    if seen and ident <= seen:
                        reached = True
                        continue
                    if (m := self.review(entry, country, page_time)) is not None:
                        found.append(m)
                        newest = max(newest, ident)
                if reached or not reviews or not seen:
                    break
            new_cursor[country] = {"newest": newest}
        return FetchResult(items=found, cursor=new_cursor)

    def review(
        self, entry: dict[str, Any], country: str, page_time: dt.datetime | None = None
    ) -> RawMention | None:
        """A review entry of the feed as a raw mention; one without its own `updated` is
        dated by its page's (`page_time`)."""
        ident = _label(entry.get("id"))
        published = parse_time(_label(entry.get("updated"))) or page_time
        if not ident or not (ident.isascii() and ident.isdigit()) or published is None:
            return None
        stars = min(count(_label(entry.get("im:rating"))), 5)
        title = _label(entry.get("title"))
        version = _label(entry.get("im:version"))
        heading = " · ".join(p for p in (STARS[:stars] or None, title) if p)
        return RawMention(
            source=self.name,
            external_id=f"appstore:{ident}",
            text=str(obj(entry.get("content")).get("label") or ""),
            title=heading or None,
            published_at=published,
            source_type=self.type,
            url=f"https://apps.apple.com/{country}/app/id{self.app_id}?see-all=reviews",
            author=_label(obj(entry.get("author")).get("name")),
            likes=count(_label(entry.get("im:voteSum"))),
            thread_id=f"appstore:{self.app_id}",
            extra={"rating": str(stars), "version": (version or "")[:32], "country": country},
            keep_unmatched=True,
        )
