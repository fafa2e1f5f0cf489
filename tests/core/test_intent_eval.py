"""`eval intent`: reading labelled files with intent labels, scoring, and the training script."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from core.analysis.evaluation import evaluate_intent_file, read_labelled_tsv
from core.analysis.intent_model import ALIASES, IntentModel, IntentWeights
from core.analysis.intent_rules import INTENTS
from core.analysis.sentiment_fit import fit_softmax
from core.analysis.train_intent import main

ROWS = [
    ("Mein Paket ist seit zwei Wochen nicht angekommen und keiner antwortet.", "Beschwerde"),
    ("Wie entkalke ich die Maschine?", "Frage"),
    ("Der Support war großartig, danke!", "Lob"),
    ("Lohnt sich die große Mühle oder reicht die kleine?", "Kaufinteresse"),
    ("Die Messe beginnt am Donnerstag.", "sonstiges"),
    ("Still no refund after five weeks, this is ridiculous.", "complaint"),
    ("How do I reset the router?", "question"),
    ("Brilliant service, thank you so much!", "praise"),
    ("Is the annual plan worth it? Thinking of buying.", "purchase"),
    ("The trade fair opens on Thursday.", "other"),
]


def _write(path: Path, rows: list[tuple[str, str]]) -> Path:
    path.write_text("text\tlabel\n" + "".join(f"{t}\t{lab}\n" for t, lab in rows), "utf-8")
    return path


def test_reading_takes_the_label_set_and_german_names(tmp_path: Path) -> None:
    data = read_labelled_tsv(
        _write(tmp_path / "i.tsv", [*ROWS, ("x", "positive")]), INTENTS, ALIASES
    )
    assert data.labels[:5] == ["complaint", "question", "praise", "purchase", "other"]
    assert data.malformed == 1  # "positive" is no intent
    # The sentiment default is unchanged: intent labels are malformed there.
    assert read_labelled_tsv(tmp_path / "i.tsv").texts == ["x"]


def test_evaluate_intent_file_reports_per_class_f1(tmp_path: Path) -> None:
    scores = evaluate_intent_file(_write(tmp_path / "i.tsv", ROWS))
    # The same keys as `eval sentiment`, so one script reads both.
    from core.analysis.evaluation import evaluate_sentiment_file

    sentiment = evaluate_sentiment_file(_write(tmp_path / "s.tsv", [("Toll!", "positive")]))
    assert set(scores) == set(sentiment) >= {"per_class_f1", "per_class", "confusion", "languages"}
    assert scores["n"] == len(ROWS)
    assert set(scores["per_class_f1"]) == set(INTENTS)
    assert scores["macro_f1"] >= 0.8  # clear cases, one of each intent per language
    json.dumps(scores)


def test_a_file_without_intent_labels_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="complaint, question, praise, purchase, other"):
        evaluate_intent_file(_write(tmp_path / "s.tsv", [("gut", "positive")]))


def test_fit_softmax_separates_five_classes() -> None:
    rng = np.random.default_rng(0)
    centres = np.eye(5, dtype=np.float32) * 4
    y = np.repeat(np.arange(5), 40)
    x = (centres[y] + rng.normal(size=(200, 5))).astype(np.float32)
    coef, intercept = fit_softmax(x, y, np.ones(200), np.full(5, 0.1), 5)
    assert ((x @ coef + intercept).argmax(axis=1) == y).mean() > 0.95


def test_training_script_writes_usable_weights(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    _write(data / "dev_de.tsv", ROWS[:5] * 4)
    _write(data / "dev_en.tsv", ROWS[5:] * 4)
    out = tmp_path / "w.npz"
    assert main(["--data", str(data), "--out", str(out), "--write"]) == 0
    model = IntentModel(IntentWeights.read(out))
    assert model.weights.labels == INTENTS
    assert model.predict(["How do I reset the router?"], ["en"]) == ["question"]


def test_shipped_weights_name_their_training_files() -> None:
    meta = IntentModel.load().weights.meta
    assert meta["trained_on"] == ["dev_de.tsv", "dev_en.tsv"]  # never the held-aside files
