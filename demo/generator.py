"""The synthetic demo stream: 30 days of invented mentions of the fictional brand Lumora.

`make run` seeds it so that a fresh install has something to listen to. Everything here is
made up — brand, products, competitors, people, posts and numbers — and every item says so
(`synthetic=True`, a notice in `extra`, URLs under the reserved `.invalid` domain).

The stream is deterministic: the same `seed` and `now` give the same items, because all
randomness comes from one `random.Random(seed)` and time only from `now`. It enters through
`Pipeline.ingest` like any real source, so the demo exercises the real path end to end.

Planted events, so that trends, alerts and briefs have something to find (times before `now`):

- a complaint spike about delivery, centred 5 days before `now`, about a day long at ~7×
  the normal rate of delivery complaints (`DELIVERY_SPIKE_*`);
- the hashtag `#lumoralatteart`, absent until 36 hours before `now`, then rising steadily
  to the end (`PLANTED_HASHTAG`, `HASHTAG_RISE`);
- recurring product questions (descaling, oily beans, grind size, …) throughout, with
  answers in their threads;
- Kaffeeko's volume falls to ~40 % in the last 7 days (`KAFFEEKO_DROP_*`).

Every dated phrase fits the moment its post is published: a month ahead is a month after
the post, "Classic Monday" is said on Mondays, "this morning" after the morning began, the
planted tag's "day two" on its second day (`months`, `times`, `only_when` in the data).

The texts are data: demo/data/common.yaml and one file per language (de.yaml, en.yaml),
with slots that `str.format_map` fills; this module holds only the arithmetic of the
stream (volumes, planted events, threads, authors) and reads the data once, at import.

Each item carries its ground truth in `extra` (`demo_topic`, `demo_sentiment`, `demo_kind`)
for tests and evaluations; the pipeline does not read it and analyses the text itself.
"""

from __future__ import annotations

import datetime as dt
import logging
import random
import re
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import accumulate
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol
from zoneinfo import ZoneInfo

import yaml

from core.clock import to_naive_utc
from core.raw import RawMention
from core.text import fold

if TYPE_CHECKING:
    from core.pipeline import IngestResult

log = logging.getLogger(__name__)

DEMO_SOURCES: list[tuple[str, str]] = [
    ("demo-mastodon", "mastodon"),
    ("demo-bluesky", "bluesky"),
    ("demo-reddit", "reddit"),
    ("demo-hn", "hackernews"),
    ("demo-news", "rss"),
    ("demo-forum", "rss"),
    ("demo-blog", "rss"),
]
_SOURCE_TYPE = dict(DEMO_SOURCES)
_SOCIAL = ("demo-mastodon", "demo-bluesky")
_RSS = ("demo-news", "demo-forum", "demo-blog")
URL_BASE = "https://demo.horchposten.invalid"

PLANTED_HASHTAG = "#lumoralatteart"
HASHTAG_RISE = dt.timedelta(hours=36)  # the planted tag exists only in the last 36 hours
DELIVERY_SPIKE_BEFORE = dt.timedelta(days=5)  # centre of the complaint spike, before `now`
DELIVERY_SPIKE_FACTOR = 7.0  # times the normal delivery-complaint rate on the plateau
_SPIKE_PLATEAU_H = 10.0  # half-width of the plateau in hours (20 h at full height) …
_SPIKE_RAMP_H = 4.0  # … plus 4 h ramps each side: about a day in all
KAFFEEKO_DROP_SINCE = dt.timedelta(days=7)
KAFFEEKO_DROP_FACTOR = 0.4
_DE_SHARE = 0.6
_ZONE = ZoneInfo("Europe/Berlin")  # the demo audience lives here; its day shapes the volume

# Relative volume per local hour (0–23): a morning-coffee peak and an evening peak on
# weekdays, a later and longer morning at weekends, quiet nights.
_WEEKDAY_HOURS = (
    0.25, 0.15, 0.10, 0.08, 0.10, 0.25, 0.60, 1.10, 1.40, 1.30, 1.15, 1.10,
    1.20, 1.10, 1.00, 1.00, 1.05, 1.15, 1.30, 1.45, 1.40, 1.15, 0.80, 0.45,
)  # fmt: skip
_WEEKEND_HOURS = (
    0.40, 0.30, 0.20, 0.12, 0.10, 0.12, 0.25, 0.50, 0.90, 1.30, 1.45, 1.40,
    1.30, 1.20, 1.10, 1.05, 1.05, 1.10, 1.20, 1.30, 1.30, 1.10, 0.85, 0.55,
)  # fmt: skip
_DAY_FACTOR = (1.05, 1.0, 1.0, 1.0, 0.95, 0.8, 0.85)  # Monday … Sunday

