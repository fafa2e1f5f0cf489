"""Mention volume and sentiment since the last standup, against the usual for those hours.

"The usual" is the same weekday and hours in each of the last four weeks (only weeks the
counts cover), read from the hourly counts — a Monday morning is compared with Monday
mornings, not with a Sunday night.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlmodel.ext.asyncio.session import AsyncSession

from core.backlog.rising import WEEKS, compare
from core.storage import counts
from core.storage.backlog_evidence import oldest_counted_hour


@dataclass(frozen=True)
class Volume:
    n: int
    neg: int
    pos: int
    usual: float | None  # None: no week of history covers these hours yet
    usual_neg: float | None

    @property
    def ratio(self) -> float | None:
        return None if self.usual is None else self.n / max(self.usual, 1.0)

    @property
    def neg_share(self) -> float:
        return self.neg / self.n if self.n else 0.0

    @property
    def pos_share(self) -> float:
        return self.pos / self.n if self.n else 0.0

    @property
    def usual_neg_share(self) -> float | None:
        if not self.usual:
            return None
        return (self.usual_neg or 0.0) / self.usual


async def volume_vs_usual(*, session: AsyncSession, since: dt.datetime, now: dt.datetime) -> Volume:
    """All mentions in [since, now) with their sentiment, and the usual for those hours."""
    rows = await counts.series(session=session, keys=["all"], since=since - WEEKS[-1], until=now)
    history = await oldest_counted_hour(session=session)
    fig = compare(rows, start=since, end=now, shifts=WEEKS, history_from=history, blocks=1)
    got = fig.get("all")
    if got is None:
        covered = [s for s in WEEKS if history is not None and since - s >= history]
        return Volume(0, 0, 0, 0.0 if covered else None, 0.0 if covered else None)
    return Volume(got.n, got.neg, got.pos, got.usual, got.usual_neg)
