"""Matching mentions against the watchlist.

Terms match case- and accent-insensitively at word boundaries. A term also matches with a
German or English inflection ending ("Lieferung" → "Lieferungen", "machine" → "machines")
and inside hyphenated compounds ("Lumora-Kaffeemaschine"), but not inside unrelated words
("Lumoraxx"). A mention containing an exclusion phrase matches nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from core.text import fold

_SUFFIXES = "(?:e|en|n|s|es|er|ern|'s)?"


@dataclass(frozen=True)
class Term:
    """A watch term: what people write (`term`), and the entity it stands for (`canonical`)."""

    term: str
    kind: str
    canonical: str

    @property
    def normalized(self) -> str:
        return normalize_term(self.term)


def normalize_term(term: str) -> str:
    """The stored, folded form of a term (hashtags keep their '#')."""
    return " ".join(fold(term).split())


class Watchlist:
    """A compiled matcher over a set of terms; build once, use for every mention."""

    def __init__(self, terms: Iterable[Term], exclusions: Iterable[str] = ()) -> None:
        self.terms = list(terms)
        self._by_form: dict[str, Term] = {}
        words: list[str] = []
        tags: list[str] = []
        for t in self.terms:
            form = t.normalized
            self._by_form.setdefault(form, t)
            (tags if form.startswith("#") else words).append(form)
        self._words = _compile(words, suffixes=True)
        self._tags = _compile([t[1:] for t in tags], prefix="#", suffixes=False)
        self._exclusions = _compile([normalize_term(e) for e in exclusions], suffixes=False)

    def match(self, text: str) -> list[Term]:
        """The terms a text mentions (each entity once, in order), or [] if excluded."""
        folded = fold(text)
        if self._exclusions and self._exclusions.search(folded):
            return []
        found: dict[str, Term] = {}
        for regex, prefix in ((self._words, ""), (self._tags, "#")):
            if regex is None:
                continue
            for m in regex.finditer(folded):
                form = prefix + " ".join(m.group(1).split())
                term = self._by_form.get(form)
                if term is not None:
                    found.setdefault(term.canonical, term)
        return list(found.values())

    def excluded(self, text: str) -> bool:
        return bool(self._exclusions and self._exclusions.search(fold(text)))


def _compile(forms: list[str], *, prefix: str = "", suffixes: bool) -> re.Pattern[str] | None:
    if not forms:
        return None
    # Longest first, so "lumora brew" wins over "lumora" at the same position.
    alternatives = "|".join(
        r"\s+".join(re.escape(w) for w in form.split())
        for form in sorted(set(forms), key=len, reverse=True)
    )
    tail = _SUFFIXES if suffixes else ""
    return re.compile(rf"(?<![\w#@]){re.escape(prefix)}({alternatives}){tail}(?![\w])")
