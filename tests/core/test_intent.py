"""Rule-based intent in German and English."""

from __future__ import annotations

import pytest

from core.analysis.intent import classify_intent


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        ("Wann kommt mein Paket?", "de", "question"),
        ("Wie kann ich mein Ticket stornieren", "de", "question"),
        ("Weiß jemand, ob die S-Bahn am Sonntag fährt", "de", "question"),
        ("Does anyone know how to reset the router", "en", "question"),
        ("How long does shipping to Austria take?", "en", "question"),
        ("Warum ist mein Paket immer noch nicht da?", "de", "complaint"),
        ("Ich habe eine Reklamation eingereicht und nie eine Antwort bekommen.", "de", "complaint"),
        ("Der Zug hat schon wieder Verspätung, unfassbar.", "de", "complaint"),
        ("Danke für nichts, Bahn.", "de", "complaint"),
        ("Still waiting for my refund after three weeks.", "en", "complaint"),
        ("The app is broken again after the update", "en", "complaint"),
        ("Customer service is terrible, nobody helps.", "en", "complaint"),
        ("Danke für den tollen Service!", "de", "praise"),
        ("Super Lieferung, alles top!", "de", "praise"),
        ("I love this app, great job!", "en", "praise"),
        ("Thanks so much, the support team was amazing.", "en", "praise"),
        ("Ich fahre morgen nach Berlin.", "de", "other"),
        ("Just landed in Hamburg.", "en", "other"),
        ("", "en", "other"),
    ],
)
def test_intent(text: str, language: str, expected: str) -> None:
    assert classify_intent(text, language) == expected


def test_unknown_language_uses_both_rule_sets() -> None:
    assert classify_intent("Vielen Dank, hat super geklappt!", None) == "praise"
    assert classify_intent("still waiting for my order", None) == "complaint"
    assert classify_intent("Wann öffnet der Laden?", "fr") == "question"


def test_question_wins_over_praise_but_not_over_an_explicit_complaint() -> None:
    assert classify_intent("Danke! Wann kommt die nächste Lieferung?", "de") == "question"
    assert classify_intent("Why is my order still not shipped?", "en") == "complaint"
