"""Sentiment: the shipped model on clear examples, its cues, and the TSV evaluation."""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from core.analysis.evaluation import (
    evaluate_sentiment_file,
    read_labelled_tsv,
    sentiment_scores,
)
from core.analysis.sentiment import (
    LABELS,
    WEIGHTS_PATH,
    CueLexicon,
    LinearWeights,
    SentimentModel,
    embedding_text,
)
from core.analysis.sentiment_cues import cue_features
from core.analysis.sentiment_lexicon import LearnedLexicon, char_terms, terms

CLEAR = [
    ("I love this app, thank you so much for the amazing support!", "en", "positive"),
    ("This is the worst service ever. I hate it, total waste of money.", "en", "negative"),
    ("The store opens at 9 am on Monday.", "en", "neutral"),
    ("Vielen Dank, super freundlicher Service und eine schnelle Lieferung!", "de", "positive"),
    ("Der Zug fällt schon wieder aus, ich bin so genervt. Eine Frechheit!", "de", "negative"),
    ("Der Zug nach München fährt heute um 8:15 Uhr von Gleis 3.", "de", "neutral"),
]


@pytest.fixture(scope="module")
def model() -> SentimentModel:
    return SentimentModel.load()


def test_load_is_a_cached_singleton_and_offline(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("network access attempted")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    first = SentimentModel.load()
    assert SentimentModel.load() is first
    first.predict(["Offline bitte."], ["de"])


def test_clear_examples_in_both_languages(model: SentimentModel) -> None:
    texts = [t for t, _, _ in CLEAR]
    languages: list[str | None] = [lang for _, lang, _ in CLEAR]
    predictions = model.predict(texts, languages)
    assert [label for label, _ in predictions] == [label for _, _, label in CLEAR]
    for _, confidence in predictions:
        assert 1 / 3 <= confidence <= 1.0


def test_unknown_language_still_works(model: SentimentModel) -> None:
    [(label, _)] = model.predict(["Worst delivery ever, the parcel arrived broken."], [None])
    assert label == "negative"


def test_probabilities_are_rows_of_a_distribution(model: SentimentModel) -> None:
    proba = model.predict_proba(["ok", "Super!", ""], ["en", "de", None])
    assert proba.shape == (3, 3)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-5)


def test_batches_agree_with_single_texts(model: SentimentModel) -> None:
    texts = [t for t, _, _ in CLEAR]
    languages: list[str | None] = [lang for _, lang, _ in CLEAR]
    batch = model.predict_proba(texts + texts, languages + languages)
    single = np.vstack(
        [model.predict_proba([t], [lang]) for t, lang in zip(texts, languages, strict=True)]
    )
    np.testing.assert_allclose(batch[: len(texts)], single, atol=1e-4)
    np.testing.assert_allclose(batch[len(texts) :], single, atol=1e-4)


def test_empty_batch_and_length_mismatch(model: SentimentModel) -> None:
    assert model.predict([], []) == []
    with pytest.raises(ValueError, match="2 texts but 1 languages"):
        model.predict(["a", "b"], ["en"])


def test_shipped_weights_are_small_and_complete() -> None:
    assert WEIGHTS_PATH.stat().st_size < 1_000_000
    weights = LinearWeights.read(WEIGHTS_PATH)
    assert weights.coef.shape[1] == len(LABELS)
    assert weights.coef.shape[0] == weights.mean.shape[0] == weights.scale.shape[0]
    assert set(weights.language_bias) == {"de"}
    assert weights.lexicon is not None and set(weights.lexicon.index) == {"de", "en"}
    # The training report travels with the weights: held-aside figures per source.
    assert {"sb10k", "potts", "de_authored"} <= set(weights.meta["test"])


def test_stale_weights_are_refused() -> None:
    weights = LinearWeights.read(WEIGHTS_PATH)
    stale = LinearWeights(
        coef=weights.coef[:-1],
        intercept=weights.intercept,
        mean=weights.mean[:-1],
        scale=weights.scale[:-1],
        language_bias=weights.language_bias,
        meta=weights.meta,
    )
    with pytest.raises(ValueError, match="train_sentiment"):
        SentimentModel(stale)


def test_weights_round_trip(tmp_path: Path) -> None:
    weights = LinearWeights.read(WEIGHTS_PATH)
    weights.save(tmp_path / "w.npz")
    again = LinearWeights.read(tmp_path / "w.npz")
    np.testing.assert_array_equal(again.coef, weights.coef)
    np.testing.assert_array_equal(again.language_bias["de"], weights.language_bias["de"])
    assert again.meta["labels"] == list(LABELS)
    assert weights.lexicon is not None and again.lexicon is not None
    assert again.lexicon.index == weights.lexicon.index
    texts = ["Nicht schlecht, danke!", "Worst update ever"]
    np.testing.assert_array_equal(
        again.lexicon.features(texts, ["de", "en"]), weights.lexicon.features(texts, ["de", "en"])
    )


