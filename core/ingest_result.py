"""What a batch through the pipeline did, and the metrics it feeds."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from core.ingest_rows import Row
from core.metrics import MENTIONS_DUPLICATE, MENTIONS_INGESTED, MENTIONS_NEAR_DUPLICATE

_COUNTERS = {
    "new": MENTIONS_INGESTED,
    "duplicate": MENTIONS_DUPLICATE,
    "near_duplicate": MENTIONS_NEAR_DUPLICATE,
}


@dataclass
class StoredMention:
    """What listeners (the alert detector) learn about each newly stored mention."""

    id: int
    source: str
    published_at: dt.datetime
    keys: list[str]
    sentiment: str | None


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
    # (source, "new" | "duplicate" | "near_duplicate") → how many: what the metrics count
    by_source: Counter[tuple[str, str]] = field(default_factory=Counter)

    def merge(self, other: IngestResult) -> None:
        for name in ("received", "new", "duplicates", "near_duplicates", "dropped", "invalid"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for stage, secs in other.stage_seconds.items():
            self.stage_seconds[stage] = self.stage_seconds.get(stage, 0.0) + secs
        self.new_ids.extend(other.new_ids)
        self.by_source.update(other.by_source)

    def count(self, rows: list[Row], stored: list[StoredMention], reposts: list[Row]) -> None:
        """Tally a committed chunk by source: stored, reposts among them, and the rows the
        insert skipped because another process stored them first."""
        self.by_source.update((s.source, "new") for s in stored)
        self.by_source.update((r["source"], "near_duplicate") for r in reposts)
        skipped = Counter(r["source"] for r in rows)
        skipped.subtract(s.source for s in stored)
        self.by_source.update({(src, "duplicate"): n for src, n in skipped.items() if n > 0})

    def feed_metrics(self, via: str) -> None:
        """Add the tallies to horch_mentions_*_total{source, via}."""
        for (source, what), n in self.by_source.items():
            _COUNTERS[what].labels(source, via).inc(n)


def without(rows: list[Row], kept: list[Row]) -> list[Row]:
    """The rows of `rows` that are not (by identity) in `kept`."""
    ids = {id(r) for r in kept}
    return [r for r in rows if id(r) not in ids]
