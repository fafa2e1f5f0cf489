"""How often the event finder cries wolf, and how often it finds what was planted: the
figures quoted in core.analysis.event_config, on simulated hourly counts.

    python -m bench.calibrate_events [--seeds 1 2 3] [--day-noise 0.2]

300 keys over three weeks, rates from 0.05 to 50 an hour with a daily rhythm and quieter
weekends; the first 60 keys get one planted rise each (2×, 3× or 4× their level for 3, 12,
24 or 36 hours within the last week). "False" counts events in the other 240 keys. With
`--day-noise 0` the talk is pure Poisson (a false event is chance alone); above it, each
day of each key is scaled by a gamma factor with that coefficient of variation (such days
are real shifts in the simulated talk, and the finder is right to report the largest).
"""

from __future__ import annotations

import argparse

import numpy as np

from core.analysis.events import find_all

KEYS, PLANTED, DAYS = 300, 60, 21


def run(seed: int, day_noise: float) -> tuple[int, int, int, int]:
    """False events, planted events found, and of those with ≥ 20 expected posts: found, all."""
    rng = np.random.default_rng(seed)
    hours = DAYS * 24
    rates = np.exp(rng.uniform(np.log(0.05), np.log(50), KEYS))
    hour = np.arange(hours)
    daily = 1 + 0.6 * np.sin(2 * np.pi * ((hour % 24) - 9) / 24)
    weekly = np.where((hour // 24) % 7 >= 5, 0.8, 1.0)
    if day_noise > 0:
        shape = 1 / day_noise**2
        days = rng.gamma(shape, 1 / shape, size=(KEYS, DAYS))
    else:
        days = np.ones((KEYS, DAYS))
    lam = rates[:, None] * daily * weekly * np.repeat(days, 24, axis=1)
    counts = rng.poisson(lam).astype(float)
    planted = {}
    for k in range(PLANTED):
        ratio, length = (2, 3, 4)[k % 3], (3, 12, 24, 36)[k % 4]
        start = int(rng.integers(hours - 7 * 24, hours - length))
        counts[k, start : start + length] = rng.poisson(lam[k, start : start + length] * ratio)
        planted[k] = (start, length, float(lam[k, start : start + length].sum()) * ratio)
    found = find_all(counts, known_from=np.zeros(KEYS, dtype=np.int64), period_from=hours - 168)
    false = sum(len(v) for k, v in found.items() if k >= PLANTED)
    hit = {
        k
        for k in range(PLANTED)
        if any(
            e.kind != "drop" and e.start <= planted[k][0] + planted[k][1] and e.end >= planted[k][0]
            for e in found.get(k, [])
        )
    }
    sizable = {k for k in range(PLANTED) if planted[k][2] >= 20}
    return false, len(hit), len(hit & sizable), len(sizable)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--day-noise", type=float, default=0.0)
    args = parser.parse_args()
    for seed in args.seeds:
        false, hit, big_hit, big = run(seed, args.day_noise)
        print(
            f"seed {seed}, day noise {args.day_noise}: false events in "
            f"{KEYS - PLANTED} keys over a week: {false}; planted found: {hit}/{PLANTED}, "
            f"of those with ≥ 20 expected posts: {big_hit}/{big}"
        )


if __name__ == "__main__":
    main()
