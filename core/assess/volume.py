"""How much a subject of `assess` is discussed in its period: counted (a watch term or a
hashtag, from the hourly counts) or searched (any other words, by full-text search in every
form of the words), with the period before, the last two weeks, and when it first appeared.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlmodel.ext.asyncio.session import AsyncSession

from core.models import Mention
from core.storage import windows as store
from core.storage.mentions import MentionFilter, search_mentions
from core.trends import stems
from core.trends.period import HOUR, floor_hour

WEEK = dt.timedelta(days=7)
MIN_DAY = 3  # mentions a day needs to count towards the sentiment's volatility
# "First mentioned on …" only after this much listening without a mention before it.
SILENCE = dt.timedelta(days=7)


@dataclass(frozen=True)
class Window:
    """The assessed period [start, end), `days` long, and whether the period before it was
    listened to in full (only then is it compared)."""

    start: dt.datetime
    end: dt.datetime
    began: dt.datetime | None  # when listening began (None: nothing heard yet)
    comparable: bool

    @property
    def days(self) -> float:
        return (self.end - self.start) / dt.timedelta(days=1)


async def window(session: AsyncSession, now: dt.datetime, days: int) -> Window:
    """The last `days` days up to the current hour, or since listening began."""
    end = floor_hour(now) + HOUR
    start = end - dt.timedelta(days=days)
    first = await store.listening_since(session=session)
    if first is not None and first > start:
        return Window(first, end, first, False)
    return Window(start, end, first, first is not None and first <= start - (end - start))


def counted_volatility(hours: Sequence[store.Hour]) -> float | None:
    """`volatility` from hourly counts: every mention of the period, not a sample."""
    days: dict[dt.date, list[int]] = defaultdict(lambda: [0, 0, 0])
    for hour in hours:
        acc = days[hour.bucket.date()]
        acc[0] += hour.n
        acc[1] += hour.pos
        acc[2] += hour.neg
    return swing(days.values())


def swing(days: Iterable[list[int]]) -> float | None:
    """The standard deviation of the daily net sentiment, over days busy enough."""
    nets = [(pos - neg) / n for n, pos, neg in days if n >= MIN_DAY]
    return statistics.pstdev(nets) if len(nets) >= 3 else None


@dataclass
class Volume:
    mentions: list[Mention]
    n: int
    capped: bool
    prev_n: int
    reach: int
    net: float | None
    week: int | None = None
    prev_week: int | None = None
    first_seen: dt.datetime | None = None
    volatility: float | None = None


def _net(pos: int, neg: int, n: int) -> float | None:
    return (pos - neg) / n if n else None


async def counted_volume(
    session: AsyncSession, key: str, span: Window, *, now: dt.datetime, sample: int
) -> Volume:
    """A watch entity or hashtag: exact counts from the hourly counts, a sample of mentions."""
    length = span.end - span.start
    own = (
        await store.window_totals(
            session=session, start=span.start - length, mid=span.start, end=span.end, keys=[key]
        )
    ).get(key, store.Totals())
    # Reposts and near-duplicates included: the shares are then of the very mentions the
    # counts count (595 counted against 488 read was one answer contradicting itself).
    mentions = await store.mentions_for_key(
        session=session,
        key=key,
        since=span.start,
        until=span.end,
        limit=sample,
        newest=True,
        duplicates=True,
    )
    hours = (await store.hours(session=session, keys=[key], since=span.start, until=span.end))[key]
    volume = Volume(
        mentions,
        own.n,
        own.n > len(mentions),
        own.prev_n,
        own.reach,
        _net(own.pos, own.neg, own.n),
        volatility=counted_volatility(hours),
    )
    if length >= 2 * WEEK:
        weeks = (
            await store.window_totals(
                session=session,
                start=span.end - 2 * WEEK,
                mid=span.end - WEEK,
                end=span.end,
                keys=[key],
            )
        ).get(key, store.Totals())
        volume.week, volume.prev_week = weeks.n, weeks.prev_n
    # A hashtag is counted for every mention since listening began, so its first hour is
    # its first mention; a watch term only since someone added it (no "first mention").
    if key.startswith("tag:") and not own.prev_n:
        first = next((h.bucket for h in hours if h.n), None)
        listening = await store.listening_since(session=session)
        if first is not None and listening is not None and first - listening >= SILENCE:
            volume.first_seen = first
    return volume


def _found(rows: list[Mention], asked: str) -> list[Mention]:
    return [m for m in rows if stems.matches(f"{m.title or ''} {m.text}", asked)]


async def searched_volume(
    session: AsyncSession, asked: str, span: Window, *, sample: int
) -> Volume:
    """Any other text: what full-text search finds in every form of its words (counts are
    a lower bound when the period holds more than `sample` matches)."""
    query = stems.query(asked)
    rows, more = await search_mentions(
        session=session,
        flt=MentionFilter(query=query, since=span.start, until=span.end),
        limit=sample,
    )
    mentions = _found(rows, asked)
    length = span.end - span.start
    before: list[Mention] = []
    if span.comparable:
        earlier, _ = await search_mentions(
            session=session,
            flt=MentionFilter(query=query, since=span.start - length, until=span.start),
            limit=sample,
        )
        before = _found(earlier, asked)
    positive = sum(m.sentiment == "positive" for m in mentions)
    negative = sum(m.sentiment == "negative" for m in mentions)
    volume = Volume(
        mentions,
        len(mentions),
        more,
        len(before),
        sum(m.reach for m in mentions),
        _net(positive, negative, len(mentions)),
    )
    oldest = min((m.published_at for m in mentions), default=None)
    if length >= 2 * WEEK and (not more or (oldest and oldest < span.end - 2 * WEEK)):
        volume.week = sum(1 for m in mentions if m.published_at >= span.end - WEEK)
        volume.prev_week = sum(
            1 for m in mentions if span.end - 2 * WEEK <= m.published_at < span.end - WEEK
        )
    listening = await store.listening_since(session=session)
    if oldest is not None and not more and listening is not None and oldest - listening >= SILENCE:
        earlier, _ = await search_mentions(
            session=session, flt=MentionFilter(query=query, until=span.start), limit=50
        )
        if not _found(earlier, asked):
            volume.first_seen = oldest
    return volume
