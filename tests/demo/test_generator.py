"""The synthetic demo stream: deterministic, shaped like real traffic, events where planted."""

from __future__ import annotations

import datetime as dt
import random
import re
import statistics
import subprocess
import sys
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from config.workspace import load_workspace
from core.raw import RawMention
from core.text import content_hash, fold
from core.watchlist import Term, Watchlist, normalize_term
from demo import (
    DELIVERY_SPIKE_BEFORE,
    DEMO_NOTICE,
    DEMO_SOURCES,
    HASHTAG_RISE,
    KAFFEEKO_DROP_SINCE,
    PLANTED_HASHTAG,
    URL_BASE,
    generate_demo,
    seed_demo,
)

ROOT = Path(__file__).resolve().parents[2]
NOW = dt.datetime(2026, 3, 14, 9, 17, 30)
HOUR = dt.timedelta(hours=1)
DAY = dt.timedelta(days=1)

# Enough common words to tell German from English without the language model.
_DE = re.compile(
    r"\b(und|ist|ich|die|der|das|den|dem|nicht|mit|von|meine?r?|auf|bei|für|ein|eine|einen|"
    r"hat|wie|wir|ihr|es|zu|im|seit|noch|schon|aber|sehr|auch|jetzt|heute|gibt|kann|man)\b",
    re.IGNORECASE,
)
_EN = re.compile(
    r"\b(the|and|is|my|with|for|it|to|of|this|from|i|a|an|on|in|just|at|new|again|today|"
    r"after|still|what|how|do|you|but|so|its|it's|i'm|has|have|any|anyone|can)\b",
    re.IGNORECASE,
)
_DELIVERY_WORDS = ("liefer", "deliver", "angekommen", "still waiting", "paket", "parcel")


@pytest.fixture(scope="module")
def items() -> list[RawMention]:
    return list(generate_demo(NOW))


def _lang(text: str) -> str | None:
    de, en = len(_DE.findall(text)), len(_EN.findall(text))
    return "de" if de > en else "en" if en > de else None


def _daily_counts(
    items: Sequence[RawMention], centre: dt.datetime, keep: Callable[[RawMention], bool]
) -> list[int]:
    """Counts per whole 24 h window in the stream, aligned so that one is centred on `centre`."""
    first = centre - dt.timedelta(hours=12)
    while first - DAY >= NOW - 30 * DAY:
        first -= DAY
    counts = [0] * int((NOW - first) / DAY)
    for item in items:
        day = (item.published_at - first) // DAY
        if 0 <= day < len(counts) and keep(item):
            counts[day] += 1
    return counts


# -- determinism and shape --------------------------------------------------------------


def test_same_seed_and_now_give_identical_output() -> None:
    first = list(generate_demo(NOW, total=3000))
    second = list(generate_demo(NOW, total=3000))
    assert first == second
    other = list(generate_demo(NOW, total=3000, seed=7))
    assert [i.text for i in other] != [i.text for i in first]


def test_count_is_within_five_percent_of_total(items: list[RawMention]) -> None:
    assert abs(len(items) - 20_000) <= 1000
    assert abs(len(list(generate_demo(NOW, total=5000, days=10))) - 5000) <= 250


def test_items_lie_in_the_window_in_published_order(items: list[RawMention]) -> None:
    times = [i.published_at for i in items]
    assert times == sorted(times)
    assert times[0] >= NOW - 30 * DAY
    assert times[-1] <= NOW
    assert all(t.tzinfo is None for t in times)
    # The whole window is used, not just part of it.
    assert times[0] < NOW - 29 * DAY
    assert times[-1] > NOW - HOUR


def test_both_languages_about_sixty_forty(items: list[RawMention]) -> None:
    langs = Counter(_lang(i.text) for i in items)
    known = langs["de"] + langs["en"]
    assert known > 0.9 * len(items)
    assert 0.5 < langs["de"] / known < 0.7
    assert 0.3 < langs["en"] / known < 0.5


def test_every_item_is_synthetic_and_complete(items: list[RawMention]) -> None:
    ids = [i.external_id for i in items]
    assert len(set(ids)) == len(ids)
    rss_sources = {name for name, kind in DEMO_SOURCES if kind == "rss"}
    for item in items:
        assert item.synthetic and item.keep_unmatched
        assert item.language is None  # left to the pipeline
        assert re.fullmatch(r"demo-\d{6}", item.external_id)
        assert item.url and item.url.startswith(URL_BASE + "/")
        assert item.author and item.author_handle
        assert min(item.likes, item.reposts, item.replies, item.followers) >= 0
        assert item.extra["notice"] in DEMO_NOTICE.values()
        if item.source in rss_sources and item.reply_to is None:
            assert item.title


