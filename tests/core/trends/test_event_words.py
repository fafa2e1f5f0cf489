"""An event told in one line: its own name never listed beside it, the story told by its
biggest part, intents alone no event (regressions from reading the demo's brief)."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from core.analysis.event_config import Episode
from core.i18n import Translator
from core.trends import event_words as words
from core.trends.events import Event, Part, _bare_intent, _lead, _pair
from core.trends.names import Names

START = dt.datetime(2026, 12, 1, 15)


def _names() -> Names:
    return Names(
        terms={"lieferung": "Lieferung", "delivery": "delivery", "lumora": "Lumora"},
        kinds={"lieferung": "keyword", "delivery": "keyword", "lumora": "brand"},
        topics={3: "Lieferung"},
        aliases={3: {"de": "Lieferung", "en": "delivery"}},
    )


def _event(key: str, observed: int = 100, **changes: object) -> Event:
    base: dict[str, object] = {
        "key": key,
        "kind": "climb",
        "start": START,
        "peak": START + dt.timedelta(hours=6),
        "end": START + dt.timedelta(hours=30),
        "observed": observed,
        "usual": 40.0,
        "z": 6.0,
        "ongoing": False,
        "usual_day": 30.0,
        "neg": 80,
        "neu": 10,
        "pos": 10,
        "intents": Counter({"complaint": 80, "other": 20}),
        "sampled": 100,
    }
    base.update(changes)
    return Event(**base)  # type: ignore[arg-type]


def test_an_event_never_lists_itself_the_brand_or_an_intent_beside_it() -> None:
    # Once: "(zusammen mit Lieferung, delivery, Lumora)" after "… Beiträge über Lieferung".
    event = _event(
        "topic:3",
        related=[
            "term:lieferung",
            "term:delivery",
            "term:lumora",
            "intent:complaint|lieferung",
            "tag:#lieferchaos",
            "tag:#lieferung",
        ],
    )
    for locale, own in (("de", "Lieferung"), ("en", "delivery")):
        line = words.sentence(Translator(locale), _names(), event, "Europe/Berlin")
        assert f"about {own}" in line or f"über {own}" in line, line
        assert line.count("Lieferung") + line.count("delivery") == 1, line
        assert "Lumora" not in line and "#lieferchaos" in line, line


def test_a_companion_that_is_the_story_in_the_other_language_is_not_told_twice() -> None:
    event = _event(
        "topic:3",
        companions=[_event("term:delivery", 73), _event("term:lumora", 222)],
    )
    line = words.sentence(Translator("en"), _names(), event, "Europe/Berlin")
    assert "73 posts" not in line and "222 posts about Lumora" in line, line


def _part(key: str, observed: float) -> Part:
    episode = Episode("climb", 0, 3, 20, observed, observed / 4, 5.0, False, 30.0)
    return Part(key, episode, START, START, START + dt.timedelta(hours=20), 1, 1, 1)


def test_a_story_is_told_by_its_biggest_part_that_is_no_brand_name() -> None:
    # Once: "20 posts about #lieferchaos (together with Lieferung, Lieferung)" for a spike of
    # about 200 delivery complaints.
    parts = [
        _part("tag:#lieferchaos", 20),
        _part("term:lumora", 400),
        _part("intent:complaint|lieferung", 300),
        _part("topic:3", 196),
        _part("term:lieferung", 95),
    ]
    assert _lead(parts, 0, [1, 2, 3, 4], frozenset({"term:lumora"})) == 3
    assert _lead(parts, 1, [2], frozenset({"term:lumora"})) == 1  # nothing better: the head


def test_alike_stories_are_hosted_by_the_larger_and_bare_intents_are_no_events() -> None:
    big, small = _event("topic:3", 196, z=4.2), _event("term:delivery", 73, z=5.5)
    (host,) = _pair([small, big])
    assert host.key == "topic:3" and [c.key for c in host.companions] == ["term:delivery"]
    assert _bare_intent("intent:praise") and not _bare_intent("intent:complaint|lumora brew")


def test_a_wholly_neutral_event_says_so_without_a_hundred_percent() -> None:
    de, en = Translator("de"), Translator("en")
    calm = _event("term:lieferung", neg=0, neu=14, pos=0)
    assert words.mood(de, calm) == "durchweg neutral"
    assert words.mood(en, calm) == "all neutral"
    mostly = _event("term:lieferung", neg=10, neu=80, pos=10)
    assert words.mood(de, mostly) == "meist neutral (80\u202f%)"


def test_a_competitor_that_dwarfs_its_host_tells_the_story() -> None:
    """Read on the demo: "44 posts about Erfahrungen, 58 % fewer … At the same time: 239
    posts about Kaffeeko" — the competitor's fall is the event, the thread rides along."""
    broad = frozenset({"term:kaffeeko", "term:lumora brew"})
    praise = Counter({"praise": 40, "other": 60})
    thread = _event("topic:7", 44, kind="drop", intents=praise, neg=10, neu=35, pos=55)
    rival = _event("term:kaffeeko", 239, kind="drop", intents=praise, neg=27, neu=32, pos=41)
    (host,) = _pair([thread, rival], broad)
    assert host.key == "term:kaffeeko" and [c.key for c in host.companions] == ["topic:7"]
    # A product named about as often as the hashtag it rides with stays the companion.
    tag = _event("tag:#lumoralatteart", 430, intents=praise, neg=5, neu=16, pos=79)
    brew = _event("term:lumora brew", 356, intents=praise, neg=5, neu=30, pos=65)
    (host,) = _pair([brew, tag], broad)
    assert host.key == "tag:#lumoralatteart" and [c.key for c in host.companions] == [
        "term:lumora brew"
    ]


def test_a_long_event_of_a_rare_hashtag_is_no_ratio() -> None:
    """Read on the demo: "430 posts about #lumoralatteart, about 215× the usual" once the
    event had run two days (the usual over it passed 2); it was "hardly mentioned"."""
    en = Translator("en")
    tag = _event("tag:#lumoralatteart", 430, usual=2.0, usual_day=0.7)
    assert words.size(en, tag) == "hardly mentioned otherwise (usually about 0.7 a day)"
    busy = _event("term:lieferung", 201, usual=33.0, usual_day=30.0)
    assert words.size(en, busy) == "about 6× the usual"
