"""Key phrases: what a group of mentions is about, in the words its people wrote.

A story is named by the phrase (one to four words, or a hashtag) that most of its mentions
share and that is rare elsewhere — "Lieferung", "descaling", "#lumoralatteart", "ölige
Bohnen" — never by a list of stems. Phrases are matched on their Snowball stems (PyStemmer),
so "Lieferung" and "Lieferungen", "descale" and "descaling" count as one; what is shown is
the form people wrote most often, umlauts and ß intact. A phrase neither starts nor ends
with a function word, and a watched name alone ("Lumora Brew") names no story.

Stemmer objects are not thread-safe: each thread gets its own.
"""

from __future__ import annotations

import math
import re
import threading
from collections import Counter, defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import Stemmer

from core.text import fold

MAX_WORDS = 4
MIN_MEMBERS = 2  # a phrase found in one mention only names nothing
MIN_COVERAGE = 0.12
_NOISE = re.compile(r"^\s*RT @\S+:?|(?<!\w)@[\w.-]+|https?://\S+|www\.\S+", re.IGNORECASE)
# Words (with inner hyphens and apostrophes), hashtags, and the marks that end a phrase.
_TOKEN = re.compile(r"#[^\W_][\w-]*|[^\W\d_]+(?:[-'’][^\W\d_]+)*|[.!?;:()\[\]\"“”„«»…|/–—]|\n")
_SENTENCE_END = frozenset(".!?…\n")
_POSSESSIVE = re.compile(r"['’]s$")
# English words with these endings are mostly verbs or adverbs ("thrilled", "lovely"),
# which name a story less well than the nouns beside them.
_EN_NOT_NOUN = re.compile(r"(?:ed|ly|ing)$")
_STOP_LINES = (
    # German
    "aber alle allem allen aller alles als also am an auch auf aus bei beim bin bis bist da",
    "dabei dafür damit dann darauf darum das dass dem den denn der des dich die dies diese",
    "diesem diesen dieser dir doch dort du durch ein eine einem einen einer eines einfach",
    "er es etwa etwas euch euer eure für gar gegen gibt gibts hab habe haben hat hatte hätte",
    "heute hier ich ihm ihn ihr ihre im immer in ist ja je jetzt kann kannst kein keine",
    "können könnt man mal mehr mein meine meinem meinen meiner mich mir mit muss müssen",
    "nach nicht nichts noch nun nur ob oder ohne schon sehr sein seine seit sich sie sind",
    "so soll sollte sonst über um und uns unser unsere unter viel vom von vor war waren",
    "warum was weil welche welchem welchen welcher welches wenn wer werde werden wie",
    "wieder wir wird wo wurde würde zu zum zur zwar",
    # English
    "a about after again all also am an and any are as at be because been before being",
    "both but by can can't could did didn't do does doesn't doing don't for from get gets",
    "got had has have having he her here hers him his how i i'd i'll i'm i've if in into",
    "is isn't it it's its just let's like me more most much my no not now of off on once",
    "one only or other our ours out over own really same she should so some still such",
    "than that that's the their theirs them then there these they this those through to",
    "too under until up us very was wasn't way we were what what's when where which while",
    "who why will with won't would you you're your yours",
)
STOPWORDS = frozenset(fold(w) for w in " ".join(_STOP_LINES).split())
# Words that say too little to name a story alone or to end its name ("use", "neue").
_WEAK_LINES = (
    "alt alte alten beste besser bisschen eigentlich erst erste ersten ganz gerade gut gute",
    "guten klar leider macht machen mega neu neue neuen richtig schon toll total voll",
    "wirklich zufrieden best better big easy first get good great happy last little lot",
    "love make makes need new next old right thing things try use used using want week",
    "weeks woche wochen tag tage tagen day days year years jahr jahre jahren time today",
)
WEAK = frozenset(fold(w) for w in " ".join(_WEAK_LINES).split())
# Rarer than this (in fewer than 1 in `RARE` background texts) counts as rare enough: beyond
# it, coverage decides, so a long phrase found once in the background does not win by rarity.
RARE = 40.0
_ALGORITHMS = {"de": "german", "en": "english", "fr": "french", "es": "spanish", "it": "italian"}
_LOCAL = threading.local()


