"""The thresholds of the event finder and what it finds (core.analysis.events)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

EventKind = Literal["burst", "climb", "drop"]


@dataclass(frozen=True)
class EventConfig:
    """Thresholds of the event finder (hourly buckets), checked with
    `python -m bench.calibrate_events` on simulated talk (300 keys, three weeks, daily and
    weekly rhythm): pure Poisson gives 0 to 2 false events per 240 keys and week, and finds
    34 to 37 of about 44 planted rises (2× to 4× over 3 to 36 hours, at least 20 expected
    posts); and on the planted events of tests/fixtures/scenarios.
    """

    scales: tuple[int, ...] = (1, 3, 6, 12, 24, 48, 96)
    baseline_days: int = 7
    # Fewest earlier days that make a usual level (fewer: too little to say what is usual).
    min_days: int = 5
    # A window this far off starts a look; the whole event must then reach `z_min`, or
    # `z_short` when it lasts less than `short_hours` (short windows are the most numerous,
    # so chance finds more of them).
    seed_z: float = 3.5
    z_min: float = 3.5
    z_short: float = 4.0
    short_hours: int = 6
    z_drop: float = 4.0
    # A fall shorter than this is a quiet spell, not news.
    min_drop_hours: int = 6
    min_count: float = 10.0
    min_ratio: float = 2.0
    # The grown event must still hold this many times the usual (or 1/this of it).
    extend_ratio: float = 1.5
    # This many ordinary hours in a row end an event.
    split_hours: int = 12
    # A fall must miss at least this many usual mentions to be news.
    min_drop_usual: float = 30.0
    # … and the key must usually be busy: a usual this many mentions a day over the fall.
    # Read on the demo: questions naming coffee machines, 4 a day, "fell" to 1 a day over
    # ten days; on a key that quiet a fall is chance, not news.
    min_drop_day: float = 8.0
    # Seeds closer than this (hours) are one event.
    gap_hours: int = 3
    burst_hours: int = 6
    # Usual mentions an hour assumed for a key whose known history is all zero.
    prior_rate: float = 0.02

    def __post_init__(self) -> None:
        if not self.scales or min(self.scales) < 1:
            raise ValueError("scales must be positive hours")
        if self.min_ratio <= 1 or self.extend_ratio <= 1:
            raise ValueError("min_ratio and extend_ratio must exceed 1")


@dataclass(frozen=True)
class Episode:
    """One event of one key; indexes are hours from the start of the counts.

    `observed` and `usual` are totals over [start, end] (both included); `usual` comes from
    the days before `start`. `z` is the variance-stabilised difference of the totals
    (negative for drops; see `event_z`). `ongoing` when it reaches the last complete hour.
    """

    kind: EventKind
    start: int
    peak: int
    end: int
    observed: float
    usual: float
    z: float
    ongoing: bool
    # The usual mentions a day when it began (to tell a rare key from a busy one at night).
    usual_day: float = 0.0

    @property
    def ratio(self) -> float:
        return self.observed / self.usual if self.usual > 0 else math.inf

    @property
    def hours(self) -> int:
        return self.end - self.start + 1

    @property
    def score(self) -> float:
        """Significance weighted by the size of the change (as the detector ranks)."""
        return abs(self.z) * abs(math.log2((self.observed + 1.0) / (self.usual + 1.0)))
