"""Queries behind briefs, trends and assessments: hourly counts in windows, and the mentions
that serve as evidence.

Window queries select by hour range first (the primary key of `hourly_count` starts with
the bucket), so their cost follows the window asked for, not the length of the history.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from sqlalchemy import and_, func, literal, or_, select, true
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from core.ingest_rows import TERM_SEP, count_keys
from core.models import HourlyCount, Mention
from core.models_drafts import Draft
from core.models_stories import MentionTopic
from core.storage.stories import topic_ids as story_topic_ids

VOICE_INTENTS = ("question", "complaint")


class Totals(NamedTuple):
    """One key's counts in a window and in the period before it (a tuple: a brief builds
    one per key, thousands of them)."""

    n: int = 0
    neg: int = 0
    neu: int = 0
    pos: int = 0
    reach: int = 0
    prev_n: int = 0
    prev_neg: int = 0
    prev_neu: int = 0
    prev_pos: int = 0


@dataclass(frozen=True)
class Hour:
    """One bucket of one key."""

    bucket: dt.datetime
    n: int
    neg: int
    neu: int
    pos: int
    reach: int


async def window_totals(
    *,
    session: AsyncSession,
    start: dt.datetime,
    mid: dt.datetime,
    end: dt.datetime,
    prefixes: Sequence[str] | None = None,
    keys: Sequence[str] = (),
) -> dict[str, Totals]:
    """Per key: sums over [mid, end) and over [start, mid), for keys with a prefix or named;
    every key when `prefixes` is None and no `keys` are named.

    Aggregated in the database by key and half: at most two rows per key come back, however
    many hours the window has.
    """
    hc = HourlyCount
    current = (col(hc.bucket) >= mid).label("current")
    stmt = select(
        col(hc.key),
        current,
        func.sum(col(hc.n)),
        func.sum(col(hc.neg)),
        func.sum(col(hc.neu)),
        func.sum(col(hc.pos)),
        func.sum(col(hc.reach)),
    ).where(col(hc.bucket) >= start, col(hc.bucket) < end)
    which = [col(hc.key).like(f"{p}%") for p in prefixes or ()]
    if keys:
        which.append(col(hc.key).in_(list(keys)))
    if which:
        stmt = stmt.where(or_(*which))
    elif prefixes is not None:
        return {}
    stmt = stmt.group_by(col(hc.key), current)
    acc: dict[str, list[int]] = {}
    for key, is_current, n, neg, neu, pos, reach in (await session.execute(stmt)).all():
        cell = acc.setdefault(str(key), [0] * 9)
        if is_current:
            cell[0:5] = [int(n or 0), int(neg or 0), int(neu or 0), int(pos or 0), int(reach or 0)]
        else:
            cell[5:9] = [int(n or 0), int(neg or 0), int(neu or 0), int(pos or 0)]
    return {key: Totals(*cell) for key, cell in acc.items()}


async def hours(
    *, session: AsyncSession, keys: Sequence[str], since: dt.datetime, until: dt.datetime
) -> dict[str, list[Hour]]:
    """The stored hours of each key in [since, until), oldest first (absent hours are 0)."""
    hc = HourlyCount
    stmt = (
        select(
            col(hc.key),
            col(hc.bucket),
            col(hc.n),
            col(hc.neg),
            col(hc.neu),
            col(hc.pos),
            col(hc.reach),
        )
        .where(col(hc.key).in_(list(keys)), col(hc.bucket) >= since, col(hc.bucket) < until)
        .order_by(col(hc.key), col(hc.bucket))
    )
    out: dict[str, list[Hour]] = {k: [] for k in keys}
    for key, bucket, n, neg, neu, pos, reach in (await session.execute(stmt)).all():
        out[key].append(Hour(bucket, n, neg, neu, pos, reach))
    return out


async def counts_by_key(
    *, session: AsyncSession, keys: Sequence[str], since: dt.datetime, until: dt.datetime
) -> dict[str, list[tuple[dt.datetime, int]]]:
    """(bucket, n) per key in [since, until): what the detector reads."""
    hc = HourlyCount
    stmt = select(col(hc.key), col(hc.bucket), col(hc.n)).where(
        col(hc.key).in_(list(keys)), col(hc.bucket) >= since, col(hc.bucket) < until
    )
    out: dict[str, list[tuple[dt.datetime, int]]] = {k: [] for k in keys}
    for key, bucket, n in (await session.execute(stmt)).all():
        out[key].append((bucket, int(n)))
    return out


async def active_keys(
    *,
    session: AsyncSession,
    prefixes: Sequence[str],
    since: dt.datetime,
    until: dt.datetime,
    min_count: int,
) -> dict[str, int]:
    """Keys with a prefix that counted at least `min_count` in [since, until), with the sum."""
    hc = HourlyCount
    total = func.sum(col(hc.n))
    stmt = (
        select(col(hc.key), total)
        .where(
            col(hc.bucket) >= since,
            col(hc.bucket) < until,
            or_(*(col(hc.key).like(f"{p}%") for p in prefixes)),
        )
        .group_by(col(hc.key))
        .having(total >= min_count)
    )
    return {str(k): int(v) for k, v in (await session.execute(stmt)).all()}


async def listening_since(*, session: AsyncSession) -> dt.datetime | None:
    """The oldest counted hour: when listening began (the start of every key's history)."""
    stmt = select(col(HourlyCount.bucket)).where(col(HourlyCount.key) == "all")
    stmt = stmt.order_by(col(HourlyCount.bucket)).limit(1)
    return (await session.execute(stmt)).scalar_one_or_none()


def _term_filter(term: str) -> Any:
    haystack = TERM_SEP + col(Mention.matched_terms) + TERM_SEP
    return haystack.contains(f"{TERM_SEP}{term}{TERM_SEP}", autoescape=True)


def _key_filter(key: str) -> object | None:
    """A WHERE clause for mentions counted under a `term:`, `tag:`, `src:`, `intent:` or
    `all` key (None: other kinds)."""
    kind, _, value = key.partition(":")
    if kind == "term":
        return _term_filter(value)
    if kind == "intent":
        intent, _, term = value.partition(TERM_SEP)
        if not intent:
            return None
        clause = col(Mention.intent) == intent
        return and_(clause, _term_filter(term)) if term else clause
    if kind == "tag":
        return (" " + col(Mention.hashtags) + " ").contains(f" {value} ", autoescape=True)
    if kind == "src":
        return col(Mention.source) == value
    if kind == "all":
        return true()
    return None


def _key_mentions(
    key: str, since: dt.datetime, until: dt.datetime, *, duplicates: bool = False
) -> Any:
    """The WHERE clauses of the mentions behind a count key in [since, until) (near-
    duplicates left out unless `duplicates`: the hourly counts include them); None for a key
    no mention can be found by."""
    where: list[Any] = [
        col(Mention.published_at) >= since,
        col(Mention.published_at) < until,
    ]
    if not duplicates:
        where.append(col(Mention.dup_of).is_(None))
    kind, _, value = key.partition(":")
    if kind == "topic":
        if not value.isdigit():
            return None
        # A story key counts every topic of the story (core.storage.stories).
        ids = select(col(MentionTopic.mention_id)).where(
            col(MentionTopic.topic_id).in_(story_topic_ids(int(value)).scalar_subquery()),
            col(MentionTopic.published_at) >= since,
            col(MentionTopic.published_at) < until,
        )
        return [*where, col(Mention.id).in_(ids)]
    clause = _key_filter(key)
    return None if clause is None else [*where, clause]


@dataclass(frozen=True)
class Brief:
    """What an event needs of one mention: who it is, what it wants, how it sounds."""

    id: int
    intent: str | None
    sentiment: str | None


async def mention_briefs(
    *, session: AsyncSession, key: str, since: dt.datetime, until: dt.datetime, limit: int = 2000
) -> list[Brief]:
    """Id, intent and sentiment of the mentions behind a count key in [since, until),
    near-duplicates left out, newest first (at most `limit`)."""
    where = _key_mentions(key, since, until)
    if where is None:
        return []
    stmt = (
        select(col(Mention.id), col(Mention.intent), col(Mention.sentiment))
        .where(*where)
        .order_by(col(Mention.published_at).desc(), col(Mention.id).desc())
        .limit(limit)
    )
    return [
        Brief(int(i), intent, sentiment)
        for i, intent, sentiment in (await session.execute(stmt)).all()
    ]


async def mentions_for_key(
    *,
    session: AsyncSession,
    key: str,
    since: dt.datetime,
    until: dt.datetime,
    limit: int = 3,
    newest: bool = False,
    duplicates: bool = False,
) -> list[Mention]:
    """Mentions behind a count key in [since, until), near-duplicates left out unless
    `duplicates` (then they are the very mentions the hourly counts of the key count).

    Widest reach first, or newest first with `newest` (which stops early on a long window).
    Topic keys (`topic:<id>`) read the topic assignments.
    """
    where = _key_mentions(key, since, until, duplicates=duplicates)
    if where is None:
        return []
    stmt = select(Mention).where(*where)
    if newest:
        stmt = stmt.order_by(col(Mention.published_at).desc(), col(Mention.id).desc())
    else:
        stmt = stmt.order_by(col(Mention.reach).desc(), col(Mention.id).desc())
    return list((await session.execute(stmt.limit(limit))).scalars().all())


def _in_window(since: dt.datetime, until: dt.datetime) -> list[Any]:
    return [
        col(Mention.published_at) >= since,
        col(Mention.published_at) < until,
        col(Mention.dup_of).is_(None),
    ]


async def _widest(
    session: AsyncSession, conditions: list[Any], limit: int, *, count: bool = False
) -> tuple[list[Mention], int]:
    """The mentions meeting `conditions`, widest reach first, and (with `count`) how many
    meet them (else 0).

    The ids (and the count) come from the covering index (published_at, reach, intent,
    dup_of) alone; only the picked rows are read, rather than sorting every row of the window.
    """
    total = func.count().over() if count else literal(0)
    picked = (
        select(col(Mention.id), total)
        .where(*conditions)
        .order_by(col(Mention.reach).desc(), col(Mention.id).desc())
        .limit(limit)
    )
    found = (await session.execute(picked)).all()
    if not found:
        return [], 0
    ids = [int(row[0]) for row in found]
    rows = (await session.execute(select(Mention).where(col(Mention.id).in_(ids)))).scalars()
    by_id = {m.id: m for m in rows.all()}
    return [by_id[i] for i in ids if i in by_id], int(found[0][1])


async def top_by_reach(
    *, session: AsyncSession, since: dt.datetime, until: dt.datetime, limit: int = 5
) -> list[Mention]:
    """The widest-reaching mentions in [since, until), near-duplicates left out."""
    return (await _widest(session, _in_window(since, until), limit))[0]


async def voices(
    *, session: AsyncSession, since: dt.datetime, until: dt.datetime, limit: int = 40
) -> tuple[list[Mention], int]:
    """Questions and complaints in [since, until), widest reach first, and how many in all."""
    conditions = [*_in_window(since, until), col(Mention.intent).in_(VOICE_INTENTS)]
    return await _widest(session, conditions, limit, count=True)


async def answered_voices(*, session: AsyncSession, since: dt.datetime, until: dt.datetime) -> int:
    """Questions and complaints in [since, until) with a reply draft that was not rejected.

    Starts from the drafts (few) written since the window began, not from the window's
    mentions (many): a draft is never older than the mention it answers.
    """
    drafted = select(col(Draft.mention_id)).where(
        col(Draft.state) != "rejected", col(Draft.created_at) >= since
    )
    stmt = select(func.count()).where(
        col(Mention.id).in_(drafted),
        col(Mention.published_at) >= since,
        col(Mention.published_at) < until,
        col(Mention.dup_of).is_(None),
        col(Mention.intent).in_(VOICE_INTENTS),
    )
    return int((await session.execute(stmt)).scalar_one() or 0)


async def hour_counts(
    *, session: AsyncSession, bucket: dt.datetime, prefixes: Sequence[str]
) -> dict[str, int]:
    """Each key's count in one hour, for keys with one of the prefixes."""
    hc = HourlyCount
    stmt = select(col(hc.key), col(hc.n)).where(
        col(hc.bucket) == bucket, or_(*(col(hc.key).like(f"{p}%") for p in prefixes))
    )
    return {str(k): int(n) for k, n in (await session.execute(stmt)).all()}


async def slice_counts(
    *, session: AsyncSession, since: dt.datetime, until: dt.datetime
) -> dict[str, int]:
    """Every count key's mentions published in [since, until) — a slice within one hour,
    counted as the pipeline counts (`count_keys`, near-duplicates included) plus the topic
    of each. Sliding windows take it off a partial hour of the hourly counts."""
    stmt = (
        select(
            col(Mention.source),
            col(Mention.matched_terms),
            col(Mention.hashtags),
            col(Mention.intent),
            col(MentionTopic.topic_id),
        )
        .outerjoin(MentionTopic, col(MentionTopic.mention_id) == col(Mention.id))
        .where(col(Mention.published_at) >= since, col(Mention.published_at) < until)
    )
    out: dict[str, int] = {}
    for source, terms, tags, intent, topic in (await session.execute(stmt)).all():
        row = {"source": source, "matched_terms": terms, "hashtags": tags, "intent": intent}
        keys = count_keys(row)
        if topic is not None:
            keys.append(f"topic:{topic}")
        for key in keys:
            out[key] = out.get(key, 0) + 1
    return out
