"""Keeping stories whole and named: links new topics into stories, merges stories that
have grown into one, and relabels a story once it has grown (the topic job calls it).

A story is identified by its root topic; its mentions are counted under `topic:<root>`,
so when two stories merge, the absorbed one's hourly counts move to the kept key and
every reader (brief, trends, alerts, backlog) sees one story with its whole history.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from sqlmodel.ext.asyncio.session import AsyncSession

from core.models_stories import Topic
from core.storage import counts
from core.storage import topics as store
from core.stories import links as story_links
from core.stories.labels import StoryLabels, label_story
from core.stories.links import Burst, StoryPoint
from core.text import fold
from core.trends.phrases import Vocabulary, vocabulary

log = logging.getLogger(__name__)
BACKGROUND = 1500  # recent mentions a key phrase must stand out of
BACKGROUND_AGE = dt.timedelta(hours=12)  # how long their frequencies are reused
SAMPLE = 200  # newest mentions of a story read to name it
RELABEL_GROWTH = 1.5  # a story is renamed once it has grown by half …
SETTLED_GROWTH = 1.2  # … or by a fifth, when the job has caught up (its names settle)
PEAK_SPAN = dt.timedelta(days=15)  # the hours a story's burst is looked for in


def root_of(topic: Topic) -> int:
    assert topic.id is not None
    return topic.story_id or topic.id


def terms_of(topic: Topic) -> list[str]:
    try:
        value = json.loads(topic.terms or "[]")
    except ValueError:
        return []
    return [str(v) for v in value] if isinstance(value, list) else []


def story_points(topics: Sequence[Topic]) -> dict[int, StoryPoint]:
    """The stories of the given topics, by root id."""
    points: dict[int, StoryPoint] = {}
    for topic in topics:
        centroid = np.frombuffer(topic.centroid, dtype=np.float32)
        root = root_of(topic)
        point = points.get(root)
        if point is None:
            point = points[root] = StoryPoint(root, np.zeros_like(centroid), 0.0)
        point.absorb(centroid, float(topic.size), story_links.tags_of(terms_of(topic)))
        if topic.story_id is None:
            point.names |= {fold(n) for n in (topic.label_de, topic.label_en) if n}
    return points


@dataclass
class Background:
    """The vocabulary of recent mentions, and when it was counted."""

    vocab: Vocabulary = field(default_factory=Vocabulary)
    at: dt.datetime | None = None


class StoryKeeper:
    """Links, merges and names stories; keeps the background frequencies between runs."""

    def __init__(self) -> None:
        self.background = Background()

    async def refresh(
        self, session: AsyncSession, *, now: dt.datetime, names: Collection[str]
    ) -> Background:
        """The background, recounted when missing or older than `BACKGROUND_AGE`."""
        bg = self.background
        if bg.at is None or now - bg.at > BACKGROUND_AGE or bg.vocab.total < BACKGROUND // 3:
            texts = await store.recent_texts(session=session, until=now, limit=BACKGROUND)
            self.background = bg = Background(vocabulary(texts, names=names), now)
        return bg

    def name(
        self, members: Sequence[tuple[str, str | None, Sequence[str]]], names: Collection[str]
    ) -> StoryLabels | None:
        return label_story(members, vocab=self.background.vocab, names=names)

    async def merge(
        self,
        session: AsyncSession,
        topics: Sequence[Topic],
        *,
        now: dt.datetime,
        events: bool = False,
    ) -> dict[str, str]:
        """Merge stories that have grown into one; returns the count keys that moved
        (`topic:<absorbed>` → `topic:<kept>`). With `events`, stories that burst together
        are read from their hourly counts and linked too (a heavier query: not every run)."""
        points = story_points(topics)
        moved: dict[str, str] = {}
        by_id = {t.id: t for t in topics}
        peaks = await self._peaks(session, now) if events else None
        for absorbed, kept in story_links.merges(list(points.values()), peaks=peaks):
            await store.link_topics(session=session, topic_ids=[absorbed], root=kept)
            await store.move_counts(
                session=session, source=f"topic:{absorbed}", target=f"topic:{kept}"
            )
            for topic in topics:
                if root_of(topic) == absorbed:
                    topic.story_id = kept
            if (root := by_id.get(kept)) is not None:
                root.labelled_size = 0  # a merged story is named afresh
                root.last_seen_at = now
                session.add(root)
            moved[f"topic:{absorbed}"] = f"topic:{kept}"
        if moved:
            log.info("stories: %d merged into others", len(moved))
        return moved

    async def _peaks(self, session: AsyncSession, now: dt.datetime) -> dict[int, Burst | None]:
        """Each recent story's burst and mood, from its hourly counts."""
        hours: dict[int, dict[dt.datetime, int]] = {}
        moods: dict[int, list[int]] = {}
        rows = await counts.keys_like(session=session, prefix="topic:", since=now - PEAK_SPAN)
        for row in rows:
            ident = row.key.partition(":")[2]
            if ident.isdigit():
                hours.setdefault(int(ident), {})[row.bucket] = row.n
                tally = moods.setdefault(int(ident), [0, 0, 0])
                tally[0] += row.n
                tally[1] += row.neg
                tally[2] += row.pos
        out: dict[int, Burst | None] = {}
        for root, series in hours.items():
            n, neg, pos = moods[root]
            at, small = story_links.peak(series), False
            if at is None and n < story_links.BURST_MIN:
                at = story_links.peak(series, minimum=story_links.SMALL_BURST_MIN)
                small = at is not None
            out[root] = Burst(at, neg / n, pos / n, small) if at is not None and n else None
        return out

    async def relabel(
        self,
        session: AsyncSession,
        topics: Sequence[Topic],
        *,
        names: Collection[str],
        limit: int | None = None,
        growth: float = RELABEL_GROWTH,
    ) -> int:
        """Rename the stories that grew most since they were named (by `growth`; at most
        `limit` of them)."""
        sizes: dict[int, int] = {}
        for topic in topics:
            sizes[root_of(topic)] = sizes.get(root_of(topic), 0) + topic.size
        roots = {t.id: t for t in topics if t.story_id is None and t.id is not None}
        due = [
            (sizes[r] / max(t.labelled_size, 1), r)
            for r, t in roots.items()
            if sizes.get(r, 0) >= max(growth * t.labelled_size, t.labelled_size + 1)
        ]
        by_id = {t.id: t for t in topics}
        done = 0
        for _, root_id in sorted(due, reverse=True)[:limit]:
            members = await store.story_members(session=session, root=root_id, limit=SAMPLE)
            labels = self.name([(m.text, m.language, m.hashtags) for m in members], names)
            root = roots[root_id]
            if labels is not None:
                apply_labels(root, labels)
            root.labelled_size = sizes[root_id]
            session.add(root)
            # A topic that has grown may now show the hashtag that marks its story (a new
            # group is often too small to tell): each topic judged on its own mentions.
            for topic_id, tags in _topic_tags(members, by_id).items():
                tagged = by_id.get(topic_id)
                if tagged is not None and not tags <= story_links.tags_of(terms_of(tagged)):
                    add_tags(tagged, tags)
                    session.add(tagged)
            done += 1
        return done


