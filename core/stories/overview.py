"""Stories for every reader: a story's name in the channel's language, the period's main
stories, and the mention that shows what a story is about.

Mentions that tell one story (one topic or event, German and English together) are one
story, counted under `topic:<root>` (core.stories.topic_job). Everything that names a story
— the brief, trends, alerts, standups, the backlog — calls `story_labels` or
`story_label`, so a story reads the same everywhere: "Lieferung" in a German channel,
"delivery" in an English one.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from sqlmodel.ext.asyncio.session import AsyncSession

from core.models import Mention
from core.models_stories import Topic
from core.storage import stories as store
from core.text import fold

MAIN_LIMIT = 5
MIN_STORY = 5  # mentions in the period before a story is worth a line …
MIN_SHARE = 0.005  # … and this share of the period's mentions in stories
GROWTH_CAP = 3.0  # a new or fast-growing story counts at most 4× its size in the ranking
INTENTS = ("complaint", "question", "praise", "purchase")
LEADING = 0.4  # a share at which an intent leads a story over "other"


def label_in(topic: Topic, locale: str) -> str:
    """A story's name in a language (its root topic given), or its default name."""
    own = {"de": topic.label_de, "en": topic.label_en}.get(locale)
    return own or topic.label or topic.label_de or topic.label_en or f"#{topic.id}"


def topic_id(key: str | int) -> int | None:
    """The topic id of `topic:<id>` (or of a bare id)."""
    if isinstance(key, int):
        return key
    kind, _, value = key.partition(":")
    text = value if kind == "topic" else kind
    return int(text) if text.isdigit() else None


async def story_labels(
    session: AsyncSession, keys: Iterable[str | int], *, locale: str
) -> dict[int, str]:
    """The story names for topic keys (`topic:<id>`) or ids, by the id asked for.

    A topic that became part of another story answers with that story's name."""
    ids = [i for k in keys if (i := topic_id(k)) is not None]
    found = await store.roots(session=session, ids=ids)
    return {i: label_in(root, locale) for i, root in found.items()}


async def story_names(
    session: AsyncSession, keys: Iterable[str | int]
) -> dict[int, dict[str, str]]:
    """Each story's name in German and in English ("Lieferung", "delivery"), by the id
    asked for: the channel's language picks one, and a line about a story must not list
    its own name in the other language beside it."""
    ids = [i for k in keys if (i := topic_id(k)) is not None]
    found = await store.roots(session=session, ids=ids)
    return {i: {lang: label_in(root, lang) for lang in ("de", "en")} for i, root in found.items()}


async def story_label(session: AsyncSession, key: str | int, *, locale: str) -> str | None:
    """One story's name (None when there is no such topic)."""
    ident = topic_id(key)
    if ident is None:
        return None
    return (await story_labels(session, [ident], locale=locale)).get(ident)


async def story_key(session: AsyncSession, key: str | int) -> str | None:
    """The count key of the story a topic belongs to now (stories merge over time)."""
    ident = topic_id(key)
    if ident is None:
        return None
    root = (await store.roots(session=session, ids=[ident])).get(ident)
    return f"topic:{root.id}" if root is not None else None


async def story_of_key(
    session: AsyncSession,
    key: str,
    *,
    since: dt.datetime,
    until: dt.datetime,
    share: float = 0.5,
) -> int | None:
    """The story a `term:` or `tag:` key is, seen from outside: the one holding `share` of
    the key's grouped mentions in the window (a rising hashtag is often one story, which
    should then be shown, suggested and alerted on once); None when it is spread."""
    inside = await store.stories_of_key(session=session, key=key, since=since, until=until)
    total = sum(inside.values())
    if not total:
        return None
    root, n = inside.most_common(1)[0]
    return root if n >= share * total else None