# Share of the ordinary volume per topic. "latteart" is the planted tag (added on top,
# see `_cell_weights`); "exclusion" items name "Lumora Beach Resort", which the workspace
# excludes, so the demo shows the exclusion filter at work.
_TOPIC_SHARE: dict[str, float] = {
    "brand": 0.13,
    "brew": 0.15,
    "mill": 0.10,
    "question": 0.10,
    "delivery": 0.035,
    "delivery_praise": 0.01,
    "kaffeeko": 0.09,
    "beanbox": 0.07,
    "compare": 0.05,
    "keyword": 0.16,
    "news": 0.04,
    "review": 0.03,
    "exclusion": 0.005,
}
_LATTE_PEAK = 1.0  # planted-tag volume at `now`, relative to the mean hourly volume
# Sentiment mix per topic (positive, neutral, negative).
_MIX: dict[str, tuple[float, float, float]] = {
    "brand": (0.45, 0.30, 0.25),
    "brew": (0.45, 0.30, 0.25),
    "mill": (0.45, 0.30, 0.25),
    "kaffeeko": (0.35, 0.35, 0.30),
    "beanbox": (0.35, 0.35, 0.30),
    "compare": (0.40, 0.35, 0.25),
    "keyword": (0.35, 0.45, 0.20),
    "review": (0.45, 0.20, 0.35),
}


# The words: demo/data/common.yaml and one file per language (see their headers).
_DATA = Path(__file__).resolve().parent / "data"
LANGS = ("de", "en")


def _load(name: str) -> dict[str, Any]:
    with (_DATA / f"{name}.yaml").open(encoding="utf-8") as f:
        loaded: dict[str, Any] = yaml.safe_load(f)
    return loaded


def _expand(values: list[str] | dict[str, int]) -> list[str]:
    """A list as it is; a weighted map {value: n} as a list that holds each value n times."""
    if isinstance(values, dict):
        return [value for value, n in values.items() for _ in range(n)]
    return list(values)


_COMMON = _load("common")
_TEXTS = {lang: _load(lang) for lang in LANGS}

