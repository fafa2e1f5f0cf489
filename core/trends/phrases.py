"""Key phrases: what a group of mentions is about, in the words its people wrote.

A story is named by the phrase (one to four words, or a hashtag) that most of its mentions
share and that is rare elsewhere — "Lieferung", "descaling", "#lumoralatteart", "ölige
Bohnen" — never by a list of stems. Phrases are matched on their stems (core.trends.words)
and shown in the form people wrote most often, umlauts and ß intact. A phrase neither
starts nor ends with a function word or a watched name ("Lumora Lieferung" and "Lieferung
bei Lumora" say no more than "Lieferung"), and a watched name alone names no story.

Names are nouns where the language lets us tell: in German a word written with a capital
mid-sentence (learnt from the background as well as the story), in English a phrase that
follows an article, a possessive or a name ("my delivery", "the water filter") and does not
end like a verb or adverb. A noun-ending phrase covering enough of a story is preferred
over an adjective or verb ("Preise" rather than "ärgerlich").
"""

from __future__ import annotations

import bisect
import math
import re
from collections import Counter, defaultdict
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from core.text import fold
from core.trends.words import (
    DETERMINERS,
    STOPWORDS,
    WEAK,
    NameIndex,
    Token,
    name_index,
    stems,
    tokens,
)

MAX_WORDS = 4
MIN_MEMBERS = 2  # a phrase found in one mention only names nothing
MIN_COVERAGE = 0.12
TAG_COVERAGE = 0.6
NOUN_COVERAGE = 0.2  # a noun-ending phrase covering this much is preferred to the rest
NOUN_SHARE = 0.25  # written with a capital mid-sentence this often: a German noun
COMPOUND_MIN = 5  # a German stem this long also counts inside compounds that start with it
ARTICLE_SHARE = 0.15  # after "the", "my", … or a name this often: an English noun phrase
# Rarer than this (in fewer than 1 in `RARE` background texts) counts as rare enough: beyond
# it, coverage decides, so a long phrase found once in the background does not win by rarity.
RARE = 40.0
# A German adjective before its noun ends like this ("ölige", "kaputten", "neues").
_DE_ADJECTIVE = ("e", "en", "er", "es", "em")
# English words with these endings are mostly verbs or adverbs ("thrilled", "lovely").
_EN_NOT_NOUN = re.compile(r"(?:ed|ly|ing)$")


@dataclass
class Vocabulary:
    """The background a story's name must stand out of: in how many of `total` recent
    texts each phrase key occurs, and how often each German stem was written with a
    capital mid-sentence (a noun) or without."""

    df: Counter[str] = field(default_factory=Counter)
    total: int = 0
    capital: Counter[str] = field(default_factory=Counter)
    lower: Counter[str] = field(default_factory=Counter)

    def rarity(self, key: str, count: int, n: int) -> float:
        value = math.log((1 + self.total + n) / (1 + self.df.get(key, 0) + count))
        return min(max(value, 0.0), math.log(RARE))


def vocabulary(
    texts: Iterable[tuple[str, str | None]], *, names: Collection[str] | NameIndex = ()
) -> Vocabulary:
    """Count a background of (text, language) pairs."""
    vocab = Vocabulary()
    index = name_index(names)
    for text, lang in texts:
        toks = tokens(text, lang)
        vocab.total += 1
        vocab.df.update(_phrases(toks, index).keys())
        if lang == "de":
            _count_capitals(toks, vocab.capital, vocab.lower)
    return vocab


def _count_capitals(
    toks: Sequence[Token | None], capital: Counter[str], lower: Counter[str]
) -> None:
    for tok in toks:
        if tok is not None and not tok.initial and tok.content:
            (capital if tok.capital else lower)[tok.stem] += 1


class _Found(NamedTuple):
    surface: str  # as written
    initial: bool  # starts a sentence
    det: bool  # follows an article, a possessive or a name: a noun phrase (in English)


def phrases(
    text: str, lang: str | None, *, names: Collection[str] | NameIndex = ()
) -> dict[str, tuple[str, bool]]:
    """Every candidate phrase of a text: its key (stems joined by spaces) → (the phrase as
    written, whether it starts a sentence). `names` are the watched names."""
    return {
        k: (f.surface, f.initial)
        for k, f in _phrases(tokens(text, lang), name_index(names)).items()
    }


