from __future__ import annotations

import datetime as dt

import pytest

from core.clock import parse_iso, parse_span
from core.text import content_hash, fold, hashtags, html_to_text, truncate
from core.watchlist import Term, Watchlist, normalize_term


def _wl() -> Watchlist:
    terms = [
        Term("Lumora", "brand", "lumora"),
        Term("Lumora GmbH", "brand", "lumora"),
        Term("Lumora Brew", "product", "lumora brew"),
        Term("Kaffeeko", "competitor", "kaffeeko"),
        Term("Lieferung", "keyword", "lieferung"),
        Term("Siebträger", "keyword", "siebtrager"),
        Term("#kaffeeliebe", "hashtag", "#kaffeeliebe"),
    ]
    return Watchlist(terms, exclusions=["Lumora Beach Resort"])


@pytest.mark.parametrize(
    "text,expected",
    [
        ("Meine Lumora-Kaffeemaschine ist da", ["lumora"]),
        ("LUMORA GMBH antwortet nie", ["lumora"]),
        ("Die lumora brew macht guten Kaffee", ["lumora brew"]),
        ("Lieferungen dauern ewig", ["lieferung"]),
        ("Mein SIEBTRAEGER? nein: Siebtrager und Siebträger", ["siebtrager"]),
        ("#KaffeeLiebe am Morgen", ["#kaffeeliebe"]),
        ("Lumoraxx ist etwas anderes", []),
        ("Urlaub im Lumora Beach Resort mit Lumora", []),
        ("Kaffeeko vs Lumora", ["kaffeeko", "lumora"]),
        ("email@lumora.example", []),
    ],
)
def test_watchlist_matching(text: str, expected: list[str]) -> None:
    assert [t.canonical for t in _wl().match(text)] == expected


def test_fold_is_case_and_accent_insensitive() -> None:
    assert fold("Café STRAẞE") == "cafe strasse"
    assert normalize_term("  Lumora   Brew ") == "lumora brew"


def test_html_to_text_keeps_text_and_links() -> None:
    text, links = html_to_text(
        '<p>Hallo <a href="https://x.example/a">Welt</a></p><script>evil()</script><p>Zwei</p>'
    )
    assert text == "Hallo Welt\nZwei"
    assert links == ["https://x.example/a"]
    assert html_to_text("Tom &amp; Jerry")[0] == "Tom & Jerry"


def test_hashtags_and_near_duplicate_hash() -> None:
    assert hashtags("#Lumora rocks #lumora #Kaffee-Liebe") == ["#lumora", "#kaffee-liebe"]
    original = "Die Lumora Brew ist super! https://t.co/abc"
    assert content_hash(original) == content_hash("RT @fan: die lumora brew ist SUPER https://x.y")
    assert content_hash(original) != content_hash("Die Lumora Mill ist super!")


def test_invisible_characters_are_removed() -> None:
    assert html_to_text("a\u200bb\u202ec")[0] == "abc"


def test_truncate_cuts_at_a_word() -> None:
    assert truncate("eins zwei drei vier", 12) == "eins zwei…"
    assert truncate("kurz", 10) == "kurz"


def test_spans_and_iso_times() -> None:
    assert parse_span("24h") == dt.timedelta(hours=24)
    assert parse_span("7d") == dt.timedelta(days=7)
    assert parse_span("0d") is None and parse_span("soon") is None
    assert parse_iso("2026-11-20T10:00:00+01:00") == dt.datetime(2026, 11, 20, 9, 0)
    assert parse_iso("2026-11-20T10:00:00Z") == dt.datetime(2026, 11, 20, 10, 0)
    assert parse_iso("gestern") is None
