"""Rows of the mention table as the pipeline builds them: from raw items, cheapest work first.

`normalize` does what every item needs (text out of HTML, times, limits); `finish` adds
what only a kept item needs (hashtags and the near-duplicate fingerprint), so items that
are dropped or already stored never pay for it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from core.clock import to_naive_utc
from core.raw import RawMention
from core.text import UNSTORABLE, content_hash, hashtags, html_to_text, truncate

MAX_TEXT = 20_000
# Terms can contain spaces ("lumora brew"), so matched_terms joins them with "|".
TERM_SEP = "|"
Row = dict[str, Any]
# Counts are INTEGER columns (32 bits on PostgreSQL); a payload claiming more is capped,
# so one absurd number cannot fail the whole batch.
MAX_COUNT = 2**31 - 1


def _count(value: int) -> int:
    return min(max(value, 0), MAX_COUNT)


def normalize(item: RawMention, now: dt.datetime) -> tuple[Row, bool] | None:
    """A raw item as a row of the mention table (and whether to keep it unmatched),
    or None when it cannot be stored (no id, no source, no text)."""
    if not item.external_id or not item.source:
        return None
    text, _links = html_to_text(item.text or "")
    title = html_to_text(item.title)[0] if item.title else None
    if not text and title:
        text = title
    if not text:
        return None
    try:
        published = to_naive_utc(item.published_at) if item.published_at else now
    except OverflowError:  # year 1 or 9999 pushed out of range by its UTC offset
        return None
    reach = _count(_count(item.followers) + item.likes + 2 * item.reposts + item.replies)
    row = {
        "source": item.source[:64],
        "source_type": item.source_type[:16],
        "external_id": item.external_id[:255],
        "url": item.url[:2048] if item.url else None,
        "author": truncate(item.author, 255) if item.author else None,
        "author_handle": item.author_handle[:255] if item.author_handle else None,
        "title": truncate(title, 1024) if title else None,
        "text": text[:MAX_TEXT],
        "language": (item.language or "").lower()[:2] or None,
        "sentiment": None,
        "sentiment_score": None,
        "intent": None,
        "published_at": published,
        "fetched_at": now,
        "matched_terms": "",
        "hashtags": "",
        "likes": _count(item.likes),
        "reposts": _count(item.reposts),
        "replies": _count(item.replies),
        "reach": reach,
        "reply_to": item.reply_to[:255] if item.reply_to else None,
        "thread_id": item.thread_id[:255] if item.thread_id else None,
        "dup_of": None,
        "content_hash": "",
        "synthetic": item.synthetic,
    }
    for key, value in row.items():
        if isinstance(value, str) and UNSTORABLE.search(value):
            row[key] = UNSTORABLE.sub("", value)
    if not (row["source"] and row["external_id"] and row["text"]):
        return None
    return row, item.keep_unmatched


def haystack(row: Row) -> str:
    """What the watchlist looks at: the title and the text."""
    title = row["title"]
    return f"{title}\n{row['text']}" if title else row["text"]


def finish(row: Row) -> None:
    """Hashtags and the near-duplicate fingerprint of a row that will be stored."""
    title = row["title"]
    row["hashtags"] = " ".join(hashtags(f"{title} {row['text']}" if title else row["text"]))[:2048]
    row["content_hash"] = content_hash(row["text"])


def unique_in_batch(rows: list[Row]) -> list[Row]:
    """The first row of each (source, external_id) in a batch."""
    seen: set[tuple[str, str]] = set()
    out = []
    for row in rows:
        key = (row["source"], row["external_id"])
        if key not in seen:
            seen.add(key)
            out.append(row)
    return out


# The intent that is no intent: the remainder, counted in `all` only.
UNCOUNTED_INTENT = "other"


def count_keys(row: Row) -> list[str]:
    """The hourly-count keys a mention adds to: all, its source, its terms and hashtags, and
    its intent — alone (`intent:complaint`) and per term (`intent:complaint|lumora brew`),
    so that complaints about one product can be told from talk about it."""
    keys = ["all", f"src:{row['source']}"]
    terms = row["matched_terms"].split(TERM_SEP) if row["matched_terms"] else []
    terms = [t for t in terms if not t.startswith("#")]
    keys += [f"term:{t}" for t in terms]
    keys += [f"tag:{t}" for t in row["hashtags"].split()]
    intent = row.get("intent")
    if intent and intent != UNCOUNTED_INTENT:
        keys.append(f"intent:{intent}")
        keys += [f"intent:{intent}{TERM_SEP}{t}" for t in terms]
    return keys
