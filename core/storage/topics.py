"""Topics, stories and the topic of each mention: what the topic job reads and writes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import delete, func, select, update
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from core.models import HourlyCount, Mention
from core.models_stories import MentionTopic, Topic
from core.storage.counts import add_counts, tally
from core.storage.dialect import insert_for, rowcount


@dataclass(frozen=True)
class Fresh:
    """A mention the topic job has not seen yet."""

    id: int
    text: str
    published_at: dt.datetime
    sentiment: str | None
    reach: int
    dup_of: int | None
    language: str | None = None
    hashtags: tuple[str, ...] = ()


@dataclass(frozen=True)
class Pooled:
    """A recent mention in no topic yet, with its embedding: it may still seed one."""

    id: int
    text: str
    published_at: dt.datetime
    sentiment: str | None
    reach: int
    embedding: bytes
    language: str | None = None
    hashtags: tuple[str, ...] = ()


async def watermark(*, session: AsyncSession) -> int:
    """The highest mention id the job has seen (0 before the first run)."""
    value = (await session.execute(select(func.max(col(MentionTopic.mention_id))))).scalar()
    return int(value or 0)


async def fresh_mentions(*, session: AsyncSession, after: int, limit: int) -> list[Fresh]:
    """Mentions stored after the watermark, oldest id first."""
    stmt = (
        select(
            col(Mention.id),
            col(Mention.title),
            col(Mention.text),
            col(Mention.published_at),
            col(Mention.sentiment),
            col(Mention.reach),
            col(Mention.dup_of),
            col(Mention.language),
            col(Mention.hashtags),
        )
        .where(col(Mention.id) > after)
        .order_by(col(Mention.id))
        .limit(limit)
    )
    out = []
    for mid, title, text, published, sentiment, reach, dup_of, lang, tags in (
        await session.execute(stmt)
    ).all():
        out.append(
            Fresh(
                int(mid),
                body_of(title, text),
                published,
                sentiment,
                int(reach or 0),
                dup_of,
                lang,
                tuple((tags or "").split()),
            )
        )
    return out


def body_of(title: str | None, text: str) -> str:
    """A mention as the topic job reads it: the title first, when the text lacks it."""
    return f"{title}. {text}" if title and title not in text else text


async def topics_of(*, session: AsyncSession, mention_ids: Sequence[int]) -> dict[int, int]:
    """mention id → topic id, for those of the mentions that have a topic."""
    if not mention_ids:
        return {}
    stmt = select(col(MentionTopic.mention_id), col(MentionTopic.topic_id)).where(
        col(MentionTopic.mention_id).in_(list(mention_ids)), col(MentionTopic.topic_id).is_not(None)
    )
    return {int(m): int(t) for m, t in (await session.execute(stmt)).all()}


async def active_topics(*, session: AsyncSession, since: dt.datetime) -> list[Topic]:
    stmt = select(Topic).where(col(Topic.last_seen_at) >= since).order_by(col(Topic.id))
    return list((await session.execute(stmt)).scalars().all())


async def pool(
    *, session: AsyncSession, since: dt.datetime, until: dt.datetime | None = None, limit: int
) -> list[Pooled]:
    """Ungrouped mentions published in [since, until] that still have their embedding,
    newest first."""
    stmt = (
        select(
            col(MentionTopic.mention_id),
            col(Mention.title),
            col(Mention.text),
            col(MentionTopic.published_at),
            col(Mention.sentiment),
            col(Mention.reach),
            col(MentionTopic.embedding),
            col(Mention.language),
            col(Mention.hashtags),
        )
        .join(Mention, col(Mention.id) == col(MentionTopic.mention_id))
        .where(
            col(MentionTopic.topic_id).is_(None),
            col(MentionTopic.embedding).is_not(None),
            col(MentionTopic.published_at) >= since,
        )
        .order_by(col(MentionTopic.published_at).desc())
        .limit(limit)
    )
    if until is not None:
        stmt = stmt.where(col(MentionTopic.published_at) <= until)
    out = []
    for mid, title, text, published, sentiment, reach, blob, lang, tags in (
        await session.execute(stmt)
    ).all():
        out.append(
            Pooled(
                int(mid),
                body_of(title, text),
                published,
                sentiment,
                int(reach or 0),
                bytes(blob),
                lang,
                tuple((tags or "").split()),
            )
        )
    return out


async def add_topic(*, session: AsyncSession, topic: Topic) -> int:
    session.add(topic)
    await session.flush()
    assert topic.id is not None
    return topic.id


async def insert_assignments(
    *, session: AsyncSession, rows: Sequence[dict[str, object]]
) -> set[int]:
    """Store mention → topic rows; returns the mention ids really inserted (not seen before)."""
    if not rows:
        return set()
    stmt = (
        insert_for(session, MentionTopic)
        .on_conflict_do_nothing(index_elements=["mention_id"])
        .returning(col(MentionTopic.mention_id))
    )
    return {int(r[0]) for r in (await session.execute(stmt, list(rows))).all()}


async def group_pooled(
    *, session: AsyncSession, mention_ids: Sequence[int], topic_id: int
) -> set[int]:
    """Put pooled mentions into a topic (only those still ungrouped); returns their ids."""
    stmt = (
        update(MentionTopic)
        .where(
            col(MentionTopic.mention_id).in_(list(mention_ids)),
            col(MentionTopic.topic_id).is_(None),
        )
        .values(topic_id=topic_id, embedding=None)
        .returning(col(MentionTopic.mention_id))
    )
    return {int(r[0]) for r in (await session.execute(stmt)).all()}


async def drop_old_embeddings(*, session: AsyncSession, before: dt.datetime) -> int:
    """Forget the embeddings of ungrouped mentions too old to seed a topic."""
    stmt = (
        update(MentionTopic)
        .where(
            col(MentionTopic.topic_id).is_(None),
            col(MentionTopic.embedding).is_not(None),
            col(MentionTopic.published_at) < before,
        )
        .values(embedding=None)
    )
    return rowcount(await session.execute(stmt))


# --- stories --------------------------------------------------------------------------


async def link_topics(*, session: AsyncSession, topic_ids: Sequence[int], root: int) -> None:
    """Make topics (and the topics of stories they were roots of) part of `root`'s story."""
    ids = [i for i in topic_ids if i != root]
    if not ids:
        return
    await session.execute(
        update(Topic)
        .where(col(Topic.id).in_(ids) | col(Topic.story_id).in_(ids))
        .values(story_id=root)
    )