def _stemmer(lang: str) -> Any:
    cache: dict[str, Any] = getattr(_LOCAL, "stemmers", None) or {}
    _LOCAL.stemmers = cache
    algorithm = _ALGORITHMS.get(lang, "english")
    if algorithm not in cache:
        cache[algorithm] = Stemmer.Stemmer(algorithm)
    return cache[algorithm]


@dataclass(frozen=True)
class Token:
    surface: str  # as written
    folded: str  # lowercase, accents off: what function words and names are matched on
    stem: str  # the Snowball stem of the lowercased word (a hashtag is its own stem)
    initial: bool  # first word of a sentence: its capital letter says nothing


def tokens(text: str, lang: str | None) -> list[Token | None]:
    """The words of a text in order; None where a phrase cannot continue (punctuation).

    Links, @handles and "RT @x:" are left out: they carry no topic."""
    stemmer = _stemmer(lang or "en")
    out: list[Token | None] = []
    initial = True
    for match in _TOKEN.finditer(_NOISE.sub(" . ", text)):
        word = match.group(0)
        if len(word) == 1 and not word.isalpha():
            out.append(None)
            initial = initial or word in _SENTENCE_END or word == ":"
            continue
        low = word.lower()
        stem = low if low.startswith("#") else stemmer.stemWord(low)
        # "Lumora's" is Lumora for the names and function words it is matched against.
        out.append(Token(word, fold(_POSSESSIVE.sub("", low)), fold(stem), initial))
        initial = False
    return out


def _content(token: Token) -> bool:
    return token.folded not in STOPWORDS and (len(token.folded) >= 3 or token.surface.isupper())


def stems(text: str, lang: str | None) -> set[str]:
    """The content stems (and hashtags) of a text: what is counted to find what is typical."""
    return {t.stem for t in tokens(text, lang) if t is not None and _content(t)}


def phrases(
    text: str, lang: str | None, *, names: Collection[str] = ()
) -> dict[str, tuple[str, bool]]:
    """Every candidate phrase of a text: its key (stems joined by spaces) → (the phrase as
    written, whether it starts a sentence). `names` are folded watched names (words)."""
    toks = tokens(text, lang)
    found: dict[str, tuple[str, bool]] = {}
    for i, first in enumerate(toks):
        if first is None or not _content(first) or first.folded in names:
            continue  # "Lumora Lieferung" says no more than "Lieferung"
        if first.surface.startswith("#"):
            found.setdefault(first.stem, (first.surface, False))
            continue
        span: list[Token] = []
        for j, tok in enumerate(toks[i : i + MAX_WORDS], start=i):
            if tok is None or tok.surface.startswith("#"):
                break
            span.append(tok)
            if not _content(tok) or all(t.folded in names for t in span if _content(t)):
                continue
            after = toks[j + 1] if j + 1 < len(toks) else None
            if tok.folded in names and after is not None and after.folded in names:
                continue  # not "Lieferung der Lumora" when "Lumora Brew" goes on
            if tok.folded in WEAK:
                continue
            key = " ".join(t.stem for t in span)
            found.setdefault(key, (" ".join(t.surface for t in span), first.initial))
    return found


def document_frequencies(
    texts: Iterable[tuple[str, str | None]], *, names: Collection[str] = ()
) -> Counter[str]:
    """In how many texts each phrase key occurs (the background a phrase must stand out of)."""
    df: Counter[str] = Counter()
    for text, lang in texts:
        df.update(phrases(text, lang, names=names).keys())
    return df


@dataclass(frozen=True)
class Phrase:
    """A story's key phrase: as shown, its key, and the share of members that contain it."""

    text: str
    key: str
    coverage: float


