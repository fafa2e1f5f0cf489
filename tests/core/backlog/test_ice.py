"""ICE scoring: bounded parts, monotone in the evidence, ease from the format."""

from __future__ import annotations

import pytest

from core.backlog import ice


def test_parts_stay_between_1_and_10() -> None:
    for volume, reach in ((0, 0), (1, 0), (10**6, 10**9)):
        assert 1 <= ice.impact(volume, reach) <= 10
    for amount, consistency in ((0, 0.0), (10**6, 1.0), (5, -3.0), (5, 7.0)):
        assert 1 <= ice.confidence(amount, consistency) <= 10
    assert ice.impact(0, 0) == 1 and ice.impact(10**6, 10**9) == 10


def test_impact_grows_with_volume_and_reach() -> None:
    assert ice.impact(5, 1000) < ice.impact(50, 1000) < ice.impact(500, 1000)
    assert ice.impact(20, 100) < ice.impact(20, 100_000)


def test_confidence_grows_with_amount_and_consistency() -> None:
    assert ice.confidence(3, 0.5) < ice.confidence(30, 0.5)
    assert ice.confidence(10, 0.1) < ice.confidence(10, 0.9)


@pytest.mark.parametrize(
    "fmt,ease", [("reply_thread", 9), ("faq_entry", 8), ("linkedin_post", 7), ("short_video", 3)]
)
def test_ease_comes_from_the_format(fmt: str, ease: int) -> None:
    assert ice.ease(fmt) == ease
    assert ice.ease("unknown") == ice.DEFAULT_EASE


def test_score_is_the_product_and_keeps_its_basis() -> None:
    s = ice.score(volume=24, reach=48_000, amount=24, consistency=0.75, fmt="linkedin_post")
    assert s.score == s.impact * s.confidence * s.ease
    assert s.basis() == {
        "volume": 24,
        "reach": 48_000,
        "amount": 24,
        "consistency": 0.75,
        "format": "linkedin_post",
    }
