"""The intent of a mention (German and English): complaint, question, praise, purchase or other.

A softmax regression over two kinds of features, like the sentiment model:

* the multilingual sentence embedding the sentiment model computes anyway (``sentiment.embed``
  shares its encoder and cache, so at ingest the intent costs a matrix product, not a second
  encoding), and
* the surface signs of ``intent_rules`` (complaint markers, question openers, buying and
  praise phrases, press wording, polarity cues).

The embedding carries meaning the phrase lists miss ("Koffer ist in Palma, ich bin in
Hamburg"); the signs carry the cues a few hundred examples cannot teach the embedding alone.
Trained by ``train_intent.py`` on the team-written dev set in ``data/intent/`` (see its
README for the figures, and ``python -m bot eval intent`` to measure any labelled file).
Without the weights file the rules decide alone. Nothing here touches the network.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, cast

import numpy as np
import numpy.typing as npt

from core.analysis.intent_rules import INTENTS, N_SIGNALS, SIGNAL_NAMES, rule_intent, signals
from core.analysis.linear_npz import save_linear

logger = logging.getLogger(__name__)

Intent = Literal["complaint", "question", "praise", "purchase", "other"]
WEIGHTS_PATH = Path(__file__).parent / "data" / "intent_lr.npz"
FloatArray = npt.NDArray[np.float32]

# What a person may type for an intent (filters, eval files): German and English words.
ALIASES: dict[str, str] = {
    "complaint": "complaint",
    "complaints": "complaint",
    "beschwerde": "complaint",
    "beschwerden": "complaint",
    "question": "question",
    "questions": "question",
    "frage": "question",
    "fragen": "question",
    "praise": "praise",
    "lob": "praise",
    "purchase": "purchase",
    "purchase_interest": "purchase",
    "kaufinteresse": "purchase",
    "kauf": "purchase",
    "other": "other",
    "sonstiges": "other",
    "andere": "other",
}


def parse_intent(word: str) -> str | None:
    """The intent a typed word names (German or English, any case), or None."""
    return ALIASES.get(word.strip().lower())


def signal_matrix(texts: Sequence[str], languages: Sequence[str | None]) -> FloatArray:
    """The rule signs of each text as an (n, N_SIGNALS) array."""
    out = np.zeros((len(texts), N_SIGNALS), dtype=np.float32)
    for row, (text, lang) in enumerate(zip(texts, languages, strict=True)):
        out[row] = signals(text, lang)
    return out


def features(texts: Sequence[str], languages: Sequence[str | None]) -> FloatArray:
    """The model's input: embeddings next to the rule signs (unscaled)."""
    from core.analysis.sentiment import embed

    return np.hstack([embed(texts), signal_matrix(texts, languages)]).astype(np.float32)


@dataclass(frozen=True)
class IntentWeights:
    """What ``train_intent.py`` writes: a softmax regression over standardised features."""

    coef: FloatArray  # (n_features, n_labels)
    intercept: FloatArray  # (n_labels,)
    mean: FloatArray
    scale: FloatArray
    labels: tuple[str, ...]
    meta: dict[str, Any]

    def save(self, path: Path) -> None:
        """Write the weights as a small npz (labels and metadata as JSON inside)."""
        save_linear(path, self, meta=json.dumps({**self.meta, "labels": list(self.labels)}))

    @classmethod
    def read(cls, path: Path) -> IntentWeights:
        """Read weights written by ``save``."""
        with np.load(path, allow_pickle=False) as z:
            meta = json.loads(str(z["meta"]))
            return cls(
                coef=z["coef"],
                intercept=z["intercept"],
                mean=z["mean"],
                scale=z["scale"],
                labels=tuple(meta["labels"]),
                meta=meta,
            )

    def logits(self, x: FloatArray) -> FloatArray:
        """Raw class scores of standardised features."""
        return cast(FloatArray, ((x - self.mean) / self.scale) @ self.coef + self.intercept)


class IntentModel:
    """The shipped intent model; `load` reads it once per process."""

    _instance: IntentModel | None = None
    _lock = threading.Lock()

    def __init__(self, weights: IntentWeights) -> None:
        if weights.coef.shape[1] != len(weights.labels) or set(weights.labels) - set(INTENTS):
            raise ValueError(f"intent weights do not fit the labels {weights.labels}")
        self.weights = weights

    @classmethod
    def load(cls) -> IntentModel:
        """The shared model from ``data/intent_lr.npz``; raises OSError when it is missing."""
        with cls._lock:
            if cls._instance is None:
                cls._instance = cls(IntentWeights.read(WEIGHTS_PATH))
                logger.info("intent model loaded from %s", WEIGHTS_PATH)
            return cls._instance

    def predict(self, texts: Sequence[str], languages: Sequence[str | None]) -> list[str]:
        """One intent per text."""
        if not texts:
            return []
        logits = self.weights.logits(features(texts, languages))
        labels = self.weights.labels
        return [labels[int(i)] for i in np.argmax(logits, axis=1)]


