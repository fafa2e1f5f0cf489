"""Which topics tell one story: pure decisions over centroids, sizes and hashtags.

A topic is a tight group of mentions that say nearly the same thing; a story is what a
person would call one thing that happened ("late deliveries", "the latte art challenge"),
told in several ways and languages. Topics are linked into a story when their centroids are
close (`STORY`, lower than the bar within a topic), or when the same hashtag marks most
mentions of both: people tag a post deliberately, so a shared tag is one story even where
the wording differs ("my first heart #lumoralatteart", "the #lumoralatteart challenge").

A third link is the event: an outage is told as "login fails", "my card was declined",
"app down again" — words far apart, one thing that happened. Two stories that burst in the
same hours (most of their mentions in one day, the peaks within `EVENT_GAP`) are one story
when they are alike (`EVENT_SIM`), or somewhat alike (`EVENT_MOOD_SIM`) and of one mood
(both mostly negative, or both mostly positive).

Two related stories (`EVENT_SIM`) that have come to the same name ("Fehler" and "Fehler")
are one story too: a reader could not tell them apart.

A story's centroid is the size-weighted mean of its topics' centroids, so a story grows by
what it is mostly about and one odd topic does not pull the next ones in (no chaining).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from core.stories.topics import Vectors, normalise

STORY = 0.6  # centroid similarity at which two topics are one story
# A hashtag on this share of a new topic's mentions, and at least `TAG_MIN` of them, marks
# its story. Generic tags (#kaffeeliebe) ride on a random few posts of every topic; a
# story's own tag is on nearly all of its posts. In a group of three or four, every post
# must carry it: small groups are where chance strikes.
TAG_SHARE = 0.8
TAG_MIN = 3
EVENT_SIM = 0.4  # two stories bursting together are one when at least this alike …
EVENT_MOOD_SIM = 0.2  # … or this alike and of one mood (`MOOD` of them negative or positive)
MOOD = 0.6
EVENT_GAP = dt.timedelta(hours=12)  # their peaks this close
BURST_WINDOW = 24  # hours: a story bursts when its busiest day holds …
BURST_SHARE = 0.5  # … this share of its mentions, or …
BURST_RATIO = 2.5  # … this many times its mean day (a spike in a story told every day) …
BURST_MIN = 8  # … and at least this many
# A story too small for that (an outage told in a rare wording: "Can't log in, it keeps
# showing an error", four posts) bursts as a *small* story when its busiest day holds this
# many and `BURST_SHARE` of it; a small burst only joins a full one that is alike
# (`EVENT_SIM`) and of one mood, never another small one.
SMALL_BURST_MIN = 3


@dataclass
class StoryPoint:
    """A story as the linker sees it: its root topic, weighted centroid sum and hashtags."""

    root: int
    total: Vectors  # Σ centroid × size over the story's topics
    size: float
    tags: set[str] = field(default_factory=set)
    names: set[str] = field(default_factory=set)  # its labels, folded

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


@dataclass(frozen=True)
class Burst:
    """When a story burst, and its mood: shares of negative and positive mentions."""

    at: dt.datetime
    neg: float = 0.0
    pos: float = 0.0
    small: bool = False  # a burst of a story under `BURST_MIN` mentions

    def mood(self) -> str:
        return "neg" if self.neg >= MOOD else "pos" if self.pos >= MOOD else ""


def peak(hours: Mapping[dt.datetime, int], minimum: int = BURST_MIN) -> dt.datetime | None:
    """The middle of a story's busiest `BURST_WINDOW` hours, when they hold most of its
    mentions or several times its mean day, and at least `minimum` (it burst); None for a
    story told evenly."""
    if not hours:
        return None
    total = sum(hours.values())
    first = min(hours)
    span = int((max(hours) - first) / dt.timedelta(hours=1)) + 1
    series = np.zeros(span + BURST_WINDOW)
    for at, n in hours.items():
        series[int((at - first) / dt.timedelta(hours=1))] += n
    sums = np.convolve(series, np.ones(BURST_WINDOW), mode="valid")
    best = int(np.argmax(sums))
    mean_day = total / max(span / BURST_WINDOW, 1.0)
    if sums[best] < minimum or sums[best] < min(BURST_SHARE * total, BURST_RATIO * mean_day):
        return None
    # The weighted middle of the posts in that window, not the window's middle: the first
    # busiest window may start long before its posts (four posts one morning "peaked" the
    # evening before and missed the outage they belong to).
    window = series[best : best + BURST_WINDOW]
    centre = float(np.average(np.arange(window.size), weights=window)) if window.sum() else 0.0
    return first + dt.timedelta(hours=round(best + centre))


def merges(
    stories: Sequence[StoryPoint],
    *,
    threshold: float = STORY,
    peaks: Mapping[int, Burst | None] | None = None,
) -> list[tuple[int, int]]:
    """Stories that have grown into one: (absorbed root, kept root) pairs, the larger (then
    older) story kept. A story is absorbed at most once per call and an absorbed story
    absorbs nothing, so every merge is decided on the stories as they were, never on a chain
    of merges; a kept story may absorb several (an outage told in four wordings). `peaks`
    (by root) are the bursts of the stories, when known."""
    if len(stories) < 2:
        return []
    order = sorted(stories, key=lambda s: (-s.size, s.root))
    directions = np.stack([s.direction() for s in order])
    sims = directions @ directions.T
    bursts = [(peaks or {}).get(s.root) for s in order]
    taken: set[int] = set()
    out: list[tuple[int, int]] = []
    for i, keep in enumerate(order):
        if i in taken:
            continue
        for j in range(i + 1, len(order)):
            if j in taken:
                continue
            other = order[j]
            a, b = bursts[i], bursts[j]
            together = a is not None and b is not None and abs(a.at - b.at) <= EVENT_GAP
            one_mood = together and a is not None and b is not None and a.mood() == b.mood() != ""
            if a is not None and b is not None and (a.small or b.small):
                # A small burst joins only a full one, alike and of one mood.
                one_mood = one_mood and not (a.small and b.small) and sims[i, j] >= EVENT_SIM
                together = one_mood
            named_alike = bool(keep.names & other.names) and sims[i, j] >= EVENT_SIM
            if (
                sims[i, j] >= threshold
                or keep.tags & other.tags
                or named_alike
                or (together and sims[i, j] >= EVENT_SIM)
                or (one_mood and sims[i, j] >= EVENT_MOOD_SIM)
            ):
                out.append((other.root, keep.root))
                taken.add(j)  # absorbed; the kept story may absorb more, each on its own link
    return out