def test_notice_says_synthetic_in_both_languages() -> None:
    assert set(DEMO_NOTICE) == {"de", "en"}
    assert "synthetisch" in DEMO_NOTICE["de"].lower()
    assert "synthetic" in DEMO_NOTICE["en"].lower()


def test_every_source_and_source_type_is_used(items: list[RawMention]) -> None:
    kinds = dict(DEMO_SOURCES)
    assert {i.source for i in items} == set(kinds)
    assert all(i.source_type == kinds[i.source] for i in items)
    assert {"mastodon", "bluesky", "reddit", "hackernews", "rss"} <= set(kinds.values())


def test_texts_vary(items: list[RawMention]) -> None:
    originals = [i for i in items if i.extra["demo_kind"] == "post"]
    assert len({i.text for i in originals}) > 0.75 * len(originals)
    assert len({content_hash(i.text) for i in originals}) > 0.7 * len(originals)


def test_daily_rhythm_days_busier_than_nights(items: list[RawMention]) -> None:
    zone = ZoneInfo("Europe/Berlin")
    by_hour = Counter(i.published_at.replace(tzinfo=dt.UTC).astimezone(zone).hour for i in items)
    night = sum(by_hour[h] for h in (2, 3, 4))
    morning = sum(by_hour[h] for h in (8, 9, 10))
    assert morning > 4 * night


def test_engagement_is_heavy_tailed(items: list[RawMention]) -> None:
    followers = sorted(i.followers for i in items)
    likes = sorted(i.likes for i in items)
    assert followers[-1] > 100 * statistics.median(followers)
    assert likes[-1] > 50 * max(1, statistics.median(likes))


def test_replies_threads_and_near_duplicate_reposts(items: list[RawMention]) -> None:
    by_id = {i.external_id: i for i in items}
    replies = [i for i in items if i.reply_to]
    assert len(replies) > 0.05 * len(items)
    for reply in replies:
        parent = by_id[reply.reply_to]  # type: ignore[index]
        assert parent.source == reply.source
        assert parent.published_at <= reply.published_at
        assert reply.thread_id in (parent.thread_id, parent.external_id)
    seen: dict[str, RawMention] = {}
    retweets = syndicated = 0
    for item in items:
        key = content_hash(item.text)
        earlier = seen.get(key)
        if item.text.startswith("RT @") and earlier is not None:
            retweets += 1
        if earlier is not None and earlier.text == item.text and earlier.source != item.source:
            syndicated += 1
        seen.setdefault(key, item)
    assert retweets > 100
    assert syndicated > 10


# -- planted events ---------------------------------------------------------------------


def test_delivery_complaint_spike_five_days_before_now(items: list[RawMention]) -> None:
    centre = NOW - DELIVERY_SPIKE_BEFORE
    labelled = _daily_counts(items, centre, lambda i: i.extra["demo_topic"] == "delivery")
    worded = _daily_counts(items, centre, lambda i: any(w in fold(i.text) for w in _DELIVERY_WORDS))
    for counts in (labelled, worded):
        assert max(counts) >= 4 * statistics.median(counts), counts
        # The busiest day is the window centred 5 days before now (the last is centred 1 day
        # before now, so it is 5th from the end), and only that one.
        assert counts.index(max(counts)) == len(counts) - 5, counts
        assert sorted(counts)[-2] < 2.5 * statistics.median(counts), counts
    spike = max(labelled) / statistics.median(labelled)
    assert 4 <= spike <= 11  # ~7x on the plateau; the median day itself varies with noise


@pytest.mark.parametrize("hour", [0, 6, 12, 18])
def test_planted_hashtag_absent_until_36h_then_rising(hour: int) -> None:
    now = NOW.replace(hour=hour)
    items = list(generate_demo(now, total=8000))  # the planted volume scales with the total
    start = now - HASHTAG_RISE
    tagged = [i for i in items if PLANTED_HASHTAG in fold(i.text)]
    assert tagged
    assert all(i.published_at >= start for i in tagged)
    thirds = [
        sum(
            1
            for i in tagged
            if start + k * 12 * HOUR <= i.published_at < start + (k + 1) * 12 * HOUR
        )
        for k in range(3)
    ]
    assert thirds[0] < thirds[1] < thirds[2], thirds
    assert thirds[2] >= 3 * thirds[0]


def test_recurring_product_questions(items: list[RawMention]) -> None:
    asks = [i for i in items if "Wie entkalke ich die Lumora Brew?" in i.text]
    assert len(asks) > 20
    assert asks[-1].published_at - asks[0].published_at > 20 * DAY
    oily = [i for i in items if "Does the Lumora Mill work with oily beans?" in i.text]
    assert len(oily) > 10
    questions = [i for i in items if i.extra["demo_topic"] == "question" and "?" in i.text]
    days = {(NOW - i.published_at).days for i in questions}
    assert days >= set(range(30))  # asked every single day
    answers = [i for i in items if i.extra["demo_topic"] == "question" and i.reply_to]
    assert len(answers) > 100


