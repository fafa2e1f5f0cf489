"""Phrases that signal buying intent or churn, in German and English (matched folded).

Deliberately short lists of phrases that rarely mean anything else; a match counts the
mention once per list. Folding drops accents, so "kündigen" is written "kundigen" here.
"""

from __future__ import annotations

import re

from core.text import fold

BUYING = (
    r"kaufen",
    r"kaufe ich",
    r"bestellen",
    r"lohnt sich",
    r"lohnt es sich",
    r"empfehlung",
    r"empfehlt",
    r"empfehlen",
    r"welche soll ich",
    r"welches soll ich",
    r"vergleich",
    r"uberlege",
    r"angebot",
    r"rabatt",
    r"wo bekomme",
    r"buy",
    r"buying",
    r"purchase",
    r"worth it",
    r"recommend",
    r"which one should",
    r"thinking (?:of|about) getting",
    r"looking for a",
    r"any deals?",
    r"discount",
    r"where can i get",
)
CHURN = (
    r"kundigen",
    r"kundige",
    r"gekundigt",
    r"zuruckschicken",
    r"zuruckgeben",
    r"rucksendung",
    r"wechsle",
    r"wechseln zu",
    r"nie wieder",
    r"umsteigen",
    r"storniert",
    r"stornieren",
    r"erstattung",
    r"geld zuruck",
    r"cancel(?:l?ed|ling)?",
    r"return(?:ing)? it",
    r"refund",
    r"switch(?:ing)? to",
    r"never again",
    r"done with",
    r"moving to",
    r"unsubscribe",
)


def _compile(phrases: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile(r"(?<![\w])(?:" + "|".join(phrases) + r")(?![\w])")


_BUYING = _compile(BUYING)
_CHURN = _compile(CHURN)


def buying_intent(text: str) -> bool:
    """Whether a text asks about or leans towards buying."""
    return bool(_BUYING.search(fold(text)))


def churn_signal(text: str) -> bool:
    """Whether a text speaks of cancelling, returning, switching away."""
    return bool(_CHURN.search(fold(text)))
