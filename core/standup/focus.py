"""Two or three suggestions for today's focus, from what the standup found.

Each hint is a message key and its values; the handler words it in the channel's
language. The order is the priority: unblock work, clear the approval queue, look at a
turn in sentiment, answer a new trend, then the next planned item.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from core.standup.baseline import Volume
from core.standup.drafts import DraftsWaiting
from core.standup.signals import Signal

NEGATIVE_SHIFT = 0.10
MIN_FOR_SENTIMENT = 10
DRAFT_WAIT_HOURS = 4


@dataclass(frozen=True)
class Hint:
    key: str  # standup.focus.<key>
    values: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ItemRef:
    id: int
    title: str


def focus(
    *,
    volume: Volume,
    signals: list[Signal],
    drafts: DraftsWaiting | None,
    blocked: list[ItemRef],
    next_up: list[ItemRef],
    backlog_top: list[ItemRef],
    most: int = 3,
) -> list[Hint]:
    """The first `most` hints that apply; at least two when anything at all applies."""
    hints: list[Hint] = []
    if blocked:
        hints.append(Hint("unblock", {"id": str(blocked[0].id), "title": blocked[0].title}))
    if drafts and drafts.count and drafts.oldest is not None:
        hours = int(drafts.oldest.total_seconds() // 3600)
        if hours >= DRAFT_WAIT_HOURS or drafts.count >= 3:
            hints.append(Hint("drafts", {"count": str(drafts.count), "hours": str(hours)}))
    usual_neg = volume.usual_neg_share
    if (
        volume.n >= MIN_FOR_SENTIMENT
        and usual_neg is not None
        and volume.neg_share - usual_neg >= NEGATIVE_SHIFT
    ):
        hints.append(Hint("negative", {"share": f"{volume.neg_share:.0%}"}))
    if signals:
        hints.append(Hint(f"signal_{signals[0].kind}", {"topic": signals[0].topic}))
    for ref in next_up[:1]:
        hints.append(Hint("next_item", {"id": str(ref.id), "title": ref.title}))
    if len(hints) < 2:
        for ref in backlog_top[:1]:
            hints.append(Hint("backlog_top", {"id": str(ref.id), "title": ref.title}))
    if len(hints) < 2:
        hints.append(Hint("suggest"))
    return hints[:most]
