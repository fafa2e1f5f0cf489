"""Lengths as each platform counts them."""

from __future__ import annotations

import pytest

from core.drafts.limits import (
    graphemes,
    length,
    limit_for,
    mastodon_length,
    target_of,
    x_length,
)

FAMILY = "\U0001f468\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466"  # one person sees one
FLAG_DE = "\U0001f1e9\U0001f1ea"
E_ACUTE_COMBINING = "e\u0301"


def fits(text: str, target: str) -> bool:
    """What the draft checks call too long (core.drafts.checks): over the platform's maximum."""
    return length(text, target) <= limit_for(target).maximum


def test_grapheme_clusters_count_what_people_see() -> None:
    assert graphemes(FAMILY) == 1 and len(FAMILY) == 7
    assert graphemes(FLAG_DE) == 1
    assert graphemes(E_ACUTE_COMBINING) == 1
    assert graphemes("Grüße 👋🏽") == 7


def test_bluesky_allows_300_graphemes_not_300_code_points() -> None:
    text = FAMILY * 300
    assert length(text, "bluesky") == 300 and fits(text, "bluesky")
    assert not fits(text + "!", "bluesky")


def test_mastodon_counts_links_as_23_and_remote_handles_short() -> None:
    url = "https://lumora.example/" + "a" * 200
    assert mastodon_length(url) == 23
    assert mastodon_length("@anna@mastodon.social hi") == len("@anna hi")
    assert length("x" * 500, "mastodon") == 500 and not fits("x" * 501, "mastodon")


def test_x_weighs_cjk_and_emoji_double_and_links_23() -> None:
    assert x_length("hello") == 5
    assert x_length("日本") == 4
    assert x_length("👍") == 2 and x_length(FAMILY) == 2
    assert x_length("see https://lumora.example/very/long/path/indeed") == 4 + 23
    assert fits("a" * 280, "x") and not fits("日" * 141, "x")


def test_linkedin_and_unknown_platforms() -> None:
    assert limit_for("linkedin").maximum == 3000
    assert limit_for("webhook").maximum == 3000


@pytest.mark.parametrize(
    "source_type,url,target",
    [
        ("mastodon", "https://mastodon.social/@a/1", "mastodon"),
        ("bluesky", None, "bluesky"),
        ("webhook", "https://www.linkedin.com/feed/update/urn:li:activity:1", "linkedin"),
        ("files", "https://x.com/a/status/1", "x"),
        ("rss", "https://blog.example/post", "rss"),
        ("webhook", "https://bsky.app/profile/a/post/3k", "bluesky"),
    ],
)
def test_target_platform(source_type: str, url: str | None, target: str) -> None:
    assert target_of(source_type, url) == target
