"""Newest-first full-text search on SQLite that stays fast on millions of mentions.

FTS5 can hand out its matches in rowid order from the end and stop early, but it cannot
order by publication time; sorting every match of a common word by time costs ~0.5 s on a
million mentions. Mention ids grow with ingest time, which tracks publication time closely
(sources deliver newest items; imports are the exception). So:

1. take the K matches with the highest ids (cheap), filter and order them by time;
2. prove the page exact: a match missing from the candidates has a lower id than all of
   them. Any mention newer than the page's last row with such an id is a *suspect*; the
   published_at index lists them cheaply, and each is checked against the query in
   Python (the same tokenization rules). Usually there are none;
3. when there are too many suspects, or the candidates do not fill the page, fall back to
   the exact plain query. Results are always exactly what the plain query returns.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import text
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from core.models import Mention

CANDIDATES = 500
MAX_SUSPECTS = 5000
_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_TOKEN = re.compile(r'(-?)"([^"]*)"|(-?)(\S+)')
MAX_QUERY_TERMS = 12


def fts_fold(value: str) -> str:
    """Fold as FTS5's unicode61 tokenizer with remove_diacritics does: lower case, no marks."""
    decomposed = unicodedata.normalize("NFKD", value.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@dataclass(frozen=True)
class Phrase:
    """Words in sequence; the last one may be a prefix."""

    words: tuple[str, ...]
    prefix: bool


@dataclass(frozen=True)
class Query:
    positive: tuple[Phrase, ...]
    negative: tuple[Phrase, ...]

    def fts5(self) -> str:
        def one(p: Phrase) -> str:
            return '"' + " ".join(p.words) + '"' + ("*" if p.prefix else "")

        out = " AND ".join(one(p) for p in self.positive)
        for phrase in self.negative:
            out += f" NOT {one(phrase)}"
        return out

    def matches(self, value: str) -> bool:
        """Whether a text matches, by the rules FTS5 applies to this query."""
        tokens = _WORD.findall(fts_fold(value))
        return all(_has(tokens, p) for p in self.positive) and not any(
            _has(tokens, p) for p in self.negative
        )


def _has(tokens: Sequence[str], phrase: Phrase) -> bool:
    n = len(phrase.words)
    for start in range(len(tokens) - n + 1):
        window = tokens[start : start + n]
        if all(a == b for a, b in zip(window[:-1], phrase.words[:-1], strict=True)):
            last, want = window[-1], phrase.words[-1]
            if last == want or (phrase.prefix and last.startswith(want)):
                return True
    return False


def parse_query(query: str) -> Query | None:
    """User words → quoted prefix words, "exact phrases" and -excluded words; None if empty."""
    positive: list[Phrase] = []
    negative: list[Phrase] = []
    for neg1, phrase, neg2, word in _TOKEN.findall(query)[: MAX_QUERY_TERMS * 2]:
        words = tuple(_WORD.findall(fts_fold(phrase if phrase else word)))
        if not words:
            continue
        (negative if (neg1 or neg2) else positive).append(Phrase(words, prefix=not phrase))
    if not positive:
        return None
    return Query(tuple(positive[:MAX_QUERY_TERMS]), tuple(negative[:MAX_QUERY_TERMS]))


async def search(
    session: AsyncSession, query: Query, base: Any, *, limit: int, offset: int
) -> list[Mention]:
    """Rows [offset, offset+limit] (one extra, to tell whether more follow), newest first.

    `base` is a `select(Mention)` with every non-text filter applied.
    """
    need = offset + limit + 1
    order = (col(Mention.published_at).desc(), col(Mention.id).desc())
    fts = query.fts5()
    candidates = list(
        (
            await session.execute(
                text(
                    "SELECT rowid FROM mention_fts WHERE mention_fts MATCH :q "
                    "ORDER BY rowid DESC LIMIT :k"
                ).bindparams(q=fts, k=CANDIDATES)
            )
        )
        .scalars()
        .all()
    )
    if not candidates:
        return []
    stmt = base.where(col(Mention.id).in_(candidates)).order_by(*order).limit(need)
    rows = list((await session.execute(stmt)).scalars().all())
    if len(candidates) < CANDIDATES:
        return rows[offset:]  # every match was a candidate: exact
    if len(rows) < need:
        return await _plain(session, fts, base, limit=limit, offset=offset)
    boundary = rows[-1].published_at
    lowest = min(candidates)
    suspect_stmt = (
        select(col(Mention.id), col(Mention.title), col(Mention.text), col(Mention.author))
        # "id + 0" keeps SQLite from walking the primary key (nearly every row is below
        # `lowest`); the published_at index bounds the scan to rows newer than the page.
        .where(col(Mention.published_at) >= boundary, (col(Mention.id) + 0) < lowest)
        .limit(MAX_SUSPECTS + 1)
    )
    if base.whereclause is not None:  # the same filters as the page
        suspect_stmt = suspect_stmt.where(base.whereclause)
    suspects = (await session.execute(suspect_stmt)).all()
    if len(suspects) > MAX_SUSPECTS:
        return await _plain(session, fts, base, limit=limit, offset=offset)
    found = [
        sid
        for sid, title, body, author in suspects
        if query.matches(f"{title or ''} {body} {author or ''}")
    ]
    if found:
        extra = base.where(col(Mention.id).in_(found)).order_by(*order)
        rows += list((await session.execute(extra)).scalars().all())
        rows.sort(key=lambda m: (m.published_at, m.id), reverse=True)
    return rows[offset:need]


async def _plain(
    session: AsyncSession, fts: str, base: Any, *, limit: int, offset: int
) -> list[Mention]:
    ids = text("SELECT rowid FROM mention_fts WHERE mention_fts MATCH :q").bindparams(q=fts)
    stmt = (
        base.where(col(Mention.id).in_(ids))
        .order_by(col(Mention.published_at).desc(), col(Mention.id).desc())
        .offset(offset)
        .limit(limit + 1)
    )
    return list((await session.execute(stmt)).scalars().all())
