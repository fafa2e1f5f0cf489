"""Plural fields: the word forms follow CLDR's rules; no message says "item(s)"."""

from __future__ import annotations

import re

import pytest

from core.i18n import LOCALES, Translator, catalog, render

SLASHED = re.compile(r"\w\((?:s|r|e|n|en|er|es)\)|\w/-\w|\b[A-ZÄÖÜ]\w+/[A-ZÄÖÜ]\w+\b")


@pytest.mark.parametrize("locale", LOCALES)
def test_no_message_hedges_its_plural(locale: str) -> None:
    hedged = {k: v for k, v in catalog(locale).items() if SLASHED.search(v.replace("Europe/", ""))}
    assert hedged == {}


@pytest.mark.parametrize(
    ("locale", "count", "expected"),
    [
        ("de", 0, "Keine neuen Einträge"),
        ("de", 1, "1 neuer Eintrag"),
        ("de", 2, "2 neue Einträge"),
        ("de", 1234, "1.234 neue Einträge"),
        ("en", 0, "No new items"),
        ("en", 1, "1 new item"),
        ("en", 2, "2 new items"),
        ("en", 1234, "1,234 new items"),
    ],
)
def test_forms_follow_the_count(locale: str, count: int, expected: str) -> None:
    assert Translator(locale)("backlog.suggest.added", count=count).startswith(expected)


def test_a_plural_field_given_text_falls_back_to_the_plural_form() -> None:
    assert render("en", "{n:# day|# days}", {"n": "3"}) == "3 days"
    assert render("de", "{n:# Tag|# Tage} {x:.1f}", {"n": 1, "x": 2.25}) == "1 Tag 2.2"
