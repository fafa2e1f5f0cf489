"""`make bench`: run every benchmark in bench/ and write BENCHMARKS.md with what they print.

Each benchmark prints its own figures (median and spread, with the target beside them);
this runner only runs them one after another, so they do not compete for the two cores,
and collects their output with the machine and the date.

    python -m bench [--only NAME ...] [--out BENCHMARKS.md]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def benchmarks() -> list[str]:
    return sorted(p.stem for p in (ROOT / "bench").glob("bench_*.py"))


def machine() -> str:
    cpus = os.cpu_count()
    mem = ""
    try:
        with open("/proc/meminfo", encoding="utf-8") as fh:
            total_kb = int(fh.readline().split()[1])
        mem = f", {total_kb / 1024 / 1024:.0f} GiB"
    except OSError:
        pass
    return f"{platform.machine()}, {cpus} cores{mem}, {platform.system()} {platform.release()}, Python {platform.python_version()}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--only", nargs="*", help="run only these benchmarks (e.g. bench_mentions)")
    parser.add_argument("--out", type=Path, default=ROOT / "BENCHMARKS.md")
    args = parser.parse_args()
    names = args.only or benchmarks()
    sections = []
    failed = 0
    for name in names:
        print(f"== {name}", flush=True)
        started = time.perf_counter()
        proc = subprocess.run(
            [sys.executable, "-m", f"bench.{name}"], cwd=ROOT, capture_output=True, text=True
        )
        took = time.perf_counter() - started
        print(proc.stdout, end="", flush=True)
        if proc.returncode != 0:
            failed += 1
            print(proc.stderr[-2000:], file=sys.stderr)
        status = "ok" if proc.returncode == 0 else f"failed (exit {proc.returncode})"
        body = proc.stdout.strip() or proc.stderr.strip()[-2000:]
        sections.append(f"## {name}\n\n{status}, {took:.0f} s\n\n```text\n{body}\n```\n")
    header = (
        "# Benchmarks\n\n"
        f"Written by `make bench` on {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC.\n\n"
        f"Machine: {machine()}.\n\n"
        "Each section is what the benchmark printed: medians with their spread (p95/p99) and "
        "the target beside each figure. Timings are never asserted in tests.\n\n"
    )
    args.out.write_text(header + "\n".join(sections), encoding="utf-8")
    print(f"wrote {args.out}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
