"""The topic job: puts newly stored mentions into topics and stories, and counts them.

Each run takes the mentions stored after the last one it saw (by id), embeds their leads
(in a worker thread: the encoder is numpy), and puts each into the closest recent topic,
if close enough — or, when it carries the hashtag that marks a story, into that story's
closest topic. The rest join a pool of recent ungrouped mentions from which new topics
are grouped; a new group close to a known topic joins it, any other becomes a topic and
is linked into a story (core.stories.links). Assignments and the hourly counts under
`topic:<story root>` are written in one transaction; a mention is counted only when its
assignment row is new, so a rerun or a second replica never counts it twice.
Near-duplicates take their original's topic. Then stories that have grown into one are
merged, and stories that have grown are named afresh (core.stories.keeper).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
from sqlmodel.ext.asyncio.session import AsyncSession

from core.db import SessionFactory, session_scope
from core.models_stories import Topic
from core.storage import counts, watch
from core.storage import topics as store
from core.stories import links as story_links
from core.stories import topics
from core.stories.keeper import (
    RELABEL_GROWTH,
    SETTLED_GROWTH,
    StoryKeeper,
    apply_labels,
    root_of,
    story_points,
)
from core.stories.links import StoryPoint
from core.stories.topics import Embedder, Vectors

log = logging.getLogger(__name__)
BATCH = 128
# is compared with a whole week before it (core.backlog.rules.stories).
RECENT = dt.timedelta(days=15)
POOL = dt.timedelta(hours=48)  # how long an ungrouped mention may still seed a topic
# Ungrouped mentions read per run. Only those close to a new mention are grouped with it,
# so a large pool costs a matrix product, not a larger grouping: a story that is told a
# few times a day still finds its first three mentions.
POOL_LIMIT = 3000
ENTITY_KINDS = ("brand", "product", "competitor")
TAGGED = 0.3  # a tagged mention joins its tag's story when this close to one of its topics
# Stories that burst together are looked for, and grown stories renamed, every this many
# runs and whenever a run has caught up (its batch was not full).
EVENT_EVERY = 10
RELABEL_PER_RUN = 8  # stories renamed by a run that has not caught up yet
SETTLE_ROUNDS = 10


@dataclass
class RunResult:
    seen: int = 0
    embedded: int = 0
    grouped: int = 0
    new_topics: int = 0
    merged: int = 0  # stories merged into others
    keys: set[str] = field(default_factory=set)  # topic keys counted in the current hour


@dataclass
class _Row:
    id: int
    text: str
    published_at: dt.datetime
    sentiment: str | None
    reach: int
    language: str | None = None
    hashtags: tuple[str, ...] = ()
    vector: Vectors | None = None
    topic: int | None = None


def _to_blob(vector: Vectors) -> bytes:
    return np.asarray(vector, dtype=np.float16).tobytes()


def _from_blob(blob: bytes) -> Vectors:
    """An embedding kept in `mention_topic` (float16; centroids are stored as float32)."""
    return np.frombuffer(blob, dtype=np.float16).astype(np.float32)


class TopicJob:
    """Groups new mentions into topics; `run` is one step (the scheduler calls it)."""

    def __init__(
        self,
        sessions: SessionFactory,
        embedder: Embedder,
        *,
        clock: Callable[[], dt.datetime],
        batch: int = BATCH,
        similar: float = topics.SIMILAR,
        assign: float = topics.ASSIGN,
        min_size: int = topics.MIN_SIZE,
        on_counted: Callable[[set[str]], Awaitable[object]] | None = None,
    ) -> None:
        self.sessions = sessions
        self.embedder = embedder
        self.clock = clock
        self.batch = batch
        self.similar = similar
        self.assign = assign
        self.min_size = min_size
        self.on_counted = on_counted
        self.keeper = StoryKeeper()
        self.runs = 0

    async def catch_up(self, *, max_batches: int = 1_000_000) -> RunResult:
        """Run until every stored mention is seen (or `max_batches` ran); the totals."""
        total = RunResult()
        for _ in range(max_batches):
            result = await self.run()
            total.seen += result.seen
            total.embedded += result.embedded
            total.grouped += result.grouped
            total.new_topics += result.new_topics
            total.merged += result.merged
            total.keys |= result.keys
            if result.seen < self.batch:
                total.merged += await self.settle()
                break
        return total

    async def settle(self, *, rounds: int = SETTLE_ROUNDS) -> int:
        """Merge stories until none is left to merge (each pass merges a story once), and
        rename what changed: a backlog worked off at once ends with its stories whole."""
        merged = 0
        now = self.clock()
        for _ in range(rounds):
            async with session_scope(self.sessions) as session:
                active = await store.active_topics(session=session, since=now - RECENT)
                moved = await self.keeper.merge(session, active, now=now, events=True)
                if moved:
                    entities = [
                        row.term
                        for row in await watch.list_terms(session=session)
                        if row.kind in ENTITY_KINDS
                    ]
                    await self.keeper.relabel(
                        session, active, names=entities, growth=SETTLED_GROWTH
                    )
            merged += len(moved)
            if not moved:
                break
        return merged

    async def run(self) -> RunResult:
        """Group the next batch of new mentions; returns what it did."""
        now = self.clock()
        async with self.sessions() as session:
            after = await store.watermark(session=session)
            fresh = await store.fresh_mentions(session=session, after=after, limit=self.batch)
            originals = await store.topics_of(
                session=session, mention_ids=[f.dup_of for f in fresh if f.dup_of]
            )
            known = await store.active_topics(session=session, since=now - RECENT)
            entities = [
                row.term
                for row in await watch.list_terms(session=session)
                if row.kind in ENTITY_KINDS
            ]
            # The pool is the mentions published around the batch's own time, not around
            # the clock's: a backlog (the demo's month, an import) is grouped as it would
            # have been live, and stories told a few times a day still come together.
            at = _batch_time(fresh, now)
            pooled = await store.pool(
                session=session, since=at - POOL, until=min(at + POOL, now), limit=POOL_LIMIT
            )
            result = RunResult(seen=len(fresh))
            # Brand and competitor names are in nearly every text: they are not what a
            # mention is about, so the encoder does not read them and no label is one.
            named = set(entities)
            if fresh:
                await self.keeper.refresh(session, now=now, names=named)
        if not fresh:
            return result
        pattern = topics.names_pattern(entities)
        rows = [
            _Row(f.id, f.text, f.published_at, f.sentiment, f.reach, f.language, f.hashtags)
            for f in fresh
        ]
        embed = []
        for row, item in zip(rows, fresh, strict=True):
            if item.dup_of and item.dup_of in originals:
                row.topic = originals[item.dup_of]
            elif row.published_at >= now - RECENT:
                embed.append(row)
        if embed:
            leads = [topics.topic_text(r.text, pattern) for r in embed]
            vectors = await asyncio.to_thread(self.embedder.encode, leads)
            for row, vector in zip(embed, vectors, strict=True):
                row.vector = vector
            result.embedded = len(embed)
            self._assign(embed, known)
        new_groups = self._new_groups(embed, pooled, now)
        await self._store(rows, known, new_groups, now, at, result, named)
        if result.keys and self.on_counted is not None:
            await self.on_counted(result.keys)
        return result

    def _assign(self, rows: Sequence[_Row], known: Sequence[Topic]) -> None:
        """Each embedded row into its closest known topic, when close enough; a row whose
        hashtag marks a story into that story's closest topic, when not too far."""
        if not known:
            return
        centroids = np.stack([np.frombuffer(t.centroid, dtype=np.float32) for t in known])
        roots = np.array([root_of(t) for t in known])
        marked: dict[str, int] = {}
        for point in story_points(known).values():
            for tag in point.tags:
                marked.setdefault(tag, point.root)
        for row in rows:
            assert row.vector is not None
            sims = centroids @ row.vector
            best = int(np.argmax(sims))
            story = next((marked[t] for t in row.hashtags if t in marked), None)
            # The tag decides only for a mention no topic claims: a tag that rides on
            # another story's posts (#deliveryfail on delivery complaints) must not pull
            # them out of it.
            if story is not None and roots[best] != story and sims[best] < self.assign:
                inside = np.where(roots == story, sims, -np.inf)
                tagged = int(np.argmax(inside))
                if inside[tagged] >= TAGGED:
                    row.topic = known[tagged].id
                    continue
            if sims[best] >= self.assign:
                row.topic = known[best].id

    def _new_groups(
        self, rows: Sequence[_Row], pooled: Sequence[store.Pooled], now: dt.datetime
    ) -> list[list[_Row | store.Pooled]]:
        """Groups among the batch's ungrouped rows and the pooled mentions close to them."""
        loose: list[_Row | store.Pooled] = [
            r for r in rows if r.topic is None and r.vector is not None
        ]
        if not loose:
            return []  # nothing new to group with: the pool alone was grouped before
        if pooled:
            pool = np.stack([_vector(p) for p in pooled])
            near = (np.stack([_vector(r) for r in loose]) @ pool.T).max(axis=0)
            loose += [p for p, sim in zip(pooled, near, strict=True) if sim >= self.similar]
        vectors = np.stack([_vector(r) for r in loose])
        found = topics.group(vectors, similar=self.similar, min_size=self.min_size)
        return [[loose[i] for i in g] for g in found]

    async def _store(
        self,
        rows: Sequence[_Row],
        known: Sequence[Topic],
        new_groups: list[list[_Row | store.Pooled]],
        now: dt.datetime,
        at: dt.datetime,
        result: RunResult,
        named: set[str],
    ) -> None:
        by_id = {t.id: t for t in known if t.id is not None}
        tally: list[tuple[dt.datetime, list[str], str | None, int]] = []
        grown: dict[int, list[Vectors]] = {}
        async with session_scope(self.sessions) as session:
            pooled_into: dict[int, list[store.Pooled]] = {}
            points = story_points(known)
            for group in new_groups:
                topic_id, created = await self._place(session, group, by_id, points, now, named)
                result.new_topics += created
                for member in group:
                    if isinstance(member, _Row):
                        member.topic = topic_id
                    else:
                        pooled_into.setdefault(topic_id, []).append(member)
            inserted = await store.insert_assignments(
                session=session, rows=[_assignment(r, now) for r in rows]
            )
            for row in rows:
                if row.id in inserted and row.topic is not None and row.topic in by_id:
                    key = f"topic:{root_of(by_id[row.topic])}"
                    tally.append((row.published_at, [key], row.sentiment, row.reach))
                    if row.vector is not None:
                        grown.setdefault(row.topic, []).append(row.vector)
            for topic_id, waiting in pooled_into.items():
                moved = await store.group_pooled(
                    session=session, mention_ids=[m.id for m in waiting], topic_id=topic_id
                )
                key = f"topic:{root_of(by_id[topic_id])}"
                for pooled_row in (m for m in waiting if m.id in moved):
                    tally.append(
                        (pooled_row.published_at, [key], pooled_row.sentiment, pooled_row.reach)
                    )
                    grown.setdefault(topic_id, []).append(_from_blob(pooled_row.embedding))
            for topic_id, added in grown.items():
                if added and (grown_topic := by_id.get(topic_id)) is not None:
                    _grow(grown_topic, added, now)
                    session.add(grown_topic)
            await counts.add_counts(session=session, increments=counts.tally(tally))
            await store.drop_old_embeddings(session=session, before=at - POOL)
            active = list(by_id.values())
            # While a backlog is worked off (full batches), stories that burst together are
            # looked for and grown stories renamed every few runs; once caught up, all of them.
            self.runs += 1
            caught_up = len(rows) < self.batch
            periodic = self.runs % EVENT_EVERY == 0
            absorbed = await self.keeper.merge(
                session, active, now=now, events=caught_up or periodic
            )
            if caught_up or periodic:
                await self.keeper.relabel(
                    session,
                    active,
                    names=named,
                    limit=None if caught_up else RELABEL_PER_RUN,
                    growth=SETTLED_GROWTH if caught_up else RELABEL_GROWTH,
                )
        result.merged = len(absorbed)
        result.grouped = len(tally)
        current = now.replace(minute=0, second=0, microsecond=0)
        result.keys = {absorbed.get(keys[0], keys[0]) for at, keys, _, _ in tally if at >= current}
        if result.grouped or result.new_topics:
            log.info(
                "topics: %d mentions seen, %d grouped, %d new topics, %d stories merged",
                result.seen,
                result.grouped,
                result.new_topics,
                result.merged,
            )

    async def _place(
        self,
        session: AsyncSession,
        group: Sequence[_Row | store.Pooled],
        by_id: dict[int, Topic],
        points: dict[int, StoryPoint],
        now: dt.datetime,
        named: set[str],
    ) -> tuple[int, bool]:
        """The topic a new group becomes: a known topic it is close to, or a new topic,
        linked into the story it tells (a new story is named from the group at once)."""
        vector = topics.centroid(np.stack([_vector(m) for m in group]))
        if by_id:
            ids = list(by_id)
            centroids = np.stack([np.frombuffer(by_id[i].centroid, dtype=np.float32) for i in ids])
            sims = centroids @ vector
            best = int(np.argmax(sims))
            if sims[best] >= topics.JOIN:
                return ids[best], False
        tags = story_links.marking_tags([m.hashtags for m in group])
        story = story_links.best_story(vector, tags, list(points.values()))
        # A topic that starts a story is named at once; one that joins a story is not
        # named on its own (the story's name is on its root).
        labels = (
            self.keeper.name([(m.text, m.language, m.hashtags) for m in group], named)
            if story is None
            else None
        )
        topic = Topic(
            label=labels.label if labels else "",
            terms=json.dumps(sorted(tags), ensure_ascii=False),
            centroid=np.asarray(vector, dtype=np.float32).tobytes(),
            story_id=story.root if story else None,
            size=0,
            created_at=now,
            last_seen_at=now,
        )
        if story is None and labels is not None:
            apply_labels(topic, labels)
            topic.labelled_size = len(group)
        topic_id = await store.add_topic(session=session, topic=topic)
        by_id[topic_id] = topic
        if story is None:
            points[topic_id] = StoryPoint(topic_id, vector * len(group), len(group), set(tags))
        else:
            story.absorb(vector, len(group), tags)
        return topic_id, True


