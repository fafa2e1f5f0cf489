"""Rising keys from hourly counts: against earlier weeks, only where history exists."""

from __future__ import annotations

import datetime as dt

from core.backlog.rising import WEEKS, compare, rising
from core.models import HourlyCount

END = dt.datetime(2026, 11, 20, 12, 0)
START = END - dt.timedelta(days=7)


def _rows(key: str, per_day: dict[int, int], neg: int = 0) -> list[HourlyCount]:
    """per_day: days before END → count in that day's 14:00 bucket."""
    return [
        HourlyCount(
            bucket=END - dt.timedelta(days=d) + dt.timedelta(hours=2), key=key, n=n, neg=neg
        )
        for d, n in per_day.items()
    ]


def test_a_key_above_its_usual_rises_and_a_steady_one_does_not() -> None:
    steady = _rows("term:espresso", {d: 3 for d in range(1, 36)})
    burst = _rows("tag:#x", {1: 6, 2: 6, 3: 6, 10: 1, 17: 1})
    figures = compare(
        steady + burst, start=START, end=END, history_from=END - dt.timedelta(days=36)
    )
    assert figures["term:espresso"].usual == 21.0 and figures["term:espresso"].n == 21
    assert figures["tag:#x"].n == 18 and figures["tag:#x"].usual == 0.5
    assert [f.key for f in rising(figures)] == ["tag:#x"]
    assert figures["tag:#x"].blocks_active == 3 and figures["term:espresso"].consistency == 1.0


def test_without_history_nothing_is_called_rising() -> None:
    rows = _rows("tag:#new", {1: 10, 2: 10})
    figures = compare(rows, start=START, end=END, history_from=END - dt.timedelta(days=3))
    assert figures["tag:#new"].usual is None
    assert rising(figures) == []


def test_only_covered_weeks_make_the_usual() -> None:
    rows = _rows("term:a", {1: 4, 8: 2, 15: 2, 22: 100})
    # History starts 23 days ago: weeks 1 and 2 are covered, week 3 (with 100) is not.
    figures = compare(
        rows, start=START, end=END, shifts=WEEKS, history_from=END - dt.timedelta(days=23)
    )
    assert figures["term:a"].usual == 2.0
