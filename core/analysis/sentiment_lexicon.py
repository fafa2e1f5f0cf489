"""A learnt word lexicon for the sentiment model: per-language log-count ratios of words and pairs.

The sentence encoder knows what a text is about better than how it feels; the team's cue words
know the feeling but are few. This lexicon is learnt from the labelled training corpora (NBSVM's
log-count ratios, Wang & Manning 2012): for every word and word pair seen often enough, how much
likelier it is in texts of one class than in the others. A text's three features are the sums of
its terms' ratios per class, divided by the square root of its term count. It is stored next to
the regression weights (``data/sentiment_lr.npz``) as terms and a float16 table, not as texts.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

import numpy as np
import numpy.typing as npt

from core.analysis.sentiment_cues import (
    FloatArray,
    all_negators,
    embedding_text,
    negation_marks,
)

N_LEXICON_FEATURES = 3
CHAR_NGRAMS = (4, 5)  # lengths of the character n-grams of the ``chars`` lexicon

_TOKEN_RE = re.compile(r"[\w'’\-]+|[^\w\s]")
_DIGITS_RE = re.compile(r"\d")


def terms(text: str) -> set[str]:
    """The words and adjacent word pairs of a text, lower-cased, digits folded to 0.

    A word in the reach of a negator gets a ``¬`` in front (``nicht schlecht`` gives ``nicht``,
    ``¬schlecht`` and ``nicht ¬schlecht``), so the lexicon learns negated words on their own.
    """
    tokens = _TOKEN_RE.findall(_DIGITS_RE.sub("0", embedding_text(text).lower()))
    marks = negation_marks(tokens, all_negators())
    tokens = [f"¬{t}" if negated else t for t, negated in zip(tokens, marks, strict=True)]
    return {*tokens, *(f"{a} {b}" for a, b in pairwise(tokens))}


def char_terms(text: str) -> set[str]:
    """Character 4- and 5-grams inside the words of a text, word edges marked with ``<`` ``>``.

    German glues its verdicts into compounds ("Zugausfall", "Verspätungsalarm", "Top-Service"):
    a word never seen whole still shares pieces ("ausfall", "verspät") with words that were.
    A negated word's pieces carry the ``¬`` mark, as in ``terms``.
    """
    tokens = _TOKEN_RE.findall(_DIGITS_RE.sub("0", embedding_text(text).lower()))
    marks = negation_marks(tokens, all_negators())
    found: set[str] = set()
    for token, negated in zip(tokens, marks, strict=True):
        if len(token) < 3 or not token[0].isalpha():
            continue
        word = f"<{token}>"
        mark = "¬" if negated else ""
        for n in CHAR_NGRAMS:
            found.update(mark + word[i : i + n] for i in range(len(word) - n + 1))
    return found


_TERMS = {"words": terms, "chars": char_terms}


@dataclass(frozen=True)
class LearnedLexicon:
    """Term -> (3,) log-count ratios (negative, neutral, positive), one table per language."""

    index: dict[str, dict[str, int]]
    ratios: dict[str, npt.NDArray[np.float32]]
    kind: str = "words"  # "words" (words and pairs, ``terms``) or "chars" (``char_terms``)

    def features(self, texts: Sequence[str], languages: Sequence[str | None]) -> FloatArray:
        """The (n, 3) lexicon features; a language without a table uses all tables, averaged."""
        out = np.zeros((len(texts), N_LEXICON_FEATURES), dtype=np.float32)
        split = _TERMS[self.kind]
        for row, (text, language) in enumerate(zip(texts, languages, strict=True)):
            found = split(text)
            if not found:
                continue
            langs = [language] if language in self.index else list(self.index)
            total = np.zeros(N_LEXICON_FEATURES, dtype=np.float32)
            for lang in langs:
                index, table = self.index[lang], self.ratios[lang]
                rows = [index[t] for t in found if t in index]
                if rows:
                    total += table[rows].sum(axis=0)
            out[row] = total / (len(langs) * np.sqrt(len(found)))
        return out

    @classmethod
    def fit(
        cls,
        texts: Sequence[str],
        languages: Sequence[str],
        y: npt.NDArray[np.int64],
        weights: npt.NDArray[np.float32],
        min_count: int = 3,
        max_terms: int = 30_000,
        alpha: float = 1.0,
        kind: str = "words",
    ) -> LearnedLexicon:
        """Learn the tables from labelled texts; ``weights`` balance the classes and sources."""
        split = _TERMS[kind]
        index: dict[str, dict[str, int]] = {}
        ratios: dict[str, npt.NDArray[np.float32]] = {}
        for lang in sorted(set(languages)):
            rows = [i for i, lg in enumerate(languages) if lg == lang]
            row_terms = [split(texts[i]) for i in rows]
            seen = Counter(t for found in row_terms for t in found)
            vocab = [t for t, n in seen.most_common(max_terms) if n >= min_count]
            lookup = {t: k for k, t in enumerate(vocab)}
            counts = np.zeros((len(vocab), 3))
            for i, found in zip(rows, row_terms, strict=True):
                hits = [lookup[t] for t in found if t in lookup]
                counts[hits, y[i]] += weights[i]
            # Each class against the other two, both as smoothed distributions over the terms.
            table = np.zeros((len(vocab), 3), dtype=np.float32)
            for label in range(3):
                p = counts[:, label] + alpha
                q = counts.sum(axis=1) - counts[:, label] + alpha
                table[:, label] = np.log((p / p.sum()) / (q / q.sum()))
            index[lang] = lookup
            ratios[lang] = table
        return cls(index, ratios, kind)

    def to_arrays(self) -> dict[str, npt.NDArray[np.generic]]:
        """Arrays to store in the weights file (``lexicon_terms_<lang>``, ``lexicon_ratios_<lang>``;
        ``charlex_…`` for the character lexicon)."""
        prefix = _PREFIX[self.kind]
        out: dict[str, npt.NDArray[np.generic]] = {}
        for lang, lookup in self.index.items():
            out[f"{prefix}_terms_{lang}"] = np.array(list(lookup), dtype=str)
            out[f"{prefix}_ratios_{lang}"] = self.ratios[lang].astype(np.float16)
        return out

    @classmethod
    def from_arrays(
        cls, arrays: dict[str, npt.NDArray[np.generic]], kind: str = "words"
    ) -> LearnedLexicon | None:
        """The lexicon of that kind stored by ``to_arrays``, or None when the file has none."""
        prefix = _PREFIX[kind]
        head = f"{prefix}_terms_"
        langs = [k.removeprefix(head) for k in arrays if k.startswith(head)]
        if not langs:
            return None
        return cls(
            {lang: {str(t): k for k, t in enumerate(arrays[f"{head}{lang}"])} for lang in langs},
            {lang: arrays[f"{prefix}_ratios_{lang}"].astype(np.float32) for lang in langs},
            kind,
        )


_PREFIX = {"words": "lexicon", "chars": "charlex"}