_missing: list[str] = []  # why the model could not be loaded, once it failed


def classify_intents(texts: Sequence[str], languages: Sequence[str | None]) -> list[Intent]:
    """The intent of each text; the rules alone when the model's weights are missing."""
    if not _missing:
        try:
            model = IntentModel.load()
        except (OSError, ValueError, KeyError) as exc:
            _missing.append(str(exc))
            logger.warning("intent model unavailable (%s); using the rules alone", exc)
        else:
            predicted = model.predict(texts, languages)
            moods = _moods(texts, languages, predicted)
            return [
                cast(Intent, reconcile(label, t, lang, mood, certainty))
                for label, t, lang, (mood, certainty) in zip(
                    predicted, texts, languages, moods, strict=True
                )
            ]
    return [cast(Intent, rule_intent(t, lang)) for t, lang in zip(texts, languages, strict=True)]


def _moods(
    texts: Sequence[str], languages: Sequence[str | None], predicted: Sequence[str]
) -> list[tuple[str | None, float]]:
    """The sentiment and its probability for the texts labelled complaint or praise (None
    for the rest, and when the sentiment model is missing); it shares the intent model's
    embeddings."""
    from core.analysis.sentiment import SentimentModel

    asked = [i for i, label in enumerate(predicted) if label in ("complaint", "praise")]
    out: list[tuple[str | None, float]] = [(None, 0.0)] * len(texts)
    if not asked:
        return out
    try:
        model = SentimentModel.load()
    except (OSError, ValueError, KeyError):
        return out
    found = model.predict([texts[i] for i in asked], [languages[i] for i in asked])
    for i, (label, probability) in zip(asked, found, strict=True):
        out[i] = (label, probability)
    return out


def reconcile(
    label: str,
    text: str,
    language: str | None,
    mood: str | None = None,
    certainty: float = 0.0,
) -> str:
    """The model's intent, unless the mood and the surface signs contradict it outright.

    The embedding half of the model reads a neutral report about a product ("Lumora has
    released an update for the Lumora Brew …") as near its complaint examples, and a café's
    bitter, lukewarm espresso as near its praise. A complaint in press wording that sounds
    neutral or positive and shows no sign of trouble (no complaint marker, no negative word,
    no sarcasm) is a report ("other"); a "complaint" that sounds positive, with a praise word
    and no sign of trouble, is praise; "praise" that sounds negative, without a praise word
    and with more negative than positive words, is a complaint. A "complaint" that sounds
    clearly positive (`certainty`, the sentiment's probability, at least 0.6) with a positive
    word and no sign of trouble is praise as well: "… so I'm joining in, so proud". A
    "complaint" that the rules read as a question (with its question mark), that sounds
    neutral with certainty (0.75) and shows no sign of trouble is a question: "How often do
    I have to descale it? … Still new to this." Angry questions keep their complaint: they
    sound negative or carry a complaint marker."""
    s = dict(zip(SIGNAL_NAMES, signals(text, language), strict=False))
    trouble = s["complaint"] or s["negative"] or s["sarcasm"]
    confident = certainty >= 0.6
    sure = certainty >= 0.75
    question = s["rule_question"] and s["question_mark"]
    if label == "complaint" and mood in ("neutral", "positive") and s["news"] and not trouble:
        return "other"  # a report: press wording, neutral, no sign of trouble
    if label == "complaint" and mood == "positive" and s["praise"] and not trouble:
        return "praise"  # "… ich übe seit gestern Abend und liebe es"
    if label == "complaint" and mood == "positive" and confident and s["positive"] and not trouble:
        return "praise"  # "… so I'm joining in: tulip on a flat white, so proud."
    if label == "complaint" and mood == "neutral" and sure and question and not trouble:
        return "question"  # "Wie oft muss man die Lumora Brew entkalken? … Bin noch neu dabei."
    if label == "praise" and mood == "negative" and not s["praise"]:
        return "complaint" if s["negative"] > s["positive"] else label
    return label


def classify_intent(text: str, language: str | None) -> Intent:
    """The intent of one text (see `classify_intents`)."""
    return classify_intents([text], [language])[0]
