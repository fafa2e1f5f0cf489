"""A simple, explainable claim check: what a draft asserts that the facts file does not.

A claim is a number (with its unit or currency, a percentage, a date, a time) or a promise
word ("guarantee", "refund", "tomorrow", "kostenlos" …). A claim is supported when the same
number, or the same promise word, appears in the facts file — or in the mention itself (the
customer's own order number is no claim of ours). Each unsupported claim is reported by
itself, so the approver sees exactly which words to check.
"""

from __future__ import annotations

import re

from core.text import fold

# Numbers as written: 2, 2.5, 2,5, 1.299,00, 19:30, 24.12., 2026-11-26 (split into parts).
_NUMBER = re.compile(r"(?<![\w.,:])(?:\d{4}-\d{1,2}-\d{1,2}|\d+(?:[.,:]\d+)*)")
_URL = re.compile(r"https?://\S+|www\.\S+", re.IGNORECASE)
_HANDLE = re.compile(r"(?<![\w.])@[\w.-]+(?:@[\w.-]+)?")
_EMAIL = re.compile(r"(?<![\w.+@-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+")

# Promises the brand must be able to keep, as groups of folded word stems in German and
# English: a stem in the draft is supported when any stem of its group is in the facts file
# (an English facts file backs a German "Garantie" through "warranty").
PROMISES: tuple[tuple[str, ...], ...] = (
    ("guarantee", "warrant", "garantie", "garantier", "gewahrleist"),
    ("promise", "versprech"),
    ("refund", "money back", "erstatt", "geld zuruck"),
    ("free of charge", "for free", "free", "kostenlos", "gratis", "umsonst"),
    ("compensat", "entschadig"),
    ("replace", "spare part", "ersatz", "austausch"),
    ("tomorrow", "morgen"),
    ("today", "heute"),
    ("next week", "nachste woche", "nachsten woche"),
    ("within", "innerhalb", "binnen"),
    ("lifetime", "lebenslang"),
    ("discount", "rabatt"),
    ("voucher", "coupon", "gutschein"),
)
_WORD_END = r"[\w-]*"


def _strip(text: str) -> str:
    """Text without links, handles and e-mail addresses (their digits are no claims)."""
    for pattern in (_URL, _EMAIL, _HANDLE):
        text = pattern.sub(" ", text)
    return text


def _tokens(text: str) -> list[str]:
    return _NUMBER.findall(text)


def _canon(token: str) -> str:
    """One value per way of writing it: 1.299,00 / 1,299.00 → 1299.00; 2,5 → 2.5; 007 → 7."""
    if re.fullmatch(r"\d{1,3}(?:[.,]\d{3})+(?:[.,]\d{1,2})?", token):
        digits = re.sub(r"[.,](?=\d{3}(?:\D|$))", "", token)
        return digits.replace(",", ".")
    if re.fullmatch(r"\d+,\d+", token):
        return token.replace(",", ".")
    return token.lstrip("0") or "0" if token.isdigit() else token


def _parts(token: str) -> set[str]:
    """A date's or time's parts: 24.12 → 24, 12; 19:30 → 19, 30; 2026-11-26 → 2026, 11, 26."""
    return {p.lstrip("0") or "0" for p in re.split(r"[.,:\-]", token) if p}


def numbers(text: str) -> list[str]:
    """The numbers, prices, dates and times in a text, as written, once each."""
    return list(dict.fromkeys(_tokens(_strip(text))))


def _known(text: str) -> set[str]:
    found: set[str] = set()
    for token in _tokens(text):
        found.add(_canon(token))
        found |= _parts(token)
    return found


def _supported(token: str, known: set[str]) -> bool:
    return _canon(token) in known or _parts(token) <= known


def promises(text: str) -> list[tuple[str, int]]:
    """The promise words of a text as written (folded), each with the index of its group."""
    # "Guten Morgen" is a greeting, not a promise for tomorrow.
    folded = re.sub(r"\bguten morgen\b", " ", fold(_strip(text)))
    found: dict[str, int] = {}
    for group, stems in enumerate(PROMISES):
        for stem in stems:
            for match in re.finditer(r"(?<!\w)" + re.escape(stem) + _WORD_END, folded):
                found.setdefault(match.group(0), group)
    return list(found.items())


def _has_stem(group: int, folded: str) -> bool:
    return any(re.search(r"(?<!\w)" + re.escape(stem), folded) for stem in PROMISES[group])


def unsupported_claims(draft: str, *, facts: str, mention: str = "") -> list[str]:
    """The claims in `draft` that neither the facts file nor the mention contains."""
    known_numbers = _known(facts) | _known(mention)
    out = [token for token in numbers(draft) if not _supported(token, known_numbers)]
    known_text = fold(facts + "\n" + mention)
    for word, group in promises(draft):
        if not _has_stem(group, known_text):
            out.append(word)
    return out