DEMO_NOTICE: dict[str, str] = {lang: _TEXTS[lang]["notice"] for lang in LANGS}
# Slot vocabulary ({drink}, {city}, …).
_VOCAB: dict[str, dict[str, list[str]]] = {lang: _TEXTS[lang]["words"] for lang in LANGS}
# Words of the calendar. Every dated phrase fits the moment its post is published (the demo
# is generated relative to `now`): a month ahead is a month after the post ("due in March"
# in December), a weekday a delivery was due is one of the days before it, "this morning"
# is said after the morning began, "Classic Monday" only on a Monday (see `_Writer.fits`).
_MONTHS = {lang: _TEXTS[lang]["months"] for lang in LANGS}
_WEEKDAYS = {lang: _TEXTS[lang]["weekdays"] for lang in LANGS}
_MONTHS_AHEAD = (1, 5)  # {month}: from next month to five months on
_DAYS_BEFORE = (1, 5)  # {weekday}: a day from yesterday to five days before (no Sundays)
# {time}: (phrase, when it may be said)
_TIMES: dict[str, list[tuple[str, str]]] = {
    lang: [(t["phrase"], t["when"]) for t in _TEXTS[lang]["times"]] for lang in LANGS
}
# Templates that name their own moment, by a phrase they contain, and when they may be used.
_ONLY_WHEN: dict[str, str] = {
    mark: when for lang in LANGS for mark, when in _TEXTS[lang]["only_when"].items()
}
_NAMES: dict[str, list[str]] = {k: _expand(v) for k, v in _COMMON["names"].items()}
_NUMBERS: dict[str, tuple[int, int]] = {k: (v[0], v[1]) for k, v in _COMMON["numbers"].items()}
# Core sentences: topic → sentiment → language.
_T: dict[str, dict[str, dict[str, list[str]]]] = {
    topic: {
        sentiment: {lang: _TEXTS[lang]["posts"][topic][sentiment] for lang in LANGS}
        for sentiment in by_sentiment
    }
    for topic, by_sentiment in _TEXTS[LANGS[0]]["posts"].items()
}
# Recurring product questions: (intent, weight, questions by language, answers by language).
_QUESTIONS: list[tuple[str, float, dict[str, list[str]], dict[str, list[str]]]] = [
    (
        intent,
        float(weight),
        {lang: _TEXTS[lang]["questions"][intent]["ask"] for lang in LANGS},
        {lang: _TEXTS[lang]["questions"][intent]["answers"] for lang in LANGS},
    )
    for intent, weight in _COMMON["question_weights"].items()
]
_QUESTION_WEIGHTS = list(accumulate(q[1] for q in _QUESTIONS))
_ASK = {lang: _TEXTS[lang]["ask_before"] for lang in LANGS}
_ASK_AFTER = {lang: _TEXTS[lang]["ask_after"] for lang in LANGS}
# News items: (sentiment, title, body), journalistic and mostly neutral.
_NEWS: dict[str, list[tuple[str, str, str]]] = {
    lang: [(n["sentiment"], n["title"], n["body"]) for n in _TEXTS[lang]["news"]] for lang in LANGS
}
_NEWS_MORE = {lang: _TEXTS[lang]["news_more"] for lang in LANGS}
_TITLES: dict[str, dict[str, list[str]]] = {lang: _TEXTS[lang]["titles"] for lang in LANGS}
_VERDICT = {lang: _TEXTS[lang]["verdicts"] for lang in LANGS}
_OPENERS = {lang: _TEXTS[lang]["openers"] for lang in LANGS}
_CLOSERS = {lang: _TEXTS[lang]["closers"] for lang in LANGS}
# A reply agrees with its parent when both have the same sentiment, else it disagrees.
_REPLY_OPENERS = {lang: _TEXTS[lang]["reply_openers"] for lang in LANGS}
_ANSWER_OPENERS = {lang: _TEXTS[lang]["answer_openers"] for lang in LANGS}
_ANSWER_CLOSERS = {lang: _TEXTS[lang]["answer_closers"] for lang in LANGS}
# Personal context that any post may carry. Independent of topic and sentiment, it
# multiplies the number of distinct texts, so that near-duplicate detection flags the
# reposts and syndicated copies rather than every post that reuses a template.
_CONTEXT = {lang: _TEXTS[lang]["context"] for lang in LANGS}
_EMOJI: dict[str, list[str]] = _COMMON["emoji"]
_TAGS = {
    pool: {lang: _expand(_TEXTS[lang]["hashtags"][pool]) for lang in LANGS}
    for pool in _TEXTS[LANGS[0]]["hashtags"]
}
_FIRST = {lang: _TEXTS[lang]["first_names"] for lang in LANGS}
_LAST = {lang: _TEXTS[lang]["last_names"] for lang in LANGS}
_HANDLE_WORDS = {lang: _TEXTS[lang]["handle_words"] for lang in LANGS}
_OUTLETS = {
    source: {lang: _TEXTS[lang]["outlets"][source] for lang in LANGS}
    for source in _TEXTS[LANGS[0]]["outlets"]
}
_SOCIAL_SOURCES = ("demo-mastodon", "demo-bluesky", "demo-reddit", "demo-forum", "demo-hn")
_SOURCE_WEIGHTS = {
    "de": list(accumulate([0.34, 0.22, 0.14, 0.26, 0.04])),
    "en": list(accumulate([0.22, 0.26, 0.30, 0.08, 0.14])),
}
_TRANSLIT = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "ı": "i", "ş": "s"})


@dataclass(frozen=True)
class _Author:
    name: str
    handle: str  # bare; each source dresses it in its own format
    followers: int


@dataclass
class _Post:
    """What later replies and reposts need to know about an original item."""

    external_id: str
    source: str
    lang: str
    handle: str
    text: str
    title: str | None
    thread_id: str | None
    seconds: int
    sentiment: str
    intent: str | None


@dataclass
class _Draft:
    text: str
    lang: str
    sentiment: str
    source: str
    kind: str = "post"
    title: str | None = None
    reply_to: _Post | None = None
    intent: str | None = None


class Ingestor(Protocol):
    """Where `seed_demo` sends its batches: `core.pipeline.Pipeline` in the running bot."""

    async def ingest(self, items: Sequence[RawMention], *, via: str = ...) -> IngestResult: ...


