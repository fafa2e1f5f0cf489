"""Topics and the topic of each mention: what the topic job reads and writes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, select, update
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from core.models import Mention
from core.models_trends import MentionTopic, Topic
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


@dataclass(frozen=True)
class Pooled:
    """A recent mention in no topic yet, with its embedding: it may still seed one."""

    id: int
    text: str
    published_at: dt.datetime
    sentiment: str | None
    reach: int
    embedding: bytes


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
        )
        .where(col(Mention.id) > after)
        .order_by(col(Mention.id))
        .limit(limit)
    )
    out = []
    for mid, title, text, published, sentiment, reach, dup_of in (
        await session.execute(stmt)
    ).all():
        body = f"{title}. {text}" if title and title not in text else text
        out.append(Fresh(int(mid), body, published, sentiment, int(reach or 0), dup_of))
    return out


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


async def pool(*, session: AsyncSession, since: dt.datetime, limit: int) -> list[Pooled]:
    """Ungrouped mentions since a time that still have their embedding, newest first."""
    stmt = (
        select(
            col(MentionTopic.mention_id),
            col(Mention.title),
            col(Mention.text),
            col(MentionTopic.published_at),
            col(Mention.sentiment),
            col(Mention.reach),
            col(MentionTopic.embedding),
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
    out = []
    for mid, title, text, published, sentiment, reach, blob in (await session.execute(stmt)).all():
        body = f"{title}. {text}" if title and title not in text else text
        out.append(Pooled(int(mid), body, published, sentiment, int(reach or 0), bytes(blob)))
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
