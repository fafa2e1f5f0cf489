"""Mentions: idempotent batch insert, full-text search, lookups."""

from __future__ import annotations

import datetime as dt
import functools
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import Select, Table, func, or_, select, text, tuple_
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from core.models import Mention
from core.storage import search_sqlite
from core.storage.dialect import dialect, insert_for

_MENTION_TABLE: Table = Mention.__table__  # type: ignore[attr-defined]
# Values per IN (...) query: one query for a typical batch, far below both databases' limits.
IN_CHUNK = 1000
# Rows per INSERT statement on SQLite, largest first (25 columns × 500 stays far below
# SQLite's 32,766 bound parameters).
_INSERT_SIZES = (500, 50, 5, 1)
# Lengths of IN (...) lists (see `padded`); IN_CHUNK is the largest.
_IN_SIZES = (8, 64, 256, IN_CHUNK)
_WORD = re.compile(r"[\w]+", re.UNICODE)
_TOKEN = re.compile(r'(-?)"([^"]*)"|(-?)(\S+)')
MAX_QUERY_TERMS = 12
# Symbols (emoji, ©, €, ≠) that the full-text indexes drop: searched in the text as they are.
_SYMBOL_CATEGORIES = frozenset({"So", "Sm", "Sc"})


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
    intent: str | None = None


async def existing_keys(
    *, session: AsyncSession, keys: Sequence[tuple[str, str]]
) -> set[tuple[str, str]]:
    """Which (source, external_id) pairs are stored already."""
    found: set[tuple[str, str]] = set()
    for start in range(0, len(keys), IN_CHUNK):
        chunk = padded(list(keys[start : start + IN_CHUNK]))
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
    conn = await session.connection()
    if dialect(session) == "sqlite":
        return await _insert_sqlite(conn, rows)
    # A Core statement on the session's connection: the ORM's bulk path would split the
    # batch into many small statements (a round trip to the driver thread each).
    table = _MENTION_TABLE
    stmt = (
        insert_for(session, table)
        .on_conflict_do_nothing(index_elements=["source", "external_id"])
        .returning(table.c.id, table.c.source, table.c.external_id)
    )
    out: list[tuple[int, str, str]] = []
    start = 0
    while start < len(rows):  # fixed sizes, so prepared statements stay few (see below)
        size = next(n for n in _INSERT_SIZES if n <= len(rows) - start)
        result = await conn.execute(stmt, list(rows[start : start + size]))
        out += [(r[0], r[1], r[2]) for r in result.all()]
        start += size
    return out


async def _insert_sqlite(
    conn: AsyncConnection, rows: Sequence[dict[str, Any]]
) -> list[tuple[int, str, str]]:
    """Multi-row INSERT … RETURNING with the driver's own parameters: SQLAlchemy's per-row
    parameter handling would cost more than SQLite's work. Values are converted exactly as
    SQLAlchemy stores them (its bind processors for times and booleans).

    Statements come in a few fixed sizes only: the driver keeps every distinct statement
    prepared (about 2 MB for a 1,000-row one), so a size per batch length would grow the
    process by hundreds of MB over a long import."""
    columns = [c for c in _MENTION_TABLE.columns if c.name != "id"]
    convert = [c.type.dialect_impl(conn.dialect).bind_processor(conn.dialect) for c in columns]
    names = tuple(c.name for c in columns)
    out: list[tuple[int, str, str]] = []
    start = 0
    while start < len(rows):
        size = next(n for n in _INSERT_SIZES if n <= len(rows) - start)
        params: list[Any] = []
        for row in rows[start : start + size]:
            for name, fn in zip(names, convert, strict=True):
                value = row.get(name)
                params.append(fn(value) if fn is not None and value is not None else value)
        result: Any = await conn.exec_driver_sql(_insert_sql(names, size), tuple(params))
        out += [(int(r[0]), str(r[1]), str(r[2])) for r in result.all()]
        start += size
    return out


@functools.cache
def _insert_sql(names: tuple[str, ...], size: int) -> str:
    one = "(" + ", ".join("?" * len(names)) + ")"
    return (
        f"INSERT INTO mention ({', '.join(names)}) VALUES {', '.join([one] * size)} "
        "ON CONFLICT (source, external_id) DO NOTHING RETURNING id, source, external_id"
    )


def padded(values: list[Any]) -> list[Any]:
    """A list for `IN (...)`, its length rounded up to one of a few sizes by repeating its
    last value (which changes no result): the driver keeps one prepared statement per
    distinct length, and a length per batch would pile them up."""
    size = next((n for n in _IN_SIZES if n >= len(values)), len(values))
    return values + values[-1:] * (size - len(values))


async def originals_near(
    *, session: AsyncSession, hashes: Sequence[str], since: dt.datetime, until: dt.datetime
) -> dict[str, list[tuple[dt.datetime, int]]]:
    """Stored originals (not reposts) per content hash published in [since, until], as
    (published_at, id) pairs oldest first: the candidates a near-duplicate may point at."""
    out: dict[str, list[tuple[dt.datetime, int]]] = {}
    for start in range(0, len(hashes), IN_CHUNK):
        chunk = padded(list(hashes[start : start + IN_CHUNK]))
        stmt = (
            select(col(Mention.content_hash), col(Mention.published_at), col(Mention.id))
            .where(col(Mention.content_hash).in_(chunk))
            .where(col(Mention.published_at) >= since)
            .where(col(Mention.published_at) <= until)
            .where(col(Mention.dup_of).is_(None))
            .order_by(col(Mention.published_at), col(Mention.id))
        )
        for digest, published, mention_id in (await session.execute(stmt)).all():
            out.setdefault(digest, []).append((published, mention_id))
    return out