def generate_demo(
    now: dt.datetime, *, days: int = 30, total: int = 20_000, seed: int = 42
) -> Iterator[RawMention]:
    """Yield a synthetic mention stream over [now - days, now] in published order.

    The same `seed` and `now` always give the same items, exactly `total` of them. Every
    item is marked `synthetic`, kept even if it matches no watch term, and leaves language
    and sentiment to the pipeline. See the module docstring for the planted events.
    """
    now = to_naive_utc(now)
    hours = max(days, 0) * 24
    if hours == 0 or total <= 0:
        return
    rng = random.Random(seed)
    start = now - dt.timedelta(hours=hours)
    cells, cum = _cell_weights(rng, start, hours)
    # Draw every item's hour and topic at once: a multinomial over (hour, topic) cells keeps
    # the total exact while each cell's count varies like real, Poisson-ish traffic.
    picks = rng.choices(range(len(cells)), cum_weights=cum, k=total)
    slots = sorted((cells[c][0] * 3600 + rng.randrange(3600), cells[c][1]) for c in picks)
    writer = _Writer(rng, hours)
    log.info("generating %d synthetic demo mentions over %d days (seed %d)", total, days, seed)
    for i, (seconds, topic) in enumerate(slots):
        yield writer.item(i, topic, seconds, start + dt.timedelta(seconds=seconds))