def test_kaffeeko_volume_drops_in_the_last_week(items: list[RawMention]) -> None:
    since = NOW - KAFFEEKO_DROP_SINCE
    kaffeeko = [i for i in items if "kaffeeko" in fold(i.text)]
    recent = sum(1 for i in kaffeeko if i.published_at >= since) / 7
    before = sum(1 for i in kaffeeko if NOW - 28 * DAY <= i.published_at < NOW - 14 * DAY) / 14
    assert recent < 0.65 * before


# -- the workspace's watchlist ------------------------------------------------------------


def _watchlist() -> tuple[Watchlist, list[str]]:
    """The example workspace's terms, each aliased term pointing at its entity's name."""
    ws = load_workspace(ROOT / "config" / "workspace.example.yaml")
    terms = [
        Term(term=term, kind=kind, canonical=normalize_term(entity))
        for term, kind, entity in ws.watch_terms()
    ]
    return Watchlist(terms, ws.exclusions), sorted({t.canonical for t in terms})


def test_generated_items_match_the_example_workspace(items: list[RawMention]) -> None:
    wl, canonicals = _watchlist()
    brew = next(i for i in items if "Lumora Brew" in i.text and i.extra["demo_kind"] == "post")
    assert "lumora brew" in {t.canonical for t in wl.match(f"{brew.title or ''}\n{brew.text}")}

    found: Counter[str] = Counter()
    unmatched = 0
    for item in items:
        matched = wl.match(f"{item.title or ''}\n{item.text}")
        if item.extra["demo_topic"] == "exclusion":
            assert matched == [] and wl.excluded(item.text)
            continue
        unmatched += not matched
        found.update(t.canonical for t in matched)
    assert unmatched < 0.05 * len(items)
    # Every brand, product, competitor, keyword and hashtag of the workspace turns up.
    assert set(canonicals) <= set(found), set(canonicals) - set(found)
    assert PLANTED_HASHTAG not in found  # planted tags are new, not watched yet


# -- seeding through the pipeline --------------------------------------------------------


@dataclass
class _Result:
    new: int


@dataclass
class _FakePipeline:
    """Stores by (source, external_id), as the real pipeline does."""

    batch_sizes: list[int] = field(default_factory=list)
    stored: set[tuple[str, str]] = field(default_factory=set)

    async def ingest(self, items: Sequence[RawMention], *, via: str = "direct") -> _Result:
        self.batch_sizes.append(len(items))
        keys = {(i.source, i.external_id) for i in items} - self.stored
        self.stored |= keys
        return _Result(new=len(keys))


async def test_seed_demo_feeds_batches_and_is_idempotent() -> None:
    pipeline = _FakePipeline()
    new = await seed_demo(pipeline, now=NOW, batch_size=300, total=2000)  # type: ignore[arg-type]
    assert new == 2000 == sum(pipeline.batch_sizes)
    assert max(pipeline.batch_sizes) <= 300
    assert await seed_demo(pipeline, now=NOW, batch_size=300, total=2000) == 0  # type: ignore[arg-type]


class _StubAnalyzer:
    """Word-list language and neutral sentiment: keeps the test off the offline models."""

    def languages(self, texts: list[str]) -> list[str | None]:
        return [_lang(t) or "en" for t in texts]

    def sentiments(self, texts: list[str], languages: list[str | None]) -> list[tuple[str, float]]:
        return [("neutral", 0.0) for _ in texts]

    def intents(self, texts: list[str], languages: list[str | None]) -> list[str]:
        return ["other" for _ in texts]


@pytest.mark.storage
async def test_seed_demo_through_the_real_pipeline(tmp_path: Path) -> None:
    from core.db import make_engine, make_sessionmaker, upgrade
    from core.pipeline import Pipeline

    url = f"sqlite+aiosqlite:///{tmp_path / 'demo.db'}"
    await upgrade(url)
    engine = make_engine(url)
    try:
        ws = load_workspace(ROOT / "config" / "workspace.example.yaml")
        pipeline = Pipeline(
            make_sessionmaker(engine),
            clock=lambda: NOW,
            analyzer=_StubAnalyzer(),
            exclusions=ws.exclusions,
        )
        generated = list(generate_demo(NOW, total=800))
        excluded = sum(1 for i in generated if i.extra["demo_topic"] == "exclusion")
        first = await seed_demo(pipeline, now=NOW, total=800)
        assert first == len(generated) - excluded  # only the excluded resort posts are dropped
        assert await seed_demo(pipeline, now=NOW, total=800) == 0
    finally:
        await engine.dispose()


