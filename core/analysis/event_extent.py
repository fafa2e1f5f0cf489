"""How long an event lasted: the stretch around its strongest window whose hours are better
explained by the event's level than by the usual one (core.analysis.events)."""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

from core.analysis.event_baseline import smoothed
from core.analysis.event_config import EventConfig
from core.analysis.event_seeds import Seed

FloatArray = NDArray[np.float64]
# An event's own level is taken no further than this from the usual (a never-seen hashtag
# is "infinitely" above it; the segmentation needs a finite bar).
_MAX_OWN = 50.0
DAY_HOURS = 24


def extent(
    counts: FloatArray, usual: FloatArray, seed: Seed, config: EventConfig
) -> tuple[int, int]:
    """The hours of the event a seed found: the stretch around its strongest hour that is
    most likely at the event's level rather than the usual one (a maximum-sum segment of
    per-hour log-likelihood ratios).

    The event's level (`own`, a multiple of the usual) is measured around the strongest
    hour; each hour then scores how much better "own × usual" explains its count than the
    usual does. The stretch with the highest total that holds the strongest hour is the
    event: it begins and ends where the excess does, however wide the window that found
    it, and bridges an ordinary afternoon inside a week-long fall when the days around it
    outweigh it. Half a day at the usual level ends it regardless (two stories).
    """
    known = ~np.isnan(usual)
    base = np.where(known, usual, 0.0)
    # The strongest hour of the strongest window anchors the event, and that window gives
    # the event's own level (a multiple of the usual): the joined windows of all scales
    # reach far beyond a three-hour burst, and would water it down.
    lo, hi = seed.strongest
    excess = smoothed((counts - base)[None, :])[0] * seed.sign
    core = np.where(known, excess, -np.inf)[lo : hi + 1]
    anchor = lo + int(np.argmax(core))
    own = (float(counts[lo : hi + 1].sum()) + 0.5) / (float(base[lo : hi + 1].sum()) + 0.5)
    # Each hour scores its log-likelihood ratio of "at the event's level" against "at the
    # usual level" (up to a factor): count − bar × usual with bar = (own − 1) / ln(own).
    own = min(max(own, 1.0 / _MAX_OWN), _MAX_OWN)
    if abs(own - 1.0) < 1e-3:
        own = 1.0 + 1e-3 if seed.sign > 0 else 1.0 - 1e-3
    bar = (own - 1.0) / math.log(own)
    score = (counts - bar * base) * seed.sign
    # Unknown hours end an event: nothing is said about them.
    start, end = _best_around(np.where(known, score, -np.inf), anchor)
    # Half a day back at the usual level (or beyond it the other way) ends an event, however
    # strong what came before and after: two stories, not one.
    ordinary = (counts <= base) if seed.sign > 0 else (counts >= base)
    run = 0
    for h in range(anchor + 1, end + 1):
        run = run + 1 if ordinary[h] else 0
        if run >= config.split_hours:
            end = h - run
            break
    run = 0
    for h in range(anchor - 1, start - 1, -1):
        run = run + 1 if ordinary[h] else 0
        if run >= config.split_hours:
            start = h + run
            break
    # The last hours before now (a quiet night) hold little evidence either way: unless
    # they speak against it by more than a mention's worth, the event goes on until now.
    tail = slice(end + 1, counts.size)
    if (
        0 < counts.size - 1 - end <= DAY_HOURS
        and known[tail].all()
        and float(score[tail].sum()) >= -1.0
    ):
        end = counts.size - 1
    return start, end


def _best_around(score: FloatArray, anchor: int) -> tuple[int, int]:
    """[start, end] of the maximum-sum stretch of `score` that holds `anchor`."""
    left = np.cumsum(score[anchor::-1])  # sums of anchor, anchor−1 … back
    right = np.cumsum(score[anchor + 1 :])  # sums of anchor+1 … forward
    # On a tie the longer stretch: hours that neither add nor take away stay in.
    back = left.size - 1 - int(np.argmax(left[::-1])) if np.isfinite(left).any() else 0
    forward = 0
    if right.size and right.max() >= 0:
        forward = right.size - int(np.argmax(right[::-1]))
    return anchor - back, anchor + forward