async def seed_demo(
    pipeline: Ingestor,
    *,
    now: dt.datetime,
    batch_size: int = 500,
    days: int = 30,
    total: int = 20_000,
    seed: int = 42,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Feed the demo stream through `pipeline.ingest`; return how many mentions were new.

    Idempotent: the pipeline skips (source, external_id) pairs it already stored, so a second
    run with the same `now` and `seed` stores nothing and returns 0. `progress(done, total)`
    is told after each batch how many of the `total` mentions went through.
    """
    new = 0
    done = 0
    batch: list[RawMention] = []
    for item in generate_demo(now, days=days, total=total, seed=seed):
        batch.append(item)
        if len(batch) >= batch_size:
            new += (await pipeline.ingest(batch, via="demo")).new
            done += len(batch)
            batch = []
            if progress is not None:
                progress(min(done, total), total)
    if batch:
        new += (await pipeline.ingest(batch, via="demo")).new
        if progress is not None:
            progress(total, total)
    log.info("demo seeding stored %d new synthetic mentions", new)
    return new


def _cell_weights(
    rng: random.Random, start: dt.datetime, hours: int
) -> tuple[list[tuple[int, str]], list[float]]:
    """Every (hour, topic) cell and the cumulative weights to draw cells from."""
    base: list[float] = []
    day_noise: dict[dt.date, float] = {}
    for h in range(hours):
        local = (start + dt.timedelta(hours=h, minutes=30)).replace(tzinfo=dt.UTC).astimezone(_ZONE)
        profile = _WEEKEND_HOURS if local.weekday() >= 5 else _WEEKDAY_HOURS
        # Day-to-day and hour-to-hour noise plus a slight growth over the month give trend
        # detection a baseline that is neither flat nor perfectly periodic.
        day = day_noise.setdefault(local.date(), rng.lognormvariate(0.0, 0.12))
        growth = 1.0 + 0.1 * h / hours
        noise = rng.lognormvariate(0.0, 0.2)
        base.append(profile[local.hour] * _DAY_FACTOR[local.weekday()] * day * growth * noise)
    mean = sum(base) / hours
    cells: list[tuple[int, str]] = []
    weights: list[float] = []
    for h, b in enumerate(base):
        age = hours - h - 0.5  # hours before `now`, at the middle of the hour
        for topic, share in _TOPIC_SHARE.items():
            cells.append((h, topic))
            weights.append(b * share * _topic_factor(topic, age))
        if age < HASHTAG_RISE.total_seconds() / 3600:
            # Rises from zero and accelerates, as a catching-on hashtag does; only 30 % of it
            # follows the day rhythm, so that the rise stays visible through the night.
            ramp = 1.0 - age / (HASHTAG_RISE.total_seconds() / 3600)
            cells.append((h, "latteart"))
            weights.append(_LATTE_PEAK * ramp**1.5 * (0.7 * mean + 0.3 * b))
    return cells, list(accumulate(weights))


def _topic_factor(topic: str, age: float) -> float:
    """How a topic's normal share is scaled `age` hours before now (the planted events)."""
    if topic == "delivery":
        centre = DELIVERY_SPIKE_BEFORE.total_seconds() / 3600
        off = abs(age - centre)
        height = 1.0 - max(0.0, off - _SPIKE_PLATEAU_H) / _SPIKE_RAMP_H
        return 1.0 + (DELIVERY_SPIKE_FACTOR - 1.0) * min(1.0, max(0.0, height))
    if topic == "kaffeeko":
        return _kaffeeko_factor(age)
    return 1.0


def _kaffeeko_factor(age: float) -> float:
    since = KAFFEEKO_DROP_SINCE.total_seconds() / 3600
    # A 12-hour slide into the drop rather than a step: volumes rarely fall off a cliff.
    into = min(1.0, max(0.0, (since - age) / 12.0))
    return 1.0 - (1.0 - KAFFEEKO_DROP_FACTOR) * into


class _Writer:
    """Turns (index, topic, time) into a complete RawMention; keeps the recent posts."""

    def __init__(self, rng: random.Random, hours: int) -> None:
        self.rng = rng
        self.hours = hours
        self.local = dt.datetime(2000, 1, 1, 12, tzinfo=_ZONE)  # the current item's local time
        self.age = 0.0
        self.recent: dict[str, deque[_Post]] = {}
        self.people = {lang: _people(rng, lang, 1200) for lang in ("de", "en")}
        # Zipf-like activity: a few people post a lot, most post once or twice.
        self.people_cum = {
            lang: list(accumulate(1.0 / (r + 1) ** 0.8 for r in range(len(pool))))
            for lang, pool in self.people.items()
        }
        self.outlets = {
            (src, name): _Author(name, _slug(name), int(rng.lognormvariate(9.5, 1.0)))
            for src, by_lang in _OUTLETS.items()
            for lang, names in by_lang.items()
            for name in names
        }

    def item(self, i: int, topic: str, seconds: int, published: dt.datetime) -> RawMention:
        rng = self.rng
        self.local = published.replace(tzinfo=dt.UTC).astimezone(_ZONE)
        self.age = self.hours - seconds / 3600  # hours before `now`
        draft = self._derived(topic, seconds) or self._original(topic, seconds)
        source = draft.source
        author = self._author(source, draft.lang)
        external_id = f"demo-{i:06d}"
        parent = draft.reply_to
        thread_id = (parent.thread_id or parent.external_id) if parent else None
        if parent is None and source in ("demo-forum", "demo-reddit", "demo-hn"):
            thread_id = external_id  # a top-level post starts its own thread
        if draft.kind == "post":
            self.recent.setdefault(topic, deque(maxlen=40)).append(
                _Post(external_id, source, draft.lang, author.handle, draft.text, draft.title,
                      thread_id, seconds, draft.sentiment, draft.intent)
            )  # fmt: skip
        likes = min(100_000, int((rng.paretovariate(1.4) - 1.0) * (1 + author.followers**0.5 / 10)))
        return RawMention(
            source=source,
            external_id=external_id,
            text=draft.text,
            published_at=published,
            source_type=_SOURCE_TYPE[source],
            url=_url(source, author, i, draft, published),
            author=author.name,
            author_handle=_dress_handle(source, author.handle),
            title=draft.title,
            likes=likes,
            reposts=int(likes * rng.random() * 0.3),
            replies=int((rng.paretovariate(2.0) - 1.0) * (1 + likes**0.5)),
            followers=author.followers,
            reply_to=parent.external_id if parent else None,
            thread_id=thread_id,
            language=None,  # the pipeline detects the language, as for most real sources
            keep_unmatched=True,
            synthetic=True,
            extra={
                "notice": DEMO_NOTICE[draft.lang],
                "demo_topic": topic,
                "demo_sentiment": draft.sentiment,
                "demo_kind": draft.kind,
            },
        )

    # -- replies and reposts -------------------------------------------------------------

    def _derived(self, topic: str, seconds: int) -> _Draft | None:
        """A reply to or a repost of a recent post on the same topic, or None."""
        rng = self.rng
        roll = rng.random()
        # Nobody replies inside a news feed or a blog; questions draw the most answers.
        p_reply = {"question": 0.3, "news": 0.0, "review": 0.0}.get(topic, 0.1)
        if roll >= 0.05 + p_reply:
            return None
        recent = [p for p in self.recent.get(topic, ()) if seconds - p.seconds < 48 * 3600]
        if not recent:
            return None
        if roll < 0.05:
            return self._repost(rng.choice(recent))
        return self._reply(topic, rng.choice(recent))

    def _repost(self, parent: _Post) -> _Draft:
        if parent.source in ("demo-news", "demo-blog"):
            # Syndication: the same article, word for word, on another feed.
            other = self.rng.choice([s for s in _RSS if s != parent.source])
            return _Draft(parent.text, parent.lang, parent.sentiment, other, "repost", parent.title)
        text = f"RT @{parent.handle}: {parent.text}"
        return _Draft(text, parent.lang, parent.sentiment, self.rng.choice(_SOCIAL), "repost")

    def _reply(self, topic: str, parent: _Post) -> _Draft:
        rng, lang = self.rng, parent.lang
        ctx: dict[str, str] = {}
        if topic == "question" and parent.intent is not None:
            answers = next(q[3] for q in _QUESTIONS if q[0] == parent.intent)
            text, sentiment = self._fill(rng.choice(answers[lang]), lang, ctx), "neu"
            if rng.random() < 0.4:
                text = f"{rng.choice(_ANSWER_OPENERS[lang])} {text}"
            if rng.random() < 0.4:
                text = f"{text} {rng.choice(_ANSWER_CLOSERS[lang])}"
        else:
            sentiment = self._sentiment(topic)
            text = self._core(topic, sentiment, lang, ctx)
            # Agreeing or disagreeing only makes sense between two opinions.
            if "neu" not in (sentiment, parent.sentiment) and rng.random() < 0.5:
                agree = "same" if sentiment == parent.sentiment else "other"
                text = f"{rng.choice(_REPLY_OPENERS[lang][agree])} {text}"
        text = self._with_context(text, lang, ctx)
        if parent.source in _SOCIAL:
            text = f"@{parent.handle} {text}"
        return _Draft(text, lang, sentiment, parent.source, "reply", reply_to=parent)

    # -- originals -----------------------------------------------------------------------

    def _original(self, topic: str, seconds: int) -> _Draft:
        rng = self.rng
        lang = "de" if rng.random() < _DE_SHARE else "en"
        ctx: dict[str, str] = {}
        if topic == "compare" or topic == "news":
            # Kaffeeko's drop also shows where it is named next to others.
            factor = _kaffeeko_factor(self.hours - seconds / 3600)
            ctx["comp"] = _NAMES["kaffeeko" if rng.random() < 0.55 * factor else "beanbox"][0]
        if topic == "news":
            return self._news(lang, ctx)
        if topic == "review":
            return self._review(lang, ctx)
        if topic == "latteart":
            source = rng.choice(_SOCIAL)
        else:
            source = rng.choices(_SOCIAL_SOURCES, cum_weights=_SOURCE_WEIGHTS[lang])[0]
        intent = question = core = None
        if topic == "question":
            sentiment = "neu"
            intent, question, text = self._question(lang, ctx)
        else:
            sentiment = self._sentiment(topic)
            text = core = self._core(topic, sentiment, lang, ctx)
            if rng.random() < 0.3 and ":" not in core[:24]:  # no "Update: Heute gelernt: …"
                text = f"{rng.choice(_OPENERS[lang][sentiment])} {text}"
            text = self._with_context(text, lang, ctx)
            if rng.random() < 0.4:
                text = f"{text} {rng.choice(_CLOSERS[lang][sentiment])}"
        text = self._decorate(text, topic, sentiment, lang, source)
        title = None
        if source in ("demo-forum", "demo-reddit"):
            # Generic chatter has no topic title that would fit, so its first sentence serves.
            first = core.split(". ")[0].rstrip(".") if topic == "keyword" and core else None
            title = question or first or self._title(topic, lang, ctx)
        return _Draft(text, lang, sentiment, source, title=title, intent=intent)

    def _question(self, lang: str, ctx: dict[str, str]) -> tuple[str, str, str]:
        """A recurring question: its intent, the bare question, and the question as posted."""
        rng = self.rng
        intent, _w, asks, _answers = rng.choices(_QUESTIONS, cum_weights=_QUESTION_WEIGHTS)[0]
        question = text = self._fill(rng.choice(asks[lang]), lang, ctx)
        if rng.random() < 0.3:
            text = f"{rng.choice(_ASK[lang])} {text}"
        text = self._with_context(text, lang, ctx)
        if rng.random() < 0.4:
            text = f"{text} {rng.choice(_ASK_AFTER[lang])}"
        return intent, question, text

    def _news(self, lang: str, ctx: dict[str, str]) -> _Draft:
        rng = self.rng
        sentiment, title, body = rng.choice(_NEWS[lang])
        text = self._fill(body, lang, ctx)
        if rng.random() < 0.5:
            text = f"{text} {rng.choice(_NEWS_MORE[lang])}"
        source = "demo-news" if rng.random() < 0.75 else "demo-blog"
        return _Draft(text, lang, sentiment, source, title=self._fill(title, lang, ctx))

    def _review(self, lang: str, ctx: dict[str, str]) -> _Draft:
        """A long post: title, three sentences about one product, one verdict."""
        rng = self.rng
        product = "brew" if rng.random() < 0.6 else "mill"
        ctx["product"] = ctx[product] = _NAMES[product][0]
        sentiment = self._sentiment("review")
        pool = _T[product][sentiment][lang]
        sentences = [self._fill(t, lang, ctx) for t in rng.sample(pool, 3)]
        text = " ".join([*sentences, _VERDICT[lang][sentiment]])
        source = "demo-blog" if rng.random() < 0.6 else "demo-forum"
        title = self._fill(rng.choice(_TITLES[lang]["review"]), lang, ctx)
        return _Draft(text, lang, sentiment, source, title=title)

    def _with_context(self, text: str, lang: str, ctx: dict[str, str]) -> str:
        if self.rng.random() < 0.55:
            return f"{text} {self._fill(self.rng.choice(_CONTEXT[lang]), lang, ctx)}"
        return text

    def _title(self, topic: str, lang: str, ctx: dict[str, str]) -> str:
        key = "competitor" if topic in ("kaffeeko", "beanbox") else topic
        return self._fill(self.rng.choice(_TITLES[lang][key]), lang, ctx)

    def _sentiment(self, topic: str) -> str:
        if topic == "delivery":
            return "neg"
        if topic in ("delivery_praise", "latteart"):
            return "pos"
        if topic == "exclusion":
            return "neu"
        return self.rng.choices(("pos", "neu", "neg"), weights=_MIX[topic])[0]

    def _core(self, topic: str, sentiment: str, lang: str, ctx: dict[str, str]) -> str:
        key = "competitor" if topic in ("kaffeeko", "beanbox") else topic
        if key == "competitor":
            ctx.setdefault("comp", self.rng.choice(_NAMES[topic]))
        pool = [t for t in _T[key][sentiment][lang] if self.fits(_when(t))]
        return self._fill(self.rng.choice(pool), lang, ctx)

    def fits(self, when: str) -> bool:
        """Whether a phrase with this condition may be said at the current item's time."""
        hour, day = self.local.hour, self.local.weekday()
        tag_hours = HASHTAG_RISE.total_seconds() / 3600 - self.age  # since the tag began
        return {
            "always": True,
            "daytime": hour >= 9,
            "not_sunday": day != 6,
            "monday": day == 0,
            "sunday_morning": day == 6 and 7 <= hour < 14,
            "tag_day_two": tag_hours >= 24,
            "tag_since_last_night": tag_hours >= 12,
        }[when]

    def _decorate(self, text: str, topic: str, sentiment: str, lang: str, source: str) -> str:
        """Emoji and hashtags, mostly on the microblogs, where people use them."""
        rng = self.rng
        social = source in _SOCIAL
        if social and rng.random() < 0.25:
            text = f"{text} {rng.choice(_EMOJI[sentiment])}"
        if rng.random() < (0.4 if social else 0.06):
            pool_key = "delivery" if topic == "delivery" else "brand"
            if topic in ("kaffeeko", "beanbox", "keyword", "exclusion"):
                pool_key = "other"
            pool = _TAGS[pool_key][lang]
            tags = list(dict.fromkeys(rng.choice(pool) for _ in range(rng.randint(1, 2))))
            text = f"{text} {' '.join(tags)}"
        return text

    def _fill(self, template: str, lang: str, ctx: dict[str, str]) -> str:
        """Fill the {slots} (str.format_map, each value drawn when first asked for); a slot
        keeps its value within one item (title and text agree). A value that opens the
        sentence gets a capital ("Gestern Abend …", "… gestern Abend")."""
        text = template.format_map(_Slots(self, lang, ctx))
        return text[:1].upper() + text[1:] if template.startswith("{") else text

    def _value(self, name: str, lang: str, ctx: dict[str, str]) -> str:
        if name not in ctx:
            rng = self.rng
            if name == "tag":
                ctx[name] = PLANTED_HASHTAG
            elif name == "product":
                ctx[name] = _NAMES["brew" if rng.random() < 0.65 else "mill"][0]
            elif name == "comp":
                ctx[name] = rng.choice(_NAMES["kaffeeko" if rng.random() < 0.5 else "beanbox"])
            elif name in _NAMES:
                ctx[name] = rng.choice(_NAMES[name])
            elif name in _NUMBERS:
                ctx[name] = str(rng.randint(*_NUMBERS[name]))
            elif name == "month":
                ahead = rng.randint(*_MONTHS_AHEAD)
                ctx[name] = _MONTHS[lang][(self.local.month - 1 + ahead) % 12]
            elif name == "weekday":
                days = [
                    (self.local - dt.timedelta(days=d)).weekday()
                    for d in range(_DAYS_BEFORE[0], _DAYS_BEFORE[1] + 1)
                ]
                ctx[name] = _WEEKDAYS[lang][rng.choice([d for d in days if d != 6])]
            elif name == "time":
                ctx[name] = rng.choice([p for p, when in _TIMES[lang] if self.fits(when)])
            else:
                ctx[name] = rng.choice(_VOCAB[lang][name])
        return ctx[name]

    # -- authors -------------------------------------------------------------------------

    def _author(self, source: str, lang: str) -> _Author:
        rng = self.rng
        if source in _OUTLETS:
            return self.outlets[(source, rng.choice(_OUTLETS[source][lang]))]
        return rng.choices(self.people[lang], cum_weights=self.people_cum[lang])[0]


class _Slots:
    """The mapping `str.format_map` reads: a slot's value from the item's context, drawn by
    the writer when the item first names it."""

    def __init__(self, writer: _Writer, lang: str, ctx: dict[str, str]) -> None:
        self.writer, self.lang, self.ctx = writer, lang, ctx

    def __getitem__(self, name: str) -> str:
        return self.writer._value(name, self.lang, self.ctx)


def _when(template: str) -> str:
    """The condition a template names its moment with (`_ONLY_WHEN`), or "always"."""
    return next((when for mark, when in _ONLY_WHEN.items() if mark in template), "always")


def _people(rng: random.Random, lang: str, count: int) -> list[_Author]:
    """Invented people: common first and last names, handles in the usual patterns."""
    out: list[_Author] = []
    taken: set[str] = set()
    for _ in range(count):
        first, last = rng.choice(_FIRST[lang]), rng.choice(_LAST[lang])
        f, la = _ascii(first), _ascii(last)
        handle = rng.choice(
            [f"{f}.{la}", f"{f}{la[0]}", f"{f}_{la}", f"{la}{f[0]}",
             f"{f}{rng.randint(70, 99)}", f"{f}_{rng.choice(_HANDLE_WORDS[lang])}"]
        )  # fmt: skip
        while handle in taken:
            handle = f"{handle}{rng.randint(0, 9)}"
        taken.add(handle)
        roll = rng.random()
        name = f"{first} {last}" if roll < 0.8 else f"{first} {last[0]}." if roll < 0.9 else first
        # Followers: log-normal, so most have a few hundred and a handful tens of thousands.
        out.append(_Author(name, handle, int(rng.lognormvariate(5.0, 1.7))))
    return out


def _ascii(name: str) -> str:
    return fold(name.lower().translate(_TRANSLIT))


@lru_cache(maxsize=4096)  # titles repeat a lot; folding each one again is the slow part
def _slug(value: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", _ascii(value)).strip("-")[:60]


def _dress_handle(source: str, handle: str) -> str:
    if source == "demo-mastodon":
        return f"{handle}@social.demo.horchposten.invalid"
    if source == "demo-bluesky":
        return f"{re.sub(r'[^a-z0-9]+', '-', handle)}.bsky.demo.horchposten.invalid"
    return handle


def _url(source: str, author: _Author, i: int, draft: _Draft, when: dt.datetime) -> str:
    slug = _slug(draft.title) if draft.title else "post"
    if source == "demo-mastodon":
        return f"{URL_BASE}/mastodon/@{author.handle}/{110_000_000 + i}"
    if source == "demo-bluesky":
        return f"{URL_BASE}/bluesky/profile/{_dress_handle(source, author.handle)}/post/{i:x}"
    if source == "demo-reddit":
        sub = "kaffee" if draft.lang == "de" else "espresso"
        return f"{URL_BASE}/reddit/r/{sub}/comments/{i:x}/{slug}/"
    if source == "demo-hn":
        return f"{URL_BASE}/hn/item?id={40_000_000 + i}"
    if source == "demo-forum":
        return f"{URL_BASE}/forum/t/{slug}#post-{i}"
    section = "news" if source == "demo-news" else f"blog/{author.handle}"
    return f"{URL_BASE}/{section}/{when:%Y/%m}/{slug}-{i}"