def test_learnt_lexicon_marks_negated_words_and_learns_ratios() -> None:
    assert terms("Nicht schlecht, aber teuer") >= {"nicht", "¬schlecht", "nicht ¬schlecht", "teuer"}
    assert "schlecht" not in terms("Nicht schlecht, aber teuer")
    texts = ["toll toll", "toll gut", "mies", "mies schlecht", "heute montag", "montag heute"]
    y = np.array([2, 2, 0, 0, 1, 1], dtype=np.int64)
    lexicon = LearnedLexicon.fit(
        texts, ["de"] * 6, y, np.ones(6, dtype=np.float32), min_count=2, alpha=0.5
    )
    assert set(lexicon.index["de"]) == {"toll", "mies", "heute", "montag"}
    feats = lexicon.features(["toll", "mies", "montag", "unbekannt"], ["de", "de", "de", "fr"])
    assert feats[0].argmax() == 2 and feats[1].argmax() == 0 and feats[2].argmax() == 1
    assert not feats[3].any()  # no known term: all zero, in any language


def test_char_lexicon_reads_pieces_of_unseen_compounds() -> None:
    pieces = char_terms("Zugausfall!")
    assert {"<zuga", "sfall", "fall>"} <= pieces and "!" not in "".join(pieces)
    assert "¬<pün" in char_terms("nicht pünktlich") and "<pün" not in char_terms("nicht pünktlich")
    texts = [
        "Zugausfall heute",
        "Totalausfall",
        "Toller Service",
        "Servicewüste nein, toll",
        "Ab Montag",
        "Fahrplan ab Montag",
    ]
    y = np.array([0, 0, 2, 2, 1, 1], dtype=np.int64)
    lexicon = LearnedLexicon.fit(
        texts, ["de"] * 6, y, np.ones(6, dtype=np.float32), min_count=2, alpha=0.5, kind="chars"
    )
    # "Stromausfall" was never seen, but its "ausfall" pieces were, in negative texts only.
    assert lexicon.features(["Stromausfall"], ["de"])[0].argmax() == 0
    again = LearnedLexicon.from_arrays(lexicon.to_arrays(), kind="chars")
    assert again is not None and again.kind == "chars" and again.index == lexicon.index
    assert LearnedLexicon.from_arrays(lexicon.to_arrays()) is None  # not taken for the word one


def test_the_last_sentence_counts_as_the_verdict() -> None:
    lexicon = CueLexicon.load()
    closing, opening = cue_features(
        ["Wer hat damit angefangen? Ich liebe es.", "Ich liebe es. Wer hat damit angefangen?"],
        ["de", "de"],
        lexicon,
    )[:, -2:]
    assert closing[0] > 0 and opening[0] == 0


def test_cues_count_negation_and_compounds() -> None:
    lexicon = CueLexicon.load()
    assert lexicon.hits("Das ist gut", "de")[:2] == (1, 0)
    assert lexicon.hits("Das ist nicht gut", "de")[:2] == (0, 1)
    assert lexicon.hits("Das gefällt mir nicht", "de")[:2] == (0, 1)
    assert lexicon.hits("not good at all", "en")[:2] == (0, 1)
    assert lexicon.hits("Signalstörung bei Köln, Oberleitungsschaden", "de").disruption == 2


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # A negator's reach ends with its clause.
        ("Ich übe seit gestern Abend und liebe es.", (1, 0)),
        ("Kein Kaffee heute und liebe es trotzdem", (1, 0)),
        ("Nicht ich. Ich liebe es", (1, 0)),
        ("Das ist nicht nur gut, sondern auch günstig", (2, 0)),
        ("I don't know, but I love it", (1, 0)),
        # ... and still reaches within it, before and (German) after the cue.
        ("Ich liebe es nicht", (0, 1)),
        ("Das war gar nicht gut", (0, 1)),
        ("it is not good at all", (0, 1)),
    ],
)
def test_negation_stays_in_its_clause(text: str, expected: tuple[int, int]) -> None:
    lexicon = CueLexicon.load()
    language = "en" if text.startswith(("I ", "it ")) else "de"
    assert lexicon.hits(text, language)[:2] == expected


def test_embedding_text_masks_links_and_handles() -> None:
    assert embedding_text("@DB_Bahn  schau   https://t.co/x") == "@user schau http"
    assert len(embedding_text("x" * 5000)) == 300


# --- evaluation ------------------------------------------------------------------------------


