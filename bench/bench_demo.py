"""Generating the demo stream (20,000 posts over 30 days, German and English) without a
database: median and p95 of whole runs, and posts per second.

    python -m bench.bench_demo [--repeat 5]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import time

from bench.common import machine, stats
from demo.generator import generate_demo

NOW = dt.datetime(2026, 12, 7, 9, 0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    samples: list[float] = []
    count = 0
    for _ in range(args.repeat):
        start = time.perf_counter()
        count = sum(1 for _ in generate_demo(NOW))
        samples.append(time.perf_counter() - start)
    result = stats(samples)
    result["posts"] = count
    result["posts_per_s_median"] = round(count / (result["median_ms"] / 1000))
    print(f"machine: {machine()}")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
