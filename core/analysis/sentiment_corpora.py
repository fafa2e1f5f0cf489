"""The labelled corpora the sentiment model learns from, read from fetched public snapshots.

Only the team-written German files (``data/de_authored*.tsv``) are part of the project. The
third-party corpora are read at training time from git snapshots of public repositories, at
pinned commits, and never copied into the project: the shipped model is the derived weights
(``data/sentiment_lr.npz``). Provenance and licences: ``data/README.md``.

Every source is split three ways: ``train`` (fitted on), ``dev`` (used to choose the
hyperparameters and the German bias) and ``test`` (held aside: scored once with the final model,
never used for any choice). Where a corpus comes with an official split it is kept; the team's
own files are split by a hash of the text, so the split does not depend on the order of lines.

Never read here, on purpose: GermEval 2017 (in the same snapshot as SB10k and PotTS, under
``source-data/germeval2017``) and the SemEval-2017 test set, which is TweetEval's test split.
Both only measure the model (``python -m bot eval sentiment --data ...``).
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from core.analysis.evaluation import SENTIMENT_LABELS, read_labelled_tsv
from core.analysis.sentiment import DATA_DIR

SPLITS = ("train", "dev", "test")

# cbaziotis/datastories-semeval2017-task4 (MIT) keeps the SemEval 2013-2016 Task 4A English
# sets that SemEval-2017 released as training data; TweetEval's sentiment train and validation
# splits were drawn from exactly this pool (its own train_text.txt is over 4 MiB and missing from
# the fetched snapshot). The 2017 test set in the same repository is TweetEval's test split.
SEMEVAL_COMMIT = "faeee5fd1c2cf38e32179a4676dff53ae01adfa8"
SEMEVAL_FILES = tuple(
    f"dataset/Subtask_A/downloaded/twitter-{name}-A.tsv"
    for name in (
        "2013train",
        "2013dev",
        "2013test",
        "2014sarcasm",
        "2014test",
        "2015train",
        "2015test",
        "2016train",
        "2016dev",
        "2016devtest",
        "2016test",
    )
)
TWEETEVAL_COMMIT = "4fbd22cd78421f05b1ecdb4fc5725bc7a7bd8f66"
# oliverguhr/german-sentiment keeps SB10k (annotations CC BY 4.0) and PotTS (MIT) with their
# official dev and test splits; PotTS's train.tsv is over 4 MiB and missing from the snapshot,
# so its training part is the labelled corpus file minus the dev and test tweets.
GERMAN_SENTIMENT_COMMIT = "7057d46cc173cfd93023955306cd1bd56e60b225"
SB10K_DIR = "source-data/SB10k/not-preprocessed"
POTTS_DIR = "source-data/PotTS/not-preprocessed"


@dataclass
class Corpus:
    """Texts and labels of one source, split into train, dev and test."""

    name: str
    language: str
    rows: dict[str, list[tuple[str, str]]] = field(
        default_factory=lambda: {split: [] for split in SPLITS}
    )

    def counts(self) -> dict[str, int]:
        """Rows per split."""
        return {split: len(rows) for split, rows in self.rows.items()}


def read_snapshot_file(repo: Path, commit: str, path: str) -> str:
    """A file of a fetched snapshot: from a checkout when present, else from the git directory."""
    if (repo / path).is_file():
        return (repo / path).read_text(encoding="utf-8")
    done = subprocess.run(
        ["git", f"--git-dir={repo}", "show", f"{commit}:{path}"],
        capture_output=True,
        check=False,
    )
    if done.returncode != 0:
        raise ValueError(f"{repo}: cannot read {path} at {commit[:7]}: {done.stderr.decode()}")
    return done.stdout.decode("utf-8")


_ESCAPE_RE = re.compile(r"\\u([0-9a-fA-F]{4})")
_HANDLE_RE = re.compile(r"@\w+")
_SPACE_BEFORE_RE = re.compile(r"\s+([,.!?;:])(?=\s|$)")


def tweet_text(text: str) -> str:
    """A tweet as TweetEval prints it: escapes decoded, handles as ``@user``, spaces collapsed."""
    text = _ESCAPE_RE.sub(lambda m: chr(int(m.group(1), 16)), text)
    text = text.replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">")
    return " ".join(_HANDLE_RE.sub("@user", text).split())


def detokenize(text: str) -> str:
    """Undo the tokeniser's spaces before punctuation (SB10k and PotTS ship tokenised text)."""
    return _SPACE_BEFORE_RE.sub(r"\1", tweet_text(text))


def match_key(text: str) -> str:
    """What two copies of one tweet share despite different escaping, quoting and handles."""
    return re.sub(r"[^0-9a-z]", "", text.lower().replace("@user", ""))[:80]


