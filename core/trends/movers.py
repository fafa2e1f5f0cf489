"""Rising and falling keys: a window's count against the period before it.

Two Poisson counts over equally long periods are compared conditionally: given n + p
mentions in both, the window's share is binomial(½) when nothing changed, so
z = (n − p) / √(n + p). A key moves when |z| clears the bar and the count changed by at
least half; ranking weighs significance by the size of the change, as the detector does.

The bar rises with the number of keys compared: among two thousand hashtags a few will
move by chance alone, so the bar keeps the chance of even one false mover in a brief at
about 5 % (a Bonferroni bound), and never below MIN_Z.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from statistics import NormalDist

from core.storage.windows import Totals

MIN_COUNT = 5
MIN_Z = 2.5
FAMILY_ERROR = 0.05
MIN_RATIO = 1.5
LIMIT = 5
KINDS = ("term", "tag", "topic")


@dataclass(frozen=True)
class Mover:
    """One key that rose or fell: its count now and before, and how sure the change is."""

    key: str
    n: int
    prev_n: int
    z: float

    @property
    def kind(self) -> str:
        return self.key.partition(":")[0]

    @property
    def change(self) -> float | None:
        """Relative change (0.5 = +50 %); None when there was nothing before."""
        return (self.n - self.prev_n) / self.prev_n if self.prev_n else None

    @property
    def score(self) -> float:
        return abs(self.z) * abs(math.log2((self.n + 1) / (self.prev_n + 1)))


def z_change(n: int, prev_n: int) -> float:
    """The conditional Poisson z of n against prev_n (0 when both are 0)."""
    total = n + prev_n
    return (n - prev_n) / math.sqrt(total) if total else 0.0


def bar(compared: int, min_z: float = MIN_Z) -> float:
    """The |z| a change must reach when `compared` keys are compared in both directions."""
    if compared <= 1:
        return min_z
    return max(min_z, NormalDist().inv_cdf(1 - FAMILY_ERROR / (2 * compared)))


def movers(
    totals: Mapping[str, Totals],
    *,
    kind: str,
    rising: bool,
    limit: int = LIMIT,
    min_count: int = MIN_COUNT,
    min_z: float = MIN_Z,
) -> list[Mover]:
    """The keys of one kind (`term`, `tag`, `topic`) that rose (or fell) most, best first."""
    mine = {k: t for k, t in totals.items() if k.startswith(f"{kind}:")}
    # Only keys busy enough in one of the periods could move: they are the ones compared.
    threshold = bar(sum(1 for t in mine.values() if max(t.n, t.prev_n) >= min_count), min_z)
    out = []
    for key, tot in mine.items():
        high, low = (tot.n, tot.prev_n) if rising else (tot.prev_n, tot.n)
        if high < min_count or high < MIN_RATIO * low:
            continue
        z = z_change(tot.n, tot.prev_n)
        if abs(z) < threshold:
            continue
        out.append(Mover(key, tot.n, tot.prev_n, z))
    out.sort(key=lambda m: (-m.score, -abs(m.z), m.key))
    return out[:limit]
