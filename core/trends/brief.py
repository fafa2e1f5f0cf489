"""Every figure of a brief, computed from the hourly counts and the window's mentions.

The counts answer volume, sentiment, share of voice and movers in one aggregate query over
the window and the period before; the mentions table gives the top mentions by reach and
the questions and complaints still waiting for an answer.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlmodel.ext.asyncio.session import AsyncSession

from config.settings import Settings
from config.workspace import Workspace
from core.models import Mention
from core.storage import drafts as draft_store
from core.storage import sources as source_store
from core.storage import windows as store
from core.storage.windows import Totals
from core.trends.coverage import Coverage, coverage
from core.trends.events import PREFIXES as EVENT_PREFIXES
from core.trends.events import Event, find_events
from core.trends.movers import KINDS, Mover, movers
from core.trends.names import Names, load_names
from core.trends.period import Period
from core.trends.voice import VoiceShare, shares

TOP_LIMIT = 5
OPEN_LIMIT = 5
# Questions and complaints read (widest reach first) to find the open ones to show.
OPEN_SCAN = 40


@dataclass(frozen=True)
class Mix:
    """Sentiment counts of a period."""

    neg: int = 0
    neu: int = 0
    pos: int = 0

    @property
    def n(self) -> int:
        return self.neg + self.neu + self.pos

    def share(self, which: str) -> float | None:
        return getattr(self, which) / self.n if self.n else None

    @property
    def net(self) -> float | None:
        """(positive − negative) / all: from −1 (all negative) to +1."""
        return (self.pos - self.neg) / self.n if self.n else None


@dataclass(frozen=True)
class Point:
    """One step of the chart: mentions and their sentiment from `start`."""

    start: dt.datetime
    n: int
    neg: int
    pos: int


@dataclass
class BriefFigures:
    period: Period
    n: int
    prev_n: int
    reach: int
    mix: Mix
    prev_mix: Mix
    voice: VoiceShare | None
    voices: list[VoiceShare]
    rising: dict[str, list[Mover]]
    falling: dict[str, list[Mover]]
    top: list[Mention]
    open: list[Mention]
    open_total: int
    coverage: Coverage
    points: list[Point]
    names: Names = field(default_factory=Names)
    # When listening began, if within the period before (then nothing is compared).
    began: dt.datetime | None = None
    # What happened: the stories that rose or fell, most significant first.
    events: list[Event] = field(default_factory=list)

    @property
    def comparable(self) -> bool:
        return self.began is None

    @property
    def change(self) -> float | None:
        """Volume against the period before (0.24 = 24 % more); None when that was empty."""
        return (self.n - self.prev_n) / self.prev_n if self.prev_n else None


def chart_points(hours: list[store.Hour], period: Period) -> list[Point]:
    """The window's hours summed into the chart's steps (empty steps are 0)."""
    steps = int(period.span / period.step)
    acc = [[0, 0, 0] for _ in range(steps)]
    for hour in hours:
        index = int((hour.bucket - period.start) / period.step)
        if 0 <= index < steps:
            acc[index][0] += hour.n
            acc[index][1] += hour.neg
            acc[index][2] += hour.pos
    return [Point(period.start + i * period.step, *acc[i]) for i in range(steps)]


async def load_points(session: AsyncSession, period: Period) -> list[Point]:
    """The chart's steps: mentions and their sentiment over the period."""
    series = await store.hours(session=session, keys=["all"], since=period.start, until=period.end)
    return chart_points(series["all"], period)


async def gather(
    session: AsyncSession,
    *,
    period: Period,
    workspace: Workspace,
    settings: Settings,
    now: dt.datetime,
    points: list[Point] | None = None,
) -> BriefFigures:
    """All figures of a brief for `period` at `now` (`points`: the chart's steps, if read
    already)."""
    # Every key: all, src:, term:, tag: and topic: are all needed.
    raw = totals = await store.window_totals(
        session=session, start=period.prev_start, mid=period.start, end=period.end
    )
    first = await store.listening_since(session=session)
    # Listening that began within the period before leaves it part-empty: "usually silent"
    # would be wrong, so nothing is compared (no movers, no shifts, no change).
    began = first if first is not None and first > period.prev_start else None
    if began is not None:
        totals = {
            k: t._replace(prev_n=0, prev_neg=0, prev_neu=0, prev_pos=0) for k, t in totals.items()
        }
    every = totals.get("all", Totals())
    rising = {k: movers(totals, kind=k, rising=True) if not began else [] for k in KINDS}
    falling = {k: movers(totals, kind=k, rising=False) if not began else [] for k in KINDS}
    # The events are found in the counts as read (before any comparison was blanked out):
    # their usual level is the same hours on the days before each, not the period before.
    events = await find_events(
        session,
        since=period.start,
        until=period.end,
        now=now,
        totals={k: t for k, t in raw.items() if k.startswith(EVENT_PREFIXES)},
    )
    topic_keys = [m.key for group in (*rising.values(), *falling.values()) for m in group]
    topic_keys += [k for e in events for k in (e.key, *e.related, *(c.key for c in e.companions))]
    names = await load_names(session, topic_keys=[k for k in topic_keys if k.startswith("topic:")])
    overall, each = shares(totals, ours=names.ours(), competitors=names.competitors())
    if points is None:
        points = await load_points(session, period)
    top = await store.top_by_reach(
        session=session, since=period.start, until=period.end, limit=TOP_LIMIT
    )
    scanned, asked = await store.voices(
        session=session, since=period.start, until=period.end, limit=OPEN_SCAN
    )
    drafted = await draft_store.drafted_mentions(
        session=session, mention_ids=[m.id for m in scanned if m.id is not None]
    )
    answered = await store.answered_voices(session=session, since=period.start, until=period.end)
    states = await source_store.list_states(session=session)
    delivered = [k[4:] for k, tot in totals.items() if k.startswith("src:") and tot.n]
    return BriefFigures(
        period=period,
        n=every.n,
        prev_n=every.prev_n,
        reach=every.reach,
        mix=Mix(every.neg, every.neu, every.pos),
        prev_mix=Mix(every.prev_neg, every.prev_neu, every.prev_pos),
        voice=overall,
        voices=each,
        rising=rising,
        falling=falling,
        top=top,
        open=[m for m in scanned if m.id not in drafted][:OPEN_LIMIT],
        open_total=max(asked - answered, 0),
        coverage=coverage(
            workspace=workspace,
            settings=settings,
            states=states,
            delivered=delivered,
            since=period.start,
        ),
        points=points,
        names=names,
        began=began,
        events=events,
    )
