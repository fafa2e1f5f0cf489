"""Hourly counts per key, kept at ingest; what briefs and trend detection read."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

import numpy as np
from sqlalchemy import Table, select
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from core.models import HourlyCount
from core.storage.dialect import dialect, insert_for

_COLS = ("n", "neg", "neu", "pos", "reach")
# Index into a count cell [n, neg, neu, pos, reach] for each sentiment.
_SLOT = {"negative": 1, "neutral": 2, "positive": 3}
_COUNT_TABLE: Table = HourlyCount.__table__  # type: ignore[attr-defined]


def hour(value: dt.datetime) -> dt.datetime:
    return value.replace(minute=0, second=0, microsecond=0)


def tally(
    rows: Iterable[tuple[dt.datetime, Sequence[str], str | None, int]],
) -> dict[tuple[dt.datetime, str], dict[str, int]]:
    """(published_at, keys, sentiment, reach) per mention → increments per (hour, key)."""
    # Plain lists while counting (this runs for every key of every stored mention).
    acc: dict[tuple[dt.datetime, str], list[int]] = {}
    for published, keys, sentiment, reach in rows:
        bucket = hour(published)
        slot = _SLOT.get(sentiment or "")
        for key in keys:
            cell = acc.get((bucket, key))
            if cell is None:
                cell = acc[(bucket, key)] = [0, 0, 0, 0, 0]
            cell[0] += 1
            cell[4] += reach
            if slot:
                cell[slot] += 1
    return {k: dict(zip(_COLS, v, strict=True)) for k, v in acc.items()}


async def add_counts(
    *, session: AsyncSession, increments: dict[tuple[dt.datetime, str], dict[str, int]]
) -> None:
    """Add increments in one upsert (in the same transaction as the mentions they count)."""
    if not increments:
        return
    # In key order, so concurrent batches lock the same rows in the same order (PostgreSQL).
    ordered = sorted(increments)
    conn = await session.connection()
    if dialect(session) == "sqlite":
        # The driver's executemany with plain tuples: the per-row parameter handling of
        # SQLAlchemy would cost more than SQLite's own work here.
        kind = _COUNT_TABLE.c.bucket.type.dialect_impl(conn.dialect)
        stamp = kind.bind_processor(conn.dialect) or str  # exactly as SQLAlchemy stores it
        params = [(stamp(b), k, *(increments[(b, k)][c] for c in _COLS)) for b, k in ordered]
        await conn.exec_driver_sql(_SQLITE_UPSERT, params)
        return
    rows = [{"bucket": b, "key": k, **increments[(b, k)]} for b, k in ordered]
    table = _COUNT_TABLE
    stmt = insert_for(session, table)
    stmt = stmt.on_conflict_do_update(
        index_elements=["bucket", "key"],
        set_={c: table.c[c] + getattr(stmt.excluded, c) for c in _COLS},
    )
    for start in range(0, len(rows), 5000):
        await conn.execute(stmt, rows[start : start + 5000])


_SQLITE_UPSERT = (
    "INSERT INTO hourly_count (bucket, key, n, neg, neu, pos, reach) VALUES (?, ?, ?, ?, ?, ?, ?) "
    "ON CONFLICT (bucket, key) DO UPDATE SET "
    + ", ".join(f"{c} = {c} + excluded.{c}" for c in _COLS)
)


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


async def hourly_matrix(
    *, session: AsyncSession, keys: Sequence[str], since: dt.datetime, hours: int
) -> np.ndarray:
    """Counts of `keys` (rows, in order) for the `hours` hours from `since` (columns): what
    the event finder reads, hundreds of keys over weeks of hours in one query.

    The database numbers each hour and joins a key's hours into one text ("index n index n
    …"), which numpy reads in one go: at tens of thousands of hours, a row (and a datetime)
    per hour would cost more than the query itself.
    """
    out = np.zeros((len(keys), hours))
    if not keys or hours <= 0:
        return out
    row_of = {key: i for i, key in enumerate(keys)}
    until = since + dt.timedelta(hours=hours)
    conn = await session.connection()
    if dialect(session) == "sqlite":
        processor = _COUNT_TABLE.c.bucket.type.dialect_impl(conn.dialect).bind_processor(
            conn.dialect
        )
        stamp = processor or str
        marks = ",".join("?" for _ in keys)
        sql = (
            "SELECT key, group_concat("
            "CAST(ROUND((julianday(bucket) - julianday(?)) * 24) AS INTEGER) || ' ' || n, ' ') "
            f"FROM hourly_count WHERE bucket >= ? AND bucket < ? AND key IN ({marks}) "
            "GROUP BY key"
        )
        result = await conn.exec_driver_sql(sql, (stamp(since), stamp(since), stamp(until), *keys))
    else:
        sql = (
            "SELECT key, string_agg("
            "CAST(ROUND(EXTRACT(EPOCH FROM bucket - $1) / 3600) AS INTEGER) || ' ' || n, ' ') "
            "FROM hourly_count WHERE bucket >= $1 AND bucket < $2 AND key = ANY($3::text[]) "
            "GROUP BY key"
        )
        result = await conn.exec_driver_sql(sql, (since, until, list(keys)))
    rows: list[tuple[str, str]] = [(str(r[0]), str(r[1])) for r in result.all()]  # type: ignore[misc]
    for key, joined in rows:
        pairs = np.array(joined.split(), dtype=np.int64).reshape(-1, 2)
        inside = (pairs[:, 0] >= 0) & (pairs[:, 0] < hours)
        np.add.at(out[row_of[key]], pairs[inside, 0], pairs[inside, 1])
    return out