@dataclass(frozen=True)
class Analysis:
    """What the models said about a stored mention."""

    language: str | None
    sentiment: str | None
    sentiment_score: float | None
    intent: str | None


async def analyses(*, session: AsyncSession, ids: Sequence[int]) -> dict[int, Analysis]:
    """Language, sentiment and intent of stored mentions (a repost reuses its original's)."""
    out: dict[int, Analysis] = {}
    for start in range(0, len(ids), IN_CHUNK):
        chunk = padded(list(ids[start : start + IN_CHUNK]))
        stmt = select(
            col(Mention.id),
            col(Mention.language),
            col(Mention.sentiment),
            col(Mention.sentiment_score),
            col(Mention.intent),
        ).where(col(Mention.id).in_(chunk))
        for ident, lang, label, score, intent in (await session.execute(stmt)).all():
            out[int(ident)] = Analysis(lang, label, score, intent)
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


def symbols_of(query: str) -> tuple[str, list[str]]:
    """The query's words, and its symbols (emoji and the like) that full-text search cannot
    index: `Lieferung 😞` → ("Lieferung", ["😞"])."""
    symbols: list[str] = []
    words: list[str] = []
    for ch in query:
        if unicodedata.category(ch) in _SYMBOL_CATEGORIES:
            if ch not in symbols:
                symbols.append(ch)
            words.append(" ")
        else:
            words.append(ch)
    return " ".join("".join(words).split()), symbols[:MAX_QUERY_TERMS]


# Any select statement over mentions, whatever its columns.
_Stmt = TypeVar("_Stmt", bound="Select[*tuple[Any, ...]]")


def filtered(stmt: _Stmt, flt: MentionFilter, symbols: Sequence[str] = ()) -> _Stmt:
    """`stmt` restricted by every part of the filter except its search words; `symbols`
    (emoji and the like, see symbols_of) are matched in the text as they are."""
    for symbol in symbols:
        pattern = f"%{symbol}%"
        stmt = stmt.where(or_(col(Mention.text).like(pattern), col(Mention.title).like(pattern)))
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
    if flt.intent:
        stmt = stmt.where(col(Mention.intent) == flt.intent)
    if flt.term:
        stmt = stmt.where(("|" + col(Mention.matched_terms) + "|").contains(f"|{flt.term}|"))
    return stmt


async def search_mentions(
    *, session: AsyncSession, flt: MentionFilter, limit: int = 10, offset: int = 0
) -> tuple[list[Mention], bool]:
    """Newest first; returns the page and whether more follow. Symbols in the query (emoji)
    are matched in the text as they are; the words through full-text search."""
    query, symbols = symbols_of(flt.query or "")
    stmt = filtered(select(Mention), flt, symbols)
    if query and dialect(session) != "postgresql":
        parsed = search_sqlite.parse_query(query)
        if parsed is None:
            return [], False
        rows = await search_sqlite.search(session, parsed, stmt, limit=limit, offset=offset)
        return rows[:limit], len(rows) > limit
    if query:
        q = fts_query_postgres(query)
        if q is None:
            return [], False
        stmt = stmt.where(text("mention.search @@ to_tsquery('simple', :q)").bindparams(q=q))
    elif flt.query and not symbols:
        return [], False  # only punctuation: nothing to look for
    stmt = stmt.order_by(col(Mention.published_at).desc(), col(Mention.id).desc())
    stmt = stmt.offset(offset).limit(limit + 1)
    rows = list((await session.execute(stmt)).scalars().all())
    return rows[:limit], len(rows) > limit


async def count_matching(*, session: AsyncSession, flt: MentionFilter) -> int:
    """How many mentions the filter finds in all (the total above a page of results)."""
    query, symbols = symbols_of(flt.query or "")
    stmt = filtered(select(Mention), flt, symbols)
    if query and dialect(session) != "postgresql":
        fts = fts_query_sqlite(query)
        if fts is None:
            return 0
        ids = text("SELECT rowid FROM mention_fts WHERE mention_fts MATCH :q").bindparams(q=fts)
        stmt = stmt.where(col(Mention.id).in_(ids))
    elif query:
        q = fts_query_postgres(query)
        if q is None:
            return 0
        stmt = stmt.where(text("mention.search @@ to_tsquery('simple', :q)").bindparams(q=q))
    elif flt.query and not symbols:
        return 0
    counted = select(func.count()).select_from(stmt.subquery())
    return int((await session.execute(counted)).scalar_one())


async def get_mention(*, session: AsyncSession, ref: str) -> Mention | None:
    """A mention by its id, or by its URL."""
    ref = ref.strip().strip("<>")
    if ref.isascii() and ref.isdigit() and len(ref) <= 9:  # not "²", nor past INTEGER
        return await session.get(Mention, int(ref))
    stmt = select(Mention).where(col(Mention.url) == ref).limit(1)
    return (await session.execute(stmt)).scalars().first()


async def count_mentions(*, session: AsyncSession) -> int:
    return int((await session.execute(select(func.count()).select_from(Mention))).scalar_one())
