"""The one URL policy: what every renderer and the draft checks accept as a link."""

from __future__ import annotations

import pytest

from core.url_policy import MAX_URL, safe_host, safe_url


@pytest.mark.parametrize(
    "url",
    [
        "https://news.example/a?b=1",
        "http://news.example",
        "  https://news.example/x  ",
        "HTTPS://News.Example/Pfad?ä=1",
        "https://news.example/" + "a" * (MAX_URL - 21),
    ],
)
def test_plain_http_links_pass_without_surrounding_space(url: str) -> None:
    assert safe_url(url) == url.strip()


@pytest.mark.parametrize(
    "url",
    [
        None,
        "",
        "   ",
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        "data:text/html,<script>",
        "ftp://files.example/x",
        "file:///etc/passwd",
        "//example.com/x",
        "https://",
        "https:///nohost",
        "https://bank.example@evil.example/",
        "https://user:pw@evil.example/",
        "https://exa mple.com",
        "https://example.com/\nnext",
        "https://example.com/\x07",
        "https://example.com/\u200bx",
        "https://example.com/\u202etxt.exe",
        "https://[::1/x",
        "https://news.example/" + "a" * MAX_URL,
    ],
)
def test_everything_else_is_no_link(url: str | None) -> None:
    assert safe_url(url) is None
    assert safe_host(url) is None


def test_the_host_is_shown_without_www() -> None:
    assert safe_host("https://www.news.example/a") == "news.example"
    assert safe_host("https://News.Example") == "news.example"


def test_every_renderer_uses_the_one_policy() -> None:
    from bot.console import render as console
    from bot.slack import blocks, escape
    from bot.teams import elements
    from core.drafts import checks

    assert elements.safe_url is safe_url
    assert console.safe_url is safe_url
    assert checks.safe_url is safe_url
    assert blocks.safe_url is safe_url
    assert escape.host is safe_host
    # Slack only encodes what the policy let through for its `<url|label>` syntax.
    assert escape.safe_url("https://bank.example@evil.example/") is None
    assert escape.safe_url("https://a.example/?x=1&y=<2>|3") == (
        "https://a.example/?x=1&amp;y=%3C2%3E%7C3"
    )
