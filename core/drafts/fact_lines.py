"""The brand facts file as lines a reply can quote, per language, and finding the right one.

The file is Markdown: a bullet or plain line is one fact. Lines under a heading that names a
language ("## Deutsch", "## English", "## de", "## en") serve replies in that language;
lines under any other heading, or before the first, serve both. Matching is deliberately
plain: the word stems a mention and a fact line share (folded, the first five letters of
each longer word), without the brand's own names, which every line and mention share.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from core.text import fold

_HEADING = re.compile(r"^\s{0,3}#{1,6}\s*(.+?)\s*#*\s*$")
_BULLET = re.compile(r"^\s*(?:[-*+•]|\d+[.)])\s+")
_LANGUAGE_HEADINGS = {
    "de": ("deutsch", "german", "de"),
    "en": ("english", "englisch", "en"),
}
_WORD = re.compile(r"[a-z0-9]+")
_CONTACT = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+|https?://\S+")
STEM = 5
# Words that carry no topic: question words, pronouns, auxiliaries (folded, 4+ letters).
_STOP = frozenset(
    """
    aber alle auch bitte dann danke dass dein deine denn dich diese dieser doch eine einem
    einen einer euch eure gibt habe haben hast hier ihre immer jetzt kann kannst koennt
    konnt mach macht mein meine meinem meinen mich mir muss nach nehmt nicht noch nutzt
    oder schon sein sich sind soll ueber uber unsere unser viel weil welche welchen welcher
    welches wenn werden wird wieso warum wann woher wohin wurde
    about anyone been could does doing from have help into just know like make many much
    need should some than that their them then there they this what when where which while
    will with would your yours using used does please thanks thank
    """.split()
)


@dataclass(frozen=True)
class FactLine:
    """One fact as written, the language it serves (None: both), and its word stems."""

    text: str
    language: str | None
    stems: frozenset[str]
    key: frozenset[str] = frozenset()  # the stems before a leading "Topic:", if any


def stems(text: str, ignore: Iterable[str] = ()) -> frozenset[str]:
    """The topic stems of a text: folded words of 4+ letters, cut to STEM letters."""
    skip = {w for name in ignore for w in _WORD.findall(fold(name))}
    return frozenset(
        w[:STEM]
        for w in _WORD.findall(fold(text))
        if len(w) >= 4 and w not in _STOP and w not in skip and not w.isdigit()
    )


def parse(text: str) -> list[FactLine]:
    """The fact lines of a facts file, each with the language its section serves."""
    out: list[FactLine] = []
    language: str | None = None
    for raw in text.splitlines():
        heading = _HEADING.match(raw)
        if heading:
            name = fold(heading.group(1)).strip()
            language = next(
                (lang for lang, names in _LANGUAGE_HEADINGS.items() if name in names), None
            )
            continue
        # Prose paragraphs explain the file; facts are bullets (or plain one-line items).
        if not _BULLET.match(raw):
            continue
        line = _BULLET.sub("", raw).strip()
        if line:
            head, colon, _ = line.partition(":")
            key = stems(head) if colon and len(head) <= 40 else frozenset()
            out.append(FactLine(line, language, stems(line), key))
    return out


def for_language(lines: list[FactLine], language: str) -> list[FactLine]:
    """The lines that serve replies in `language`."""
    return [f for f in lines if f.language in (None, language)]


def best_match(
    lines: list[FactLine], text: str, language: str, ignore: Iterable[str] = ()
) -> FactLine | None:
    """The line sharing the most topic stems with `text` (at least one), first on ties; a
    stem in the line's "Topic:" counts twice ("Siebträger: 58 mm" before a product blurb
    that mentions a portafilter in passing)."""
    wanted = stems(text, ignore)
    best, score = None, 0
    for line in for_language(lines, language):
        shared = len(line.stems & wanted) + len(line.key & wanted)
        if shared > score:
            best, score = line, shared
    return best


def about(lines: list[FactLine], topic: Iterable[str], language: str) -> list[FactLine]:
    """The lines that contain any of the given stems (a topic such as delivery)."""
    wanted = frozenset(topic)
    return [f for f in for_language(lines, language) if f.stems & wanted]


def contact(lines: list[FactLine], language: str) -> FactLine | None:
    """The support line: the first that names an e-mail address or a link and "support"."""
    found = [f for f in for_language(lines, language) if _CONTACT.search(f.text)]
    return next(
        (f for f in found if "suppo" in f.key),
        next((f for f in found if "suppo" in f.stems), found[0] if found else None),
    )