def _phrases(toks: Sequence[Token | None], names: NameIndex) -> dict[str, _Found]:
    found: dict[str, _Found] = {}
    named = names.marks(toks)
    for i, first in enumerate(toks):
        if first is None or not first.content or named[i]:
            continue
        if first.folded in WEAK:
            continue  # "erstes Herz", "great upgrade": the thing is the name
        if first.surface.startswith("#"):
            found.setdefault(first.stem, _Found(first.surface, False, True))
            continue
        # "the new savings pots": a praise or order word between the article and the
        # phrase still leaves it after the article.
        b = i - 1
        while b >= 0 and (tok_b := toks[b]) is not None and tok_b.folded in WEAK:
            b -= 1
        before = toks[b] if b >= 0 else None
        # After a name, a noun ("the Velora City battery") rather than a verb in the third
        # person ("the Lumora Brew keeps …", "… beats …").
        verb = first.folded.endswith("s") and not first.folded.endswith("ss")
        det = before is not None and (before.folded in DETERMINERS or (named[b] and not verb))
        span: list[Token] = []
        for j in range(i, min(i + MAX_WORDS, len(toks))):
            tok = toks[j]
            if tok is None or tok.surface.startswith("#"):
                break
            span.append(tok)
            if not tok.content or named[j] or tok.folded in WEAK:
                continue  # "Sparziele bei Nimbus" says no more than "Sparziele"
            key = " ".join(t.stem for t in span)
            found.setdefault(key, _Found(" ".join(t.surface for t in span), first.initial, det))
    return found


@dataclass(frozen=True)
class Phrase:
    """A story's key phrase: as shown, its key, and the share of members that contain it."""

    text: str
    key: str
    coverage: float


def key_phrase(
    members: Sequence[str],
    lang: str | None,
    *,
    vocab: Vocabulary,
    names: Collection[str] | NameIndex = (),
    relaxed: bool = False,
) -> Phrase | None:
    """The phrase most typical of `members` (texts in one language) against the background
    `vocab`; None when no phrase is shared enough. `relaxed`: a lone word that is no noun
    may name the story too ("descale" rather than a whole post as its name).

    Score: coverage² × log inverse document frequency (capped at `RARE`). Coverage counts
    twice because a name must describe most of the story; the rarity keeps "heute" or a
    brand name found everywhere from naming anything. A phrase one word longer wins over
    the best one inside it where nearly as many members use it ("ölige Bohnen" over
    "Bohnen")."""
    if len(members) < MIN_MEMBERS:
        return None
    counts: Counter[str] = Counter()
    member_stems: list[set[str]] = []
    after_det: Counter[str] = Counter()
    forms: dict[str, Counter[str]] = defaultdict(Counter)
    initial_forms: dict[str, Counter[str]] = defaultdict(Counter)
    capital: Counter[str] = Counter(vocab.capital)
    lower: Counter[str] = Counter(vocab.lower)
    index = name_index(names)
    for text in members:
        toks = tokens(text, lang)
        found = _phrases(toks, index)
        counts.update(found.keys())
        for key, hit in found.items():
            (initial_forms if hit.initial else forms)[key][hit.surface] += 1
            after_det[key] += hit.det
        if lang == "de":
            _count_capitals(toks, capital, lower)
            member_stems.append({t.stem for t in toks if t is not None and t.content})
    n = len(members)
    if lang == "de":
        _count_compounds(counts, member_stems)

    def noun(key: str) -> bool:
        last = key.rsplit(" ", 1)[-1]
        if last.startswith("#"):
            return True
        if lang == "de":
            # A stem people write with a capital a fair share of the time is (also) a noun:
            # "Entkalken" beside "entkalken". A longer name opens with a noun or an
            # adjective ("ölige Bohnen"), not with a verb ("zeigt ständig den Fehler").
            words = (forms.get(key) or initial_forms[key]).most_common(1)[0][0].split(" ")
            first, inner = words[0], words[1:-1]
            linked = any(fold(w) in STOPWORDS for w in inner)  # "Essig oder Zitronensäure"
            opens = (
                len(words) == 1
                or first[:1].isupper()
                or (first.endswith(_DE_ADJECTIVE) and not linked)
            )
            return opens and capital[last] >= NOUN_SHARE * (capital[last] + lower[last]) > 0
        # English: a noun phrase follows "the", "my", … or a name in a fair share of its
        # uses ("my delivery", "the water filter"), and does not end like a verb or adverb.
        written = (forms.get(key) or initial_forms[key]).most_common(1)[0][0]
        word = written.rsplit(" ", 1)[-1].lower()
        verbal = len(word) > 4 and _EN_NOT_NOUN.search(word) is not None
        return not verbal and after_det[key] >= ARTICLE_SHARE * counts[key]

    def score(key: str) -> float:
        coverage = counts[key] / n
        return coverage * coverage * vocab.rarity(key, counts[key], n)

    # A hashtag names a story only when it marks it (#lumoralatteart), not when it rides on
    # some of its posts (#lumora, #kaffeeliebe).
    eligible = [
        k
        for k, c in counts.items()
        if c >= MIN_MEMBERS and c / n >= (TAG_COVERAGE if k.startswith("#") else MIN_COVERAGE)
    ]
    if not eligible:
        return None
    nouns = [k for k in eligible if noun(k) and counts[k] / n >= NOUN_COVERAGE]
    pool = nouns or eligible
    best = min(pool, key=lambda k: (-score(k), k.count(" "), k))
    if not nouns and " " not in best and not relaxed:
        return None  # a lone verb or adjective ("Lohnt", "necessary") names nothing
    # A phrase one word longer containing the best one, used by nearly as many, says more.
    longer = [
        k
        for k in pool
        if k.count(" ") == best.count(" ") + 1
        and f" {best} " in f" {k} "
        and counts[k] >= 0.8 * counts[best]
    ]
    if longer:
        best = max(longer, key=lambda k: (counts[k], score(k), k))
    return Phrase(_shown(best, forms, initial_forms, lang, noun(best)), best, counts[best] / n)


