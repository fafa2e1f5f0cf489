"""Story names: a phrase people wrote, umlauts intact, stems only for matching — never a
list of stems, never a watched name alone."""

from __future__ import annotations

from core.stories.labels import label_story
from core.trends.phrases import Vocabulary, key_phrase, phrases, vocabulary
from core.trends.words import name_index, stems, tokens

BACKGROUND = [
    ("Der Espresso heute war großartig, die Crema perfekt.", "de"),
    ("Neue Kaffeemaschine im Büro, alle sind glücklich.", "de"),
    ("Die Lumora Brew macht einen tollen Cappuccino.", "de"),
    ("Wie viele Bohnen nehmt ihr für einen doppelten Espresso?", "de"),
    ("Sonntag, Zeitung und ein Flat White. Herrlich.", "de"),
    ("Great espresso this morning, lovely crema.", "en"),
    ("The new coffee machine at the office is great.", "en"),
    ("Which beans do you use for a double shot?", "en"),
] * 5
NAMES = ["Lumora", "Lumora Brew", "Lumora Mill", "Velora City"]


def _vocab() -> Vocabulary:
    return vocabulary(BACKGROUND, names=NAMES)


def _in_some(label: str, texts: list[str]) -> bool:
    return any(label in t for t in texts)


def test_a_name_is_a_phrase_people_wrote_with_its_umlauts() -> None:
    texts = [
        "Die Lieferverzögerung bei der Lumora Mill nervt, seit zwei Wochen nichts.",
        "Schon wieder eine Lieferverzögerung, die Mühle kommt einfach nicht.",
        "Lieferverzögerung Nummer drei. Ich bin bedient.",
        "Wegen der Lieferverzögerung storniere ich jetzt.",
    ]
    found = key_phrase(texts, "de", vocab=_vocab(), names=NAMES)
    assert found is not None
    assert found.text == "Lieferverzögerung" and _in_some(found.text, texts)
    assert found.coverage == 1.0


def test_inflections_count_as_one_word_through_the_stemmer() -> None:
    texts = [
        "Die Lieferung ist schon wieder verspätet.",
        "Zwei Lieferungen, beide zu spät.",
        "Meine Lieferung hängt seit Tagen fest.",
        "Lieferungen von Lumora dauern ewig.",
    ]
    found = key_phrase(texts, "de", vocab=_vocab(), names=NAMES)
    assert found is not None and found.coverage == 1.0
    assert found.text in ("Lieferung", "Lieferungen")
    # "ß" and umlauts stay as written, while the stems match without them.
    assert stems("Die Größe der Mühle", "de") >= {"gross", "muhl"}


def test_a_watched_name_never_names_a_story_nor_opens_or_closes_its_name() -> None:
    texts = [
        "Die Lumora Brew tropft an der Brühgruppe.",
        "Meine Lumora Brew tropft schon wieder an der Brühgruppe.",
        "Lumora Brew tropft, die Brühgruppe ist undicht.",
        "Tropft eure Lumora Brew auch?",
    ]
    found = key_phrase(texts, "de", vocab=_vocab(), names=NAMES)
    assert found is not None and found.text == "Brühgruppe"
    # Without a noun they share, a lone verb names nothing (the story gets a typical lead).
    assert key_phrase(texts[3:] * 3, "de", vocab=_vocab(), names=NAMES) is None
    keys = phrases("Lieferung der Lumora Brew", "de", names=NAMES)
    assert all(not text.endswith(("Lumora", "Brew")) for text, _ in keys.values())
    # A name is a name as a whole: "City" on its own is a word like any other.
    marks = name_index(NAMES).marks(tokens("die Velora City und die City", "de"))
    assert marks == [False, True, True, False, False, False]


def test_function_words_neither_open_nor_close_a_name() -> None:
    for text, _ in phrases("Die Lieferung der Mühle ist zu spät", "de").values():
        first, last = text.split()[0].lower(), text.split()[-1].lower()
        assert first not in ("die", "der", "ist", "zu") and last not in ("die", "der", "ist", "zu")


def test_a_german_name_is_a_noun_where_one_covers_the_story() -> None:
    texts = [
        "Lumora wird immer teurer, die Preise sind ärgerlich.",
        "Schon wieder höhere Preise, ärgerlich.",
        "Ärgerlich: die Preise steigen weiter.",
        "Echt ärgerlich, diese Preise.",
    ]
    found = key_phrase(texts, "de", vocab=_vocab(), names=NAMES)
    assert found is not None and found.text == "Preise"


def test_a_hashtag_on_every_post_names_its_story() -> None:
    texts = [
        "Mein erstes Herz auf dem Cappuccino #lumoralatteart",
        "Die #lumoralatteart Challenge macht süchtig",
        "Tulpe auf Flat White, sehr stolz #lumoralatteart",
    ]
    found = key_phrase(texts, "de", vocab=_vocab(), names=NAMES)
    assert found is not None and found.text == "#lumoralatteart"


