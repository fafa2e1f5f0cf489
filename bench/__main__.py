"""`make bench`: run every benchmark in bench/ and write BENCHMARKS.md with what they print.

Each benchmark prints its own figures (median and spread, with the target beside them);
this runner only runs them one after another, so they do not compete for the two cores,
and collects their output with the machine and the date.

The whole run is bounded (about 30 minutes on two cores): benchmarks whose own defaults take
longer than that (a 1,000,000-row import, a 10-minute soak) run with the smaller arguments
of RUN_ARGS, each section says which, and `--full` runs every benchmark with its own
defaults. A benchmark that outlives TIMEOUT_SECONDS is stopped and reported as such.

    python -m bench [--only NAME ...] [--out BENCHMARKS.md] [--full]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Arguments for `make bench` where a benchmark's defaults take many minutes on this machine
# (the full runs: `python -m bench.NAME` with no arguments, or `python -m bench --full`).
RUN_ARGS: dict[str, list[str]] = {
    "bench_import": ["--rows", "100000"],  # 1,000,000 rows: about 40 min at ~420 rows/s
    "bench_import_resume": ["--rows", "100000"],  # 1,000,000 rows with its reference: ~90 min
    "bench_soak": ["--minutes", "5"],  # 10 minutes plus seeding and settling
}
TIMEOUT_SECONDS = 15 * 60


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
    parser.add_argument("--full", action="store_true", help="every benchmark with its defaults")
    args = parser.parse_args()
    names = args.only or benchmarks()
    sections = []
    failed = 0
    began = time.perf_counter()
    for name in names:
        extra = [] if args.full else RUN_ARGS.get(name, [])
        shown = " ".join(["python -m", f"bench.{name}", *extra])
        print(f"== {shown}", flush=True)
        started = time.perf_counter()
        code, out, err = _run([sys.executable, "-m", f"bench.{name}", *extra])
        took = time.perf_counter() - started
        print(out, end="", flush=True)
        if code != 0:
            failed += 1
            print(err[-2000:], file=sys.stderr)
        status = {0: "ok", None: f"stopped after {TIMEOUT_SECONDS} s"}.get(
            code, f"failed (exit {code})"
        )
        body = out.strip() or err.strip()[-2000:]
        sections.append(f"## {name}\n\n`{shown}`: {status}, {took:.0f} s\n\n```text\n{body}\n```\n")
    header = (
        "# Benchmarks\n\n"
        f"Written by `make bench` on {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC.\n\n"
        f"Machine: {machine()}.\n\n"
        "Each section is what the benchmark printed: medians with their spread (p95/p99) and "
        "the target beside each figure. Timings are never asserted in tests.\n\n"
        f"The whole run took {(time.perf_counter() - began) / 60:.0f} minutes"
        + (
            ""
            if args.full
            else "; benchmarks marked with arguments ran shorter than their "
            "defaults (see each section's command)"
        )
        + ".\n\n"
    )
    args.out.write_text(header + "\n".join(sections), encoding="utf-8")
    print(f"wrote {args.out}")
    return 1 if failed else 0


def _run(argv: list[str]) -> tuple[int | None, str, str]:
    """Run a benchmark; (exit code or None when stopped at the timeout, stdout, stderr).

    In a session of its own: a stopped benchmark takes the processes it started with it."""
    proc = subprocess.Popen(
        argv,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        out, err = proc.communicate(timeout=TIMEOUT_SECONDS)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, err = proc.communicate()
        return None, out, err
    return proc.returncode, out, err


if __name__ == "__main__":
    sys.exit(main())
