"""The figures behind `assess TERM`, from the hourly counts and a sample of the mentions.

A term on the watchlist (or an alias, or a hashtag) is counted exactly from the hourly
counts; anything else is found by full-text search. Shares of questions, voices, buying
intent and churn come from the newest mentions (up to SAMPLE of them).
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlmodel.ext.asyncio.session import AsyncSession

from core.analysis.trends import DetectorConfig
from core.models import Mention
from core.storage import drafts as draft_store
from core.storage import trends as store
from core.storage import watch
from core.storage.mentions import MentionFilter, search_mentions
from core.text import hashtags
from core.trends import emerging, lexicon
from core.trends.assess import Figures, Rival
from core.trends.names import Names, load_names
from core.trends.period import HOUR, floor_hour
from core.trends.topics import word_forms, words
from core.watchlist import Watchlist

DAYS = 30
SAMPLE = 2000
RIVAL_SAMPLE = 300
MIN_DAY = 3  # mentions a day needs to count towards the sentiment's volatility
OWN_TERM_MIN = 3
OWN_TERMS = 5


@dataclass(frozen=True)
class Subject:
    name: str
    key: str | None  # term:… or tag:…; None: found by full-text search
    query: str


async def resolve(session: AsyncSession, text: str, names: Names) -> Subject:
    """The watch entity or hashtag a text names, else a full-text query."""
    raw = text.strip()
    if raw.startswith("#") and (tags := hashtags(raw)):
        return Subject(tags[0], f"tag:{tags[0]}", raw)
    terms = watch.to_terms(await watch.list_terms(session=session))
    matched = Watchlist(terms).match(raw)
    if matched:
        canonical = matched[0].canonical
        return Subject(names.terms.get(canonical, matched[0].term), f"term:{canonical}", raw)
    return Subject(raw, None, raw)


def _net(pos: int, neg: int, n: int) -> float | None:
    return (pos - neg) / n if n else None


def volatility(mentions: Sequence[Mention]) -> float | None:
    """How much the net sentiment swings from day to day (standard deviation, −1..1 scale)."""
    days: dict[dt.date, list[int]] = defaultdict(lambda: [0, 0, 0])
    for m in mentions:
        acc = days[m.published_at.date()]
        acc[0] += 1
        acc[1] += m.sentiment == "positive"
        acc[2] += m.sentiment == "negative"
    return _swing(days.values())


def counted_volatility(hours: Sequence[store.Hour]) -> float | None:
    """`volatility` from hourly counts: every mention of the period, not a sample."""
    days: dict[dt.date, list[int]] = defaultdict(lambda: [0, 0, 0])
    for hour in hours:
        acc = days[hour.bucket.date()]
        acc[0] += hour.n
        acc[1] += hour.pos
        acc[2] += hour.neg
    return _swing(days.values())


def _swing(days: Iterable[list[int]]) -> float | None:
    nets = [(pos - neg) / n for n, pos, neg in days if n >= MIN_DAY]
    return statistics.pstdev(nets) if len(nets) >= 3 else None


def own_terms(
    ours: Sequence[Mention], theirs: Sequence[Mention], names: Sequence[str]
) -> list[str]:
    """Words in several of our mentions that none of the competitors' mentions use (as
    written, "mühle")."""
    counted: Counter[str] = Counter()
    forms: dict[str, str] = {}
    for m in ours:
        found = word_forms(m.text)
        counted.update(found.keys())
        for folded, written in found.items():
            forms.setdefault(folded, written)
    used = {w for m in theirs for w in words(m.text)}
    named = {w for name in names for w in words(name)}
    own = [w for w, c in counted.items() if c >= OWN_TERM_MIN and w not in used | named]
    return [forms[w] for w in sorted(own, key=lambda w: (-counted[w], w))[:OWN_TERMS]]


@dataclass
class _Volume:
    mentions: list[Mention]
    n: int
    prev_n: int
    reach: int
    week: int
    prev_week: int
    net: float | None
    signal: str | None = None
    volatility: float | None = None


async def _counted(
    session: AsyncSession, key: str, *, now: dt.datetime, end: dt.datetime
) -> _Volume:
    """A watch entity or hashtag: exact counts from the hourly counts, a sample of mentions."""
    start, week = end - dt.timedelta(days=DAYS), end - dt.timedelta(days=7)
    month = await store.window_totals(
        session=session, start=start - dt.timedelta(days=DAYS), mid=start, end=end, keys=[key]
    )
    weeks = await store.window_totals(
        session=session, start=week - dt.timedelta(days=7), mid=week, end=end, keys=[key]
    )
    own, last = month.get(key, store.Totals()), weeks.get(key, store.Totals())
    mentions = await store.mentions_for_key(
        session=session, key=key, since=start, until=end, limit=SAMPLE, newest=True
    )
    found = await emerging.scan(session, now=now, config=DetectorConfig(), keys=[key])
    hours = await store.hours(session=session, keys=[key], since=start, until=end)
    return _Volume(
        mentions,
        own.n,
        own.prev_n,
        own.reach,
        last.n,
        last.prev_n,
        _net(own.pos, own.neg, own.n),
        found[0].signal.kind if found else None,
        counted_volatility(hours[key]),
    )


async def _searched(session: AsyncSession, query: str, *, end: dt.datetime) -> _Volume:
    """Any other text: what full-text search finds (counts capped at SAMPLE a period)."""
    start, week = end - dt.timedelta(days=DAYS), end - dt.timedelta(days=7)
    mentions, _ = await search_mentions(
        session=session, flt=MentionFilter(query=query, since=start, until=end), limit=SAMPLE
    )
    before, _ = await search_mentions(
        session=session,
        flt=MentionFilter(query=query, since=start - dt.timedelta(days=DAYS), until=start),
        limit=SAMPLE,
    )
    positive = sum(m.sentiment == "positive" for m in mentions)
    negative = sum(m.sentiment == "negative" for m in mentions)
    return _Volume(
        mentions,
        len(mentions),
        len(before),
        sum(m.reach for m in mentions),
        sum(1 for m in mentions if m.published_at >= week),
        sum(1 for m in mentions if week - dt.timedelta(days=7) <= m.published_at < week),
        _net(positive, negative, len(mentions)),
    )


async def gather(session: AsyncSession, *, text: str, now: dt.datetime) -> Figures:
    """All figures of an assessment of `text` over the last DAYS days."""
    names = await load_names(session)
    subject = await resolve(session, text, names)
    end = floor_hour(now) + HOUR
    start = end - dt.timedelta(days=DAYS)
    if subject.key is not None:
        vol = await _counted(session, subject.key, now=now, end=end)
    else:
        vol = await _searched(session, subject.query, end=end)
    canonical = subject.key.partition(":")[2] if subject.key else ""
    rival_keys = [f"term:{c}" for c in names.competitors() if c != canonical]
    totals = await store.window_totals(
        session=session, start=start, mid=start, end=end, keys=[*rival_keys, "all"]
    )
    mentions = vol.mentions
    voices = [m for m in mentions if m.intent in store.VOICE_INTENTS and m.id is not None]
    drafted = await draft_store.drafted_mentions(
        session=session, mention_ids=[m.id for m in voices if m.id is not None]
    )
    open_voices = [m for m in voices if m.id not in drafted]
    authors = Counter(
        str(m.author_handle or m.author) for m in mentions if m.author_handle or m.author
    )
    theirs: list[Mention] = []
    for key in rival_keys:
        theirs += await store.mentions_for_key(
            session=session, key=key, since=start, until=end, limit=RIVAL_SAMPLE, newest=True
        )
    every = totals.get("all", store.Totals())
    return Figures(
        subject=subject.name,
        days=DAYS,
        n=vol.n,
        prev_n=vol.prev_n,
        week=vol.week,
        prev_week=vol.prev_week,
        share_all=vol.n / every.n if every.n else None,
        reach=vol.reach,
        signal=vol.signal,
        sample=len(mentions),
        capped=len(mentions) >= SAMPLE,
        questions=sum(m.intent == "question" for m in mentions),
        complaints=sum(m.intent == "complaint" for m in mentions),
        open_threads=len(open_voices),
        open_questions=sum(1 for m in open_voices if m.intent == "question"),
        volatility=vol.volatility if vol.volatility is not None else volatility(mentions),
        authors=len(authors),
        top_voices=authors.most_common(3),
        top5_share=sum(c for _, c in authors.most_common(5)) / len(mentions) if mentions else None,
        net=vol.net,
        rivals=[_rival(names, key, totals.get(key, store.Totals())) for key in rival_keys],
        own_terms=own_terms(mentions, theirs, [*names.terms.values(), subject.name]),
        buying=sum(lexicon.buying_intent(m.text) for m in mentions),
        churn=sum(lexicon.churn_signal(m.text) for m in mentions),
    )


def _rival(names: Names, key: str, tot: store.Totals) -> Rival:
    return Rival(names.of(key), tot.n, _net(tot.pos, tot.neg, tot.n))
