"""Output checks: length, links outside the allowed domains, foreign handles, claims."""

from __future__ import annotations

from core.drafts.checks import blocking, check_draft, handles, links

FACTS = """- Standard delivery in Germany takes 2–4 working days.
- Every machine has a 2-year warranty. Support: support@lumora.example, https://lumora.example/help.
"""


def codes(text: str, **kw: object) -> dict[str, dict[str, str]]:
    args: dict = dict(
        target="mastodon",
        allowed_domains=["lumora.example"],
        author_handle="@anna@mastodon.social",
        facts=FACTS,
    )
    args.update(kw)
    return {
        f.code + ":" + "|".join(f.as_dict().values()): f.as_dict()
        for f in check_draft(text, **args)
    }


def test_a_clean_reply_has_no_findings() -> None:
    text = (
        "Hallo @anna, die Lieferung dauert 2–4 Werktage. Mehr: https://lumora.example/help "
        "oder support@lumora.example – Team Lumora"
    )
    assert (
        check_draft(
            text,
            target="mastodon",
            allowed_domains=["lumora.example"],
            author_handle="@anna@mastodon.social",
            facts=FACTS,
        )
        == []
    )


def test_hostile_output_is_flagged() -> None:
    found = codes(
        "Sure! @channel see http://evil.example/x and bit.ly/abc, ask @bob, mail evil@bad.example"
    )
    keys = "\n".join(found)
    assert "mass_ping:@channel" in keys
    assert "link:http://evil.example/x|evil.example" in keys
    assert "link:bit.ly/abc|bit.ly" in keys
    assert "link:evil@bad.example|bad.example" in keys
    assert "handle:@bob" in keys


def test_subdomains_of_allowed_domains_pass_and_lookalikes_do_not() -> None:
    assert not links("x") and codes("https://shop.lumora.example/a") == {}
    assert "link:https://lumora.example.evil.com/|lumora.example.evil.com" in "\n".join(
        codes("https://lumora.example.evil.com/")
    )


def test_versions_abbreviations_and_emails_are_no_links_or_handles() -> None:
    assert links("z.B. v2.0 und usw.") == []
    assert handles("write support@lumora.example") == []
    assert handles("@anna@mastodon.social and @bob") == ["anna@mastodon.social", "bob"]


def test_too_long_and_empty_block_approval() -> None:
    long = check_draft(
        "x" * 301, target="bluesky", allowed_domains=[], author_handle=None, facts=""
    )
    assert [f.code for f in blocking(long)] == ["too_long"]
    assert long[0].as_dict() == {"length": "301", "maximum": "300", "target": "bluesky"}
    assert [
        f.code
        for f in check_draft("  ", target="x", allowed_domains=[], author_handle=None, facts="")
    ] == ["empty"]


def test_claims_outside_the_facts_file_are_listed() -> None:
    found = codes("Morgen ist sie da, mit 50 % Rabatt und 3 Jahren Garantie.")
    (claims,) = [v for k, v in found.items() if k.startswith("claims:")]
    assert claims["claims"] == "50, 3, morgen, rabatt"


def test_links_to_an_allowed_domain_that_no_renderer_would_open_are_flagged() -> None:
    # The draft checks follow core.url_policy: an allowed host alone is not enough.
    keys = "\n".join(codes("Mehr: ftp://lumora.example/help"))
    assert "link:ftp://lumora.example/help|lumora.example" in keys
    hidden = "https://lumora.example/he\u202elp"
    assert "link:" + hidden in "\n".join(codes("Mehr: " + hidden))
    assert codes("Mehr: www.lumora.example/help") == {}
