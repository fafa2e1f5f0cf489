"""Measuring the analysis against labelled data (``python -m bot eval ...``)."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

logger = logging.getLogger(__name__)

# --- sentiment -------------------------------------------------------------------------------

SENTIMENT_LABELS = ("negative", "neutral", "positive")


@dataclass(frozen=True)
class LabelledTexts:
    """The rows of a ``text<TAB>label`` file, and how many lines could not be used."""

    texts: list[str]
    labels: list[str]
    malformed: int


def read_labelled_tsv(
    path: Path, labels: Sequence[str] = SENTIMENT_LABELS, aliases: Mapping[str, str] | None = None
) -> LabelledTexts:
    """Read a ``text<TAB>label`` file whose labels are one of ``labels``.

    ``aliases`` maps other spellings of a label (lower-cased) to the label itself.

    The text is everything before the last tab, so a stray tab inside a text does no harm. A
    first line whose label column is not a label (``text<TAB>label``) is taken as a header.
    Blank lines are skipped; any other line without a tab, with an empty text or with an
    unknown label is counted as malformed and skipped.

    Raises ValueError when the file cannot be read as UTF-8 text.
    """
    try:
        content = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ValueError(f"cannot read labelled data from {path}: {exc}") from exc

    texts: list[str] = []
    found: list[str] = []
    malformed = 0
    for number, line in enumerate(content.splitlines()):
        if not line.strip():
            continue
        text, tab, label = line.rpartition("\t")
        label = label.strip().lower()
        label = (aliases or {}).get(label, label)
        if not tab or not text.strip() or label not in labels:
            if number == 0 and tab:
                continue  # a header line
            malformed += 1
            continue
        texts.append(text.strip())
        found.append(label)
    if malformed:
        logger.warning("%s: skipped %d malformed line(s)", path, malformed)
    return LabelledTexts(texts, found, malformed)


def sentiment_scores(
    truth: Sequence[str], predicted: Sequence[str], labels: Sequence[str] = SENTIMENT_LABELS
) -> dict[str, Any]:
    """Accuracy, macro-F1, per-class F1, precision and recall, and the confusion matrix.

    ``confusion[true][predicted]`` counts the texts; a class that is never true nor predicted
    gets F1 0 and still counts in the macro average, as in scikit-learn's default.
    ``per_class[label]`` holds that class's ``precision``, ``recall``, ``f1`` and ``support``
    (how many texts truly have it); ``per_class_f1`` repeats the F1 values on their own.
    """
    confusion = {t: dict.fromkeys(labels, 0) for t in labels}
    for t, p in zip(truth, predicted, strict=True):
        confusion[t][p] += 1
    per_class_f1: dict[str, float] = {}
    per_class: dict[str, dict[str, float]] = {}
    for label in labels:
        tp = confusion[label][label]
        predicted_as = sum(confusion[t][label] for t in labels)
        support = sum(confusion[label].values())
        per_class_f1[label] = 2 * tp / (predicted_as + support) if tp else 0.0
        per_class[label] = {
            "precision": tp / predicted_as if predicted_as else 0.0,
            "recall": tp / support if support else 0.0,
            "f1": per_class_f1[label],
            "support": support,
        }
    n = len(truth)
    correct = sum(confusion[label][label] for label in labels)
    return {
        "n": n,
        "accuracy": correct / n if n else 0.0,
        "macro_f1": sum(per_class_f1.values()) / len(labels),
        "per_class_f1": per_class_f1,
        "per_class": per_class,
        "confusion": confusion,
    }


def evaluate_sentiment_file(path: Path) -> dict[str, Any]:
    """Run language detection and the sentiment model over a labelled TSV and score it.

    Returns ``{"n", "accuracy", "macro_f1", "per_class_f1", "per_class", "confusion",
    "languages", "malformed"}``; ``confusion`` maps each true label to a dict of predicted label
    -> count, ``per_class`` gives each class's precision, recall, F1 and support, ``languages``
    counts the detected language of the texts (the model's German bias applies to ``de``), and
    ``malformed`` is the number of lines skipped (see ``read_labelled_tsv``). Raises ValueError
    for a file that cannot be read or holds no usable line.
    """
    # Imported here: the CLI imports this module for every ``eval`` subcommand, and only this
    # one needs the models.
    from core.analysis.language import detect_languages
    from core.analysis.sentiment import SentimentModel

    data = read_labelled_tsv(path)
    if not data.texts:
        raise ValueError(
            f"no usable text<TAB>label lines in {path} ({data.malformed} malformed); "
            f"labels must be one of {', '.join(SENTIMENT_LABELS)}"
        )
    languages = detect_languages(data.texts)
    predictions = SentimentModel.load().predict(data.texts, languages)
    scores = sentiment_scores(data.labels, [cast(str, label) for label, _ in predictions])
    scores["languages"] = dict(Counter(lang or "unknown" for lang in languages).most_common())
    scores["malformed"] = data.malformed
    return scores


# --- intent ----------------------------------------------------------------------------------


def evaluate_intent_file(path: Path) -> dict[str, Any]:
    """Run language detection and the intent model over a labelled TSV and score it.

    Labels are complaint, question, praise, purchase, other (or their German names:
    Beschwerde, Frage, Lob, Kaufinteresse, sonstiges). Returns the keys of
    ``evaluate_sentiment_file``; ``per_class_f1`` has one entry per intent.
    """
    from core.analysis.intent_model import ALIASES, classify_intents
    from core.analysis.intent_rules import INTENTS
    from core.analysis.language import detect_languages

    data = read_labelled_tsv(path, INTENTS, ALIASES)
    if not data.texts:
        raise ValueError(
            f"no usable text<TAB>label lines in {path} ({data.malformed} malformed); "
            f"labels must be one of {', '.join(INTENTS)}"
        )
    languages = detect_languages(data.texts)
    predictions = classify_intents(data.texts, languages)
    scores = sentiment_scores(data.labels, list(predictions), INTENTS)
    scores["languages"] = dict(Counter(lang or "unknown" for lang in languages).most_common())
    scores["malformed"] = data.malformed
    return scores
