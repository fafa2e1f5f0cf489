"""Word forms that mean the same thing: "Nachhaltigkeit" finds "nachhaltig", "nachhaltige",
"Nachhaltigkeitsbericht"; "deliveries" finds "delivery".

The Snowball stemmers for German and English (PyStemmer) reduce a word to its stem; two words
match when either language gives them the same stem, or when the text's word begins with the
asked word (a compound that starts with it: "Lieferungsproblem"). Full-text search is asked
for the stem as a prefix, which finds every candidate; `matches` then keeps the real ones
("Lieferant" begins with "liefer" but is another word).
"""

from __future__ import annotations

import re
from functools import lru_cache

import Stemmer

from core.text import fold

_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
# A stem shorter than this finds too much as a prefix ("ka*"): the word is searched whole.
MIN_PREFIX = 4
_STEMMERS = {"de": Stemmer.Stemmer("german"), "en": Stemmer.Stemmer("english")}


@lru_cache(maxsize=65536)
def stems(word: str) -> tuple[str, str]:
    """The German and English stems of a word (lower case, umlauts folded as Snowball does)."""
    low = word.lower()
    return _STEMMERS["de"].stemWord(low), _STEMMERS["en"].stemWord(low)


def search_prefix(word: str) -> str:
    """What full-text search is asked for (as a prefix): the shorter stem that begins the
    word, written as the word is (umlauts kept, so a search that does not fold them finds
    "mühl…" for "Mühle"); the word itself when no stem is long enough."""
    low = word.lower()
    folded = fold(low)
    if len(folded) != len(low):
        return low  # "ß" folds to "ss": the stem no longer lines up with the word
    # English turns a final "y" into "i" ("deliveri"): the prefix stops before it.
    found = [s[:-1] if s.endswith("i") else s for s in stems(word)]
    found = [s for s in found if len(s) >= MIN_PREFIX and folded.startswith(s)]
    if not found:
        return low
    # Folding ä/ö/ü keeps the length, so the written word's prefix is the stem as written.
    return low[: len(min(found, key=len))]


def query(text: str) -> str:
    """A full-text query for every word of `text`, each by its search prefix."""
    return " ".join(search_prefix(w) for w in _WORD.findall(text))


def _same(asked: str, seen: str) -> bool:
    a, b = stems(asked), stems(seen)
    if a[0] == b[0] or a[1] == b[1]:
        return True
    return fold(seen.lower()).startswith(fold(asked.lower()))


def matches(text: str, asked: str) -> bool:
    """Whether every word of `asked` occurs in `text` in some form of it."""
    words = _WORD.findall(text)
    wanted = _WORD.findall(asked)
    return bool(wanted) and all(any(_same(w, seen) for seen in words) for w in wanted)
