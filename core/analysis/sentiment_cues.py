"""Hand-written cue features of the sentiment model: polarity words with negation, and style.

The cue words (``data/cues.json``) were written by the team; see ``sentiment.py`` for the model.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import NamedTuple, cast

import numpy as np
import numpy.typing as npt

DATA_DIR = Path(__file__).parent / "data"
CUES_PATH = DATA_DIR / "cues.json"

# Characters of a text that go into the embedding. Most mentions are shorter; long news snippets
# and forum posts state their point early, and the encoder's cost grows with the token count, so
# cutting there keeps long texts from dominating the batch time (see bench/bench_sentiment.py).
EMBED_MAX_CHARS = 300


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

        A negator up to three tokens before a cue ("nicht gut", "not good") or, in German, up to
        two after it ("gefällt mir nicht") turns the cue's polarity around, but only within the
        cue's own clause: punctuation and clause-joining words ("und", "aber", "but") end the
        negator's reach, so "Nicht ich. Ich liebe es" or "kein Kaffee und liebe es" stay
        positive. "nicht nur" ("not only … but also") does not negate.
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
                if token not in negators and _negated(tokens, i, negators, after=lang == "de"):
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


# Tokens that end a clause, and with it the reach of a negator.
_CLAUSE_BREAKS = frozenset(
    ". , ; : ! ? … - – — ( ) und aber doch sondern oder denn weil obwohl and but or because".split()
)
# Negators that do not negate when followed by these ("nicht nur", "not only", "no doubt").
_NOT_NEGATING_AFTER = frozenset("nur only doubt wonder".split())


def _negated(tokens: Sequence[str], i: int, negators: frozenset[str], *, after: bool) -> bool:
    """Whether a negator in the clause of ``tokens[i]`` reaches it (see ``CueLexicon.hits``)."""

    def negates(j: int) -> bool:
        nxt = tokens[j + 1] if j + 1 < len(tokens) else ""
        return tokens[j] in negators and nxt not in _NOT_NEGATING_AFTER

    for j in range(i - 1, max(-1, i - 4), -1):
        if tokens[j] in _CLAUSE_BREAKS:
            break
        if negates(j):
            return True
    if after:
        for j in range(i + 1, min(len(tokens), i + 3)):
            if tokens[j] in _CLAUSE_BREAKS:
                break
            if negates(j):
                return True
    return False


def negation_marks(tokens: Sequence[str], negators: frozenset[str]) -> list[bool]:
    """Which tokens stand in a negated stretch: after a negator, up to the end of its clause.

    The learnt lexicon reads "schlecht" after "nicht" as a different word, so that "nicht
    schlecht" does not count as "schlecht" ("nicht nur" does not negate, as in ``hits``).
    """
    marks: list[bool] = []
    active = False
    for j, token in enumerate(tokens):
        if token in _CLAUSE_BREAKS:
            active = False
        marks.append(active)
        nxt = tokens[j + 1] if j + 1 < len(tokens) else ""
        if token in negators and nxt not in _NOT_NEGATING_AFTER:
            active = True
    return marks


@cache
def all_negators(path: Path = CUES_PATH) -> frozenset[str]:
    """The negation words of every language in ``cues.json``."""
    raw = json.loads(path.read_text(encoding="utf-8"))
    return frozenset(word for words in raw["negators"].values() for word in words)


N_CUE_FEATURES = 15

# Where a sentence ends: the last one of a post is often its verdict ("Ich liebe es.").
_SENTENCE_END_RE = re.compile(r"(?<=[.!?…])\s+")


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
        sentences = [s for s in _SENTENCE_END_RE.split(text) if s.strip()]
        last = lexicon.hits(sentences[-1], language) if len(sentences) > 1 else (pos, neg)
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
            # The verdict: cue hits of the last sentence on their own, so that a closing "Ich
            # liebe es." or "Es reicht." weighs more than words in a question before it.
            *(math.log1p(hits) for hits in last[:2]),
        )
    return out


def embedding_text(text: str) -> str:
    """The part of a text that the encoder sees: links and handles masked, cut to length."""
    text = _URL_RE.sub("http", text)
    text = _MENTION_RE.sub("@user", text)
    return " ".join(text.split())[:EMBED_MAX_CHARS]
