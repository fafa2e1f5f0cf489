"""Surface signs of a mention's intent (German and English): the rule half of the intent model.

Each sign is a phrase list or pattern that a reader can check and extend: complaint markers
("immer noch nicht", "still waiting"), question openers, praise and buying phrases, press
wording. `signals` turns a text into a short vector of these signs for the trained model
(``intent.py``), which weighs them together with a sentence embedding; `rule_intent` is the
same signs as a plain decision list, kept as the baseline the model has to beat and as the
answer when the model cannot be loaded.
"""

from __future__ import annotations

import math
import re
from functools import cache

from core.analysis.intent_phrases import (
    COMPLAINT,
    NEWS,
    PRAISE,
    PURCHASE,
    QUESTION_ANYWHERE,
    QUESTION_START,
    SERVICE,
)
from core.analysis.sentiment import CueLexicon

INTENTS = ("complaint", "question", "praise", "purchase", "other")


_SARCASM = re.compile(
    r"🙃|danke für (?:nichts|nix)|thanks for nothing|\bbravo\b|\bwell done\b.*\?|👏👏"
)
_HANDLE_RE = re.compile(r"^(?:@\w+\s*)+")
_SECOND_PERSON = re.compile(r"\b(?:ihr|euch|eure[rnms]?|euer|you|your|you're|u)\b")
_FIRST_PERSON = re.compile(r"\b(?:ich|mir|mich|mein\w*|wir|uns|unser\w*|i|i'm|i've|me|my|we|our)\b")


def _compile(groups: dict[str, tuple[str, ...]]) -> dict[str, re.Pattern[str]]:
    return {lang: re.compile("|".join(f"(?:{p})" for p in ps)) for lang, ps in groups.items()}


_C = _compile(COMPLAINT)
_S = _compile(SERVICE)
_P = _compile(PRAISE)
_B = _compile(PURCHASE)
_QA = _compile(QUESTION_ANYWHERE)
_N = _compile(NEWS)
_QS = {lang: re.compile("^" + p) for lang, p in QUESTION_START.items()}


@cache
def _lexicon() -> CueLexicon:
    return CueLexicon.load()


def _langs(language: str | None) -> tuple[str, ...]:
    return (language,) if language in ("de", "en") else ("de", "en")


def _count(patterns: dict[str, re.Pattern[str]], text: str, langs: tuple[str, ...]) -> int:
    return sum(len(patterns[lang].findall(text)) for lang in langs)


SIGNAL_NAMES = (
    "complaint",
    "service",
    "praise",
    "purchase",
    "question_mark",
    "question_start",
    "question_phrase",
    "news",
    "positive",
    "negative",
    "sarcasm",
    "second_person",
    "first_person",
    "exclamation",
    "length",
    *(f"rule_{intent}" for intent in INTENTS),
)
N_SIGNALS = len(SIGNAL_NAMES)


def normalise(text: str) -> str:
    """Lower-cased, whitespace-collapsed text without the leading @-handles of a reply."""
    return _HANDLE_RE.sub("", " ".join(text.lower().split()))


def signals(text: str, language: str | None) -> list[float]:
    """The surface signs of one text, in SIGNAL_NAMES order (counts squashed by log1p), and
    the decision list's verdict one-hot: it encodes how the signs combine ("a complaint marker
    unless praise outweighs it"), which a linear model over the signs cannot express."""
    found = _signs(text, language)
    verdict = _decide(text, found)
    return [*found, *(float(verdict == intent) for intent in INTENTS)]


# A praise word right after a negator is no praise ("not happy", "nicht zufrieden").
_NEGATED = re.compile(
    r"\b(?:not|never|no|nicht|nie|kein\w*)\s+(?:so\s+|really\s+|sehr\s+|wirklich\s+)?\w+"
)


def _signs(text: str, language: str | None) -> list[float]:
    body = normalise(text)
    unnegated = _NEGATED.sub(" ", body)
    langs = _langs(language)
    pos, neg, _ = _lexicon().hits(body, language if language in ("de", "en") else None)
    return [
        math.log1p(_count(_C, body, langs)),
        math.log1p(_count(_S, body, langs)),
        math.log1p(_count(_P, unnegated, langs)),
        math.log1p(_count(_B, body, langs)),
        float("?" in body),
        float(any(_QS[lang].match(body) for lang in langs)),
        float(any(_QA[lang].search(body) for lang in langs)),
        math.log1p(_count(_N, body, langs)),
        math.log1p(pos),
        math.log1p(neg),
        float(bool(_SARCASM.search(body))),
        float(bool(_SECOND_PERSON.search(body))),
        float(bool(_FIRST_PERSON.search(body))),
        min(body.count("!"), 3) / 3,
        math.log1p(len(body)) / math.log(500.0),
    ]


def rule_intent(text: str, language: str | None) -> str:
    """The intent from the surface signs alone (see `_decide`)."""
    return _decide(text, _signs(text, language))


def _decide(text: str, signs: list[float]) -> str:
    """The intent from the surface signs, as an ordered decision list.

    A complaint marker wins over a question ("Warum ist mein Paket immer noch nicht da?" wants
    an apology, not an FAQ link); buying words win over a plain question ("Was kostet der
    Familientarif?" is a sales lead); a question wins over praise.
    """
    (
        complaint,
        service,
        praise,
        purchase,
        qmark,
        qstart,
        qphrase,
        news,
        pos,
        neg,
        sarcasm,
        *_,
    ) = signs
    if not normalise(text):
        return "other"
    if news and not qmark and complaint == 0:
        return "other"
    if complaint and (neg >= pos or sarcasm or not praise):
        return "complaint"
    if neg > pos and service:
        return "complaint"
    if purchase:
        return "purchase"
    if qmark or qstart or qphrase:
        return "question"
    if praise or pos > neg:
        return "praise"
    return "other"
