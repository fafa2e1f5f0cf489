"""The figures behind `assess TERM`, all over one period: from the hourly counts and a sample
of the period's mentions.

A term on the watchlist (or an alias, or a hashtag) is counted exactly from the hourly
counts; anything else is found by full-text search, in every form of its words (stems.py:
"Nachhaltigkeit" finds "nachhaltig"). The period is the last `DAYS` days, or since listening
began when that is later; the period before is compared only when listening covered it.
Shares of questions, voices, buying intent and churn come from the period's newest mentions
(up to SAMPLE of them).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlmodel.ext.asyncio.session import AsyncSession

from core.analysis.bursts import DetectorConfig
from core.assess.verdict import Figures, Rival
from core.assess.volume import (
    Volume,
    counted_volume,
    searched_volume,
    swing,
    window,
)
from core.models import Mention
from core.storage import drafts as draft_store
from core.storage import watch
from core.storage import windows as store
from core.stories.topics import word_forms, words
from core.text import hashtags
from core.trends import emerging, lexicon
from core.trends.names import OURS, Names, load_names
from core.watchlist import Watchlist

DAYS = 30
SAMPLE = 2000
RIVAL_SAMPLE = 300
OWN_TERM_MIN = 3
OWN_TERMS = 5
TERM_SEP = "|"


@dataclass(frozen=True)
class Subject:
    name: str
    key: str | None  # term:… or tag:…; None: found by full-text search
    query: str  # the words asked
    kind: str  # ours | competitor | topic


async def resolve(session: AsyncSession, text: str, names: Names) -> Subject:
    """The watch entity or hashtag a text names, else a full-text query."""
    raw = text.strip()
    if raw.startswith("#") and (tags := hashtags(raw)):
        return Subject(tags[0], f"tag:{tags[0]}", raw, "topic")
    terms = watch.to_terms(await watch.list_terms(session=session))
    matched = Watchlist(terms).match(raw)
    if matched:
        canonical = matched[0].canonical
        kind = names.kinds.get(canonical, "keyword")
        sort = "ours" if kind in OURS else "competitor" if kind == "competitor" else "topic"
        return Subject(names.terms.get(canonical, matched[0].term), f"term:{canonical}", raw, sort)
    return Subject(raw, None, raw, "topic")


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
    return swing(days.values())


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


def _named(mentions: Sequence[Mention], entities: Iterable[str]) -> list[Mention]:
    wanted = {f"{TERM_SEP}{e}{TERM_SEP}" for e in entities}
    return [m for m in mentions if any(w in f"|{m.matched_terms}|" for w in wanted)]


def _mood(mentions: Sequence[Mention]) -> float | None:
    if len(mentions) < 5:
        return None  # too few to say how a group sounds
    pos = sum(m.sentiment == "positive" for m in mentions)
    neg = sum(m.sentiment == "negative" for m in mentions)
    return _net(pos, neg, len(mentions))


async def gather(
    session: AsyncSession, *, text: str, now: dt.datetime, days: int = DAYS
) -> Figures:
    """All figures of an assessment of `text`, over one period (see `window`)."""
    names = await load_names(session)
    subject = await resolve(session, text, names)
    span = await window(session, now, days)
    canonical = subject.key.partition(":")[2] if subject.key else ""
    ours = [c for c in names.ours() if c != canonical or subject.kind != "ours"]
    rivals = [c for c in names.competitors() if c != canonical]
    if subject.key is not None:
        vol: Volume = await counted_volume(session, subject.key, span, now=now, sample=SAMPLE)
    else:
        vol = await searched_volume(session, subject.query, span, sample=SAMPLE)
    signal = None
    if subject.key is not None:
        moving = await emerging.scan(session, now=now, config=DetectorConfig(), keys=[subject.key])
        signal = moving[0].signal.kind if moving else None
    totals = await store.window_totals(
        session=session,
        start=span.start,
        mid=span.start,
        end=span.end,
        keys=[*(f"term:{c}" for c in rivals), *(f"term:{c}" for c in names.ours()), "all"],
    )
    mentions = vol.mentions
    # A repost is counted (it is part of the volume) but is no thread of its own to answer.
    voices = [
        m
        for m in mentions
        if m.intent in store.VOICE_INTENTS and m.id is not None and m.dup_of is None
    ]
    drafted = await draft_store.drafted_mentions(
        session=session, mention_ids=[m.id for m in voices if m.id is not None]
    )
    open_voices = [m for m in voices if m.id not in drafted]
    authors = Counter(
        str(m.author_handle or m.author) for m in mentions if m.author_handle or m.author
    )
    naming_us, naming_them = _named(mentions, ours), _named(mentions, rivals)
    figures = Figures(
        subject=subject.name,
        kind=subject.kind,
        start=span.start,
        end=span.end,
        days=span.days,
        n=vol.n,
        sample=len(mentions),
        capped=vol.capped,
        searched=subject.key is None,
        share_all=vol.n / every.n if (every := totals.get("all", store.Totals())).n else None,
        reach=vol.reach,
        prev_n=vol.prev_n if span.comparable else None,
        week=vol.week,
        prev_week=vol.prev_week,
        first_seen=vol.first_seen,
        listening=span.began,
        signal=signal,
        questions=sum(m.intent == "question" for m in mentions),
        complaints=sum(m.intent == "complaint" for m in mentions),
        open_threads=len(open_voices),
        open_questions=sum(1 for m in open_voices if m.intent == "question"),
        volatility=vol.volatility if vol.volatility is not None else volatility(mentions),
        authors=len(authors),
        top_voices=authors.most_common(3),
        top5_share=sum(c for _, c in authors.most_common(5)) / len(mentions) if mentions else None,
        net=vol.net,
        rivals=[
            _rival(names, f"term:{c}", totals.get(f"term:{c}", store.Totals())) for c in rivals
        ],
        named_ours=len(naming_us),
        named_theirs=len(naming_them),
        net_ours=_mood(naming_us),
        net_theirs=_mood(naming_them),
        buying=sum(lexicon.buying_intent(m.text) for m in mentions),
        churn=sum(lexicon.churn_signal(m.text) for m in mentions),
    )
    if subject.kind == "competitor":
        # Our own mood over the same period, against theirs.
        mine = [totals.get(f"term:{c}", store.Totals()) for c in names.ours()]
        figures.net_ours = _net(
            sum(t.pos for t in mine), sum(t.neg for t in mine), sum(t.n for t in mine)
        )
        figures.net_theirs = vol.net
    if subject.kind == "ours":
        theirs: list[Mention] = []
        for c in rivals:
            theirs += await store.mentions_for_key(
                session=session,
                key=f"term:{c}",
                since=span.start,
                until=span.end,
                limit=RIVAL_SAMPLE,
                newest=True,
            )
        figures.own_terms = own_terms(mentions, theirs, [*names.terms.values(), subject.name])
    return figures


def _rival(names: Names, key: str, tot: store.Totals) -> Rival:
    return Rival(names.of(key), tot.n, _net(tot.pos, tot.neg, tot.n))
