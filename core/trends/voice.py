"""Share of voice: how much of the talk about us and a competitor is about us."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from core.storage.windows import Totals


@dataclass(frozen=True)
class VoiceShare:
    """Our mentions against one competitor's (or all competitors', `competitor` None)."""

    competitor: str | None
    ours: int
    theirs: int
    prev_ours: int
    prev_theirs: int

    @property
    def share(self) -> float | None:
        total = self.ours + self.theirs
        return self.ours / total if total else None

    @property
    def prev_share(self) -> float | None:
        total = self.prev_ours + self.prev_theirs
        return self.prev_ours / total if total else None

    @property
    def shift(self) -> float | None:
        """Change of our share in points (0.05 = five points more)."""
        if self.share is None or self.prev_share is None:
            return None
        return self.share - self.prev_share


def _sum(totals: Mapping[str, Totals], names: Sequence[str]) -> tuple[int, int]:
    rows = [totals[f"term:{n}"] for n in names if f"term:{n}" in totals]
    return sum(r.n for r in rows), sum(r.prev_n for r in rows)


def shares(
    totals: Mapping[str, Totals], *, ours: Sequence[str], competitors: Sequence[str]
) -> tuple[VoiceShare | None, list[VoiceShare]]:
    """Our share against all competitors together, and against each one (largest first).

    None and [] when the watchlist names no competitor.
    """
    if not competitors:
        return None, []
    own, prev_own = _sum(totals, ours)
    each = []
    for name in competitors:
        theirs, prev_theirs = _sum(totals, [name])
        each.append(VoiceShare(name, own, theirs, prev_own, prev_theirs))
    each.sort(key=lambda v: (-v.theirs, v.competitor or ""))
    overall = VoiceShare(
        None,
        own,
        sum(v.theirs for v in each),
        prev_own,
        sum(v.prev_theirs for v in each),
    )
    return overall, each
