"""The model stages of the pipeline: language, sentiment and intent of a chunk of rows.

Runs in a worker thread (the pipeline hands it over with asyncio.to_thread), so the event
loop keeps serving chat while the models work; the rows of one chunk are its own.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Protocol

from core.ingest_rows import Row


class Analyzer(Protocol):
    """Language, sentiment and intent for a batch of texts (the offline models, or a model
    server). `intents` runs right after `sentiments` on the same texts, so a model may reuse
    what the sentiment step computed (the offline one reuses its sentence embeddings)."""

    def languages(self, texts: list[str]) -> list[str | None]: ...

    def sentiments(
        self, texts: list[str], languages: list[str | None]
    ) -> list[tuple[str, float]]: ...

    def intents(self, texts: list[str], languages: list[str | None]) -> list[str]: ...


class Timer:
    """Adds the time spent inside a `with` block to `sink[name]` (stage timings)."""

    def __init__(self, sink: dict[str, float], name: str) -> None:
        self.sink, self.name = sink, name

    def __enter__(self) -> None:
        self.start = time.perf_counter()

    def __exit__(self, *exc: object) -> None:
        self.sink[self.name] = self.sink.get(self.name, 0.0) + time.perf_counter() - self.start


@dataclass
class Analysed:
    """A chunk after the model stages: the rows kept, those dropped, and the time taken."""

    rows: list[Row]
    dropped: int
    seconds: dict[str, float]


def analyse_chunk(analyzer: Analyzer, rows: list[Row], languages: set[str]) -> Analysed:
    """Language, sentiment and intent of a chunk (runs in a worker thread).

    A repost takes its original's analysis instead of running the models again: the
    same words (without links, handles, "RT") say the same thing in the same language.
    """
    seconds: dict[str, float] = {}
    own = [r for r in rows if "_reuse" not in r and "_origin" not in r]
    with Timer(seconds, "language"):
        missing = [r for r in own if not r["language"]]
        if missing:
            found = analyzer.languages([r["text"] for r in missing])
            for row, lang in zip(missing, found, strict=True):
                row["language"] = lang
        for row in rows:
            if (reuse := row.get("_reuse")) is not None:
                row["language"] = row["language"] or reuse.language
            elif (origin := row.get("_origin")) is not None:
                row["language"] = row["language"] or origin["language"]
        kept = [r for r in rows if not r["language"] or r["language"] in languages]
    with Timer(seconds, "sentiment"):
        copies: list[tuple[Row, Row]] = []
        for row in kept:
            reuse, origin = row.pop("_reuse", None), row.pop("_origin", None)
            if reuse is not None and reuse.sentiment:
                row["sentiment"] = reuse.sentiment
                row["sentiment_score"] = reuse.sentiment_score
                row["intent"] = reuse.intent
            elif origin is not None:
                copies.append((row, origin))
        copied = {id(c) for c, _ in copies}
        score(analyzer, [r for r in kept if not r["sentiment"] and id(r) not in copied], seconds)
        # An original dropped for its language leaves its copies to the models.
        score(analyzer, [c for c, origin in copies if not origin["sentiment"]], seconds)
        for row, origin in copies:
            if not row["sentiment"]:
                row["sentiment"] = origin["sentiment"]
                row["sentiment_score"] = origin["sentiment_score"]
                row["intent"] = origin["intent"]
    for row in rows:
        row.pop("_reuse", None)
        row.pop("_origin", None)
    return Analysed(kept, len(rows) - len(kept), seconds)


def score(analyzer: Analyzer, rows: list[Row], seconds: dict[str, float] | None = None) -> None:
    """Sentiment and intent of rows, in one batch for the model. The intent's time is also
    added to `seconds["intent"]` (it is part of the sentiment stage's time as well)."""
    if not rows:
        return
    texts = [r["text"] for r in rows]
    languages = [r["language"] for r in rows]
    scored = analyzer.sentiments(texts, languages)
    with Timer(seconds if seconds is not None else {}, "intent"):
        intents = analyzer.intents(texts, languages)
    for row, (label, value), intent in zip(rows, scored, intents, strict=True):
        row["sentiment"], row["sentiment_score"] = label, value
        row["intent"] = intent