@dataclass
class Story:
    """One story in a period: its name, size, mood, what people want, and an example."""

    root: int
    label: str
    n: int
    prev_n: int = 0
    neg: int = 0
    pos: int = 0
    reach: int = 0
    intents: Counter[str] = field(default_factory=Counter)
    sources: Counter[str] = field(default_factory=Counter)
    terms: list[str] = field(default_factory=list)
    representative: Mention | None = None

    @property
    def key(self) -> str:
        return f"topic:{self.root}"

    @property
    def neg_share(self) -> float:
        return self.neg / self.n if self.n else 0.0

    @property
    def growth(self) -> float | None:
        """Change against the period before (0.5 = half as many again); None when new."""
        return (self.n - self.prev_n) / self.prev_n if self.prev_n else None

    @property
    def intent(self) -> str:
        """What most of its people want: the leading intent, "other" when none leads."""
        return leading_intent(self.intents)

    @property
    def intent_share(self) -> float:
        return self.intents[self.intent] / self.n if self.n else 0.0

    @property
    def rank(self) -> float:
        """What a brief leads with: size (damped: a big story of everyday chatter should not
        bury a smaller one that matters), weighted up when the story grew and when most of
        its people want one thing (a complaint, a question, …)."""
        growth = GROWTH_CAP if self.growth is None else min(max(self.growth, 0.0), GROWTH_CAP)
        focus = self.intent_share if self.intent != "other" else 0.0
        return math.sqrt(self.n) * (1.0 + growth) * (1.0 + focus)


def leading_intent(intents: Counter[str]) -> str:
    """The intent most mentions have; a real intent with `LEADING` of them beats "other"."""
    total = sum(intents.values())
    if not total:
        return "other"
    real = max(INTENTS, key=lambda i: (intents[i], -INTENTS.index(i)))
    if intents[real] and (intents[real] >= LEADING * total or not intents["other"]):
        return real
    return max(intents, key=lambda i: (intents[i], i == "other"))


async def main_stories(
    session: AsyncSession,
    *,
    since: dt.datetime,
    until: dt.datetime,
    prev_since: dt.datetime | None,
    locale: str,
    limit: int = MAIN_LIMIT,
    min_n: int = MIN_STORY,
) -> list[Story]:
    """The period's main stories, biggest (and fastest-growing) first, each with the
    mention that shows it best in the channel's language."""
    figs = await store.figures(session=session, since=since, until=until)
    prev = await store.sizes(session=session, since=prev_since, until=since) if prev_since else {}
    # A story of a dozen mentions in a week of thousands is not one of the week's stories.
    floor = max(min_n, MIN_SHARE * sum(f.n for f in figs.values()))
    big = [f for f in figs.values() if f.n >= floor]
    roots = await store.roots(session=session, ids=[f.root for f in big])
    found = [
        Story(
            root=f.root,
            label=label_in(roots[f.root], locale),
            n=f.n,
            prev_n=prev.get(f.root, 0),
            neg=f.neg,
            pos=f.pos,
            reach=f.reach,
            intents=f.intents,
            sources=f.sources,
            terms=_terms(roots[f.root]),
        )
        for f in big
        if f.root in roots
    ]
    found.sort(key=lambda s: (-s.rank, -s.n, s.root))
    chosen = found[:limit]
    for story in chosen:
        story.representative = await representative(
            session, story, since=since, until=until, locale=locale
        )
    return chosen


async def representative(
    session: AsyncSession, story: Story, *, since: dt.datetime, until: dt.datetime, locale: str
) -> Mention | None:
    """The mention that shows a story best: in the channel's language and of the story's
    leading intent where there is one, containing its name and key words, of a readable
    length; the widest-reaching among equals."""
    intent = story.intent if story.intent != "other" else None
    for language, wanted in ((locale, intent), (locale, None), (None, intent), (None, None)):
        found = await store.candidates(
            session=session,
            root=story.root,
            since=since,
            until=until,
            language=language,
            intent=wanted,
        )
        if found:
            return pick(found, story.label, story.terms)
    return None


def pick(mentions: Sequence[Mention], label: str, terms: Sequence[str]) -> Mention:
    """The mention (of candidates, widest reach first) that carries the story's name and
    most of its key words, and is neither a one-liner nor an essay."""
    name = fold(label)
    keys = [fold(t) for t in terms[:6]]

    def score(m: Mention) -> tuple[int, int]:
        text = fold(f"{m.title or ''} {m.text}")
        hits = 2 * (name in text) + sum(k in text for k in keys)
        readable = 40 <= len(m.text) <= 320
        return (hits + readable, m.reach)

    return max(mentions, key=score)


def _terms(topic: Topic) -> list[str]:
    try:
        value = json.loads(topic.terms or "[]")
    except ValueError:
        return []
    return [str(v) for v in value if not str(v).startswith("#")] if isinstance(value, list) else []
