"""The training corpora: read from snapshots, split three ways, GermEval and test sets never read."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.analysis import sentiment_corpora as corpora
from core.analysis.sentiment import LinearWeights, SentimentModel


def put(root: Path, path: str, lines: list[str]) -> None:
    target = root / path
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.fixture
def snapshots(tmp_path: Path) -> dict[str, Path]:
    """Checkouts shaped like the three fetched repositories, with a handful of rows each."""
    semeval, tweeteval, german = tmp_path / "semeval", tmp_path / "tweeteval", tmp_path / "de"
    for path in corpora.SEMEVAL_FILES:
        put(semeval, path, [])
    put(
        semeval,
        corpora.SEMEVAL_FILES[0],
        [
            "1\tpositive\tI love this phone, best purchase ever \\u2019 @someone",
            "2\tnegative\tWorst service, I hate waiting for hours",
            "3\tneutral\tThe match starts at 8 pm on Saturday",
            "4\tpositive\tThanks so much, amazing support team!",
            "5\tnegative\tMy flight got cancelled again, terrible airline",
            "6\tneutral\tNew store opening on Main Street next week",
            '7\tneutral\t"Val tweet copied, with quotes"',  # in the validation split below
            "8\tbroken line without label",
        ],
    )
    put(tweeteval, "datasets/sentiment/val_text.txt", ["Val tweet copied with quotes", "Meh."])
    put(tweeteval, "datasets/sentiment/val_labels.txt", ["1", "0"])
    rows = {
        "train": [
            "a\tpositive\tSuper , das freut mich total !\tx",
            "b\tnegative\tSo ein Mist , alles kaputt .\tx",
            "c\tneutral\tMorgen ist Montag .\tx",
        ],
        "dev": ["d\tpositive\tWunderbar , danke !\tx", "e\tmixed\tGut und schlecht\tx"],
        "test": ["f\tnegative\tFurchtbar langweilig .\tx"],
    }
    for split, lines in rows.items():
        put(german, f"{corpora.SB10K_DIR}/{split}/{split}.tsv", lines)
    put(german, f"{corpora.POTTS_DIR}/dev/dev.tsv", ["g\tneutral\tHeute Wahl .\tx"])
    put(german, f"{corpora.POTTS_DIR}/test/test.tsv", ["h\tpositive\tHurra :)\tx"])
    put(
        german,
        f"{corpora.POTTS_DIR}/corpus_label_text.tsv",
        ["neutral\tHeute Wahl .", "positive\tHurra :)", "negative\tBlöder Papst ."],
    )
    put(german, "source-data/germeval2017/dev_v1.4.tsv", ["must never be read"])
    return {"semeval": semeval, "tweeteval": tweeteval, "german": german}


def test_corpora_and_their_splits(snapshots: dict[str, Path]) -> None:
    english = corpora.tweeteval(snapshots["semeval"], snapshots["tweeteval"])
    assert english.rows["dev"] == [
        ("Val tweet copied with quotes", "neutral"),
        ("Meh.", "negative"),
    ]
    train = dict(english.rows["train"])
    assert len(train) == 6  # the validation tweet and the broken line are left out
    assert "I love this phone, best purchase ever ’ @user" in train
    assert not any("Val tweet" in text for text in train)

    sb10k = corpora.sb10k(snapshots["german"])
    assert sb10k.counts() == {"train": 3, "dev": 1, "test": 1}  # "mixed" is not a label
    assert sb10k.rows["train"][0] == ("Super, das freut mich total!", "positive")

    potts = corpora.potts(snapshots["german"])
    assert potts.rows["train"] == [("Blöder Papst.", "negative")]
    assert potts.counts() == {"train": 1, "dev": 1, "test": 1}


def test_team_files_split_by_text_hash() -> None:
    corpus = corpora.authored()
    counts = corpus.counts()
    total = sum(counts.values())
    assert total > 1000
    assert 0.1 < counts["dev"] / total < 0.2 and 0.1 < counts["test"] / total < 0.2
    assert all(corpora.hash_split(t) == "dev" for t, _ in corpus.rows["dev"])


def test_training_reads_no_evaluation_data(
    snapshots: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from core.analysis.train_sentiment import main

    read: list[str] = []
    original = corpora.read_snapshot_file

    def recording(repo: Path, commit: str, path: str) -> str:
        read.append(path)
        return original(repo, commit, path)

    monkeypatch.setattr(corpora, "read_snapshot_file", recording)
    out = tmp_path / "w.npz"
    splits = tmp_path / "splits"
    argv = [
        "--semeval", str(snapshots["semeval"]),
        "--tweeteval", str(snapshots["tweeteval"]),
        "--german-sentiment", str(snapshots["german"]),
        "--no-authored", "--out", str(out), "--write-splits", str(splits),
    ]  # fmt: skip
    assert main(argv) == 0
    assert read and not any("germeval" in p.lower() or "2017-task4-test" in p for p in read)
    assert not any("test_text" in p for p in read)
    weights = LinearWeights.read(out)
    assert weights.meta["train_rows"] == {"tweeteval": 8, "sb10k": 4, "potts": 2}
    assert set(weights.meta["test"]) == {"sb10k", "potts", "de_all"}
    SentimentModel(weights).predict(["Super!"], ["de"])
    assert (splits / "sb10k_test.tsv").read_text(encoding="utf-8").splitlines() == [
        "text\tlabel",
        "Furchtbar langweilig.\tnegative",
    ]
