"""Train the intent model: ``python -m core.analysis.train_intent [--cv] [--write]``.

Reads only the dev files ``data/intent/dev_de.tsv`` and ``dev_en.tsv`` (never the held-aside
``holdout_*.tsv``), prints 5-fold cross-validated figures per language for the rules alone,
the embedding alone and both together, and with ``--write`` fits on all dev rows and writes
``data/intent_lr.npz``. Both languages train one model: the embedding is multilingual, so
the German rows teach the English side too and the other way round.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from core.analysis.evaluation import read_labelled_tsv, sentiment_scores
from core.analysis.intent_model import ALIASES, WEIGHTS_PATH, IntentWeights, features
from core.analysis.intent_rules import INTENTS, rule_intent
from core.analysis.sentiment_fit import fit_softmax

DATA = Path(__file__).parent / "data" / "intent"
FloatArray = npt.NDArray[np.float32]
IntArray = npt.NDArray[np.int64]
EMBEDDING_DIM = 512


@dataclass(frozen=True)
class Hyper:
    """Regularisation on standardised features; chosen by cross-validation on the dev set."""

    l2_embedding: float = 100.0
    l2_signals: float = 100.0


def fit(x: FloatArray, y: IntArray, hyper: Hyper) -> IntentWeights:
    """Fit on all columns (embedding first, then any rule signs), classes weighted equally."""
    mean = x.mean(axis=0)
    scale = x.std(axis=0) + 1e-6
    counts = np.bincount(y, minlength=len(INTENTS)).astype(np.float64)
    weight = (len(y) / (len(INTENTS) * np.maximum(counts, 1)))[y]
    d = x.shape[1]
    embedded = min(d, EMBEDDING_DIM)
    l2 = np.r_[np.full(embedded, hyper.l2_embedding), np.full(d - embedded, hyper.l2_signals)]
    coef, intercept = fit_softmax(
        (x - mean) / scale, y, weight, l2, classes=len(INTENTS), max_iter=500
    )
    return IntentWeights(coef, intercept, mean, scale, INTENTS, {"hyper": hyper.__dict__})


def predict(weights: IntentWeights, x: FloatArray) -> list[str]:
    return [weights.labels[int(i)] for i in np.argmax(weights.logits(x), axis=1)]


def folds(labels: list[str], langs: list[str], k: int = 5) -> list[IntArray]:
    """k folds that keep a post and its translation together.

    The German and English dev files tell many of the same stories in the same order within
    each class, and the embedding is multilingual: a fold by plain position would test a
    post against its own translation. A row's fold is its rank among the rows of its class
    and language, so a German post and its English twin fall into the same fold.
    """
    seen: dict[tuple[str, str], int] = {}
    fold = np.zeros(len(labels), dtype=np.int64)
    for i, key in enumerate(zip(labels, langs, strict=True)):
        fold[i] = seen.get(key, 0) % k
        seen[key] = seen.get(key, 0) + 1
    return [np.flatnonzero(fold == f) for f in range(k)]


def cross_validate(x: FloatArray, y: IntArray, hyper: Hyper, groups: list[IntArray]) -> list[str]:
    """Out-of-fold predictions for every row."""
    out = [""] * len(y)
    for test in groups:
        train = np.setdiff1d(np.arange(len(y)), test)
        weights = fit(x[train], y[train], hyper)
        for i, label in zip(test, predict(weights, x[test]), strict=True):
            out[int(i)] = label
    return out


def load(paths: Sequence[Path]) -> tuple[list[str], list[str], list[str]]:
    """Texts, labels and languages of the dev files (language from the file name)."""
    texts: list[str] = []
    labels: list[str] = []
    langs: list[str] = []
    for path in paths:
        data = read_labelled_tsv(path, INTENTS, ALIASES)
        texts += data.texts
        labels += data.labels
        langs += [path.stem.rsplit("_", 1)[-1]] * len(data.texts)
    return texts, labels, langs


def _report(name: str, truth: list[str], pred: list[str], langs: list[str]) -> None:
    for lang in ("de", "en"):
        idx = [i for i, lg in enumerate(langs) if lg == lang]
        scores = sentiment_scores([truth[i] for i in idx], [pred[i] for i in idx], INTENTS)
        f1 = {k: round(v, 3) for k, v in scores["per_class_f1"].items()}
        _out(f"{name:10} {lang} macro-F1 {scores['macro_f1']:.3f}  {json.dumps(f1)}")


def _out(line: str) -> None:
    """The script's report on stdout (its output, not logging)."""
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--write", action="store_true", help="fit on all dev rows and save")
    parser.add_argument("--data", type=Path, default=DATA, help="folder with dev_de/dev_en.tsv")
    parser.add_argument("--out", type=Path, default=WEIGHTS_PATH, help="where --write saves")
    parser.add_argument("--l2-embedding", type=float, default=Hyper.l2_embedding)
    parser.add_argument("--l2-signals", type=float, default=Hyper.l2_signals)
    args = parser.parse_args(argv)
    hyper = Hyper(args.l2_embedding, args.l2_signals)
    texts, truth, langs = load([args.data / "dev_de.tsv", args.data / "dev_en.tsv"])
    x = features(texts, list(langs))
    y = np.array([INTENTS.index(label) for label in truth])
    groups = folds(truth, langs)
    _report("rules", truth, [rule_intent(t, lg) for t, lg in zip(texts, langs, strict=True)], langs)
    _report("embedding", truth, cross_validate(x[:, :EMBEDDING_DIM], y, hyper, groups), langs)
    _report("both", truth, cross_validate(x, y, hyper, groups), langs)
    if args.write:
        weights = fit(x, y, hyper)
        meta = {**weights.meta, "trained_on": ["dev_de.tsv", "dev_en.tsv"], "rows": len(y)}
        IntentWeights(
            weights.coef, weights.intercept, weights.mean, weights.scale, weights.labels, meta
        ).save(args.out)
        _out(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
