"""The claim check: numbers, dates, prices and promises not backed by the facts file."""

from __future__ import annotations

from core.drafts.claims import numbers, promises, unsupported_claims

FACTS = "Delivery takes 2–4 working days. 2-year warranty. Lumora Brew costs 1.299,00 EUR."


def test_numbers_as_written() -> None:
    assert numbers("am 24.12. um 19:30 für 19,99 € (2026-11-26)") == [
        "24.12",
        "19:30",
        "19,99",
        "2026-11-26",
    ]
    assert numbers("mail a1@b2.de, https://x.example/123, @u42, v2.0") == []


def test_prices_match_across_notations() -> None:
    assert unsupported_claims("Only 1,299.00 EUR", facts=FACTS) == []
    assert unsupported_claims("Only 1.199,00 EUR", facts=FACTS) == ["1.199,00"]


def test_the_mentions_own_numbers_are_no_claims() -> None:
    assert (
        unsupported_claims("Order 4711 is on its way", facts=FACTS, mention="my order 4711") == []
    )


def test_promises_are_backed_across_languages() -> None:
    # An English facts file backs a German "Garantie" through "warranty".
    assert unsupported_claims("2 Jahre Garantie", facts=FACTS) == []
    assert unsupported_claims("Kostenloser Ersatz morgen", facts=FACTS) == [
        "kostenloser",
        "ersatz",
        "morgen",
    ]
    assert [w for w, _ in promises("Guten Morgen!")] == []
