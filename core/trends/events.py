"""What happened in a period: bursts, climbs and drops of terms, hashtags, topics and intents,
found in the stored hourly counts and told as stories.

1. **Candidates.** Every watch term, topic and intent busy enough in the period (or, for a
   drop, before it), and the hashtags that could matter: the busiest, and those busier than
   in the period before. Their hours are read once, with two weeks of history before the
   period for the usual level.
2. **Episodes per key** (core.analysis.events): start, peak, end, the count against the
   usual level of the same hours on the days before it began, and the significance.
   A key's history is known from when listening began (hashtags, intents: counted for every
   mention) or from its first count (watch terms and topics begin when someone adds them).
3. **Stories.** Episodes of different keys that overlap in time and share at least half of
   the smaller one's mentions are one story (a term and its hashtag, the complaints about a
   product and the product); so are a term and the hashtag of the same word. The story is
   told by its strongest term, hashtag or topic (an intent alone only when nothing else
   moved), with the sentiment of its mentions (counted) and their intents.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from sqlmodel.ext.asyncio.session import AsyncSession

from core.analysis.events import Episode, EventConfig, find_all
from core.storage import counts as count_store
from core.storage import watch
from core.storage import windows as store
from core.storage.windows import Brief, Totals
from core.text import fold
from core.trends.period import HOUR, floor_hour

PREFIXES = ("term:", "tag:", "topic:", "intent:")
# Two weeks before the period: a week of same-hour baselines for its first day, and a week
# more from which each key's spread is measured.
LEAD = dt.timedelta(days=14)
TAGS_BUSIEST = 40
TAGS_RISING = 40
TAGS_USUAL = 20
MAX_KEYS = 400
MIN_COUNT = 10
# Mentions read per episode to tell stories apart and to give their intents.
SAMPLE = 1500
SHARED = 0.5
DWARFS = 3.0  # a brand or competitor this many times its host's posts hosts the story itself


@dataclass(frozen=True)
class Part:
    """One key's episode, in hours (naive UTC), with the sentiment counted over it."""

    key: str
    episode: Episode
    start: dt.datetime
    peak: dt.datetime
    end: dt.datetime  # the start of the last hour
    neg: int
    neu: int
    pos: int

    @property
    def until(self) -> dt.datetime:
        return self.end + HOUR

    def overlaps(self, other: Part) -> bool:
        return self.start < other.until and other.start < self.until


@dataclass
class Event:
    """A story that moved: told by its headline key, with the other keys that moved with it."""

    key: str
    kind: str  # burst | climb | drop
    start: dt.datetime
    peak: dt.datetime
    end: dt.datetime  # the start of the last hour
    observed: int
    usual: float
    z: float
    ongoing: bool
    usual_day: float = 0.0
    neg: int = 0
    neu: int = 0
    pos: int = 0
    intents: Counter[str] = field(default_factory=Counter)
    sampled: int = 0
    related: list[str] = field(default_factory=list)
    # Stories at the same time that look alike (the same complaints in another language).
    companions: list[Event] = field(default_factory=list)

    @property
    def until(self) -> dt.datetime:
        return self.end + HOUR

    @property
    def hours(self) -> int:
        return int((self.until - self.start) / HOUR)

    @property
    def ratio(self) -> float:
        return self.observed / self.usual if self.usual > 0 else math.inf

    @property
    def score(self) -> float:
        return abs(self.z) * abs(math.log2((self.observed + 1.0) / (self.usual + 1.0)))

    def share(self, which: str) -> float | None:
        """Share of negative, neutral or positive mentions (`neg`, `neu`, `pos`)."""
        total = self.neg + self.neu + self.pos
        return getattr(self, which) / total if total else None

    def intent_share(self, intent: str) -> float | None:
        return self.intents[intent] / self.sampled if self.sampled else None


def candidates(
    totals: Mapping[str, Totals], *, min_count: int = MIN_COUNT, max_keys: int = MAX_KEYS
) -> list[str]:
    """The keys worth reading: busy enough now or before; hashtags only the likely ones."""
    busy = {
        k: t
        for k, t in totals.items()
        if k.startswith(PREFIXES) and max(t.n, t.prev_n) >= min_count
    }
    out = [k for k in busy if not k.startswith("tag:")]
    tags = {k: t for k, t in busy.items() if k.startswith("tag:")}
    by_n = sorted(tags, key=lambda k: (-tags[k].n, k))
    rising = sorted(
        (k for k in tags if tags[k].n >= min_count and tags[k].n >= 1.5 * tags[k].prev_n),
        key=lambda k: (-(tags[k].n - tags[k].prev_n), k),
    )
    usual = sorted(tags, key=lambda k: (-tags[k].prev_n, k))
    out += list(dict.fromkeys([*by_n[:TAGS_BUSIEST], *rising[:TAGS_RISING], *usual[:TAGS_USUAL]]))
    out.sort(key=lambda k: (-max(busy[k].n, busy[k].prev_n), k))
    return out[:max_keys]


