"""ICE scoring: Impact × Confidence × Ease, each 1–10, with the basis of each part kept.

Impact grows with volume and reach (logarithmically: the hundredth mention adds less than
the tenth), confidence with the amount of evidence and how consistent it is, ease comes
from the format (a reply thread is quick, a short video is not).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

# Formats a suggestion can propose, with their ease (1–10) and default story points.
EASE = {
    "reply_thread": 9,
    "faq_entry": 8,
    "linkedin_post": 7,
    "blog_article": 4,
    "short_video": 3,
}
POINTS = {
    "reply_thread": 1,
    "faq_entry": 2,
    "linkedin_post": 2,
    "blog_article": 5,
    "short_video": 8,
}
FORMATS = tuple(EASE)
DEFAULT_EASE = 5
DEFAULT_POINTS = 3
# Where a part reaches its maximum: 100 mentions, a reach of a million, 30 pieces of evidence.
FULL_VOLUME = 100
FULL_REACH = 1_000_000
FULL_AMOUNT = 30


def _log_share(value: float, full: float) -> float:
    if value <= 0:
        return 0.0
    return min(1.0, math.log10(1 + value) / math.log10(1 + full))


def _scale(share: float) -> int:
    """0..1 → 1..10."""
    return max(1, min(10, 1 + round(9 * share)))


def impact(volume: int, reach: int) -> int:
    """Impact from volume and reach, half each."""
    return _scale(0.5 * _log_share(volume, FULL_VOLUME) + 0.5 * _log_share(reach, FULL_REACH))


def confidence(amount: int, consistency: float) -> int:
    """Confidence from the amount of evidence and its consistency (0..1), half each."""
    consistency = max(0.0, min(1.0, consistency))
    return _scale(0.5 * _log_share(amount, FULL_AMOUNT) + 0.5 * consistency)


def ease(fmt: str) -> int:
    return EASE.get(fmt, DEFAULT_EASE)


def points(fmt: str) -> int:
    return POINTS.get(fmt, DEFAULT_POINTS)


@dataclass(frozen=True)
class Ice:
    """The three parts and what they were computed from (shown with the item)."""

    impact: int
    confidence: int
    ease: int
    volume: int = 0
    reach: int = 0
    amount: int = 0
    consistency: float = 0.0
    format: str = ""

    @property
    def score(self) -> int:
        return self.impact * self.confidence * self.ease

    def basis(self) -> dict[str, object]:
        return {
            "volume": self.volume,
            "reach": self.reach,
            "amount": self.amount,
            "consistency": round(self.consistency, 2),
            "format": self.format,
        }


def score(*, volume: int, reach: int, amount: int, consistency: float, fmt: str) -> Ice:
    """Score a suggestion from its evidence and format."""
    return Ice(
        impact=impact(volume, reach),
        confidence=confidence(amount, consistency),
        ease=ease(fmt),
        volume=volume,
        reach=reach,
        amount=amount,
        consistency=consistency,
        format=fmt,
    )
