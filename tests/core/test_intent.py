"""Intent in German and English: the rules, the trained model, and the typed names."""

from __future__ import annotations

import pytest

from core.analysis.intent_model import classify_intent, classify_intents, parse_intent
from core.analysis.intent_rules import INTENTS, N_SIGNALS, rule_intent, signals


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
def test_rules(text: str, language: str, expected: str) -> None:
    assert rule_intent(text, language) == expected


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        ("Lohnt sich die Lumora Brew für zwei Personen?", "de", "purchase"),
        ("Was kostet der Familientarif mit drei Karten?", "de", "purchase"),
        ("Any discount code for the annual plan? About to buy it", "en", "purchase"),
        ("Which one should I get for milky drinks, the Brew or the Kaffeeko?", "en", "purchase"),
        ("Pressemitteilung: Lumora eröffnet neuen Standort in Leipzig.", "de", "other"),
    ],
)
def test_rules_know_buying_and_press_wording(text: str, language: str, expected: str) -> None:
    assert rule_intent(text, language) == expected


def test_unknown_language_uses_both_rule_sets() -> None:
    assert rule_intent("Vielen Dank, hat super geklappt!", None) == "praise"
    assert rule_intent("still waiting for my order", None) == "complaint"
    assert rule_intent("Wann öffnet der Laden?", "fr") == "question"


def test_question_wins_over_praise_but_not_over_an_explicit_complaint() -> None:
    assert rule_intent("Danke! Wann kommt die nächste Lieferung?", "de") == "question"
    assert rule_intent("Why is my order still not shipped?", "en") == "complaint"


def test_signals_have_the_documented_length() -> None:
    found = signals("Warum ist mein Paket immer noch nicht da?", "de")
    assert len(found) == N_SIGNALS
    # The decision list's verdict is one-hot at the end.
    assert found[-len(INTENTS) :] == [1.0, 0.0, 0.0, 0.0, 0.0]


# The trained model (embedding + signs): the cases of the issue, German and English, in
# styles the dev set does not repeat word for word.
MODEL_CASES = [
    (
        "Ehrlich gesagt: Lieferung angeblich zugestellt, aber bei mir ist nichts angekommen. "
        "Super, Lumora. So macht das keinen Spaß.",
        "de",
        "complaint",
    ),
    (
        "Ich warte seit 12 Tagen auf meine Lieferung. Geld abgebucht, aber nichts da.",
        "de",
        "complaint",
    ),
    ("My order has been stuck in processing for ten days and nobody replies", "en", "complaint"),
    ("Wie entkalke ich die Maschine richtig?", "de", "question"),
    ("how do i change the grind size on the mill", "en", "question"),
    ("Die Mühle ist der Hammer, mein Espresso war nie besser. Danke!", "de", "praise"),
    ("Support fixed my issue in five minutes. Brilliant service!", "en", "praise"),
    ("Überlege mir die Brew zu holen, lohnt sich das für zwei Personen?", "de", "purchase"),
    ("Is the grinder worth it or should I get a cheaper one?", "en", "purchase"),
    ("Lumora stellt auf der Messe in Köln neue Farben vor.", "de", "other"),
    ("Heute Morgen Regen, jetzt Sonne. April im Dezember.", "de", "other"),
]


def test_model_separates_the_intents() -> None:
    texts = [c[0] for c in MODEL_CASES]
    found = classify_intents(texts, [c[1] for c in MODEL_CASES])
    assert found == [c[2] for c in MODEL_CASES]
    assert classify_intent(texts[0], "de") == "complaint"


@pytest.mark.parametrize(
    ("word", "intent"),
    [
        ("complaint", "complaint"),
        ("Beschwerde", "complaint"),
        ("FRAGE", "question"),
        ("Lob", "praise"),
        ("Kaufinteresse", "purchase"),
        ("purchase", "purchase"),
        ("sonstiges", "other"),
        ("nonsense", None),
    ],
)
def test_parse_intent(word: str, intent: str | None) -> None:
    assert parse_intent(word) == intent


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        # The demo's press posts once filed as open complaints.
        (
            "Lumora has released an update for the Lumora Brew that is meant to shorten the "
            "heat-up time. It installs through the app.",
            "en",
            "other",
        ),
        (
            "Die Hersteller Lumora und Kaffeeko haben neue Entkalker vorgestellt. Nordwerk "
            "hat gestern ein Firmware-Update veröffentlicht.",
            "de",
            "other",
        ),
        # A bitter, lukewarm espresso once labelled praise.
        (
            "Ehrlich gesagt: Der Espresso im Café war heute leider bitter und lauwarm. Die Küche "
            "ist klein, jeder Zentimeter zählt. So macht das keinen Spaß.",
            "de",
            "complaint",
        ),
        # Loving the latte-art challenge once filed as a complaint.
        (
            "Update: Wer hat die #lumoralatteart Sache angefangen? Ich übe seit gestern Abend "
            "und liebe es.",
            "de",
            "praise",
        ),
        # A design award and a proud latte-art post, both once listed as open complaints.
        (
            "The Lumora Mill was recognised for its clean design. The jury praised how easy it "
            "is to use. A company spokesperson confirmed the plans when asked.",
            "en",
            "other",
        ),
        (
            "@liam83 Can confirm. Everyone is posting #lumoralatteart so I'm joining in: tulip "
            "on a flat white, so proud. Sunday breakfast always means cortado in our house.",
            "en",
            "praise",
        ),
        # A newcomer's calm question once filed as a complaint (and quoted as one).
        (
            "Wie oft muss man die Lumora Brew entkalken? Wir trinken zu zweit etwa 3 Tassen am "
            "Tag. Bin noch neu dabei.",
            "de",
            "question",
        ),
        # An angry question stays a complaint.
        ("Wann wollt ihr das endlich reparieren? Seit drei Wochen kaputt!", "de", "complaint"),
        # A complaint in the same words stays one.
        ("The app is broken again after the update", "en", "complaint"),
    ],
)
def test_reports_are_no_complaints_and_a_bitter_espresso_is_no_praise(
    text: str, language: str, expected: str
) -> None:
    assert classify_intent(text, language) == expected


def test_an_award_in_german_press_wording_is_no_complaint() -> None:
    # Press about an award may read as a report or as praise of the product; never a complaint.
    text = (
        "Die Lumora Mill wurde für ihr schlichtes Design ausgezeichnet. Die Jury lobte die "
        "einfache Bedienung. Ein Sprecher bestätigte die Pläne auf Anfrage."
    )
    assert classify_intent(text, "de") in ("other", "praise")