async def move_counts(*, session: AsyncSession, source: str, target: str) -> int:
    """Add the hourly counts of key `source` to key `target` and drop `source`'s rows (a
    story merged into another keeps its history under the surviving key)."""
    rows = (
        (await session.execute(select(HourlyCount).where(col(HourlyCount.key) == source)))
        .scalars()
        .all()
    )
    if not rows:
        return 0
    await add_counts(
        session=session,
        increments={
            (r.bucket, target): {
                "n": r.n,
                "neg": r.neg,
                "neu": r.neu,
                "pos": r.pos,
                "reach": r.reach,
            }
            for r in rows
        },
    )
    await session.execute(delete(HourlyCount).where(col(HourlyCount.key) == source))
    return len(rows)


@dataclass(frozen=True)
class Member:
    """A story's mention as its labeller reads it."""

    text: str
    language: str | None
    hashtags: tuple[str, ...]
    topic_id: int = 0


async def story_members(*, session: AsyncSession, root: int, limit: int) -> list[Member]:
    """The newest mentions of a story (of every topic that points to `root`), reposts and
    copies included: how often a thing is said is part of what a story is about."""
    topic_ids = select(col(Topic.id)).where((col(Topic.id) == root) | (col(Topic.story_id) == root))
    stmt = (
        select(
            col(Mention.title),
            col(Mention.text),
            col(Mention.language),
            col(Mention.hashtags),
            col(MentionTopic.topic_id),
        )
        .join(MentionTopic, col(MentionTopic.mention_id) == col(Mention.id))
        .where(col(MentionTopic.topic_id).in_(topic_ids.scalar_subquery()))
        .order_by(col(MentionTopic.published_at).desc())
        .limit(limit)
    )
    return [
        Member(body_of(title, text), lang, tuple((tags or "").split()), int(topic or 0))
        for title, text, lang, tags, topic in (await session.execute(stmt)).all()
    ]


async def recent_texts(
    *, session: AsyncSession, until: dt.datetime, limit: int
) -> list[tuple[str, str | None]]:
    """The newest mentions before `until` (text, language): the background a story's key
    phrase must stand out of."""
    stmt = (
        select(col(Mention.title), col(Mention.text), col(Mention.language))
        .where(col(Mention.published_at) <= until, col(Mention.dup_of).is_(None))
        .order_by(col(Mention.published_at).desc())
        .limit(limit)
    )
    return [(body_of(t, x), lang) for t, x, lang in (await session.execute(stmt)).all()]


async def forget_missing(*, session: AsyncSession) -> int:
    """After mentions were deleted (a demo reset): drop their topic rows, the topics left
    without mentions, and links to deleted story roots; returns the topics dropped."""
    gone = select(col(Mention.id))
    await session.execute(
        delete(MentionTopic).where(col(MentionTopic.mention_id).not_in(gone.scalar_subquery()))
    )
    used = select(col(MentionTopic.topic_id)).where(col(MentionTopic.topic_id).is_not(None))
    dropped = rowcount(
        await session.execute(delete(Topic).where(col(Topic.id).not_in(used.scalar_subquery())))
    )
    roots = select(col(Topic.id))
    await session.execute(
        update(Topic)
        .where(
            col(Topic.story_id).is_not(None), col(Topic.story_id).not_in(roots.scalar_subquery())
        )
        .values(story_id=None)
    )
    return dropped


async def recount(*, session: AsyncSession) -> int:
    """Rebuild the hourly counts of every story (`topic:<root>`) from the assignments."""
    await session.execute(delete(HourlyCount).where(col(HourlyCount.key).startswith("topic:")))
    root = func.coalesce(col(Topic.story_id), col(Topic.id))
    stmt = (
        select(root, col(Mention.published_at), col(Mention.sentiment), col(Mention.reach))
        .select_from(MentionTopic)
        .join(Topic, col(Topic.id) == col(MentionTopic.topic_id))
        .join(Mention, col(Mention.id) == col(MentionTopic.mention_id))
    )
    rows = [
        (published, [f"topic:{story}"], sentiment, int(reach or 0))
        for story, published, sentiment, reach in (await session.execute(stmt)).all()
    ]
    await add_counts(session=session, increments=tally(rows))
    return len(rows)
