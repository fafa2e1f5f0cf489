"""The ingest pipeline: normalize → match → language → sentiment → near-duplicates → store.

Every source (polls, the webhook, file imports, the demo stream) enters through
`Pipeline.ingest`. A batch is stored in one transaction together with its hourly counts,
so a crash either keeps both or neither; the insert skips (source, external_id) pairs
already stored, so a retried batch never doubles a mention.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from concurrent.futures import ThreadPoolExecutor

from core.db import SessionFactory, retry_transient, session_scope
from core.ingest_analysis import Analysed, Timer, analyse_chunk
from core.ingest_analysis import Analyzer as Analyzer
from core.ingest_result import IngestResult as IngestResult
from core.ingest_result import StoredMention as StoredMention
from core.ingest_result import without
from core.ingest_rows import TERM_SEP as TERM_SEP
from core.ingest_rows import Row, finish, haystack, normalize, unique_in_batch
from core.ingest_rows import count_keys as count_keys
from core.raw import RawMention
from core.storage import counts, mentions, watch
from core.watchlist import Watchlist

log = logging.getLogger(__name__)
NEAR_DUP_WINDOW = dt.timedelta(days=7)
# Rows analysed per step. The next chunk is analysed (in a worker thread, where the models
# release the GIL) while the previous one is stored, so the model stage and the database
# overlap. Not smaller: the sentence encoder's matrix products lose far more to per-call
# BLAS overhead on small batches than the overlap wins (measured: 250 rows 5x slower).
CHUNK = 1000
# Another replica may have changed the watchlist; reload it at least this often.
WATCHLIST_TTL = 60.0


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

    def intents(self, texts: list[str], languages: list[str | None]) -> list[str]:
        from core.analysis.intent_model import classify_intents

        return list(classify_intents(texts, languages))


Listener = Callable[[list[StoredMention]], Awaitable[None]]


class Pipeline:
    """Turns raw items into stored, analysed mentions. One per process; safe to share."""

    def __init__(
        self,
        sessions: SessionFactory,
        *,
        clock: Callable[[], dt.datetime],
        analyzer: Analyzer | None = None,
        languages: Sequence[str] = ("de", "en"),
        exclusions: Sequence[str] = (),
    ) -> None:
        self.sessions = sessions
        # What "now" is for items without a publication time and for `fetched_at`; the
        # process passes its Services clock, so tests and replays control it.
        self.clock = clock
        self._analyzer = analyzer
        self.languages = set(languages)
        self.exclusions = list(exclusions)
        self._watchlist: Watchlist | None = None
        self._watchlist_at = 0.0
        self._loading = asyncio.Lock()
        # One thread for the models: calls from concurrent batches queue instead of
        # oversubscribing the cores (the encoder runs BLAS threads of its own), and one
        # thread keeps the models' allocations in one malloc arena over a long import.
        self._models = ThreadPoolExecutor(max_workers=1, thread_name_prefix="horch-models")
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
        """The compiled watchlist, reloaded after a change here or every WATCHLIST_TTL."""
        if self._watchlist is None or time.monotonic() - self._watchlist_at > WATCHLIST_TTL:
            async with self.sessions() as session:
                rows = await watch.list_terms(session=session)
            self._watchlist = Watchlist(watch.to_terms(rows), self.exclusions)
            self._watchlist_at = time.monotonic()
        return self._watchlist

    async def _ready_analyzer(self) -> Analyzer:
        """The analyzer, loading the models off the event loop the first time."""
        if self._analyzer is None:
            async with self._loading:
                if self._analyzer is None:
                    loop = asyncio.get_running_loop()
                    self._analyzer = await loop.run_in_executor(self._models, OfflineAnalyzer)
        return self._analyzer

    async def ingest(self, items: Sequence[RawMention], *, via: str = "direct") -> IngestResult:
        """Run a batch through every stage and store it; returns what happened.

        `via` names the way in for the metrics: poll, webhook, import, demo (or direct, for
        a caller in this process that names none). Every way in passes here, so this is
        where mentions, duplicates and near-duplicates are counted — what was stored, also
        when a later chunk of the batch fails."""
        result = IngestResult(received=len(items))
        try:
            return await self._ingest(items, result)
        finally:
            result.feed_metrics(via)

    async def _ingest(self, items: Sequence[RawMention], result: IngestResult) -> IngestResult:
        timings = result.stage_seconds
        wl = await self.watchlist()
        now = self.clock()

        with Timer(timings, "normalize"):
            rows = [n for item in items if (n := normalize(item, now)) is not None]
        result.invalid = len(items) - len(rows)

        with Timer(timings, "match"):
            kept: list[Row] = []
            for row, keep_unmatched in rows:
                text = haystack(row)
                matched = wl.match(text)  # [] when the text holds an exclusion
                if not matched and (not keep_unmatched or wl.excluded(text)):
                    result.dropped += 1
                    continue
                row["matched_terms"] = TERM_SEP.join(t.canonical for t in matched)[:2048]
                kept.append(row)

        with Timer(timings, "dedupe"):
            unique = unique_in_batch(kept)

            async def lookup() -> set[tuple[str, str]]:
                async with self.sessions() as session:
                    return await mentions.existing_keys(
                        session=session, keys=[(r["source"], r["external_id"]) for r in unique]
                    )

            known = await retry_transient(lookup, what="looking up stored mentions")
            result.duplicates = len(kept) - len(unique) + len(known)
            fresh = [r for r in unique if (r["source"], r["external_id"]) not in known]
            result.by_source.update((r["source"], "duplicate") for r in without(kept, fresh))
            kept = fresh

        stored: list[StoredMention] = []
        if kept:
            with Timer(timings, "normalize"):
                for row in kept:
                    finish(row)
            stored = await self._analyse_and_store(kept, result)
            result.new = len(stored)
            result.new_ids = [s.id for s in stored]
        for listener in self.listeners:
            if stored:
                try:
                    await listener(stored)
                except Exception:  # a listener (alerts) must never lose the batch
                    log.exception("ingest listener failed")
        return result

    async def _analyse_and_store(
        self, rows: list[Row], result: IngestResult
    ) -> list[StoredMention]:
        """Chunk by chunk: analyse the next chunk in a thread while this one is stored."""
        timings = result.stage_seconds
        with Timer(timings, "near_duplicates"):
            await self._mark_near_duplicates(rows)
        analyzer = await self._ready_analyzer()
        chunks = [rows[i : i + CHUNK] for i in range(0, len(rows), CHUNK)]
        # (source, external_id) of an original in this batch → its stored id
        firsts: dict[tuple[str, str], int] = {}
        stored: list[StoredMention] = []
        loop = asyncio.get_running_loop()

        def analyse(chunk: list[Row]) -> asyncio.Future[Analysed]:
            return loop.run_in_executor(
                self._models, analyse_chunk, analyzer, chunk, self.languages
            )

        pending = analyse(chunks[0])
        try:
            for index in range(len(chunks)):
                analysed = await pending
                if index + 1 < len(chunks):
                    pending = analyse(chunks[index + 1])
                result.dropped += analysed.dropped
                for stage, seconds in analysed.seconds.items():
                    timings[stage] = timings.get(stage, 0.0) + seconds
                if not analysed.rows:
                    continue
                reposts = [
                    r for r in analysed.rows if r["dup_of"] is not None or r.get("_dup_in_batch")
                ]
                with Timer(timings, "store"):
                    new = await self._store_retrying(analysed.rows, firsts)
                result.near_duplicates += len(reposts)
                result.duplicates += len(analysed.rows) - len(new)
                # Counted once the chunk is committed: a failed store counts nothing.
                result.count(analysed.rows, new, reposts)
                stored += new
        finally:
            if not pending.done():  # a failed store: let the running analysis finish quietly
                pending.add_done_callback(lambda t: t.cancelled() or t.exception())
        return stored

    async def _mark_near_duplicates(self, rows: list[Row]) -> None:
        """Point each repost at the first stored mention with the same fingerprint published
        within NEAR_DUP_WINDOW of the repost itself (and bring that one's analysis along); a
        repost of a mention earlier in this batch is marked `_dup_in_batch`, pointed at it
        when that one is stored, and takes its analysis from it (`_origin`).

        The window is measured on the mentions' own times, not the wall clock, so a file
        import of last year's posts finds its reposts exactly as a live poll does."""
        if not rows:
            return
        times = [r["published_at"] for r in rows]
        since, until = min(times) - NEAR_DUP_WINDOW, max(times) + NEAR_DUP_WINDOW

        async def lookup() -> tuple[
            dict[str, list[tuple[dt.datetime, int]]], dict[int, mentions.Analysis]
        ]:
            async with self.sessions() as session:
                stored = await mentions.originals_near(
                    session=session,
                    hashes=list({r["content_hash"] for r in rows}),
                    since=since,
                    until=until,
                )
                ids = list({i for pairs in stored.values() for _, i in pairs})
                known = await mentions.analyses(session=session, ids=ids)
            return stored, known

        stored, known = await retry_transient(lookup, what="looking up reposts")
        origins: dict[str, list[Row]] = {}
        for row in rows:
            digest, published = row["content_hash"], row["published_at"]
            row["dup_of"] = next(
                (i for at, i in stored.get(digest, ()) if abs(at - published) <= NEAR_DUP_WINDOW),
                None,
            )
            if row["dup_of"] is not None:
                if (analysis := known.get(row["dup_of"])) is not None:
                    row["_reuse"] = analysis
                continue
            origin = next(
                (
                    o
                    for o in origins.get(digest, ())
                    if abs(o["published_at"] - published) <= NEAR_DUP_WINDOW
                ),
                None,
            )
            if origin is not None:
                row["_dup_in_batch"] = True
                row["_origin"] = origin
                row["_origin_key"] = (origin["source"], origin["external_id"])
            else:
                origins.setdefault(digest, []).append(row)

    async def _store_retrying(
        self, rows: list[Row], firsts: dict[tuple[str, str], int]
    ) -> list[StoredMention]:
        """`_store`, again after a lost connection or a deadlock: the transaction was rolled
        back, so the chunk is stored whole, once (a commit whose answer was lost leaves its
        rows stored, and the retry's ON CONFLICT skips them: never twice)."""
        in_batch = [r for r in rows if r.get("_dup_in_batch")]
        before = dict(firsts)

        async def attempt() -> list[StoredMention]:
            firsts.clear()
            firsts.update(before)  # ids of a rolled-back attempt must not be pointed at
            for row in in_batch:
                row["_dup_in_batch"] = True
            return await self._store(rows, firsts)

        return await retry_transient(attempt, what=f"storing {len(rows)} mentions")

    async def _store(
        self, rows: list[Row], firsts: dict[tuple[str, str], int]
    ) -> list[StoredMention]:
        """Insert the rows and add their hourly counts, in one transaction."""
        early: list[Row] = []
        later: list[Row] = []
        for row in rows:
            (later if row.pop("_dup_in_batch", False) else early).append(row)
        async with session_scope(self.sessions) as session:
            inserted = await mentions.insert_mentions(session=session, rows=early)
            by_key = {(r["source"], r["external_id"]): r for r in rows}
            for mention_id, source, external_id in inserted:
                row = by_key[(source, external_id)]
                if row["dup_of"] is None:
                    firsts[(source, external_id)] = mention_id
            if later:  # reposts of a mention first seen in this very batch
                for row in later:
                    row["dup_of"] = firsts.get(row["_origin_key"])
                inserted += await mentions.insert_mentions(session=session, rows=later)
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
