"""The evidence behind backlog suggestions and standups: mentions by id and hourly counts
as plain rows (keyword-only queries that take the session). The mentions behind a count key
are core.storage.windows.mentions_for_key, the one evidence query.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import NamedTuple

from sqlalchemy import func, or_, select
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from core.models import HourlyCount, Mention


class CountRow(NamedTuple):
    bucket: dt.datetime
    key: str
    n: int
    neg: int
    pos: int
    reach: int


async def count_rows(
    *, session: AsyncSession, prefixes: Sequence[str], since: dt.datetime, until: dt.datetime
) -> list[CountRow]:
    """Hourly counts of every key with one of the prefixes in [since, until), as plain rows
    (tens of thousands of them: ORM objects would cost more than the query)."""
    cols = (col(getattr(HourlyCount, f)) for f in CountRow._fields)
    stmt = select(*cols).where(
        or_(*(col(HourlyCount.key).startswith(p) for p in prefixes)),
        col(HourlyCount.bucket) >= since,
        col(HourlyCount.bucket) < until,
    )
    return [CountRow(*row) for row in (await session.execute(stmt)).all()]


async def mentions_by_ids(*, session: AsyncSession, ids: Sequence[int]) -> list[Mention]:
    if not ids:
        return []
    stmt = select(Mention).where(col(Mention.id).in_(list(ids)))
    by_id = {m.id: m for m in (await session.execute(stmt)).scalars().all()}
    return [by_id[i] for i in ids if i in by_id]


async def oldest_counted_hour(*, session: AsyncSession) -> dt.datetime | None:
    """The oldest hour with a count under any key: how far back a baseline can look
    (compare core.storage.windows.listening_since, the oldest hour of the `all` key)."""
    return (await session.execute(select(func.min(col(HourlyCount.bucket))))).scalar_one_or_none()