def known_from(key: str, counts: np.ndarray, listening: int) -> int:
    """The first hour of a key's history that is known (index into its counts).

    Hashtags and intents are counted for every mention since listening began; a watch term
    or a topic only since someone added it, which shows as its first count — unless that
    lies within a day of the start of what was read (then it was there before).
    """
    if key.startswith(("tag:", "intent:")):
        return listening
    seen = np.flatnonzero(counts[listening:])
    if seen.size == 0:
        return counts.size
    first = listening + int(seen[0])
    return listening if first - listening < 24 else first


async def episodes(
    session: AsyncSession,
    *,
    since: dt.datetime,
    until: dt.datetime,
    now: dt.datetime,
    keys: Sequence[str],
    config: EventConfig | None = None,
) -> list[Part]:
    """Every episode of the keys that reaches into [since, until)."""
    config = config or EventConfig()
    first = await store.listening_since(session=session)
    if first is None or not keys:
        return []
    read = max(first, floor_hour(since) - LEAD)
    end = min(until, floor_hour(now) + HOUR)
    size = int((end - read) / HOUR)
    if size <= 0:
        return []
    counts = await count_store.hourly_matrix(session=session, keys=keys, since=read, hours=size)
    listening = max(0, int((first - read) / HOUR))
    period_from = max(0, int((floor_hour(since) - read) / HOUR))
    fraction = (now - floor_hour(now)) / HOUR if end > now else 1.0
    known = np.array([known_from(k, counts[i], listening) for i, k in enumerate(keys)])
    found = find_all(
        counts,
        known_from=known,
        period_from=period_from,
        last_fraction=max(fraction, 1e-3),
        config=config,
    )
    out: list[Part] = []
    for row, eps in found.items():
        for ep in eps:
            start, until = read + ep.start * HOUR, read + (ep.end + 1) * HOUR
            # The sentiment of its hours, counted (only for what was found: few keys).
            mood = (
                await store.window_totals(
                    session=session, start=start, mid=start, end=until, keys=[keys[row]]
                )
            ).get(keys[row], Totals())
            out.append(
                Part(
                    keys[row],
                    ep,
                    start,
                    read + ep.peak * HOUR,
                    until - HOUR,
                    mood.neg,
                    mood.neu,
                    mood.pos,
                )
            )
    return out


def _same_word(a: str, b: str) -> bool:
    """`term:lieferung` and `tag:#lieferung`: the same word as a term and as a hashtag."""
    va, vb = a.partition(":")[2], b.partition(":")[2]
    return fold(va.lstrip("#")).replace(" ", "") == fold(vb.lstrip("#")).replace(" ", "")


def _order(parts: Sequence[Part]) -> list[int]:
    """Terms, hashtags and topics before intents (an intent says how people talk, not what
    about: it tells a story only when nothing else moved), each strongest first."""
    return sorted(
        range(len(parts)),
        key=lambda i: (
            parts[i].key.startswith("intent:"),
            -parts[i].episode.score,
            -abs(parts[i].episode.z),
            parts[i].key,
        ),
    )


def _signature(event: Event) -> tuple[str | None, str | None]:
    """What an event's mentions mostly want and how they sound: the most frequent intent
    (other than "other") when at least 30 % share it, and the mood that half share."""
    intent = next(
        (i for i, n in event.intents.most_common() if i != "other" and n >= 0.3 * event.sampled),
        None,
    )
    mood = next((w for w in ("neg", "pos") if (event.share(w) or 0.0) >= 0.5), None)
    return intent, mood


def _alike(a: Event, b: Event) -> bool:
    """Same direction, same time, the same leading intent, and no opposite moods."""
    (intent_a, mood_a), (intent_b, mood_b) = _signature(a), _signature(b)
    return (
        intent_a is not None
        and intent_a == intent_b
        and not (mood_a and mood_b and mood_a != mood_b)
        and (a.kind == "drop") == (b.kind == "drop")
        and a.start < b.until
        and b.start < a.until
    )


def _lead(parts: Sequence[Part], head: int, members: Sequence[int], broad: frozenset[str]) -> int:
    """Who tells a story: of its term, hashtag and topic parts that are not a brand,
    product or competitor name (those ride along with every story), the one with the most
    posts — "283 posts about delivery", not the 20 under its hashtag. The head when none."""
    pool = [
        i
        for i in (head, *members)
        if not parts[i].key.startswith("intent:") and parts[i].key not in broad
    ]
    if not pool:
        return head
    return max(pool, key=lambda i: (parts[i].episode.observed, i == head))


