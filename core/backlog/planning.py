"""The sprint cycle's arithmetic: what fits, how it burns down, and what is at risk."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlmodel.ext.asyncio.session import AsyncSession

from core.backlog.ice import points as format_points
from core.models_backlog import BacklogItem, Sprint, SprintItem
from core.storage import counts

DEFAULT_CAPACITY = 13
DEFAULT_DAYS = 14
MAX_DAYS = 60
VELOCITY_SPRINTS = 3
FADING_LOOKBACK = dt.timedelta(days=3)
FADING_SHARE = 0.5
LATE_SHARE = 0.5  # not started when half the sprint has passed


def item_points(item: BacklogItem) -> int:
    return item.points if item.points is not None else format_points(item.format)


def default_capacity(velocities: Sequence[int]) -> int:
    """The mean velocity of the last sprints, or a starting value when there is none."""
    recent = [v for v in velocities[:VELOCITY_SPRINTS] if v > 0]
    return round(sum(recent) / len(recent)) if recent else DEFAULT_CAPACITY


@dataclass
class Plan:
    picks: list[tuple[BacklogItem, int]] = field(default_factory=list)
    left_out: list[BacklogItem] = field(default_factory=list)

    @property
    def points(self) -> int:
        return sum(p for _, p in self.picks)


def plan(candidates: Sequence[BacklogItem], capacity: int) -> Plan:
    """Take work already started first, then the highest scores, while the points fit.

    An item too big for what is left is passed over for smaller ones after it (the top of
    the backlog is a priority, not a queue that one large item may block).
    """
    ordered = sorted(
        (i for i in candidates if i.state in ("todo", "in_progress") and i.sprint_id is None),
        key=lambda i: (i.state != "in_progress", -i.score, i.id or 0),
    )
    out = Plan()
    used = 0
    for item in ordered:
        pts = item_points(item)
        if used + pts <= capacity:
            out.picks.append((item, pts))
            used += pts
        else:
            out.left_out.append(item)
    return out


@dataclass(frozen=True)
class BurnPoint:
    at: dt.datetime  # end of the sprint day (naive UTC); the first point is the start
    ideal: float
    remaining: int | None  # None: still in the future


def remaining_at(rows: Sequence[tuple[SprintItem, BacklogItem]], at: dt.datetime) -> int:
    """Points in scope at a time and not yet done or removed by then."""
    total = 0
    for si, _ in rows:
        if si.added_at > at:
            continue
        if si.done_at is not None and si.done_at <= at:
            continue
        if si.removed_at is not None and si.removed_at <= at:
            continue
        total += si.points
    return total


def burndown(
    sprint: Sprint, rows: Sequence[tuple[SprintItem, BacklogItem]], now: dt.datetime
) -> list[BurnPoint]:
    """One point per sprint day: the ideal line and the points still open."""
    days = max(1, sprint.days)
    end = sprint.closed_at or now
    points = []
    for d in range(days + 1):
        at = sprint.started_at + dt.timedelta(days=d)
        ideal = sprint.committed_points * (1 - d / days)
        if at <= end:
            remaining: int | None = remaining_at(rows, at)
        elif at - dt.timedelta(days=1) < end:
            remaining = remaining_at(rows, end)  # today, so far
        else:
            remaining = None
        points.append(BurnPoint(at, ideal, remaining))
    return points


@dataclass(frozen=True)
class Risk:
    item: BacklogItem
    reason: str  # blocked | fading | not_started
    values: dict[str, str] = field(default_factory=dict)


def _count_key(item: BacklogItem) -> str | None:
    key = item.topic_key.split("|", 1)[0]
    return key if key.startswith(("term:", "tag:", "topic:")) else None


async def fading(
    session: AsyncSession, item: BacklogItem, now: dt.datetime
) -> tuple[float, float] | None:
    """(daily rate when suggested, daily rate of the last 3 days) if the topic is fading."""
    key = _count_key(item)
    if key is None:
        return None
    evidence = json.loads(item.evidence or "{}")
    window = max(1, int(evidence.get("window_days") or 7))
    then = float((evidence.get("counts") or {}).get("mentions") or 0) / window
    if then <= 0:
        return None
    rows = await counts.series(session=session, keys=[key], since=now - FADING_LOOKBACK, until=now)
    recent = sum(r.n for r in rows) / FADING_LOOKBACK.days
    return (then, recent) if recent < FADING_SHARE * then else None


async def risks(
    session: AsyncSession,
    sprint: Sprint,
    rows: Sequence[tuple[SprintItem, BacklogItem]],
    now: dt.datetime,
) -> list[Risk]:
    """Open items of the sprint that may not make it, or may no longer be worth it."""
    span = (sprint.ends_at - sprint.started_at).total_seconds() or 1.0
    elapsed = (now - sprint.started_at).total_seconds() / span
    out = []
    for si, item in rows:
        if si.outcome in ("done", "dropped") or item.state in ("done", "dropped"):
            continue
        if item.state == "blocked":
            out.append(Risk(item, "blocked"))
            continue
        fade = await fading(session, item, now)
        if fade is not None:
            out.append(Risk(item, "fading", {"then": f"{fade[0]:.1f}", "now": f"{fade[1]:.1f}"}))
        elif item.state == "todo" and elapsed >= LATE_SHARE:
            out.append(Risk(item, "not_started"))
    return out
