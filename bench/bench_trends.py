"""Benchmark of the trend detector on synthetic hourly counts.

Run: `.venv/bin/python -m bench.bench_trends [--keys 1000] [--days 30]`. Prints the time of
one `detect_latest` call (median, p95; what the bot pays as mentions arrive), of
`detect_series` over a whole `--days`-long hourly series for every key, and of the event
finder (`find_all`) over all keys at once.
"""

from __future__ import annotations

import argparse
import time
from datetime import datetime, timedelta

import numpy as np

from core.analysis.bursts import DetectorConfig, detect_latest, detect_series
from core.analysis.events import find_all


def synthetic_counts(keys: int, hours: int, seed: int = 7) -> np.ndarray:
    """Poisson counts with a daily cycle; rates from 0.05 to 200 an hour; a few bursts."""
    rng = np.random.default_rng(seed)
    rates = np.exp(rng.uniform(np.log(0.05), np.log(200.0), size=keys))
    hour = np.arange(hours)
    daily = 1.0 + 0.6 * np.sin(2 * np.pi * (hour % 24) / 24)
    lam = rates[:, None] * daily[None, :]
    bursting = rng.random(keys) < 0.1
    lam[bursting, -3:] *= 8.0
    return rng.poisson(lam).astype(np.float64)


def _micros(times: list[float], quantile: float) -> str:
    ordered = sorted(times)
    return f"{ordered[round(quantile * (len(ordered) - 1))] * 1e6:.0f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keys", type=int, default=1000)
    parser.add_argument("--days", type=int, default=30)
    args = parser.parse_args()

    config = DetectorConfig(bucket=timedelta(hours=1))
    hours = args.days * 24
    counts = synthetic_counts(args.keys, hours)
    start = datetime(2024, 1, 1)
    now = start + timedelta(hours=hours - 1, minutes=20)  # the last hour is a third full
    histories = [row.tolist() for row in counts]

    calls: list[float] = []
    cpu_calls: list[float] = []
    alerts = 0
    for key, history in enumerate(histories):
        began, began_cpu = time.perf_counter(), time.process_time()
        signal = detect_latest(history, start, key=f"k{key}", config=config, now=now)
        calls.append(time.perf_counter() - began)
        cpu_calls.append(time.process_time() - began_cpu)
        alerts += signal is not None
    print(
        f"detect_latest ({hours} hourly buckets of history): "
        f"median {_micros(calls, 0.5)} µs, p95 {_micros(calls, 0.95)} µs per call "
        f"(CPU: median {_micros(cpu_calls, 0.5)} µs, p95 {_micros(cpu_calls, 0.95)} µs); "
        f"{alerts} of {args.keys} keys alerting"
    )

    stamps = [start + timedelta(hours=h) for h in range(hours)]
    began, began_cpu = time.perf_counter(), time.process_time()
    signals = 0
    for key, history in enumerate(histories):
        signals += len(detect_series(stamps, history, key=f"k{key}", config=config))
    elapsed, cpu = time.perf_counter() - began, time.process_time() - began_cpu
    # CPU time too: on a shared machine the wall clock also counts other processes.
    print(
        f"detect_series ({args.days} days hourly, {args.keys} keys): {elapsed:.2f} s total "
        f"({cpu:.2f} s CPU), {elapsed / args.keys * 1e3:.2f} ms per key; "
        f"{signals} alerting buckets"
    )

    # The event finder over the same history, every key at once (what a brief 7d runs).
    began, began_cpu = time.perf_counter(), time.process_time()
    found = find_all(
        counts, known_from=np.zeros(args.keys, dtype=np.int64), period_from=hours - 7 * 24
    )
    elapsed, cpu = time.perf_counter() - began, time.process_time() - began_cpu
    print(
        f"find_all ({args.days} days hourly, {args.keys} keys, events of the last 7 days): "
        f"{elapsed * 1e3:.0f} ms ({cpu * 1e3:.0f} ms CPU); "
        f"{sum(len(v) for v in found.values())} events in {len(found)} keys"
    )


if __name__ == "__main__":
    main()
