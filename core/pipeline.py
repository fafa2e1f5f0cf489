"""The ingest pipeline: normalize → match → language → sentiment → near-duplicates → store.

Every source (polls, the webhook, file imports, the demo stream) enters through
`Pipeline.ingest`. A batch is stored in one transaction together with its hourly counts,
so a crash either keeps both or neither; the insert skips (source, external_id) pairs
already stored, so a retried batch never doubles a mention.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from core.clock import to_naive_utc, utcnow
from core.db import SessionFactory, session_scope
from core.raw import RawMention
from core.storage import counts, mentions, watch
from core.text import content_hash, hashtags, html_to_text, truncate
from core.watchlist import Watchlist

log = logging.getLogger(__name__)
NEAR_DUP_WINDOW = dt.timedelta(days=7)
MAX_TEXT = 20_000
# Terms can contain spaces ("lumora brew"), so matched_terms joins them with "|".
TERM_SEP = "|"


class Analyzer(Protocol):
    """Language and sentiment for a batch of texts (the offline models, or a model server)."""

    def languages(self, texts: list[str]) -> list[str | None]: ...

    def sentiments(
        self, texts: list[str], languages: list[str | None]
    ) -> list[tuple[str, float]]: ...

    def intent(self, text: str, language: str | None) -> str: ...


class OfflineAnalyzer:
    """The shipped offline models (loaded on first use)."""

    def __init__(self) -> None:
        from core.analysis.sentiment import SentimentModel

        self._model = SentimentModel.load()

    def languages(self, texts: list[str]) -> list[str | None]:
        from core.analysis.language import detect_languages

        return detect_languages(texts)

    def sentiments(self, texts: list[str], languages: list[str | None]) -> list[tuple[str, float]]:
        return [
            (str(label), float(score)) for label, score in self._model.predict(texts, languages)
        ]

    def intent(self, text: str, language: str | None) -> str:
        from core.analysis.intent import classify_intent

        return classify_intent(text, language)


@dataclass
class IngestResult:
    """What a batch did: what was new, already there, dropped, and how long each stage took."""

    received: int = 0
    new: int = 0
    duplicates: int = 0
    near_duplicates: int = 0
    dropped: int = 0
    invalid: int = 0
    stage_seconds: dict[str, float] = field(default_factory=dict)
    new_ids: list[int] = field(default_factory=list)

    def merge(self, other: IngestResult) -> None:
        for name in ("received", "new", "duplicates", "near_duplicates", "dropped", "invalid"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for stage, secs in other.stage_seconds.items():
            self.stage_seconds[stage] = self.stage_seconds.get(stage, 0.0) + secs
        self.new_ids.extend(other.new_ids)


@dataclass
class StoredMention:
    """What listeners (the alert detector) learn about each newly stored mention."""

    id: int
    source: str
    published_at: dt.datetime
    keys: list[str]
    sentiment: str | None


Listener = Callable[[list[StoredMention]], Awaitable[None]]


class _Timer:
    def __init__(self, sink: dict[str, float], name: str) -> None:
        self.sink, self.name = sink, name

    def __enter__(self) -> None:
        self.start = time.perf_counter()

    def __exit__(self, *exc: object) -> None:
        self.sink[self.name] = self.sink.get(self.name, 0.0) + time.perf_counter() - self.start


class Pipeline:
    """Turns raw items into stored, analysed mentions. One per process; safe to share."""

    def __init__(
        self,
        sessions: SessionFactory,
        *,
        analyzer: Analyzer | None = None,
        languages: Sequence[str] = ("de", "en"),
        exclusions: Sequence[str] = (),
    ) -> None:
        self.sessions = sessions
        self._analyzer = analyzer
        self.languages = set(languages)
        self.exclusions = list(exclusions)
        self._watchlist: Watchlist | None = None
        self.listeners: list[Listener] = []

    @property
    def analyzer(self) -> Analyzer:
        if self._analyzer is None:
            self._analyzer = OfflineAnalyzer()
        return self._analyzer

    def invalidate_watchlist(self) -> None:
        """Call after the watchlist changed; the next batch reloads it."""
        self._watchlist = None

    async def watchlist(self) -> Watchlist:
        if self._watchlist is None:
            async with self.sessions() as session:
                rows = await watch.list_terms(session=session)
            self._watchlist = Watchlist(watch.to_terms(rows), self.exclusions)
        return self._watchlist

    async def ingest(self, items: Sequence[RawMention]) -> IngestResult:
        """Run a batch through every stage and store it; returns what happened."""
        result = IngestResult(received=len(items))
        timings = result.stage_seconds
        wl = await self.watchlist()

        with _Timer(timings, "normalize"):
            rows = [n for item in items if (n := _normalize(item)) is not None]
        result.invalid = len(items) - len(rows)

        with _Timer(timings, "match"):
            kept: list[dict[str, Any]] = []
            for row, keep_unmatched in rows:
                haystack = f"{row['title'] or ''}\n{row['text']}"
                if wl.excluded(haystack):
                    result.dropped += 1
                    continue
                matched = wl.match(haystack)
                if not matched and not keep_unmatched:
                    result.dropped += 1
                    continue
                row["matched_terms"] = TERM_SEP.join(t.canonical for t in matched)[:2048]
                kept.append(row)

        with _Timer(timings, "dedupe"):
            kept = _unique_in_batch(kept)
            async with self.sessions() as session:
                known = await mentions.existing_keys(
                    session=session, keys=[(r["source"], r["external_id"]) for r in kept]
                )
            result.duplicates = len(rows) - result.dropped - len(kept) + len(known)
            kept = [r for r in kept if (r["source"], r["external_id"]) not in known]

        if kept:
            texts = [r["text"] for r in kept]
            with _Timer(timings, "language"):
                missing = [i for i, r in enumerate(kept) if not r["language"]]
                detected = self.analyzer.languages([texts[i] for i in missing]) if missing else []
                for i, lang in zip(missing, detected, strict=True):
                    kept[i]["language"] = lang
                before = len(kept)
                kept = [r for r in kept if r["language"] in self.languages or not r["language"]]
                result.dropped += before - len(kept)
                texts = [r["text"] for r in kept]

            with _Timer(timings, "sentiment"):
                scored = self.analyzer.sentiments(texts, [r["language"] for r in kept])
                for row, (label, score) in zip(kept, scored, strict=True):
                    row["sentiment"], row["sentiment_score"] = label, score
                    row["intent"] = self.analyzer.intent(row["text"], row["language"])

        stored: list[StoredMention] = []
        if kept:
            with _Timer(timings, "near_duplicates"):
                await self._mark_near_duplicates(kept)
            result.near_duplicates = sum(1 for r in kept if r["dup_of"] is not None)
            with _Timer(timings, "store"):
                stored = await self._store(kept)
            result.new = len(stored)
            result.duplicates += len(kept) - len(stored)
            result.new_ids = [s.id for s in stored]
        for listener in self.listeners:
            if stored:
                try:
                    await listener(stored)
                except Exception:  # a listener (alerts) must never lose the batch
                    log.exception("ingest listener failed")
        return result

    async def _mark_near_duplicates(self, rows: list[dict[str, Any]]) -> None:
        since = utcnow() - NEAR_DUP_WINDOW
        async with self.sessions() as session:
            first = await mentions.recent_hashes(
                session=session, hashes=list({r["content_hash"] for r in rows}), since=since
            )
        for row in rows:
            row["dup_of"] = first.get(row["content_hash"])

    async def _store(self, rows: list[dict[str, Any]]) -> list[StoredMention]:
        async with session_scope(self.sessions) as session:
            inserted = await mentions.insert_mentions(session=session, rows=rows)
            by_key = {(r["source"], r["external_id"]): r for r in rows}
            stored: list[StoredMention] = []
            tally_rows = []
            for mention_id, source, external_id in inserted:
                row = by_key[(source, external_id)]
                keys = count_keys(row)
                stored.append(
                    StoredMention(mention_id, source, row["published_at"], keys, row["sentiment"])
                )
                tally_rows.append((row["published_at"], keys, row["sentiment"], row["reach"]))
            await counts.add_counts(session=session, increments=counts.tally(tally_rows))
        return stored


def count_keys(row: dict[str, Any]) -> list[str]:
    """The hourly-count keys a mention adds to: all, its source, its terms and hashtags."""
    keys = ["all", f"src:{row['source']}"]
    terms = row["matched_terms"].split(TERM_SEP) if row["matched_terms"] else []
    keys += [f"term:{t}" for t in terms if not t.startswith("#")]
    keys += [f"tag:{t}" for t in row["hashtags"].split()]
    return keys


def _unique_in_batch(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    seen: set[tuple[str, str]] = set()
    out = []
    for row in rows:
        key = (row["source"], row["external_id"])
        if key not in seen:
            seen.add(key)
            out.append(row)
    return out


def _normalize(item: RawMention) -> tuple[dict[str, Any], bool] | None:
    """A raw item as a row of the mention table, or None when it cannot be stored."""
    if not item.external_id or not item.source:
        return None
    text, _links = html_to_text(item.text or "")
    title = html_to_text(item.title)[0] if item.title else None
    if not text and title:
        text = title
    if not text:
        return None
    published = to_naive_utc(item.published_at) if item.published_at else utcnow()
    reach = max(item.followers, 0) + item.likes + 2 * item.reposts + item.replies
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
        "fetched_at": utcnow(),
        "matched_terms": "",
        "hashtags": " ".join(hashtags(f"{title or ''} {text}"))[:2048],
        "likes": item.likes,
        "reposts": item.reposts,
        "replies": item.replies,
        "reach": reach,
        "reply_to": item.reply_to,
        "thread_id": item.thread_id,
        "dup_of": None,
        "content_hash": content_hash(text),
        "synthetic": item.synthetic,
    }
    return row, item.keep_unmatched
