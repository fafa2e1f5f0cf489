"""mrkdwn escaping: hostile text shows as itself, never as a ping, a link or markup."""

from __future__ import annotations

import pytest

from bot.slack import escape

HOSTILE = [
    "<!channel>",
    "<!here|here>",
    "<!everyone>",
    "<@U0ADMIN>",
    "<!subteam^S0TEAM|@marketing>",
    "<#C0GENERAL>",
    "<https://evil.example|https://bank.example>",
    "<mailto:a@evil.example|support>",
    "&lt;!channel&gt;",
    "@here please",
    "@channel!",
    "@Everyone",
    "a\u202eb",  # right-to-left override: could make a link text read backwards
]


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_text_cannot_form_a_tag_or_a_broadcast(text: str) -> None:
    shown = escape.escape(text)
    assert "<" not in shown and ">" not in shown
    for word in ("@here", "@channel", "@everyone"):
        assert word not in shown.lower()
    assert "\u202e" not in shown


def test_escaping_is_exact_and_reversible() -> None:
    assert escape.escape("a & b < c > d") == "a &amp; b &lt; c &gt; d"
    assert escape.unescape(escape.escape("x &amp; <y>")) == "x &amp; <y>"


def test_fit_counts_escaped_length_and_marks_the_cut() -> None:
    text = "<&>" * 100
    cut = escape.fit(text, 75)
    assert len(cut) <= 75
    assert cut.endswith(escape.ELLIPSIS)
    assert "&am…" not in cut and not cut[:-1].endswith("&")  # never cuts an entity
    assert escape.fit("short", 75) == "short"


def test_split_keeps_every_piece_within_the_limit_and_loses_nothing() -> None:
    text = ("Lieferung <verspätet> & teuer. " * 300).strip()
    pieces = escape.split(text, 3000)
    assert len(pieces) > 1
    assert all(len(p) <= 3000 for p in pieces)
    joined = " ".join(escape.unescape(p) for p in pieces)
    assert joined.split() == text.split()


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "data:text/html,<script>",
        "ftp://files.example/x",
        "https://",
        "https://exa mple.com",
        "https://example.com/\nnext",
        "//example.com/x",
        "",
        None,
    ],
)
def test_unsafe_urls_make_no_link(url: str | None) -> None:
    assert escape.safe_url(url) is None
    assert escape.link(url, "<label>") == "&lt;label&gt;"


def test_a_safe_link_cannot_break_out_of_its_brackets() -> None:
    made = escape.link("https://news.example/a?b=1&c=<2>|x", "<!here> title")
    assert made == "<https://news.example/a?b=1&amp;c=%3C2%3E%7Cx|&lt;!here&gt; title>"
    assert escape.host("https://www.news.example/a") == "news.example"
    assert escape.host("javascript:alert(1)") is None