def test_digits_end_a_phrase_and_a_lone_letter_is_no_word() -> None:
    keys = phrases("Fehler E25 an der Maschine", "de")
    assert all("E" not in text.split() for text, _ in keys.values())
    assert "Fehler" in {text for text, _ in keys.values()}


def test_each_language_is_named_from_its_own_mentions() -> None:
    members = [
        ("Meine Lieferung ist seit zwei Wochen überfällig.", "de", ()),
        ("Die Lieferung kommt und kommt nicht.", "de", ()),
        ("Wo bleibt meine Lieferung?", "de", ()),
        ("Still waiting for my delivery, two weeks late.", "en", ()),
        ("Delivery delayed again, not happy.", "en", ()),
    ]
    labels = label_story(members, vocab=_vocab(), names=NAMES)
    assert labels is not None
    assert labels.get("de") == "Lieferung" and labels.get("en") == "delivery"
    assert labels.label == "Lieferung"  # the language most of its mentions use
    # A language without mentions of its own borrows the other's name.
    german = label_story(members[:3], vocab=_vocab(), names=NAMES)
    assert german is not None and german.get("en") == "Lieferung"


def test_a_story_without_a_shared_phrase_is_named_by_a_typical_lead_not_by_stems() -> None:
    members = [("Heute war ein seltsamer Tag mit vielen Gedanken über alles Mögliche", "de", ())]
    labels = label_story(members, vocab=_vocab(), names=NAMES)
    assert labels is not None
    assert labels.label.startswith("Heute war ein seltsamer Tag") and labels.label.endswith("…")
    assert "·" not in labels.label and "," not in labels.label


def test_a_word_most_of_them_use_names_a_story_rather_than_a_whole_post() -> None:
    """The demo once had a story named "Descaling day again. Vinegar or citric acid?"."""
    members = [
        ("Descaling day again. Vinegar or citric acid?", "en", ()),
        ("Descaling day again. Vinegar or citric acid?", "en", ()),
        ("How often do you descale? Vinegar works for me.", "en", ()),
        ("Do you descale with vinegar or with the tablets?", "en", ()),
    ]
    labels = label_story(members, vocab=_vocab(), names=NAMES)
    assert labels is not None
    assert "?" not in labels.label and len(labels.label.split()) <= 4, labels
    assert any(labels.label.lower() in text.lower() for text, _, _ in members), labels


def test_praise_and_order_words_do_not_open_a_name() -> None:
    """The demo once named stories "erstes Herz" and "tolles Upgrade"."""
    members = [
        ("Tolles Upgrade für meine Küche", "de", ()),
        ("Ein tolles Upgrade, die neue Lumora Brew", "de", ()),
        ("Das Upgrade hat sich gelohnt", "de", ()),
    ]
    labels = label_story(members, vocab=_vocab(), names=NAMES)
    assert labels is not None and labels.get("de") == "Upgrade", labels
    hearts = [
        ("Mein erstes Herz auf dem Cappuccino mit der Lumora Brew!", "de", ()),
        ("Endlich mein erstes Herz geschafft, Milchschaum war perfekt.", "de", ()),
        ("Mein erstes Herz, ich bin so stolz.", "de", ()),
    ]
    named = label_story(hearts, vocab=_vocab(), names=NAMES)
    assert named is not None and not named.label.lower().startswith("erstes"), named


def test_a_past_tense_after_a_name_names_no_story() -> None:
    """The demo once had "Answer the complaints about “broke”" ("the Lumora Mill broke")."""
    members = [
        ("My Lumora Mill broke after two weeks, the burr is loose.", "en", ()),
        ("The Lumora Mill broke again. The burr is loose.", "en", ()),
        ("Lumora Mill broke down, burr came loose.", "en", ()),
    ]
    labels = label_story(members, vocab=_vocab(), names=NAMES)
    assert labels is not None and labels.get("en") != "broke", labels


def test_a_language_with_a_word_of_its_own_does_not_borrow_the_other_s_name() -> None:
    """The demo's descaling story: 240 German posts named it "Entkalken"; its English posts
    were all "Descaling day again. Vinegar or citric acid?", which found no strict phrase,
    so English channels read "Answer the complaints about “Entkalken”"."""
    german = [
        (f"Schon wieder muss die Lumora Brew entkalkt werden, Entkalken nervt ({i}).", "de", ())
        for i in range(6)
    ] + [("Wie oft muss man die Lumora Brew entkalken? Entkalken mit Essig?", "de", ())] * 4
    english = [("Descaling day again. Vinegar or citric acid?", "en", ())] * 4
    labels = label_story(german + english, vocab=_vocab(), names=NAMES)
    assert labels is not None
    assert labels.get("de") == "Entkalken", labels
    english_name = labels.get("en") or ""
    assert english_name != "Entkalken" and english_name.lower() in english[0][0].lower(), labels
