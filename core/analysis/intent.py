"""Rule-based intent of a mention (German and English): question, complaint, praise or other.

Rules rather than a model because the team reads and edits them, and the cases that matter for
routing (a customer waiting for an answer, an angry customer, a compliment to pass on) have
plain surface signs. The polarity words are the sentiment cues in ``data/cues.json``.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Literal

from core.analysis.sentiment import CueLexicon

Intent = Literal["question", "complaint", "praise", "other"]

# Phrases that mark a complaint on their own, whatever else the text says. Matched on the
# lower-cased text, so each is written as it would appear mid-sentence.
_COMPLAINT_MARKERS: dict[str, tuple[str, ...]] = {
    "de": (
        "immer noch nicht",
        "immer noch kein",
        "noch immer nicht",
        "noch immer kein",
        "reklamation",
        "beschwerde",
        "funktioniert nicht",
        "geht nicht mehr",
        "kaputt",
        "defekt",
        "danke für nichts",
        "nie wieder",
        "seit wochen",
        "seit tagen",
        "keine antwort",
        "nicht angekommen",
        "nicht erreichbar",
        "frechheit",
        "zumutung",
        "abzocke",
        "erstattung",
        "rückerstattung",
        "geld zurück",
    ),
    "en": (
        "still waiting",
        "still not",
        "still no ",
        "broken",
        "doesn't work",
        "does not work",
        "not working",
        "stopped working",
        "never arrived",
        "never received",
        "no response",
        "no reply",
        "refund",
        "complaint",
        "worst service",
        "customer service is",
        "never again",
        "unacceptable",
        "rip-off",
        "ripoff",
    ),
}

# What the complaint is about: a negative text that names one of these is a complaint rather
# than, say, sadness about the weather.
_SERVICE_WORDS: dict[str, tuple[str, ...]] = {
    "de": (
        "service",
        "kundendienst",
        "hotline",
        "support",
        "lieferung",
        "geliefert",
        "paket",
        "bestellung",
        "bestellt",
        "zustell",
        "rechnung",
        "vertrag",
        "zug",
        "bahn",
        "verspätung",
        "ticket",
        "fahrkarte",
        "preis",
        "app",
        "produkt",
        "gerät",
        "ware",
        "filiale",
        "mitarbeiter",
    ),
    "en": (
        "service",
        "support",
        "helpdesk",
        "delivery",
        "delivered",
        "package",
        "parcel",
        "order",
        "shipping",
        "invoice",
        "bill",
        "account",
        "train",
        "flight",
        "delay",
        "ticket",
        "price",
        "app",
        "product",
        "device",
        "store",
        "staff",
        "refund",
    ),
}

_PRAISE_MARKERS: dict[str, tuple[str, ...]] = {
    "de": ("danke", "vielen dank", "super", "toll", "klasse", "großartig", "lob", "liebe ", "top"),
    "en": ("love", "thank", "thanks", "great job", "well done", "awesome", "amazing", "kudos"),
}

# Word-initial question words; a text starting with one is a question even without "?".
_QUESTION_START = {
    "de": re.compile(
        r"^(wie|wann|wo|woher|wohin|warum|wieso|weshalb|was|wer|wen|wem|welche[rsnm]?|kann|"
        r"können|könnt|darf|gibt es|hat jemand|weiß jemand|kennt jemand|ist es|muss ich|sind)\b"
    ),
    "en": re.compile(
        r"^(how|when|where|why|what|who|which|can|could|does|do|is|are|will|should|"
        r"has anyone|anyone know|any idea)\b"
    ),
}
_QUESTION_ANYWHERE = {
    "de": ("weiß jemand", "hat jemand", "kennt jemand", "kann mir jemand", "frage:"),
    "en": ("does anyone", "anyone know", "can anyone", "any idea", "question:"),
}
_HANDLE_RE = re.compile(r"^(?:@\w+\s*)+")


@cache
def _lexicon() -> CueLexicon:
    return CueLexicon.load()


def _languages(language: str | None) -> tuple[str, ...]:
    return (language,) if language in ("de", "en") else ("de", "en")


def _any(text: str, phrases: tuple[str, ...]) -> bool:
    return any(p in text for p in phrases)


def classify_intent(text: str, language: str | None) -> Intent:
    """The intent of one mention; ``language`` picks the rule set (both when None or other).

    Order matters: an explicit complaint marker wins over a question mark ("Warum ist mein Paket
    immer noch nicht da?" wants an apology, not an FAQ link), a question wins over praise ("Danke!
    Wann kommt die nächste Lieferung?"), and negative words about a service make a complaint.
    """
    lowered = " ".join(text.lower().split())
    langs = _languages(language)
    if not lowered:
        return "other"
    pos, neg, _ = _lexicon().hits(lowered, language if language in ("de", "en") else None)

    if any(_any(lowered, _COMPLAINT_MARKERS[lang]) for lang in langs):
        return "complaint"

    body = _HANDLE_RE.sub("", lowered)
    is_question = (
        "?" in body
        or any(_QUESTION_START[lang].match(body) for lang in langs)
        or any(_any(body, _QUESTION_ANYWHERE[lang]) for lang in langs)
    )
    about_service = any(_any(lowered, _SERVICE_WORDS[lang]) for lang in langs)
    # A rhetorical question full of anger ("Warum ist der Zug JEDEN Tag zu spät?") is a complaint.
    if neg > pos and about_service and (not is_question or neg >= 2):
        return "complaint"
    if is_question:
        return "question"
    if pos > neg and any(_any(lowered, _PRAISE_MARKERS[lang]) for lang in langs):
        return "praise"
    if pos >= 2 and neg == 0:
        return "praise"
    return "other"