def test_the_whole_stream_is_generated() -> None:
    # Its speed is measured by bench/bench_demo.py, not asserted here.
    assert sum(1 for _ in generate_demo(NOW)) == 20_000


def test_importing_the_demo_loads_no_database_or_models() -> None:
    code = (
        "import sys, demo; "
        "heavy = [m for m in ('sqlalchemy', 'core.pipeline', 'core.analysis.sentiment') "
        "if m in sys.modules]; print(heavy)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[]"


# -- dates that fit the calendar ------------------------------------------------------------

_MONTHS_DE = ("Januar Februar März April Mai Juni Juli August September Oktober November "
              "Dezember").split()  # fmt: skip
_MONTHS_EN = ("January February March April May June July August September October November "
              "December").split()  # fmt: skip
_MONTH_PHRASES = re.compile(
    r"(?:bis zum|im|until|in|for) (" + "|".join(_MONTHS_DE + _MONTHS_EN) + r")\b"
)


@pytest.mark.parametrize(
    "now", [NOW, dt.datetime(2026, 12, 7, 1, 40), dt.datetime(2027, 6, 30, 22)]
)
def test_every_dated_phrase_fits_its_post(now: dt.datetime) -> None:
    """No "due in September" in December, no "Classic Monday" on a Thursday, no "this
    morning" before the morning, no second day of a tag that began yesterday."""
    zone = ZoneInfo("Europe/Berlin")
    months_seen = 0
    for item in generate_demo(now, total=6000):
        if item.extra["demo_kind"] == "repost":
            continue  # a repost quotes its original, whose moment it was
        local = item.published_at.replace(tzinfo=dt.UTC).astimezone(zone)
        text = f"{item.title or ''} {item.text}"
        for name in _MONTH_PHRASES.findall(text):
            month = (_MONTHS_DE.index(name) if name in _MONTHS_DE else _MONTHS_EN.index(name)) + 1
            ahead = (month - local.month) % 12
            assert 1 <= ahead <= 5, (local.date(), text)
            months_seen += 1
        if "Montag eben" in text or "Classic Monday" in text:
            assert local.weekday() == 0, (local, text)
        if "Sonntagmorgen" in text or "Sunday morning" in text:
            assert local.weekday() == 6 and local.hour < 14, (local, text)
        # Mid-sentence, a time of day is written small ("Das war übrigens heute Morgen").
        assert not re.search(r"\w \w+ (?:Heute|Gestern|Vorhin|Am Sonntag)\b", item.text), text
        if re.search(r"(?i:heute) (?:Morgen|früh)|this morning|earlier today", text):
            assert local.hour >= 9, (local, text)
        if re.search(r"(?i:am) Sonntag\b|on Sunday", text):
            assert local.weekday() != 6, (local, text)
        if "Tag zwei" in text or "day two" in text:
            assert item.published_at >= now - HASHTAG_RISE + 24 * HOUR, (item.published_at, text)
        if found := re.search(r"Lieferung für (\w+) angekündigt", text):
            weekday = _WEEKDAYS_DE.index(found.group(1))
            assert weekday != 6 and weekday != local.weekday(), (local, text)
    assert months_seen > 10


_WEEKDAYS_DE = "Montag Dienstag Mittwoch Donnerstag Freitag Samstag Sonntag".split()


# -- the texts are data ---------------------------------------------------------------------


def _strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


@pytest.mark.parametrize("lang", ["de", "en"])
def test_every_slot_in_the_data_is_one_the_generator_fills(lang: str) -> None:
    import string

    from demo import generator

    texts = generator._TEXTS[lang]
    fillable = {"tag", "product", "comp", "month", "weekday", "time"}
    fillable |= set(generator._NAMES) | set(generator._NUMBERS) | set(texts["words"])
    slots = {
        name
        for text in _strings(texts)
        for _, name, spec, conversion in string.Formatter().parse(text)
        if name is not None and not spec and not conversion
    }
    assert slots and slots <= fillable, slots - fillable
    # Both languages have the same topics, sentiments, questions, title keys and pools.
    other = generator._TEXTS["en" if lang == "de" else "de"]
    for key in ("posts", "questions", "titles", "hashtags", "outlets", "verdicts"):
        assert texts[key].keys() == other[key].keys(), key
    for topic, by_sentiment in texts["posts"].items():
        assert by_sentiment.keys() == other["posts"][topic].keys(), topic
    assert set(texts["questions"]) == set(generator._COMMON["question_weights"])
    conditions = {when for _, when in generator._TIMES[lang]} | set(texts["only_when"].values())
    probe = generator._Writer(random.Random(1), 24)
    for when in conditions:
        probe.fits(when)  # a condition the data names that fits() does not know raises