async def stories(
    session: AsyncSession,
    parts: list[Part],
    *,
    sample: int = SAMPLE,
    broad: frozenset[str] = frozenset(),
) -> list[Event]:
    """Parts told as stories.

    A part joins the story whose headline it overlaps in time and shares at least half of
    its (or the headline's) mentions with — or the headline is the same word as a term and
    a hashtag. Only the headline is compared, so a broad key (all complaints, the brand)
    joins a story without chaining two unrelated ones together. Stories that run at the
    same time with the same dominant intent and mood (German "Lieferung" and English
    "delivery" complaints: no mention in common) stay separate stories with their own
    figures; the weaker is shown as a companion of the stronger.
    """
    samples: dict[int, list[Brief]] = {}

    async def briefs(i: int) -> list[Brief]:
        if i not in samples:
            p = parts[i]
            samples[i] = await store.mention_briefs(
                session=session, key=p.key, since=p.start, until=p.until, limit=sample
            )
        return samples[i]

    heads: list[int] = []
    members: dict[int, list[int]] = {}
    for i in _order(parts):
        part = parts[i]
        best, best_shared = None, 0.0
        for h in heads:
            head = parts[h]
            if not part.overlaps(head) or (part.episode.kind == "drop") != (
                head.episode.kind == "drop"
            ):
                continue
            if _same_word(part.key, head.key):
                best, best_shared = h, 1.0
                break
            mine = {m.id for m in await briefs(i)}
            theirs = {m.id for m in await briefs(h)}
            smaller = min(len(mine), len(theirs))
            shared = len(mine & theirs) / smaller if smaller else 0.0
            if shared >= SHARED and shared > best_shared:
                best, best_shared = h, shared
        if best is None:
            heads.append(i)
            members[i] = []
        else:
            members[best].append(i)
    out = []
    for first in heads:
        h = _lead(parts, first, members[first], broad)
        group = [first, *members[first]]
        head = parts[h]
        mentions = await briefs(h)
        ep = head.episode
        out.append(
            Event(
                key=head.key,
                kind=ep.kind,
                start=head.start,
                peak=head.peak,
                end=head.end,
                observed=round(ep.observed),
                usual=ep.usual,
                z=ep.z,
                ongoing=ep.ongoing,
                usual_day=ep.usual_day,
                neg=head.neg,
                neu=head.neu,
                pos=head.pos,
                intents=Counter(m.intent for m in mentions if m.intent),
                sampled=len(mentions),
                related=list(
                    dict.fromkeys(parts[m].key for m in group if parts[m].key != head.key)
                ),
            )
        )
    return _pair(out, broad)


def _pair(events: list[Event], broad: frozenset[str] = frozenset()) -> list[Event]:
    """Stories at the same time that look alike (`_alike`): the smaller becomes a companion
    of the larger, each keeping its own figures."""
    kept: list[Event] = []
    # Terms, hashtags and topics host before the brand's or a competitor's name and before
    # intents (they say what the talk is about), the one with the most posts first: the
    # story of 196 posts about deliveries tells it, not the 73 of its English term.
    for event in sorted(
        events,
        key=lambda e: (e.key.startswith("intent:"), e.key in broad, -e.observed, -e.score, e.key),
    ):
        host = next((k for k in kept if _alike(k, event)), None)
        if host is None:
            kept.append(event)
        else:
            host.companions.append(event)
    return [_promote(host, broad) for host in kept]


def _promote(host: Event, broad: frozenset[str]) -> Event:
    """A name that dwarfs its host tells the story itself: a competitor's volume falling
    from 586 to 239 is the event, the 44 posts of a forum thread about it ride along (read
    on the demo: "44 posts about Erfahrungen … At the same time: 239 posts about Kaffeeko").
    A name about the host's size stays a companion: 430 posts under #lumoralatteart tell
    the story, not the 356 that also name the Lumora Brew."""
    big = [c for c in host.companions if c.key in broad and c.observed >= DWARFS * host.observed]
    if not big:
        return host
    lead = max(big, key=lambda c: (c.observed, c.score))
    rest = [c for c in host.companions if c is not lead]
    host.companions = []
    lead.companions = [host, *rest, *lead.companions]
    return lead


def _bare_intent(key: str) -> bool:
    """`intent:praise` (all praise), not `intent:complaint|lumora brew`."""
    return key.startswith("intent:") and "|" not in key


async def _entity_keys(session: AsyncSession) -> frozenset[str]:
    """The count keys of the brand, its products and the competitors."""
    rows = await watch.list_terms(session=session)
    return frozenset(
        f"term:{row.canonical or row.normalized}"
        for row in rows
        if row.kind in ("brand", "product", "competitor")
    )


async def find_events(
    session: AsyncSession,
    *,
    since: dt.datetime,
    until: dt.datetime,
    now: dt.datetime,
    totals: Mapping[str, Totals] | None = None,
    config: EventConfig | None = None,
) -> list[Event]:
    """The stories that moved in [since, until), most significant first.

    `totals`: each key's counts in the period and the one before (as a brief reads them),
    if read already; they pick the keys worth a look.
    """
    if totals is None:
        span = until - since
        totals = await store.window_totals(
            session=session, start=since - span, mid=since, end=until, prefixes=PREFIXES
        )
    keys = candidates(totals)
    parts = await episodes(session, since=since, until=until, now=now, keys=keys, config=config)
    found = await stories(session, parts, broad=await _entity_keys(session))
    # "67 praising posts, about 7× the usual" says how people talked, not about what: an
    # intent without a word of its own is the sum of the stories it ran through (they are
    # told), so it is no event of its own.
    found = [e for e in found if not _bare_intent(e.key)]
    for e in found:
        e.companions = [c for c in e.companions if not _bare_intent(c.key)]
    found.sort(key=lambda e: (-abs(e.z), -e.score, e.start, e.key))
    return found