def _batch_time(fresh: Sequence[store.Fresh], now: dt.datetime) -> dt.datetime:
    """When a batch was told: its newest recent mention's time (the clock's at most)."""
    recent = [f.published_at for f in fresh if now - RECENT <= f.published_at <= now]
    return max(recent, default=now)


def _assignment(row: _Row, now: dt.datetime) -> dict[str, object]:
    """The mention_topic row; an ungrouped recent mention keeps its embedding for the pool."""
    keep = row.topic is None and row.vector is not None
    return {
        "mention_id": row.id,
        "topic_id": row.topic,
        "published_at": row.published_at,
        "embedding": _to_blob(row.vector) if keep and row.vector is not None else None,
        "assigned_at": now,
    }


def _vector(member: _Row | store.Pooled) -> Vectors:
    if isinstance(member, _Row):
        assert member.vector is not None
        return member.vector
    return _from_blob(member.embedding)


def _grow(topic: Topic, vectors: Sequence[Vectors], now: dt.datetime) -> None:
    """Move the centroid towards the new members (a running mean) and count them."""
    old = np.frombuffer(topic.centroid, dtype=np.float32)
    total = old * topic.size + np.sum(np.stack(vectors), axis=0)
    topic.centroid = np.asarray(topics.normalise(total[None, :])[0], dtype=np.float32).tobytes()
    topic.size += len(vectors)
    topic.last_seen_at = now
