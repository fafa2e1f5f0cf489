"""Stories as readers see them: their figures in a window, their names, their mentions.

A story is the set of topics pointing to one root topic (`Topic.story_id`, None on the
root itself); its count key is `topic:<root>`.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select, func, select
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from core.ingest_rows import TERM_SEP
from core.models import HourlyCount, Mention
from core.models_stories import MentionTopic, Topic


def story_of() -> ColumnElement[int]:
    """The story (root topic id) of a topic row, as an SQL expression."""
    return func.coalesce(col(Topic.story_id), col(Topic.id))


# Any select statement, whatever its columns.
_Stmt = TypeVar("_Stmt", bound="Select[*tuple[Any, ...]]")


def topic_ids(root: int) -> Select[Any]:
    """The ids of every topic of the story rooted at `root`, as a subquery."""
    return select(col(Topic.id)).where((col(Topic.id) == root) | (col(Topic.story_id) == root))


@dataclass
class Figures:
    """One story's mentions in a window: how many, their sentiment, intents and sources."""

    root: int
    n: int = 0
    neg: int = 0
    pos: int = 0
    reach: int = 0
    intents: Counter[str] = field(default_factory=Counter)
    sources: Counter[str] = field(default_factory=Counter)
    languages: Counter[str] = field(default_factory=Counter)
    # (intent, source, source type) → mentions: where each kind of voice was raised
    places: Counter[tuple[str, str, str]] = field(default_factory=Counter)


def _in_stories(
    stmt: _Stmt,
    since: dt.datetime,
    until: dt.datetime,
    *clauses: ColumnElement[bool],
    mentions: bool = True,
) -> _Stmt:
    """`stmt` over the topic assignments in [since, until), joined with their topics (and,
    with `mentions`, their mentions), restricted by `clauses`."""
    stmt = stmt.select_from(MentionTopic).join(Topic, col(Topic.id) == col(MentionTopic.topic_id))
    if mentions:
        stmt = stmt.join(Mention, col(Mention.id) == col(MentionTopic.mention_id))
    return stmt.where(
        col(MentionTopic.published_at) >= since, col(MentionTopic.published_at) < until, *clauses
    )


async def figures(
    *, session: AsyncSession, since: dt.datetime, until: dt.datetime
) -> dict[int, Figures]:
    """Every story with mentions in [since, until): its figures, by root id."""
    keys = (
        story_of(),
        col(Mention.intent),
        col(Mention.sentiment),
        col(Mention.source),
        col(Mention.source_type),
        col(Mention.language),
    )
    stmt = _in_stories(
        select(*keys, func.count(), func.coalesce(func.sum(col(Mention.reach)), 0)), since, until
    ).group_by(*keys)
    out: dict[int, Figures] = {}
    rows = (await session.execute(stmt)).all()
    for story, intent, sentiment, source, kind, lang, n, reach in rows:
        fig = out.setdefault(int(story), Figures(int(story)))
        fig.n += int(n)
        fig.reach += int(reach)
        fig.neg += int(n) if sentiment == "negative" else 0
        fig.pos += int(n) if sentiment == "positive" else 0
        fig.intents[intent or "other"] += int(n)
        fig.sources[source] += int(n)
        fig.languages[(lang or "und").split("-")[0]] += int(n)
        fig.places[(intent or "other", source, kind or "")] += int(n)
    return out


async def sizes(*, session: AsyncSession, since: dt.datetime, until: dt.datetime) -> dict[int, int]:
    """Mentions per story in [since, until) (the period before, for a comparison)."""
    root = story_of()
    stmt = _in_stories(select(root, func.count()), since, until, mentions=False).group_by(root)
    return {int(r): int(n) for r, n in (await session.execute(stmt)).all()}


async def roots(*, session: AsyncSession, ids: Iterable[int]) -> dict[int, Topic]:
    """Each asked topic id → its story's root topic (itself when it is a root)."""
    wanted = sorted({int(i) for i in ids})
    if not wanted:
        return {}
    asked = (await session.execute(select(Topic).where(col(Topic.id).in_(wanted)))).scalars().all()
    root_ids = {t.story_id for t in asked if t.story_id is not None}
    by_id = {t.id: t for t in asked}
    missing = sorted(i for i in root_ids if i not in by_id)
    if missing:
        more = await session.execute(select(Topic).where(col(Topic.id).in_(missing)))
        by_id.update({t.id: t for t in more.scalars().all()})
    out: dict[int, Topic] = {}
    for topic in asked:
        assert topic.id is not None
        root = by_id.get(topic.story_id) if topic.story_id is not None else topic
        if root is not None:
            out[topic.id] = root
    return out


