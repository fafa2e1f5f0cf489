"""Mentions: idempotent batch insert, full-text search, lookups."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Table, func, select, text, tuple_
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from core.models import Mention
from core.storage import search_sqlite
from core.storage.dialect import dialect, insert_for

_MENTION_TABLE: Table = Mention.__table__  # type: ignore[attr-defined]
# Values per IN (...) query: one query for a typical batch, far below both databases' limits.
IN_CHUNK = 1000
_WORD = re.compile(r"[\w]+", re.UNICODE)
_TOKEN = re.compile(r'(-?)"([^"]*)"|(-?)(\S+)')
MAX_QUERY_TERMS = 12


@dataclass(frozen=True)
class MentionFilter:
    """What `mentions` asks for; every field optional."""

    query: str | None = None
    since: dt.datetime | None = None
    until: dt.datetime | None = None
    source: str | None = None
    sentiment: str | None = None
    language: str | None = None
    term: str | None = None


async def existing_keys(
    *, session: AsyncSession, keys: Sequence[tuple[str, str]]
) -> set[tuple[str, str]]:
    """Which (source, external_id) pairs are stored already."""
    found: set[tuple[str, str]] = set()
    for start in range(0, len(keys), IN_CHUNK):
        chunk = list(keys[start : start + IN_CHUNK])
        stmt = select(col(Mention.source), col(Mention.external_id)).where(
            tuple_(Mention.source, Mention.external_id).in_(chunk)
        )
        found.update((s, e) for s, e in (await session.execute(stmt)).all())
    return found


async def insert_mentions(
    *, session: AsyncSession, rows: Sequence[dict[str, Any]]
) -> list[tuple[int, str, str]]:
    """Insert rows, skipping any (source, external_id) already stored.

    Returns (id, source, external_id) of the rows that were really inserted, so that a
    caller counts only those: a retry or a racing replica never counts a mention twice.
    """
    if not rows:
        return []
    # A Core statement on the session's connection: the ORM's bulk path would split the
    # batch into many small statements (a round trip to the driver thread each).
    table = _MENTION_TABLE
    stmt = (
        insert_for(session, table)
        .on_conflict_do_nothing(index_elements=["source", "external_id"])
        .returning(table.c.id, table.c.source, table.c.external_id)
    )
    conn = await session.connection()
    result = await conn.execute(stmt, list(rows))
    return [(r[0], r[1], r[2]) for r in result.all()]


async def recent_hashes(
    *, session: AsyncSession, hashes: Sequence[str], since: dt.datetime
) -> dict[str, int]:
    """The first stored mention id per content hash since a time (near-duplicate check)."""
    out: dict[str, int] = {}
    for start in range(0, len(hashes), IN_CHUNK):
        chunk = list(hashes[start : start + IN_CHUNK])
        stmt = (
            select(col(Mention.content_hash), func.min(col(Mention.id)))
            .where(col(Mention.content_hash).in_(chunk))
            .where(col(Mention.published_at) >= since)
            .where(col(Mention.dup_of).is_(None))
            .group_by(Mention.content_hash)
        )
        out.update({h: i for h, i in (await session.execute(stmt)).all()})
    return out


def fts_query_sqlite(query: str) -> str | None:
    """User words → a safe FTS5 query: quoted prefix terms, "phrases", -excluded words."""
    parsed = search_sqlite.parse_query(query)
    return parsed.fts5() if parsed else None


def fts_query_postgres(query: str) -> str | None:
    """User words → a safe to_tsquery('simple') expression with prefix matching."""
    positive: list[str] = []
    negative: list[str] = []
    for neg1, phrase, neg2, word in _TOKEN.findall(query)[: MAX_QUERY_TERMS * 2]:
        words = _WORD.findall((phrase or word).lower())
        if not words:
            continue
        term = " <-> ".join(words) if phrase else " & ".join(f"{w}:*" for w in words)
        (negative if (neg1 or neg2) else positive).append(f"({term})")
    if not positive:
        return None
    out = " & ".join(positive[:MAX_QUERY_TERMS])
    for term in negative[:MAX_QUERY_TERMS]:
        out += f" & !{term}"
    return out


async def search_mentions(
    *, session: AsyncSession, flt: MentionFilter, limit: int = 10, offset: int = 0
) -> tuple[list[Mention], bool]:
    """Newest first; returns the page and whether more follow."""
    stmt = select(Mention)
    if flt.since is not None:
        stmt = stmt.where(col(Mention.published_at) >= flt.since)
    if flt.until is not None:
        stmt = stmt.where(col(Mention.published_at) < flt.until)
    if flt.source:
        stmt = stmt.where(col(Mention.source) == flt.source)
    if flt.sentiment:
        stmt = stmt.where(col(Mention.sentiment) == flt.sentiment)
    if flt.language:
        stmt = stmt.where(col(Mention.language) == flt.language)
    if flt.term:
        stmt = stmt.where(("|" + col(Mention.matched_terms) + "|").contains(f"|{flt.term}|"))
    if flt.query and dialect(session) != "postgresql":
        parsed = search_sqlite.parse_query(flt.query)
        if parsed is None:
            return [], False
        rows = await search_sqlite.search(session, parsed, stmt, limit=limit, offset=offset)
        return rows[:limit], len(rows) > limit
    if flt.query:
        q = fts_query_postgres(flt.query)
        if q is None:
            return [], False
        stmt = stmt.where(text("mention.search @@ to_tsquery('simple', :q)").bindparams(q=q))
    stmt = stmt.order_by(col(Mention.published_at).desc(), col(Mention.id).desc())
    stmt = stmt.offset(offset).limit(limit + 1)
    rows = list((await session.execute(stmt)).scalars().all())
    return rows[:limit], len(rows) > limit


async def get_mention(*, session: AsyncSession, ref: str) -> Mention | None:
    """A mention by its id, or by its URL."""
    ref = ref.strip().strip("<>")
    if ref.isdigit():
        return await session.get(Mention, int(ref))
    stmt = select(Mention).where(col(Mention.url) == ref).limit(1)
    return (await session.execute(stmt)).scalars().first()


async def count_mentions(*, session: AsyncSession) -> int:
    return int((await session.execute(select(func.count()).select_from(Mention))).scalar_one())
