"""A 1,000,000-row import killed with SIGKILL halfway, then run again: exactly the file, once.

Writes the generated mentions (bench/generated.py) as CSV, starts `python -m bot import`
(a child process, SQLite), kills it with SIGKILL once `--kill-at` of the rows are stored,
and runs the same command again. Prints the rows stored before the kill, the time the
second run took (it skips what is stored: each row's id), and checks the result: the
stored mentions equal the file's distinct ids less what the pipeline drops (other
languages) — nothing lost — with no id twice and the hourly counts adding up to the
mentions — nothing doubled.

    python -m bench.bench_import_resume [--rows 1000000] [--kill-at 0.5]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.bench_import import FIELDS
from bench.common import machine
from bench.generated import generated

ROOT = Path(__file__).resolve().parent.parent
SOURCE = "bench-resume"


def write_csv(path: Path, rows: int) -> int:
    """The generated mentions as CSV; returns how many rows repeat an earlier id."""
    seen: set[str] = set()
    repeats = 0
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(FIELDS)
        for rec in generated(rows):
            ident = f"{rec['source']}-{rec['id']}"
            repeats += ident in seen
            seen.add(ident)
            writer.writerow(
                [
                    ident,
                    rec["text"],
                    rec["url"],
                    rec["author"],
                    rec["published_at"].isoformat(),
                    rec["likes"],
                    rec["reposts"],
                    rec["replies"],
                ]
            )
    return repeats


def command(path: Path) -> list[str]:
    return [sys.executable, "-m", "bot", "import", str(path), "--source", SOURCE, "--no-progress"]


def environment(db: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "TMPDIR")}
    return env | {
        "PYTHONPATH": str(ROOT),
        "DATABASE_URL": f"sqlite:///{db}",
        "HORCH_SEED_DEMO": "false",
        "HORCH_LOG_LEVEL": "WARNING",
    }


def stored(db: Path) -> tuple[int, int, int]:
    """Mentions of the source, distinct ids, and the sum of its hourly counts."""
    if not db.exists():
        return 0, 0, 0
    conn = sqlite3.connect(db, timeout=30)
    try:
        rows, ids = conn.execute(
            "SELECT count(*), count(DISTINCT external_id) FROM mention WHERE source = ?",
            (SOURCE,),
        ).fetchone()
        (counted,) = conn.execute(
            "SELECT coalesce(sum(n), 0) FROM hourly_count WHERE key = ?", (f"src:{SOURCE}",)
        ).fetchone()
    except sqlite3.OperationalError:  # the tables are not there yet
        return 0, 0, 0
    finally:
        conn.close()
    return int(rows), int(ids), int(counted)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--kill-at", type=float, default=0.5, help="fraction stored at the kill")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="horch-resume-"))
    csv_path, db = tmp / "mentions.csv", tmp / "import.db"
    try:
        repeats = write_csv(csv_path, args.rows)
        print(f"machine: {machine()}")
        print(f"file: {args.rows:,} generated rows ({repeats:,} repeat an earlier id)")
        env = environment(db)
        started = time.perf_counter()
        first = subprocess.Popen(
            command(csv_path), cwd=tmp, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        goal = int(args.rows * args.kill_at)
        while stored(db)[0] < goal and first.poll() is None:
            time.sleep(0.5)
        first.send_signal(signal.SIGKILL)
        first.wait()
        killed_after = time.perf_counter() - started
        before = stored(db)
        print(
            f"first run: SIGKILL after {killed_after:.0f} s with {before[0]:,} mentions stored "
            f"({before[0] / killed_after:,.0f} rows/s), exit {first.returncode}"
        )
        started = time.perf_counter()
        second = subprocess.run(command(csv_path), cwd=tmp, env=env, capture_output=True, text=True)
        took = time.perf_counter() - started
        print(f"second run: {took:.0f} s, exit {second.returncode}: {second.stdout.strip()}")
        if second.returncode != 0:
            print(second.stderr[-2000:])
            return 1
        after = stored(db)
        totals = _totals(second.stdout)
        expected = args.rows - repeats - totals["dropped"] - totals["invalid"]
        print(
            f"stored: {after[0]:,} mentions, {after[1]:,} distinct ids, hourly counts add up "
            f"to {after[2]:,}; expected {expected:,} (the file's distinct ids less "
            f"{totals['dropped']:,} dropped and {totals['invalid']:,} invalid rows)"
        )
        ok = after[0] == after[1] == after[2] == expected == before[0] + totals["new"]
        print(f"target: exactly the file, once: {'met' if ok else 'MISSED'}")
        print(
            json.dumps(
                {
                    "rows": args.rows,
                    "stored_at_kill": before[0],
                    "second_run_s": round(took, 1),
                    "stored": after[0],
                    "expected": expected,
                    "exact": ok,
                }
            )
        )
        return 0 if ok else 1
    finally:
        import shutil

        shutil.rmtree(tmp, ignore_errors=True)


def _totals(line: str) -> dict[str, int]:
    """The counts of the import's summary line: `NAME: 5 read, 3 new, 1 duplicates, …`."""
    out: dict[str, int] = {}
    for part in line.split(":", 1)[-1].split(","):
        words = part.split()
        if len(words) == 2 and words[0].isdigit():
            out[words[1]] = int(words[0])
    return out


if __name__ == "__main__":
    sys.exit(main())