def hash_split(text: str, dev: float = 0.15, test: float = 0.15) -> str:
    """A stable split for a text: the same text lands in the same split on every run."""
    bucket = int(hashlib.sha1(text.encode("utf-8")).hexdigest()[:8], 16) / 0xFFFFFFFF
    return "dev" if bucket < dev else "test" if bucket < dev + test else "train"


def _labelled(rows: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    return [(t, lab) for t, lab in rows if t and lab in SENTIMENT_LABELS]


def tweeteval(semeval: Path, tweeteval_repo: Path) -> Corpus:
    """English tweets: TweetEval's validation split as dev, the rest of its pool as train.

    The pool is the SemEval 2013-2016 Task 4A English data, deduplicated after TweetEval's
    normalisation; every validation tweet is removed from it (compared on ``match_key``, since
    the two copies differ in escaping and quoting). There is no test split here:
    TweetEval's own test split is the English test, scored once at the end.
    """
    texts = read_snapshot_file(tweeteval_repo, TWEETEVAL_COMMIT, "datasets/sentiment/val_text.txt")
    labels = read_snapshot_file(
        tweeteval_repo, TWEETEVAL_COMMIT, "datasets/sentiment/val_labels.txt"
    )
    val = _labelled(
        (tweet_text(t), SENTIMENT_LABELS[int(lab)])
        for t, lab in zip(texts.splitlines(), labels.split(), strict=True)
    )
    held = {match_key(t) for t, _ in val}
    pool: dict[str, str] = {}
    for path in SEMEVAL_FILES:
        content = read_snapshot_file(semeval, SEMEVAL_COMMIT, path)
        for line in content.splitlines():
            parts = line.split("\t")
            if len(parts) < 3:
                continue
            text = tweet_text(parts[2])
            if text and match_key(text) not in held and parts[1] in SENTIMENT_LABELS:
                pool.setdefault(text, parts[1])
    corpus = Corpus("tweeteval", "en")
    corpus.rows["train"] = list(pool.items())
    corpus.rows["dev"] = val
    return corpus


def _tsv_rows(content: str, text_col: int, label_col: int) -> list[tuple[str, str]]:
    rows = []
    for parts in csv.reader(io.StringIO(content), delimiter="\t", quoting=csv.QUOTE_NONE):
        if len(parts) > max(text_col, label_col):
            rows.append((detokenize(parts[text_col]), parts[label_col].strip()))
    return _labelled(rows)


def sb10k(repo: Path) -> Corpus:
    """SB10k (Cieliebak et al. 2017): German tweets, with its official train/dev/test split."""
    corpus = Corpus("sb10k", "de")
    for split in SPLITS:
        path = f"{SB10K_DIR}/{split}/{split}.tsv"
        content = read_snapshot_file(repo, GERMAN_SENTIMENT_COMMIT, path)
        corpus.rows[split] = _tsv_rows(content, 2, 1)
    return corpus


def potts(repo: Path) -> Corpus:
    """PotTS (Sidarenka 2016): German tweets; official dev and test, the rest is train."""
    corpus = Corpus("potts", "de")
    taken: set[str] = set()
    for split in ("dev", "test"):
        path = f"{POTTS_DIR}/{split}/{split}.tsv"
        content = read_snapshot_file(repo, GERMAN_SENTIMENT_COMMIT, path)
        corpus.rows[split] = _tsv_rows(content, 2, 1)
        taken |= {t for t, _ in corpus.rows[split]}
    content = read_snapshot_file(
        repo, GERMAN_SENTIMENT_COMMIT, f"{POTTS_DIR}/corpus_label_text.tsv"
    )
    corpus.rows["train"] = [(t, lab) for t, lab in _tsv_rows(content, 1, 0) if t not in taken]
    return corpus


def authored(paths: Iterable[Path] | None = None) -> Corpus:
    """The team-written German examples (``data/de_authored*.tsv``), split by text hash."""
    corpus = Corpus("de_authored", "de")
    for path in paths if paths is not None else sorted(DATA_DIR.glob("de_authored*.tsv")):
        data = read_labelled_tsv(path)
        for text, label in zip(data.texts, data.labels, strict=True):
            corpus.rows[hash_split(text)].append((text, label))
    return corpus


def from_tsv(path: Path, language: str) -> Corpus:
    """Any ``text<TAB>label`` file, all of it for training."""
    data = read_labelled_tsv(path)
    corpus = Corpus(path.stem, language)
    corpus.rows["train"] = list(zip(data.texts, data.labels, strict=True))
    return corpus
