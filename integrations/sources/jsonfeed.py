"""JSON Feed 1.0 and 1.1 (https://jsonfeed.org/version/1.1), which feedparser 6 does not read.

The entries come out in feedparser's shape (id, link, title, content, summary, author,
published_parsed), so the feed source treats both alike.
"""

from __future__ import annotations

from typing import Any

from integrations.sources.http import BadPayload
from integrations.sources.values import items, obj, parse_time, text

_JSON_TYPES = ("application/feed+json", "application/json")


def is_json_feed(body: bytes, content_type: str) -> bool:
    """True for a JSON Feed by its media type, or JSON whose first byte opens an object."""
    kind = content_type.split(";", 1)[0].strip().lower()
    if kind in _JSON_TYPES:
        return True
    return body.lstrip()[:1] == b"{"


def json_feed_entries(doc: Any) -> list[dict[str, Any]]:
    """The items of a parsed JSON Feed document as feedparser-like entries."""
    feed = obj(doc)
    version = str(feed.get("version") or "")
    if not version.startswith("https://jsonfeed.org/version/"):
        raise BadPayload("JSON without a JSON Feed version: not a feed")
    feed_language = text(feed.get("language"))
    out = []
    for raw in items(feed.get("items")):
        item = obj(raw)
        if not item:
            continue
        authors = items(item.get("authors")) or ([item["author"]] if item.get("author") else [])
        author = next((text(obj(a).get("name")) for a in authors if text(obj(a).get("name"))), None)
        content = text(item.get("content_html")) or text(item.get("content_text"))
        published = parse_time(item.get("date_published")) or parse_time(item.get("date_modified"))
        out.append(
            {
                "id": text(str(item.get("id"))) if item.get("id") is not None else None,
                "link": text(item.get("url")) or text(item.get("external_url")),
                "title": text(item.get("title")),
                "content": [{"value": content}] if content else [],
                "summary": text(item.get("summary")),
                "author": author,
                "date_published": published,
                "language": text(item.get("language")) or feed_language,
            }
        )
    return out
