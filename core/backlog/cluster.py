"""Grouping mentions by similar wording: content words, Jaccard overlap, single link.

Questions and complaints are short; the words that carry their topic ("Lieferung",
"entkalken", "app") survive once stop words, links and handles are gone. Two mentions
whose content-word sets overlap enough fall into one group, and the group's label is the
words most of its members share.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from core.text import fold

_URL = re.compile(r"https?://\S+|www\.\S+", re.IGNORECASE)
_HANDLE = re.compile(r"(?<!\w)@[\w.-]+")
_WORD = re.compile(r"[^\W\d_][\w-]*", re.UNICODE)
MIN_WORD = 3
THRESHOLD = 0.3

_STOP_TEXT = """
    the and for are but not you your yours with this that these those have has had was were
    will would can could should shall may might must what when where which who whom whose why
    how does did doing done been being from into onto over under about after before again any
    all also just only very much more most some such than then there their them they our ours
    out off own same too its it's i'm im i've ive dont don't cant can't won't isnt isn't
    anyone someone something anything here get got getting still yet really please thanks
    hello hey hi one two via amp let lets know need want like
    der die das den dem des ein eine einer eines einem einen und oder aber nicht kein keine
    ist sind war waren wird werden wurde wurden hat haben hatte hatten bin bist seid sein
    ich du er sie es wir ihr mir mich dir dich uns euch ihm ihn ihnen mein meine meinen
    meinem meiner dein deine unser unsere euer eure sich mit von vom zum zur bei beim aus auf
    für fuer über ueber unter nach vor seit bis durch gegen ohne auch noch schon nur sehr
    mehr weil wenn dass als wie was wer wann warum wo woher wohin welche welcher welches
    kann könnt koennt kann's kannst können koennen muss müssen muessen soll sollte würde
    wuerde hallo danke bitte gibt gibt's mal doch jetzt immer wieder heute gestern hier dort
"""
STOPWORDS = frozenset(fold(w) for w in _STOP_TEXT.split())


def words(text: str) -> frozenset[str]:
    """The content words of a text, folded (case and accents), without stop words."""
    body = _HANDLE.sub(" ", _URL.sub(" ", text))
    found = {w.strip("-") for w in _WORD.findall(fold(body))}
    return frozenset(w for w in found if len(w) >= MIN_WORD and w not in STOPWORDS)


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


def similar(a: frozenset[str], b: frozenset[str], threshold: float = THRESHOLD) -> bool:
    """Enough overlap: by Jaccard, or (short texts of unequal length) at least two shared
    words making half of the shorter text."""
    shared = len(a & b)
    if not shared:
        return False
    return jaccard(a, b) >= threshold or (shared >= 2 and shared / min(len(a), len(b)) >= 0.5)


@dataclass(frozen=True)
class Group:
    """Members (indexes into the input) and the words most of them share."""

    members: tuple[int, ...]
    label: tuple[str, ...]
    cohesion: float  # mean share of members that contain each label word


def group(
    texts: Sequence[str],
    *,
    threshold: float = THRESHOLD,
    extra: Sequence[Sequence[str]] | None = None,
    ignore: frozenset[str] = frozenset(),
    common: float = 0.6,
) -> list[Group]:
    """Single-link groups of texts whose word sets are `similar`.

    `extra` adds words per text (the watch terms it matched); `ignore` words (the brand's
    own names) say nothing about the topic. Words found in more than `common` of all texts
    carry no topic either and are left out when there are enough texts to tell.
    """
    sets = [
        (words(t) | {w for term in (extra[i] if extra else ()) for w in fold(term).split()})
        - ignore
        for i, t in enumerate(texts)
    ]
    if len(sets) >= 10:
        df = Counter(w for s in sets for w in s)
        noise = {w for w, n in df.items() if n > common * len(sets)}
        sets = [s - noise for s in sets]
    parent = list(range(len(sets)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    # Only texts sharing a word can be similar: look those up instead of every pair, and
    # skip pairs already in one group.
    index: dict[str, list[int]] = {}
    for i, words_i in enumerate(sets):
        candidates = {j for w in words_i for j in index.get(w, ())}
        for j in sorted(candidates):
            if find(i) != find(j) and similar(words_i, sets[j], threshold):
                parent[find(i)] = find(j)
        for w in words_i:
            index.setdefault(w, []).append(i)
    members: dict[int, list[int]] = {}
    for i in range(len(sets)):
        members.setdefault(find(i), []).append(i)
    out = []
    for idx in members.values():
        counts = Counter(w for i in idx for w in sets[i])
        # Most shared first; ties alphabetical so the label (and the fingerprint) is stable.
        ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
        label = tuple(w for w, n in ranked[:3] if n >= max(2, len(idx) / 2) or len(idx) == 1)
        cohesion = sum(counts[w] for w in label) / (len(label) * len(idx)) if label else 0.0
        out.append(Group(tuple(sorted(idx)), label, cohesion))
    return sorted(out, key=lambda g: (-len(g.members), g.members))
