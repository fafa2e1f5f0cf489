"""Which topics tell one story: pure decisions over centroids, sizes and hashtags.

A topic is a tight group of mentions that say nearly the same thing; a story is what a
person would call one thing that happened ("late deliveries", "the latte art challenge"),
told in several ways and languages. Topics are linked into a story when their centroids are
close (`STORY`, lower than the bar within a topic), or when the same hashtag marks most
mentions of both: people tag a post deliberately, so a shared tag is one story even where
the wording differs ("my first heart #lumoralatteart", "the #lumoralatteart challenge").

A story's centroid is the size-weighted mean of its topics' centroids, so a story grows by
what it is mostly about and one odd topic does not pull the next ones in (no chaining).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

from core.trends.topics import Vectors, normalise

STORY = 0.6  # centroid similarity at which two topics are one story
# A hashtag on this share of a new topic's mentions, and at least `TAG_MIN` of them, marks
# its story. Generic tags (#kaffeeliebe) ride on a random few posts of every topic; a
# story's own tag is on nearly all of its posts. Small groups are where chance strikes.
TAG_SHARE = 0.8
TAG_MIN = 5


@dataclass
class StoryPoint:
    """A story as the linker sees it: its root topic, weighted centroid sum and hashtags."""

    root: int
    total: Vectors  # Σ centroid × size over the story's topics
    size: float
    tags: set[str] = field(default_factory=set)

    def direction(self) -> Vectors:
        return normalise(self.total[None, :])[0]

    def absorb(self, centroid: Vectors, size: float, tags: Iterable[str]) -> None:
        self.total = self.total + centroid * max(size, 1.0)
        self.size += max(size, 1.0)
        self.tags |= set(tags)


def tags_of(terms: Iterable[str]) -> set[str]:
    """The hashtags among a topic's key terms."""
    return {t for t in terms if t.startswith("#")}


def marking_tags(texts_tags: Sequence[Collection[str]], share: float = TAG_SHARE) -> set[str]:
    """Hashtags found on at least `share` of the texts (each text given as its hashtags),
    when there are at least `TAG_MIN` texts."""
    if len(texts_tags) < TAG_MIN:
        return set()
    counts: dict[str, int] = {}
    for tags in texts_tags:
        for tag in set(tags):
            counts[tag] = counts.get(tag, 0) + 1
    return {t for t, n in counts.items() if n >= max(share * len(texts_tags), TAG_MIN)}


def best_story(
    centroid: Vectors,
    tags: Collection[str],
    stories: Sequence[StoryPoint],
    *,
    threshold: float = STORY,
) -> StoryPoint | None:
    """The story a topic belongs to: the closest one over `threshold`, or one its hashtag
    marks (the closest of those); None when it starts a story of its own."""
    best: StoryPoint | None = None
    best_sim = -1.0
    for story in stories:
        sim = float(story.direction() @ centroid)
        if (sim >= threshold or story.tags & set(tags)) and sim > best_sim:
            best, best_sim = story, sim
    return best


def merges(stories: Sequence[StoryPoint], *, threshold: float = STORY) -> list[tuple[int, int]]:
    """Stories that have grown into one: (absorbed root, kept root) pairs, the larger (then
    older) story kept. Each story is merged at most once per call, so a merge is decided on
    the stories as they were, never on a chain of merges."""
    if len(stories) < 2:
        return []
    order = sorted(stories, key=lambda s: (-s.size, s.root))
    directions = np.stack([s.direction() for s in order])
    sims = directions @ directions.T
    taken: set[int] = set()
    out: list[tuple[int, int]] = []
    for i, keep in enumerate(order):
        if i in taken:
            continue
        for j in range(i + 1, len(order)):
            if j in taken:
                continue
            other = order[j]
            if sims[i, j] >= threshold or keep.tags & other.tags:
                out.append((other.root, keep.root))
                taken.update((i, j))
                break
    return out
