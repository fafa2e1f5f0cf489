"""Everything a standup says, gathered from the database in one place."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace

from sqlmodel.ext.asyncio.session import AsyncSession

from core.backlog import planning
from core.models_backlog import BacklogItem, Sprint
from core.standup.baseline import Volume, volume_vs_usual
from core.standup.drafts import DraftsWaiting, drafts_waiting
from core.standup.focus import Hint, ItemRef, focus
from core.standup.signals import Signal, new_signals
from core.storage import backlog as store
from core.storage import watch
from core.trends.events import Event, find_events
from core.trends.names import Names, load_names
from core.trends.period import HOUR, floor_hour

# Events named in a standup: the strongest of the day, told in the order they happened.
EVENTS_SHOWN = 3


@dataclass
class SprintSummary:
    sprint: Sprint
    remaining: int
    done_points: int
    days_left: int


@dataclass
class StandupData:
    since: dt.datetime
    now: dt.datetime
    volume: Volume
    signals_from: str  # alerts | trends
    signals: list[Signal]
    drafts: DraftsWaiting | None  # None: the drafts feature is not installed
    done: list[BacklogItem] = field(default_factory=list)
    in_progress: list[BacklogItem] = field(default_factory=list)
    blocked: list[BacklogItem] = field(default_factory=list)
    sprint: SprintSummary | None = None
    hints: list[Hint] = field(default_factory=list)
    # What rose or fell since the last standup (strongest first), and their names.
    events: list[Event] = field(default_factory=list)
    names: Names = field(default_factory=Names)


def _refs(items: list[BacklogItem]) -> list[ItemRef]:
    return [ItemRef(i.id or 0, i.title) for i in items]


async def _sprint(
    session: AsyncSession, now: dt.datetime
) -> tuple[SprintSummary | None, list[BacklogItem]]:
    sprint = await store.active_sprint(session=session)
    if sprint is None:
        return None, []
    rows = await store.sprint_rows(session=session, sprint_id=sprint.id or 0)
    remaining = planning.remaining_at(rows, now)
    done = sum(si.points for si, _ in rows if si.outcome == "done")
    days_left = max(0, (sprint.ends_at - now).days)
    todo = [bi for si, bi in rows if bi.state == "todo" and si.outcome is None]
    return SprintSummary(sprint, remaining, done, days_left), todo


async def _events(session: AsyncSession, since: dt.datetime, now: dt.datetime) -> list[Event]:
    """The strongest events that reached into [since, now), oldest first."""
    found = await find_events(session, since=since, until=floor_hour(now) + HOUR, now=now)
    strongest = sorted(found, key=lambda e: (-e.score, e.key))[:EVENTS_SHOWN]
    return sorted(strongest, key=lambda e: (e.start, e.key))


async def build(session: AsyncSession, *, since: dt.datetime, now: dt.datetime) -> StandupData:
    """The standup for [since, now)."""
    names = {t.canonical or t.normalized: t.term for t in await watch.list_terms(session=session)}
    volume = await volume_vs_usual(session=session, since=since, now=now)
    source, signals = await new_signals(session, since, now, names)
    drafts = await drafts_waiting(session, now)
    done = await store.changed_since(session=session, states=("done",), since=since)
    in_progress = await store.list_items(session=session, states=("in_progress",), limit=10)
    blocked = await store.list_items(session=session, states=("blocked",), limit=10)
    sprint, sprint_todo = await _sprint(session, now)
    top = await store.list_items(session=session, states=("todo",), limit=1)
    data = StandupData(
        since, now, volume, source, signals, drafts, done, in_progress, blocked, sprint
    )
    data.events = await _events(session, since, now)
    data.names = await load_names(
        session,
        topic_keys=[
            k for e in data.events for k in (e.key, *e.related, *(c.key for c in e.companions))
        ]
        + [s.key for s in signals],
    )
    # An alert's title is the story's name when it fired ("#92" for a story not yet named
    # then, or a name since renamed): a story is told by its name now.
    signals = [
        replace(s, topic=data.names.of(s.key)) if s.key.startswith("topic:") else s for s in signals
    ]
    data.signals = signals
    data.hints = focus(
        volume=volume,
        signals=signals,
        drafts=drafts,
        blocked=_refs(blocked),
        next_up=_refs(sprint_todo),
        backlog_top=_refs(top),
    )
    return data