def _topic_tags(
    members: Sequence[store.Member], topics: Mapping[int | None, Topic]
) -> dict[int, set[str]]:
    """The hashtags that mark each topic, judged on its members among `members` — and on
    its whole size: a topic about cappuccino whose newest posts carry a hot tag is not the
    tag's story."""
    by_topic: dict[int, list[tuple[str, ...]]] = {}
    for member in members:
        by_topic.setdefault(member.topic_id, []).append(member.hashtags)
    found: dict[int, set[str]] = {}
    for topic_id, tags in by_topic.items():
        topic = topics.get(topic_id)
        size = max(len(tags), topic.size if topic is not None else 0)
        marking = {
            tag
            for tag in story_links.marking_tags(tags)
            if sum(tag in t for t in tags) >= story_links.TAG_SHARE * size
        }
        if marking:
            found[topic_id] = marking
    return found


def add_tags(topic: Topic, tags: set[str]) -> None:
    """Add hashtags to a topic's terms (the tags that link it to its story)."""
    topic.terms = json.dumps(
        list(dict.fromkeys([*terms_of(topic), *sorted(tags)])), ensure_ascii=False
    )


def apply_labels(topic: Topic, labels: StoryLabels) -> None:
    """Store a story's labels on its root topic (its own hashtags stay among the terms)."""
    own = story_links.tags_of(terms_of(topic))
    topic.label = labels.label
    topic.label_de = labels.get("de")
    topic.label_en = labels.get("en")
    topic.terms = json.dumps(list(dict.fromkeys([*labels.terms, *sorted(own)])), ensure_ascii=False)
