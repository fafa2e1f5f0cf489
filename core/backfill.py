"""History from day one: which sources can fetch their past, how far, and how far a run got.

A backfill reads a source's past from its search API, newest first, from the moment it
started (`until`) back to the day asked for (`since`). It stores each page through the
pipeline before it records how far it got (`reached`), so a run killed half-way resumes
where it stopped and the idempotent insert drops what is read twice. What a run covered is
kept per source (`SourceState.covered_from`), so briefs over older periods can say where
coverage is partial.

The process runs backfills through the `Backfiller` port; core and handlers never see the
HTTP clients.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal, Protocol

from config.settings import Settings
from config.workspace import SourceConfig, Workspace

# How far back each type's API lets a search go (days); types not listed cannot backfill.
MAX_DAYS: dict[str, int] = {
    "hackernews": 3650,
    "mastodon": 365,
    "bluesky": 365,
    "reddit": 365,
    "x": 7,  # recent search: the last 7 days only
}
DEFAULT_DAYS = 30
Status = Literal["running", "done", "failed"]


def can_backfill(source_type: str) -> bool:
    """Whether sources of this type can fetch their past."""
    return source_type in MAX_DAYS


def clamp_days(source_type: str, days: int) -> int:
    """The days a backfill of this type really reaches: at least 1, at most its API's limit."""
    return max(1, min(days, MAX_DAYS.get(source_type, 0)))


def window(source_type: str, days: int, now: dt.datetime) -> tuple[dt.datetime, dt.datetime, bool]:
    """(since, until, clamped) of a new run started at `now` (naive UTC).

    X's recent search keeps 7 days: the start is kept a few minutes inside them, since the
    API refuses a start time that lies outside by the time the request arrives."""
    reach = clamp_days(source_type, days)
    since = now - dt.timedelta(days=reach)
    if source_type == "x":
        since += dt.timedelta(minutes=5)
    return since, now, reach < days


def fraction(*, since: dt.datetime, until: dt.datetime, reached: dt.datetime | None) -> float:
    """How much of the run's span is read (0..1): from `until` back to `reached`."""
    span = (until - since).total_seconds()
    if reached is None or span <= 0:
        return 0.0
    done = (until - max(reached, since)).total_seconds()
    return min(max(done / span, 0.0), 1.0)


def backfillable(workspace: Workspace, settings: Settings) -> list[SourceConfig]:
    """The workspace's sources that are ready to poll and whose API can fetch the past."""
    from core.source_catalog import assess

    return [
        cfg
        for cfg in workspace.sources
        if can_backfill(cfg.type) and assess(cfg, settings).status == "ready"
    ]


@dataclass(frozen=True)
class NotifyTarget:
    """Where a chat-started backfill reports its progress: the asker's conversation."""

    platform: str
    channel_id: str
    thread_id: str | None = None
    locale: str | None = None


@dataclass(frozen=True)
class BackfillStart:
    """What asking for a backfill did: `outcome` is started, resumed or running (already
    running elsewhere); `days` what will be read (after clamping); `run_id` the run."""

    outcome: Literal["started", "resumed", "running"]
    run_id: int
    days: int
    clamped: bool


class Backfiller(Protocol):
    """Runs backfills in the background of the process (integrations.sources.backfill).

    `start` returns at once; the run reports its progress to `notify` and stores its state
    after every page, so it survives a restart of the process."""

    async def start(self, *, source: str, days: int, notify: NotifyTarget | None) -> BackfillStart:
        """Start (or resume the unfinished run of) a backfill of `source` over `days`.

        Raises LookupError if no ready, backfill-capable source has that name."""
        ...
