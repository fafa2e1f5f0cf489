"""What a source hands to the pipeline: one raw item, before normalization and analysis."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


@dataclass
class RawMention:
    """An item as a source delivered it. `text` may still hold HTML; times may be aware."""

    source: str
    external_id: str
    text: str
    published_at: dt.datetime
    source_type: str = "files"
    url: str | None = None
    author: str | None = None
    author_handle: str | None = None
    title: str | None = None
    likes: int = 0
    reposts: int = 0
    replies: int = 0
    followers: int = 0
    reply_to: str | None = None
    thread_id: str | None = None
    language: str | None = None  # a hint from the source (Mastodon, Bluesky give one)
    # Search-based sources, imports and the webhook keep every item; whole-site feeds keep
    # only what matches the watchlist unless configured otherwise.
    keep_unmatched: bool = True
    synthetic: bool = False
    extra: dict[str, str] = field(default_factory=dict)
