"""Quoting that forgives: apostrophes are text, only balanced quotes group words, and an
unclosed quotation mark is answered with how the line was read instead of an error."""

from __future__ import annotations

import pytest

from handlers.args import read_words, split_text


@pytest.mark.parametrize(
    ("line", "words"),
    [
        ("mentions Lumora's", ["mentions", "Lumora's"]),
        ("mentions Lumora’s", ["mentions", "Lumora's"]),  # the typographic apostrophe
        ("backlog add Reply to Tobias' post", ["backlog", "add", "Reply", "to", "Tobias'", "post"]),
        ("mentions geht's gibt's", ["mentions", "geht's", "gibt's"]),
        ('mentions "Lumora Brew" -defekt', ["mentions", "Lumora Brew", "-defekt"]),
        ("mentions „Lumora Brew“ Lieferung", ["mentions", "Lumora Brew", "Lieferung"]),
        ("mentions 'new machine' x", ["mentions", "new machine", "x"]),
        ("mentions 'Lumora's new' x", ["mentions", "Lumora's new", "x"]),
        ("mentions 'tis", ["mentions", "'tis"]),
        ('!draft.save 1 text="Hallo du" note=ok', ["!draft.save", "1", "text=Hallo du", "note=ok"]),
        (r"mentions a\ b", ["mentions", "a b"]),
    ],
)
def test_apostrophes_are_text_and_balanced_quotes_group(line: str, words: list[str]) -> None:
    assert read_words(line) == (words, False)


def test_an_unclosed_double_quote_is_dropped_and_marked_as_a_guess() -> None:
    assert read_words('mentions "Lumora Brew') == (["mentions", "Lumora", "Brew"], True)
    assert read_words('mentions Lu"mora') == (["mentions", "Lumora"], True)
    assert split_text('mentions "Lumora') == ["mentions", "Lumora"]
