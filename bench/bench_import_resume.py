"""A 1,000,000-row import killed with SIGKILL halfway, then run again: exactly the file, once.

Writes the generated mentions (bench/generated.py) as CSV, starts `python -m bot import`
(a child process, SQLite), kills it with SIGKILL once `--kill-at` of the rows are stored,
and runs the same command again. Prints the rows stored before the kill, the time the
second run took (it skips what is stored: each row's id), and checks the result id by id
against a reference: the same file imported once without a kill into a database of its
own. Nothing lost — every id the reference stored is stored — and nothing doubled — no id
twice, no id the reference did not store, and the hourly counts adding up to the mentions.

(A count from the file alone cannot say this: the pipeline drops rows for their language
or an exclusion, and an id may come again in a row that is kept or dropped differently,
so "distinct ids less dropped rows" is off by those. `--no-reference` skips the reference
import, which doubles the time, and compares the counts only.)

    python -m bench.bench_import_resume [--rows 1000000] [--kill-at 0.5] [--no-reference]
"""

from __future__ import annotations

import argparse
import csv
import json
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from bench.bench_import import FIELDS, csv_row, import_command, import_environment
from bench.common import machine
from bench.generated import generated

SOURCE = "bench-resume"


@dataclass
class FileIds:
    """What the file holds: every id, and how many rows repeat an earlier one."""

    ids: set[str] = field(default_factory=set)
    repeats: int = 0


def write_csv(path: Path, rows: int) -> FileIds:
    """The generated mentions as CSV; returns the ids it holds."""
    seen = FileIds()
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(FIELDS)
        for rec in generated(rows):
            ident = f"{rec['source']}-{rec['id']}"
            seen.repeats += ident in seen.ids
            seen.ids.add(ident)
            writer.writerow(csv_row(rec))
    return seen


def command(path: Path) -> list[str]:
    return import_command(path, SOURCE)


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


def stored_ids(db: Path) -> set[str]:
    conn = sqlite3.connect(db, timeout=30)
    try:
        cur = conn.execute("SELECT external_id FROM mention WHERE source = ?", (SOURCE,))
        return {row[0] for row in cur}
    finally:
        conn.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--kill-at", type=float, default=0.5, help="fraction stored at the kill")
    parser.add_argument(
        "--no-reference",
        dest="reference",
        action="store_false",
        help="skip the uninterrupted reference import (compare counts only)",
    )
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="horch-resume-"))
    csv_path, db = tmp / "mentions.csv", tmp / "import.db"
    try:
        file = write_csv(csv_path, args.rows)
        print(f"machine: {machine()}")
        print(
            f"file: {args.rows:,} generated rows, {len(file.ids):,} distinct ids "
            f"({file.repeats:,} rows repeat an earlier id)"
        )
        reference: set[str] | None = None
        if args.reference:
            ref_db = tmp / "reference.db"
            started = time.perf_counter()
            ref = subprocess.run(
                command(csv_path),
                cwd=tmp,
                env=import_environment(ref_db),
                capture_output=True,
                text=True,
            )
            if ref.returncode != 0:
                print(ref.stderr[-2000:])
                return 1
            reference = stored_ids(ref_db)
            print(
                f"reference (no kill): {time.perf_counter() - started:.0f} s: "
                f"{ref.stdout.strip()}; {len(reference):,} ids stored"
            )
        env = import_environment(db)
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
        ids = stored_ids(db)
        foreign = ids - file.ids
        print(
            f"stored: {after[0]:,} mentions, {after[1]:,} distinct ids, hourly counts add up "
            f"to {after[2]:,}; {before[0]:,} before the kill + {totals['new']:,} new"
        )
        ok = after[0] == after[1] == after[2] == before[0] + totals["new"] and not foreign
        lost = extra = -1
        if reference is not None:
            lost, extra = len(reference - ids), len(ids - reference)
            ok = ok and lost == 0 and extra == 0
            print(f"  against the reference: {lost:,} ids lost, {extra:,} ids extra")
        print(f"  ids from outside the file: {len(foreign):,}")
        print(f"target: exactly the file, once: {'met' if ok else 'MISSED'}")
        print(
            json.dumps(
                {
                    "rows": args.rows,
                    "stored_at_kill": before[0],
                    "second_run_s": round(took, 1),
                    "stored": after[0],
                    "file_ids": len(file.ids),
                    "reference": len(reference) if reference is not None else None,
                    "lost": lost,
                    "extra": extra,
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
