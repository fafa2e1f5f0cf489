"""The offline drafter: replies built per intent, issue and language when no model is set.

A complaint gets an apology that names the problem, one concrete next step and, where the
brand facts file has them, the fact that belongs to the problem and the support contact; a
question gets the matching line of the facts file as its answer, or a request for the one
detail needed; praise gets thanks; purchase interest gets a pointer to the facts and to
advice. The variants differ in what they offer (a next step, the facts and a contact, a
call), not only in wording, so the person approving picks an approach, not a synonym.

The wording lives in the locale files (``replies.*``), German and English together; facts
come only from the facts file, so every number or promise in a draft is one the brand
wrote down (``claims.py`` checks that again). A part that would push a variant past the
platform's length is left out.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from config.workspace import Brand
from core.drafts.answer_kind import INTENTS
from core.drafts.fact_lines import FactLine, about, best_match, contact, for_language, stems
from core.drafts.issues import FACT_STEMS, issue_of
from core.drafts.limits import length, limit_for
from core.i18n import translate

VARIANTS = 3
_CONTACTISH = re.compile(r"@|://|^www\.")
_PREPOSITIONS = frozenset(
    "bei beim im in an am auf für mit unter von vom zu zum zur über per "
    "at on for with by from via under to".split()
)


@dataclass(frozen=True)
class Context:
    """What the offline drafter knows about the mention it answers."""

    text: str
    language: str
    brand: Brand | None
    facts: Sequence[FactLine] = ()
    target: str = "rss"


def offline_variants(
    *,
    intent: str,
    language: str,
    signature: str,
    text: str = "",
    brand: Brand | None = None,
    facts: Sequence[FactLine] = (),
    target: str = "rss",
) -> list[str]:
    """Two or three replies for the intent, in the mention's language, signed, each within
    the target platform's length."""
    intent = intent if intent in INTENTS else "other"
    ctx = Context(text, language, brand, facts, target)
    budget = limit_for(target).maximum - (length("\n" + signature, target) if signature else 0)
    out: list[str] = []
    for parts in _BUILDERS[intent](ctx):
        body = _fit(parts, budget, target)
        signed = sign(body, signature)
        if body and signed not in out:
            out.append(signed)
    return out[:VARIANTS]


def sign(text: str, signature: str) -> str:
    """The text with the brand's signature on its own line, unless it already ends with it."""
    text = text.strip()
    signature = signature.strip()
    if not signature or text.endswith(signature):
        return text
    return f"{text}\n{signature}"


Parts = list[tuple[str, int]]  # (text, priority): 0 is essential; the highest goes first


def _fit(parts: Parts, budget: int, target: str) -> str:
    """The non-empty parts joined in order, leaving out the least important ones (highest
    priority number first) until the text fits the budget."""
    kept = [(text, rank) for text, rank in parts if text]
    while kept:
        text = " ".join(t for t, _ in kept)
        if length(text, target) <= budget:
            return text
        worst = max(rank for _, rank in kept)
        if worst == 0:
            return ""
        drop = max(i for i, (_, rank) in enumerate(kept) if rank == worst)
        kept.pop(drop)
    return ""


def _t(ctx: Context, key: str, **values: object) -> str:
    return translate(ctx.language, f"replies.{key}", **values)


def _statement(line: FactLine | None) -> str:
    """A fact line as a sentence: without its leading "Topic:" label, ending with a stop."""
    if line is None:
        return ""
    text = line.text
    head, colon, rest = text.partition(":")
    rest = rest.strip()
    first = rest.split(" ", 1)[0]
    # "Topic: a sentence" loses its label; "Topic: a link or address", "Topic: at any
    # dealer" and "Warranty: 2 years …" keep it, as there the label is the subject.
    keep = _CONTACTISH.search(first) or first.lower() in _PREPOSITIONS or first[:1].isdigit()
    if colon and len(head) <= 40 and rest and "//" not in head and not keep:
        text = rest[0].upper() + rest[1:]
    return text if text[-1:] in ".!?" else text + "."


def _lead(ctx: Context, key: str, line: FactLine | None) -> str:
    """A fact with its lead-in ("Zur Einordnung: …"), or alone when it keeps its own label
    ("Garantie: 2 Jahre …"), so that no sentence carries two colons in a row."""
    if line is None:
        return ""
    text = _statement(line)
    labelled = any(word.endswith(":") for word in text.split(" ", 4)[:4])
    return text if labelled else _t(ctx, key, fact=text)


def _contact(ctx: Context) -> str:
    """The support line without its label ("Support: a@b.example, …" → "a@b.example, …")."""
    line = contact(list(ctx.facts), ctx.language)
    if line is None:
        return ""
    head, colon, rest = line.text.partition(":")
    text = rest.strip() if colon and len(head) <= 40 and "//" not in head else line.text
    return text.rstrip(".")


