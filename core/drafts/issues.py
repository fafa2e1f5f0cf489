"""What a complaint or question is about (delivery, a defect, support, billing, the app), so
that the offline drafter names the problem, asks for the one detail that moves it forward,
and quotes the brand fact that belongs to it.

Word stems as ``fact_lines.stems`` makes them (folded, the first five letters), German and
English in one list: a German facts file and an English mention still meet on "suppo".
"""

from __future__ import annotations

from core.drafts.fact_lines import stems

ISSUES = ("delivery", "defect", "support", "billing", "app")

# The stems that name each issue in a mention, most specific issue first.
MENTION_STEMS: dict[str, frozenset[str]] = {
    "delivery": frozenset(
        "liefe paket sendu zuste versa track deliv parce packa shipp order couri "
        "arriv angek spedi carri freig".split()
    ),
    "billing": frozenset(
        # Not "price": "for the price I expected better" is about value, not a charge.
        "rechn abgeb abbuc gebuc buchu zahlu erstat geldz invoi charg bill refun "
        "payme debit subsc abonn kundi cance".split()
    ),
    "app": frozenset("login passw updat abstu crash einlo".split()),
    "support": frozenset(
        "hotli kunde servi suppo warte antwo errei callb reply answe respo queue custo".split()
    ),
    "defect": frozenset(
        "kaput defek hinub tropf fehle repar funkt leckt undic broke leaki leaks error fault "
        "repai stopp worki noise gerau".split()
    ),
}
# Word stems that name an issue's facts in the facts file ("Lieferung:", "Warranty:" …).
FACT_STEMS: dict[str, frozenset[str]] = {
    "delivery": frozenset("liefe versa sendu deliv shipp track".split()),
    "defect": frozenset("garan warra fehle error ersat spare repar repai".split()),
    "support": frozenset(),  # for support the fact is the contact line itself
    "billing": frozenset("rechn zahlu invoi payme bill".split()),
    "app": frozenset(("app",)),
}
_ORDER = ("delivery", "billing", "app", "defect", "support")


def issue_of(text: str) -> str:
    """The issue a text is about, or "general" when it names none of them: the one most of
    its words name, the more specific on a tie."""
    found = stems(text)
    words = {w for w in text.lower().replace("-", " ").split()}
    hits = {
        issue: len(found & MENTION_STEMS[issue]) + (issue == "app" and "app" in words)
        for issue in _ORDER
    }
    best = max(_ORDER, key=lambda issue: (hits[issue], -_ORDER.index(issue)))
    return best if hits[best] else "general"
