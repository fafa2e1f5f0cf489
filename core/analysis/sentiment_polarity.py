"""A German polarity lexicon as features of the sentiment model.

The team's cue words (``data/cues.json``) are a few hundred; German has many more words that
carry a verdict ("Zumutung", "reibungslos", "verschlampt"). ``data/de_polarity.tsv`` holds the
7,363 words of non-zero polarity of the German Polarity Lexicon (Klenner et al. 2010), as shipped
under the Apache License 2.0 in the PyPI package textblob-de (provenance: ``data/README.md``).

A word is looked up as written (lower-cased), else on its Snowball stem (PyStemmer), so
"pünktlich" also finds "pünktlichen" and "Ausfall" finds "Ausfälle"; function words and negators
are never looked up (the stemmer folds umlauts, and "schon" must not read as "schön"). A word in
the reach of a negator ("nicht pünktlich") counts for the other side. English texts get zeros: the English cue words
and the learnt lexicon cover English.
"""

from __future__ import annotations

import math
import re
import threading
from collections.abc import Sequence
from functools import cache

import numpy as np
import Stemmer

from core.analysis.sentiment_cues import (
    DATA_DIR,
    FloatArray,
    all_negators,
    embedding_text,
    negation_marks,
)
from core.text import fold
from core.trends.words import STOPWORDS

POLARITY_PATH = DATA_DIR / "de_polarity.tsv"
N_POLARITY_FEATURES = 3

_WORD_RE = re.compile(r"[\w'’\-]+|[^\w\s]")
_local = threading.local()


def _stem(word: str) -> str:
    stemmer = getattr(_local, "stemmer", None)
    if stemmer is None:
        stemmer = _local.stemmer = Stemmer.Stemmer("german")
    return str(stemmer.stemWord(word.lower()))


@cache
def polarity_table() -> tuple[dict[str, float], dict[str, float]]:
    """(lower-cased word -> polarity, stem -> mean polarity of the words with that stem)."""
    words: dict[str, list[float]] = {}
    stems: dict[str, list[float]] = {}
    for line in POLARITY_PATH.read_text(encoding="utf-8").splitlines():
        if not line or line.startswith("#") or line == "word\tpolarity":
            continue
        word, value = line.split("\t")
        words.setdefault(word.lower(), []).append(float(value))
        stems.setdefault(_stem(word), []).append(float(value))
    return (
        {w: sum(v) / len(v) for w, v in words.items()},
        {s: sum(v) / len(v) for s, v in stems.items() if len(s) >= 4},
    )


@cache
def _skipped() -> frozenset[str]:
    return frozenset(all_negators()) | STOPWORDS


def polarity(token: str) -> float | None:
    """The lexicon's polarity of one lower-cased word, or None when it has none."""
    words, stems = polarity_table()
    if token in _skipped():
        return None
    if token in words:  # as written: "schön" is in, although it folds to the function word "schon"
        return words[token]
    if fold(token) in _skipped():
        return None
    return stems.get(_stem(token))


def polarity_features(texts: Sequence[str], languages: Sequence[str | None]) -> FloatArray:
    """(n, 3): positive and negative polarity mass of a German text, and their share of its words.

    The same prefix as the encoder and the cue words read (``embedding_text``).
    """
    out = np.zeros((len(texts), N_POLARITY_FEATURES), dtype=np.float32)
    negators = all_negators()
    for row, (text, language) in enumerate(zip(texts, languages, strict=True)):
        if language != "de":
            continue
        tokens = _WORD_RE.findall(embedding_text(text).lower())
        marks = negation_marks(tokens, negators)
        pos = neg = 0.0
        words = hits = 0
        for token, negated in zip(tokens, marks, strict=True):
            if not token[0].isalpha():
                continue
            words += 1
            value = polarity(token)
            if value is None:
                continue
            hits += 1
            if negated:
                value = -value
            if value > 0:
                pos += value
            else:
                neg -= value
        out[row] = (math.log1p(pos), math.log1p(neg), hits / words if words else 0.0)
    return out