def key_phrase(
    members: Sequence[str],
    lang: str | None,
    *,
    df: Mapping[str, int],
    total: int,
    names: Collection[str] = (),
) -> Phrase | None:
    """The phrase most typical of `members` (texts in one language) against a background of
    `total` texts with document frequencies `df`; None when no phrase is shared enough.

    Score: coverage² × log inverse document frequency (capped at `RARE`). Coverage counts
    twice because a label must describe most of the story; the rarity keeps "heute" or a
    brand name found everywhere from naming anything. In German a name ending in a noun
    (capitalised mid-sentence) is preferred. A phrase one word longer wins over the best
    one inside it where nearly as many members use it ("ölige Bohnen" over "Bohnen")."""
    if len(members) < MIN_MEMBERS:
        return None
    counts: Counter[str] = Counter()
    forms: dict[str, Counter[str]] = defaultdict(Counter)
    initial_forms: dict[str, Counter[str]] = defaultdict(Counter)
    for text in members:
        found = phrases(text, lang, names=names)
        counts.update(found.keys())
        for key, (surface, initial) in found.items():
            (initial_forms if initial else forms)[key][surface] += 1
    n = len(members)

    cap = math.log(RARE)

    def score(key: str) -> float:
        coverage = counts[key] / n
        rarity = math.log((1 + total + n) / (1 + df.get(key, 0) + counts[key]))
        return coverage * coverage * min(max(rarity, 0.0), cap) * _noun_bonus(key, forms, lang)

    eligible = [k for k, c in counts.items() if c >= MIN_MEMBERS and c / n >= MIN_COVERAGE]
    if not eligible:
        return None
    ranked = sorted(eligible, key=lambda k: (-score(k), k.count(" "), k))
    best = ranked[0]
    # A phrase one word longer containing the best one, used by nearly as many, says more.
    longer = [
        k
        for k in eligible
        if k.count(" ") == best.count(" ") + 1
        and f" {best} " in f" {k} "
        and counts[k] >= 0.8 * counts[best]
        and not _adds_name(k, best, forms, names)
    ]
    if longer:
        best = max(longer, key=lambda k: (counts[k], score(k), k))
    return Phrase(_shown(best, forms, initial_forms, lang), best, counts[best] / n)


def _adds_name(
    longer: str, key: str, forms: Mapping[str, Counter[str]], names: Collection[str]
) -> bool:
    """Whether the longer phrase only adds a watched name ("Milchschäumer der Lumora")."""
    written = forms.get(longer)
    if not written:
        return True
    words = [fold(w) for w in written.most_common(1)[0][0].split(" ")]
    return words[-1] in names or words[0] in names


def _noun_bonus(key: str, forms: Mapping[str, Counter[str]], lang: str | None) -> float:
    """More for a name that ends in a noun: in German a word capitalised mid-sentence, in
    English a word without a verb's or adverb's ending."""
    written = forms.get(key)
    if lang == "de":
        if not written:
            return 1.0
        last = written.most_common(1)[0][0].rsplit(" ", 1)[-1]
        return 1.25 if last[:1].isupper() else 1.0
    last_key = key.rsplit(" ", 1)[-1]
    surface = written.most_common(1)[0][0] if written else last_key
    last = surface.rsplit(" ", 1)[-1].lower()
    return 0.6 if len(last) > 4 and _EN_NOT_NOUN.search(last) else 1.0


def _shown(
    key: str,
    forms: Mapping[str, Counter[str]],
    initial_forms: Mapping[str, Counter[str]],
    lang: str | None,
) -> str:
    """The form people wrote most often; mid-sentence forms first (their capitals mean
    something). An English phrase seen only at a sentence start loses its capital."""
    if forms.get(key):
        return forms[key].most_common(1)[0][0]
    text = initial_forms[key].most_common(1)[0][0]
    first = text.split(" ", 1)[0]
    if lang != "de" and first[:1].isupper() and first[1:].islower():
        text = text[:1].lower() + text[1:]
    return text


def key_stems(
    members: Sequence[tuple[str, str | None]],
    *,
    df: Mapping[str, int],
    total: int,
    names: Collection[str] = (),
    limit: int = 6,
) -> list[str]:
    """The stems (and hashtags) most typical of the members, best first: what picks a
    story's representative mention and links stories that share a hashtag."""
    counts: Counter[str] = Counter()
    for text, lang in members:
        counts.update(s for s in stems(text, lang) if s not in names)
    n = max(len(members), 1)

    def score(stem: str) -> float:
        rarity = math.log((1 + total + n) / (1 + df.get(stem, 0) + counts[stem]))
        return counts[stem] / n * max(rarity, 0.0)

    ranked = sorted((s for s, c in counts.items() if c >= 2), key=lambda s: (-score(s), s))
    return ranked[:limit]
