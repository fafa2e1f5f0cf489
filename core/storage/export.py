"""Reading a whole result set for an export, streamed in chunks (never all rows at once):
the mentions a `mentions` search finds, newest first, and the backlog's items."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from typing import Any

from sqlalchemy import Select, select, text
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from core.models import Mention
from core.models_backlog import BacklogItem
from core.storage import search_sqlite
from core.storage.dialect import dialect
from core.storage.mentions import MentionFilter, filtered, fts_query_postgres, symbols_of

CHUNK = 1000
# What an export carries of a mention: the importer's fields first (integrations/sources/
# files.py reads them by these names), then what the bot found out (the importer skips it).
MENTION_COLUMNS = (
    col(Mention.external_id),
    col(Mention.published_at),
    col(Mention.text),
    col(Mention.url),
    col(Mention.author),
    col(Mention.author_handle),
    col(Mention.title),
    col(Mention.language),
    col(Mention.likes),
    col(Mention.reposts),
    col(Mention.replies),
    col(Mention.reach),
    col(Mention.reply_to),
    col(Mention.thread_id),
    col(Mention.source),
    col(Mention.sentiment),
    col(Mention.intent),
)


def mention_statement(session: AsyncSession, flt: MentionFilter) -> Select[*tuple[Any, ...]] | None:
    """The search of `mentions` as one statement over every match, newest first; None when
    the query has no word to search for."""
    query, symbols = symbols_of(flt.query or "")
    stmt = filtered(select(*MENTION_COLUMNS), flt, symbols)
    if query and dialect(session) != "postgresql":
        parsed = search_sqlite.parse_query(query)
        if parsed is None:
            return None
        matches = text("SELECT rowid FROM mention_fts WHERE mention_fts MATCH :q").bindparams(
            q=parsed.fts5()
        )
        stmt = stmt.where(col(Mention.id).in_(matches))
    elif query:
        q = fts_query_postgres(query)
        if q is None:
            return None
        stmt = stmt.where(text("mention.search @@ to_tsquery('simple', :q)").bindparams(q=q))
    elif flt.query and not symbols:
        return None  # only punctuation: nothing to look for, as in search_mentions
    return stmt.order_by(col(Mention.published_at).desc(), col(Mention.id).desc())


async def stream_rows(
    *, session: AsyncSession, stmt: Select[*tuple[Any, ...]], limit: int, chunk: int = CHUNK
) -> AsyncIterator[Sequence[Any]]:
    """The statement's rows (at most `limit`), `chunk` at a time, from a server-side cursor."""
    result = await session.stream(stmt.limit(limit).execution_options(yield_per=chunk))
    async for rows in result.partitions(chunk):
        yield rows


def backlog_statement(*, states: Sequence[str], owner: str | None) -> Select[*tuple[Any, ...]]:
    """The backlog's items in `states` (and of `owner`), highest ICE score first."""
    from sqlalchemy import func

    stmt = select(BacklogItem).where(col(BacklogItem.state).in_(list(states)))
    if owner is not None:
        stmt = stmt.where(func.lower(col(BacklogItem.owner)) == owner.lower())
    return stmt.order_by(col(BacklogItem.score).desc(), col(BacklogItem.id))
