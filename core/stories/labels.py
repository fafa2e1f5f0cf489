"""A story's name in German and in English, from the words of its own mentions.

Each language is named from the story's mentions in that language (a German channel reads
"Lieferung", an English one "delivery"); a language with too few mentions borrows the
other's name. The default label is the name in the language most of the story uses. When
no phrase is shared widely enough, the story is named by the lead of a typical mention,
shortened at a word — never by a list of stems.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field

from core.trends.phrases import Phrase, Vocabulary, key_phrase, key_stems

LABEL_LANGUAGES = ("de", "en")
MIN_LANGUAGE = 2  # mentions in a language before it gets a name of its own
FALLBACK_CHARS = 60
# A language's own word replaces a borrowed name only when most of its mentions use it: on
# the demo, "error" and "citric acid" (on every English post) did; "decide" (half of them)
# and a filler's "matters" (a quarter) read worse than the German name.
OWN_COVERAGE = 0.6
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class StoryLabels:
    """What the job stores on a story's root topic."""

    label: str
    by_language: dict[str, str] = field(default_factory=dict)
    terms: list[str] = field(default_factory=list)  # key stems (no hashtags)

    def get(self, lang: str) -> str | None:
        return self.by_language.get(lang)


def label_story(
    members: Sequence[tuple[str, str | None, Sequence[str]]],
    *,
    vocab: Vocabulary,
    names: Collection[str] = (),
) -> StoryLabels | None:
    """Labels for a story from its members (text, language, hashtags); None without members.

    `vocab` is the background (recent mentions); `names` are the watched names."""
    if not members:
        return None
    langs = Counter(_lang(lang) for _, lang, _ in members)
    found: dict[str, Phrase] = {}
    for lang in LABEL_LANGUAGES:
        texts = [text for text, mlang, _ in members if _lang(mlang) == lang]
        if len(texts) >= MIN_LANGUAGE:
            phrase = key_phrase(texts, lang, vocab=vocab, names=names)
            if phrase is not None:
                found[lang] = phrase
    majority = langs.most_common(1)[0][0]
    if majority not in found and majority not in LABEL_LANGUAGES:
        texts = [text for text, mlang, _ in members if _lang(mlang) == majority]
        phrase = key_phrase(texts, majority, vocab=vocab, names=names)
        if phrase is not None:
            found[majority] = phrase
    if not found and len(members) >= 2:
        # No language has enough on its own: what the languages share (a hashtag, a name).
        phrase = key_phrase([text for text, _, _ in members], None, vocab=vocab, names=names)
        if phrase is not None:
            found[majority] = phrase
    if not found:
        # Better a word most of them use than a whole post as a name ("Descaling day
        # again. Vinegar or citric acid?" once named a story in both languages).
        for lang in LABEL_LANGUAGES:
            texts = [text for text, mlang, _ in members if _lang(mlang) == lang]
            if len(texts) >= MIN_LANGUAGE:
                phrase = key_phrase(texts, lang, vocab=vocab, names=names, relaxed=True)
                if phrase is not None:
                    found[lang] = phrase
    if found:
        # The best-covered name stands in for a language without one of its own, but only
        # when that language has no word of its own to offer: an English channel read
        # "Answer the complaints about “Entkalken”" while its posts all said "descaling".
        best = max(found, key=lambda k: (k == majority, found[k].coverage))
        default = found[majority] if majority in found else found[best]
        own = dict(found)
        for lang in LABEL_LANGUAGES:
            texts = [text for text, mlang, _ in members if _lang(mlang) == lang]
            if lang not in own and len(texts) >= MIN_LANGUAGE:
                phrase = key_phrase(texts, lang, vocab=vocab, names=names, relaxed=True)
                if phrase is not None and phrase.coverage >= OWN_COVERAGE:
                    own[lang] = phrase
        by_language = {lang: own.get(lang, default).text for lang in LABEL_LANGUAGES}
        label = default.text
    else:
        # What most of them said, in the words of the most repeated mention (in each
        # language, where there is one in it).
        label = _lead(Counter(text for text, _, _ in members).most_common(1)[0][0])
        by_language = {}
        for lang in LABEL_LANGUAGES:
            said = Counter(text for text, mlang, _ in members if _lang(mlang) == lang)
            by_language[lang] = _lead(said.most_common(1)[0][0]) if said else label
    stems = key_stems([(text, lang) for text, lang, _ in members], vocab=vocab, names=names)
    # Hashtags stay out: which tags mark a story is decided per topic, from the group that
    # made it, not from a story's newest mentions.
    terms = [s for s in stems if not s.startswith("#")]
    return StoryLabels(label[:255], {k: v[:255] for k, v in by_language.items()}, terms)


def _lang(lang: str | None) -> str:
    return (lang or "und").split("-")[0].lower()


def _lead(text: str) -> str:
    """The start of a text, shortened at a word, as a last-resort name."""
    flat = _SPACE.sub(" ", text).strip()
    if len(flat) <= FALLBACK_CHARS:
        return flat
    cut = flat[:FALLBACK_CHARS].rsplit(" ", 1)[0]
    return f"{cut}…"