def _names(ctx: Context) -> list[str]:
    brand = ctx.brand
    if brand is None:
        return []
    names = [brand.name, *brand.aliases]
    for product in brand.products:
        names += [product.name, *product.aliases]
    return [n for n in names if n]


def _product(ctx: Context) -> str | None:
    """The brand's product the mention names first (its canonical name), if any."""
    lowered = ctx.text.lower()
    found = []
    for product in ctx.brand.products if ctx.brand else ():
        places = [lowered.find(n.lower()) for n in [product.name, *product.aliases] if n]
        places = [p for p in places if p >= 0]
        if places:
            found.append((min(places), product.name))
    return min(found)[1] if found else None


Variant = list[tuple[str, int]]


def _complaint(ctx: Context) -> list[Variant]:
    issue = issue_of(ctx.text)
    lines = list(ctx.facts)
    support = contact(lines, ctx.language)
    said = stems(ctx.text, _names(ctx))
    # A fact of the issue, the one sharing most words with the mention first (a defect and
    # "Fehler E31" → the error-code line; a dead battery → the warranty line that covers
    # batteries). Without a known issue a shared word is too weak a link ("two rides" is no
    # reason to quote the test-ride line): such a complaint gets the contact, not a fact.
    topical = about(lines, FACT_STEMS.get(issue, frozenset()), ctx.language)
    topical.sort(key=lambda f: -len(f.stems & said))
    fact = next((f for f in topical if f is not support), None)
    reach = _t(ctx, "complaint.contact", contact=_contact(ctx)) if support else ""
    return [
        [(_t(ctx, f"complaint.sorry.{issue}"), 0), (_t(ctx, f"complaint.step.{issue}"), 0)],
        [
            (_t(ctx, "complaint.short_sorry"), 0),
            (_lead(ctx, "complaint.fact", fact), 2),
            (reach or _t(ctx, f"complaint.step.{issue}"), 1),
        ],
        [(_t(ctx, f"complaint.sorry.{issue}"), 0), (_t(ctx, "complaint.call"), 0)],
    ]


def _question(ctx: Context) -> list[Variant]:
    issue = issue_of(ctx.text)
    lines = list(ctx.facts)
    support = contact(lines, ctx.language)
    answer = best_match(lines, ctx.text, ctx.language, ignore=_names(ctx))
    more = _t(ctx, "question.contact", contact=_contact(ctx)) if support else ""
    if answer is not None and answer is not support:
        return [
            [
                (_t(ctx, "question.answer_lead"), 1),
                (_statement(answer), 0),
                (_t(ctx, "question.answer_follow"), 2),
            ],
            [(_statement(answer), 0), (more, 1)],
        ]
    direct = (
        _t(ctx, "question.ask_direct", contact=_contact(ctx))
        if support
        else _t(ctx, "question.ask_dm")
    )
    return [[(_t(ctx, f"question.details.{issue}"), 0)], [(direct, 0)]]


def _praise(ctx: Context) -> list[Variant]:
    product = _product(ctx)
    closing = _t(ctx, "praise.product", product=product) if product else _t(ctx, "praise.happy")
    return [
        [(_t(ctx, "praise.thanks"), 0), (closing, 1)],
        [(_t(ctx, "praise.team"), 0)],
        [(_t(ctx, "praise.tell_more"), 0)],
    ]


def _purchase(ctx: Context) -> list[Variant]:
    lines = list(ctx.facts)
    product = _product(ctx)
    support = contact(lines, ctx.language)
    if product:
        opener = _t(ctx, "purchase.interest", product=product)
    elif ctx.brand:
        opener = _t(ctx, "purchase.interest_brand", brand=ctx.brand.name)
    else:
        opener = _t(ctx, "purchase.interest_plain")
    # What the product is (the first line naming it), then advice and delivery: what
    # someone about to buy wants to know.
    blurb = next(
        (f for f in for_language(lines, ctx.language) if product and product in f.text), None
    )
    advice = about(lines, frozenset({"berat", "advic"}), ctx.language)
    delivery = about(lines, FACT_STEMS["delivery"], ctx.language)
    if advice:
        pointer = _t(ctx, "purchase.advice", fact=_statement(advice[0]))
    elif support:
        pointer = _t(ctx, "purchase.contact", contact=_contact(ctx))
    else:
        pointer = _t(ctx, "purchase.use")
    return [
        [(opener, 0), (_statement(blurb), 1), (_t(ctx, "purchase.use"), 0)],
        [(pointer, 0), (_statement(delivery[0]) if delivery else "", 1)],
    ]


def _other(ctx: Context) -> list[Variant]:
    return [
        [
            (
                _t(ctx, "other.hello", brand=ctx.brand.name)
                if ctx.brand
                else _t(ctx, "other.hello_plain"),
                0,
            )
        ],
        [(_t(ctx, "other.listen"), 0)],
    ]


_BUILDERS: dict[str, Callable[[Context], list[Variant]]] = {
    "complaint": _complaint,
    "question": _question,
    "praise": _praise,
    "purchase": _purchase,
    "other": _other,
}
