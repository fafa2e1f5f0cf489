"""The words of a mention as story names are made of: tokens with Snowball stems.

Words are matched on their stems (PyStemmer, the Snowball stemmers made for German and
English), so "Lieferung" and "Lieferungen", "descale" and "descaling" are one word; what is
shown is always the form people wrote. Links, @handles and "RT @x:" carry no topic and are
left out; digits end a phrase ("E25" names nothing).

Stemmer objects are not thread-safe: each thread gets its own.
"""

from __future__ import annotations

import functools
import re
import threading
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any

import Stemmer

from core.text import fold

_NOISE = re.compile(r"^\s*RT @\S+:?|(?<!\w)@[\w.-]+|https?://\S+|www\.\S+", re.IGNORECASE)
# Hashtags; words (with inner hyphens and apostrophes); words with digits and the marks
# that end a phrase, commas included (both become a boundary).
_TOKEN = re.compile(
    r"#[^\W_][\w-]*|[^\W\d_]+(?:[-'’][^\W\d_]+)*(?![\w])|\w*\d\w*|[.,!?;:()\[\]\"“”„«»…|/–—]|\n"
)
_SENTENCE_END = frozenset(".!?…:\n")
_POSSESSIVE = re.compile(r"['’]s$")
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
    "every jeden jeder jedes montag dienstag mittwoch donnerstag freitag samstag sonntag",
    "monday tuesday wednesday thursday friday saturday sunday januar februar märz april mai",
    "juni juli august september oktober november dezember january february march may june",
    "july october december many much lots few place places way bit viele vieles ever",
    "stunde stunden minute minuten hour hours minutes single worth frage fragen question",
    "questions hilfe help pro profi",
    # Praise and order words say how people feel about a thing, not what it is: they
    # neither name a story nor open its name ("erstes Herz", "tolles Upgrade", "bad buy").
    "erstes tolle tolles tollen kleine kleines kleinen bessere besseren gutes neues",
    "schöne schönes super perfekt perfekte perfektes bad nice awesome amazing favourite",
    "favorite quick small perfect",
    # English past tenses without -ed read like nouns after a name ("the Lumora Mill broke").
    "broke broken went gone came took taken gave given fell fallen left kept sent stood",
    "made said told bought sold",
)
WEAK = frozenset(fold(w) for w in " ".join(_WEAK_LINES).split())
# What stands before a noun phrase in English (and German): articles and possessives.
DETERMINERS = frozenset(
    fold(w)
    for w in (
        "the a an my your our his her their its this that these those no any some every"
        " der die das den dem des ein eine einen einem einer mein meine meinen meinem"
        " dein deine unser unsere euer eure ihr ihre sein seine kein keine"
    ).split()
)
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
    folded: str  # lowercase, accents and a possessive 's off: what lists are matched on
    stem: str  # the Snowball stem of the lowercased word (a hashtag is its own stem)
    initial: bool  # first word of a sentence: its capital letter says nothing

    @property
    def content(self) -> bool:
        """A word that can carry a topic: no function word, no lone letter."""
        return self.folded not in STOPWORDS and (
            len(self.folded) >= 3 or (len(self.surface) >= 2 and self.surface.isupper())
        )

    @property
    def capital(self) -> bool:
        """Written with a capital letter mid-sentence (in German: a noun)."""
        return not self.initial and self.surface[:1].isupper()


def tokens(text: str, lang: str | None) -> list[Token | None]:
    """The words of a text in order; None where a phrase cannot continue."""
    stemmer = _stemmer(lang or "en")
    out: list[Token | None] = []
    initial = True
    for match in _TOKEN.finditer(_NOISE.sub(" . ", text)):
        word = match.group(0)
        is_word = word[0].isalpha() and not any(c.isdigit() for c in word)
        if not (is_word or word.startswith("#")):
            out.append(None)
            initial = initial or word in _SENTENCE_END
            continue
        low = word.lower()
        stem = low if low.startswith("#") else stemmer.stemWord(low)
        out.append(Token(word, fold(_POSSESSIVE.sub("", low)), fold(stem), initial))
        initial = False
    return out


def stems(text: str, lang: str | None) -> set[str]:
    """The content stems (and hashtags) of a text: what is counted to find what is typical."""
    return {t.stem for t in tokens(text, lang) if t is not None and t.content}


@dataclass(frozen=True, eq=False)
class NameIndex:
    """Watched names as folded word sequences ("lumora brew", "nimbus app"): which tokens
    of a text belong to a name. "App" in "the Nimbus app" is part of a name; in "the app
    crashes" it is a word like any other."""

    sequences: tuple[tuple[str, ...], ...]

    @property
    def words(self) -> frozenset[str]:
        return frozenset(w for seq in self.sequences for w in seq)

    @functools.cached_property
    def _by_first(self) -> dict[str, list[tuple[str, ...]]]:
        out: dict[str, list[tuple[str, ...]]] = {}
        for seq in self.sequences:  # longest first, as sorted
            out.setdefault(seq[0], []).append(seq)
        return out

    def marks(self, toks: Sequence[Token | None]) -> list[bool]:
        """Per token: whether it is part of a watched name where it stands."""
        out = [False] * len(toks)
        starts = self._by_first
        for i, tok in enumerate(toks):
            if tok is None or tok.folded not in starts:
                continue
            for seq in starts[tok.folded]:
                span = toks[i : i + len(seq)]
                if len(span) == len(seq) and all(
                    t is not None and t.folded == w for t, w in zip(span, seq, strict=True)
                ):
                    for k in range(i, i + len(seq)):
                        out[k] = True
                    break
        return out


def name_index(names: Collection[str] | NameIndex) -> NameIndex:
    """The index of watched names (as written, e.g. "Lumora Brew"), built once per set."""
    if isinstance(names, NameIndex):
        return names
    return _index(tuple(sorted({n for n in names if n.strip()})))


@functools.lru_cache(maxsize=64)
def _index(names: tuple[str, ...]) -> NameIndex:
    seqs = {tuple(fold(_POSSESSIVE.sub("", w.lower())) for w in n.split()) for n in names}
    return NameIndex(tuple(sorted(seqs, key=lambda s: (-len(s), s))))
