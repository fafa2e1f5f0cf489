"""Hourly counts per key, kept at ingest; what briefs and trend detection read."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence

from sqlalchemy import select
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from core.models import HourlyCount
from core.storage.dialect import insert_for

_SENT = {"negative": "neg", "neutral": "neu", "positive": "pos"}


def hour(value: dt.datetime) -> dt.datetime:
    return value.replace(minute=0, second=0, microsecond=0)


def tally(
    rows: Iterable[tuple[dt.datetime, Sequence[str], str | None, int]],
) -> dict[tuple[dt.datetime, str], dict[str, int]]:
    """(published_at, keys, sentiment, reach) per mention → increments per (hour, key)."""
    acc: dict[tuple[dt.datetime, str], dict[str, int]] = defaultdict(
        lambda: {"n": 0, "neg": 0, "neu": 0, "pos": 0, "reach": 0}
    )
    for published, keys, sentiment, reach in rows:
        bucket = hour(published)
        col = _SENT.get(sentiment or "")
        for key in keys:
            cell = acc[(bucket, key)]
            cell["n"] += 1
            cell["reach"] += reach
            if col:
                cell[col] += 1
    return acc


async def add_counts(
    *, session: AsyncSession, increments: dict[tuple[dt.datetime, str], dict[str, int]]
) -> None:
    """Add increments in one upsert (in the same transaction as the mentions they count)."""
    if not increments:
        return
    rows = [{"bucket": b, "key": k, **v} for (b, k), v in increments.items()]
    stmt = insert_for(session, HourlyCount)
    stmt = stmt.on_conflict_do_update(
        index_elements=["bucket", "key"],
        set_={c: getattr(HourlyCount, c) + getattr(stmt.excluded, c) for c in _COLS},
    )
    for start in range(0, len(rows), 1000):
        await session.execute(stmt, rows[start : start + 1000])


_COLS = ("n", "neg", "neu", "pos", "reach")


async def series(
    *,
    session: AsyncSession,
    keys: Sequence[str],
    since: dt.datetime,
    until: dt.datetime | None = None,
) -> list[HourlyCount]:
    """Count rows for keys within [since, until), ordered by key and hour."""
    stmt = select(HourlyCount).where(
        col(HourlyCount.key).in_(list(keys)),
        col(HourlyCount.bucket) >= since,
    )
    if until is not None:
        stmt = stmt.where(col(HourlyCount.bucket) < until)
    stmt = stmt.order_by(col(HourlyCount.key), col(HourlyCount.bucket))
    return list((await session.execute(stmt)).scalars().all())


async def keys_like(
    *, session: AsyncSession, prefix: str, since: dt.datetime, until: dt.datetime | None = None
) -> list[HourlyCount]:
    """Count rows of every key with a prefix (`term:`, `tag:`) within a window."""
    stmt = select(HourlyCount).where(
        col(HourlyCount.key).startswith(prefix),
        col(HourlyCount.bucket) >= since,
    )
    if until is not None:
        stmt = stmt.where(col(HourlyCount.bucket) < until)
    return list((await session.execute(stmt)).scalars().all())