def _count_compounds(counts: Counter[str], member_stems: Sequence[set[str]]) -> None:
    """German compounds: a member with "Liefertermin" or "Lieferverzug" tells of
    "Lieferung" too (stem "liefer"): a one-word stem covers the members with a word that
    starts with it. The stemmer does not split compounds; the prefix stands in for that."""
    where: dict[str, set[int]] = defaultdict(set)
    for i, found in enumerate(member_stems):
        for stem in found:
            where[stem].add(i)
    ordered = sorted(where)
    for key in [k for k in counts if " " not in k and not k.startswith("#")]:
        if len(key) < COMPOUND_MIN:
            continue
        start = bisect.bisect_left(ordered, key)
        holders: set[int] = set()
        for stem in ordered[start:]:
            if not stem.startswith(key):
                break
            holders |= where[stem]
        counts[key] = max(counts[key], len(holders))


def _shown(
    key: str,
    forms: dict[str, Counter[str]],
    initial_forms: dict[str, Counter[str]],
    lang: str | None,
    noun: bool = False,
) -> str:
    """The form people wrote most often; mid-sentence forms first (their capitals mean
    something), a German noun as a noun ("Entkalken", not "entkalken"). An English phrase
    seen only at a sentence start loses its capital."""
    if forms.get(key):
        ranked = [f for f, _ in forms[key].most_common()]
        if lang == "de" and noun:
            capitalised = [f for f in ranked if f.rsplit(" ", 1)[-1][:1].isupper()]
            ranked = capitalised or ranked
        return ranked[0]
    text = initial_forms[key].most_common(1)[0][0]
    first = text.split(" ", 1)[0]
    if lang != "de" and first[:1].isupper() and first[1:].islower():
        text = text[:1].lower() + text[1:]
    return text


def key_stems(
    members: Sequence[tuple[str, str | None]],
    *,
    vocab: Vocabulary,
    names: Collection[str] | NameIndex = (),
    limit: int = 6,
) -> list[str]:
    """The stems (and hashtags) most typical of the members, best first: what picks a
    story's representative mention."""
    counts: Counter[str] = Counter()
    named = name_index(names).words
    for text, lang in members:
        counts.update(s for s in stems(text, lang) if s not in named)
    n = max(len(members), 1)

    def score(stem: str) -> float:
        return counts[stem] / n * vocab.rarity(stem, counts[stem], n)

    ranked = sorted((s for s, c in counts.items() if c >= 2), key=lambda s: (-score(s), s))
    return ranked[:limit]