async def candidates(
    *,
    session: AsyncSession,
    root: int,
    since: dt.datetime,
    until: dt.datetime,
    language: str | None = None,
    intent: str | None = None,
    limit: int = 60,
) -> list[Mention]:
    """A story's mentions in a window, originals before reposts and copies, widest reach
    first, optionally of one language and intent: where a representative is chosen."""
    stmt = _members(
        select(Mention), root, since, until, intent=intent, limit=limit, language=language
    )
    return list((await session.execute(stmt)).scalars().all())


async def member_ids(
    *,
    session: AsyncSession,
    root: int,
    since: dt.datetime,
    until: dt.datetime,
    intent: str | None = None,
    limit: int = 10,
) -> list[int]:
    """Ids of a story's mentions in a window, originals first, widest reach first (the
    evidence to keep)."""
    stmt = _members(select(col(Mention.id)), root, since, until, intent=intent, limit=limit)
    return [int(i) for i in (await session.execute(stmt)).scalars().all()]


def _members(
    stmt: Select[Any],
    root: int,
    since: dt.datetime,
    until: dt.datetime,
    *,
    intent: str | None,
    limit: int,
    language: str | None = None,
) -> Select[Any]:
    """`stmt` over a story's mentions in [since, until), optionally of one intent and
    language: originals
    before reposts and copies, widest reach first, at most `limit`."""
    stmt = stmt.join(MentionTopic, col(MentionTopic.mention_id) == col(Mention.id)).where(
        col(MentionTopic.topic_id).in_(topic_ids(root).scalar_subquery()),
        col(MentionTopic.published_at) >= since,
        col(MentionTopic.published_at) < until,
    )
    if language:
        stmt = stmt.where(col(Mention.language) == language)
    if intent:
        stmt = stmt.where(col(Mention.intent) == intent)
    copy = col(Mention.dup_of).is_not(None)
    return stmt.order_by(copy, col(Mention.reach).desc(), col(Mention.id).desc()).limit(limit)


async def entities(
    *, session: AsyncSession, since: dt.datetime, until: dt.datetime
) -> dict[int, Counter[str]]:
    """Per story, how many of its mentions in [since, until) name each watched entity
    (canonical names): whose story it is, ours or a competitor's."""
    root = story_of()
    stmt = _in_stories(select(root, col(Mention.matched_terms)), since, until)
    out: dict[int, Counter[str]] = {}
    for story, terms in (await session.execute(stmt)).all():
        names = out.setdefault(int(story), Counter())
        names.update(set(t for t in (terms or "").split(TERM_SEP) if t))
    return out


async def stories_of_key(
    *, session: AsyncSession, key: str, since: dt.datetime, until: dt.datetime
) -> Counter[int]:
    """How the mentions behind a `term:` or `tag:` count key in a window fall into stories
    (a rising word is often one story seen from outside)."""
    kind, _, value = key.partition(":")
    if kind == "term":
        haystack = TERM_SEP + col(Mention.matched_terms) + TERM_SEP
        clause = haystack.contains(f"{TERM_SEP}{value}{TERM_SEP}", autoescape=True)
    elif kind == "tag":
        clause = (" " + col(Mention.hashtags) + " ").contains(f" {value} ", autoescape=True)
    else:
        return Counter()
    root = story_of()
    stmt = _in_stories(select(root, func.count()), since, until, clause).group_by(root)
    return Counter({int(r): int(n) for r, n in (await session.execute(stmt)).all()})


async def first_counted(*, session: AsyncSession) -> dt.datetime | None:
    """The oldest hour with a story count: where the history of stories begins."""
    stmt = select(func.min(col(HourlyCount.bucket))).where(
        col(HourlyCount.key).startswith("topic:")
    )
    return (await session.execute(stmt)).scalar_one_or_none()
