"""Rising keys from the hourly counts: a window against the same window in earlier periods.

`compare` is pure (rows in, figures out) so it is tested without a database; `rising`
reads the rows. Backlog suggestions compare the last 7 days with the 4 weeks before; the
standup compares the time since the last standup with the same weekday and hours of the
4 weeks before.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

from sqlmodel.ext.asyncio.session import AsyncSession

from core.storage.backlog_evidence import count_rows, oldest_counted_hour

WEEKS = tuple(dt.timedelta(weeks=w) for w in (1, 2, 3, 4))


@dataclass(frozen=True)
class KeyWindow:
    """One key's figures in a window, next to its usual level in the baseline periods."""

    key: str
    n: int
    neg: int
    pos: int
    reach: int
    usual: float | None  # mean n over the baseline periods; None when no history covers them
    usual_neg: float | None
    blocks_active: int  # blocks of the window with at least the usual share of mentions
    blocks: int

    @property
    def ratio(self) -> float:
        """How many times the usual level (the usual counts as at least 1)."""
        return self.n / max(self.usual or 0.0, 1.0)

    @property
    def consistency(self) -> float:
        return self.blocks_active / self.blocks if self.blocks else 0.0

    @property
    def neg_share(self) -> float:
        return self.neg / self.n if self.n else 0.0

    @property
    def usual_neg_share(self) -> float | None:
        if self.usual is None or not self.usual:
            return None
        return (self.usual_neg or 0.0) / self.usual


class Counted(Protocol):
    """An hourly count row (a HourlyCount, or the plain CountRow storage returns)."""

    @property
    def bucket(self) -> dt.datetime: ...
    @property
    def key(self) -> str: ...
    @property
    def n(self) -> int: ...
    @property
    def neg(self) -> int: ...
    @property
    def pos(self) -> int: ...
    @property
    def reach(self) -> int: ...


def compare(
    rows: Iterable[Counted],
    *,
    start: dt.datetime,
    end: dt.datetime,
    shifts: Sequence[dt.timedelta] = WEEKS,
    history_from: dt.datetime | None = None,
    blocks: int = 7,
) -> dict[str, KeyWindow]:
    """Figures per key for [start, end) and the mean of [start-shift, end-shift) per shift.

    Only baseline periods that start after `history_from` (the first counted hour) count,
    so a young database does not read "no data yet" as "usually silent".
    """
    length = end - start
    covered = [s for s in shifts if history_from is None or start - s >= history_from]
    now_acc: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    base_acc: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    per_block: dict[str, list[int]] = defaultdict(lambda: [0] * blocks)
    for row in rows:
        if start <= row.bucket < end:
            acc = now_acc[row.key]
            acc[0] += row.n
            acc[1] += row.neg
            acc[2] += row.pos
            acc[3] += row.reach
            index = int((row.bucket - start) / length * blocks)
            per_block[row.key][min(index, blocks - 1)] += row.n
            continue
        for shift in covered:
            if start - shift <= row.bucket < end - shift:
                base_acc[row.key][0] += row.n
                base_acc[row.key][1] += row.neg
    out: dict[str, KeyWindow] = {}
    for key, (n, neg, pos, reach) in now_acc.items():
        usual = base_acc[key][0] / len(covered) if covered else None
        usual_neg = base_acc[key][1] / len(covered) if covered else None
        expected_block = (usual or 0.0) / blocks
        active = sum(1 for b in per_block[key] if b > 0 and b >= expected_block)
        out[key] = KeyWindow(key, n, neg, pos, reach, usual, usual_neg, active, blocks)
    return out


async def window_figures(
    *,
    session: AsyncSession,
    prefixes: Sequence[str],
    start: dt.datetime,
    end: dt.datetime,
    shifts: Sequence[dt.timedelta] = WEEKS,
    blocks: int = 7,
    history_from: dt.datetime | None = None,
) -> dict[str, KeyWindow]:
    """`compare` over the count rows of every key with one of the prefixes. The history
    begins at the first counted hour, or at `history_from` when that is later (story keys:
    mentions are grouped into stories only from when the topic job began)."""
    earliest = start - max(shifts, default=dt.timedelta(0))
    rows = await count_rows(session=session, prefixes=prefixes, since=earliest, until=end)
    first = await oldest_counted_hour(session=session)
    if history_from is not None and (first is None or history_from > first):
        first = history_from
    history_from = first
    return compare(
        rows, start=start, end=end, shifts=shifts, history_from=history_from, blocks=blocks
    )


def rising(
    figures: dict[str, KeyWindow], *, min_count: int = 5, min_ratio: float = 2.0
) -> list[KeyWindow]:
    """Keys clearly above their usual level, strongest first.

    A key without a baseline (no history covers the earlier periods) is not called rising:
    without history, "many" cannot be told from "more than usual".
    """
    out = [
        f
        for f in figures.values()
        if f.usual is not None and f.n >= min_count and f.ratio >= min_ratio
    ]
    return sorted(out, key=lambda f: (f.ratio, f.n), reverse=True)