def write_tsv(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_evaluate_sentiment_file(tmp_path: Path) -> None:
    lines = ["text\tlabel"] + [f"{text}\t{label}" for text, _, label in CLEAR]
    lines += [
        "a line without a tab",
        "Ein Text\tmaybe",  # unknown label
        "\tpositive",  # no text
        "",  # blank lines are skipped, not counted
    ]
    result = evaluate_sentiment_file(write_tsv(tmp_path / "s.tsv", lines))
    assert result["n"] == len(CLEAR)
    assert result["malformed"] == 3
    assert result["accuracy"] == 1.0
    assert result["macro_f1"] == 1.0
    assert result["confusion"]["negative"] == {"negative": 2, "neutral": 0, "positive": 0}
    assert set(result["confusion"]) == set(LABELS)
    assert result["per_class"]["positive"]["support"] == 2
    assert result["languages"] == {"en": 3, "de": 3}


def test_reading_tolerates_tabs_in_text_and_label_case(tmp_path: Path) -> None:
    path = write_tsv(tmp_path / "t.tsv", ["a\tb\tPositive", "c\tneutral "])
    data = read_labelled_tsv(path)
    assert data.texts == ["a\tb", "c"]
    assert data.labels == ["positive", "neutral"]
    assert data.malformed == 0


def test_scores_by_hand() -> None:
    truth = ["negative", "negative", "neutral", "positive"]
    predicted = ["negative", "neutral", "neutral", "neutral"]
    scores = sentiment_scores(truth, predicted)
    assert scores["n"] == 4
    assert scores["accuracy"] == 0.5
    # F1: negative 2/3, neutral 2*1/(2+2+0) = 1/2, positive 0
    assert scores["macro_f1"] == pytest.approx((2 / 3 + 1 / 2 + 0) / 3)
    assert scores["confusion"]["positive"]["neutral"] == 1
    # negative: 1 of 1 predicted right, 1 of 2 found; neutral: 1 of 3 predicted right, 1 of 1
    assert scores["per_class"]["negative"] == {
        "precision": 1.0,
        "recall": 0.5,
        "f1": pytest.approx(2 / 3),
        "support": 2,
    }
    assert scores["per_class"]["neutral"]["precision"] == pytest.approx(1 / 3)
    assert scores["per_class"]["neutral"]["recall"] == 1.0
    assert scores["per_class"]["positive"] == {
        "precision": 0.0,
        "recall": 0.0,
        "f1": 0.0,
        "support": 1,
    }
    assert {k: v["f1"] for k, v in scores["per_class"].items()} == scores["per_class_f1"]


@pytest.mark.parametrize("content", [None, b"\xff\xfe\x00broken", b""])
def test_unreadable_or_empty_files_raise_value_error(tmp_path: Path, content: bytes | None) -> None:
    path = tmp_path / "data.tsv"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(ValueError, match=str(path)):
        evaluate_sentiment_file(path)


def test_a_directory_is_not_a_data_file(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="cannot read"):
        evaluate_sentiment_file(tmp_path)


# --- training ----------------------------------------------------------------------------------


def test_fit_softmax_separates_a_simple_problem() -> None:
    from core.analysis.sentiment_fit import fit_softmax

    rng = np.random.default_rng(0)
    y = np.repeat(np.arange(3), 50)
    x = (rng.normal(size=(150, 2)) * 0.3 + np.eye(3)[y][:, :2] * 3).astype(np.float32)
    coef, intercept = fit_softmax(x, y, np.ones(150, dtype=np.float32), np.full(2, 0.1))
    assert ((x @ coef + intercept).argmax(axis=1) == y).mean() > 0.95


@pytest.mark.parametrize("extra", [[], ["--char-ngrams"]])
def test_training_script_writes_usable_weights(tmp_path: Path, extra: list[str]) -> None:
    from core.analysis.train_sentiment import main

    english = [
        ("I love it, thank you!", "positive"),
        ("Great job, amazing team", "positive"),
        ("This is awful, I hate it", "negative"),
        ("Worst delivery ever, broken", "negative"),
        ("The shop opens at nine", "neutral"),
        ("We are flying to Berlin on Monday", "neutral"),
    ]
    german = [(text, label) for text, lang, label in CLEAR if lang == "de"]
    en = write_tsv(tmp_path / "en.tsv", ["text\tlabel"] + [f"{t}\t{lab}" for t, lab in english])
    de = write_tsv(tmp_path / "de.tsv", [f"{t}\t{lab}" for t, lab in german])
    out = tmp_path / "w.npz"
    assert main(["--en", str(en), "--de", str(de), "--out", str(out), "--no-cv", *extra]) == 0
    weights = LinearWeights.read(out)
    assert (weights.char_lexicon is not None) == bool(extra)
    model = SentimentModel(weights)
    texts = [t for t, _ in english]
    assert [label for label, _ in model.predict(texts, ["en"] * len(texts))] == [
        label for _, label in english
    ]


def test_training_script_without_english_data_fails_cleanly(tmp_path: Path) -> None:
    from core.analysis.train_sentiment import main

    assert main(["--en", str(tmp_path / "missing.tsv")]) == 2
