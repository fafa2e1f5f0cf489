"""Importing a 1,000,000-row CSV with `python -m bot import` (a child process, as users run it).

Generates the CSV in a temporary folder (the generated mentions of bench/generated.py),
imports it into a fresh SQLite database with the real analyzer, and prints rows/s and the
child's peak memory (its own getrusage, from wait4). Target: peak RSS under 500 MB.

    python -m bench.bench_import [--rows 1000000] [--keep]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.common import machine
from bench.generated import generated

ROOT = Path(__file__).resolve().parent.parent
FIELDS = ("id", "text", "url", "author", "published_at", "likes", "reposts", "replies")


def csv_row(rec: dict[str, Any]) -> list[Any]:
    """One generated mention as a row of FIELDS."""
    return [
        f"{rec['source']}-{rec['id']}",
        rec["text"],
        rec["url"],
        rec["author"],
        rec["published_at"].isoformat(),
        rec["likes"],
        rec["reposts"],
        rec["replies"],
    ]


def write_csv(path: Path, rows: int) -> int:
    """The generated mentions as CSV (streamed, never held in memory); returns its size."""
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(FIELDS)
        for rec in generated(rows):
            writer.writerow(csv_row(rec))
    return path.stat().st_size


def import_command(path: Path, source: str) -> list[str]:
    """`python -m bot import` as users run it, without the progress bar."""
    return [sys.executable, "-m", "bot", "import", str(path), "--source", source, "--no-progress"]


def import_environment(db: Path) -> dict[str, str]:
    """A bare environment for the import child: its own SQLite file, no demo, quiet logs."""
    env = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "TMPDIR")}
    return env | {
        "PYTHONPATH": str(ROOT),
        "DATABASE_URL": f"sqlite:///{db}",
        "HORCH_SEED_DEMO": "false",
        "HORCH_LOG_LEVEL": "WARNING",
    }


def run_import(path: Path, db: Path) -> tuple[float, int, int, str, str]:
    """Run the CLI import; returns seconds, exit code, peak RSS (KiB), stdout, stderr tail."""
    out_path, err_path = db.with_suffix(".out"), db.with_suffix(".err")
    with out_path.open("w") as out, err_path.open("w") as err:
        started = time.perf_counter()
        proc = subprocess.Popen(
            import_command(path, "bench-import"),
            cwd=db.parent,
            env=import_environment(db),
            stdout=out,
            stderr=err,
        )
        _pid, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - started
    code = os.waitstatus_to_exitcode(status)
    return seconds, code, usage.ru_maxrss, out_path.read_text(), err_path.read_text()[-2000:]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="horch-import-"))
    try:
        csv_path = tmp / "mentions.csv"
        started = time.perf_counter()
        size = write_csv(csv_path, args.rows)
        print(f"machine: {machine()}")
        print(
            f"wrote {args.rows:,} rows ({size / 2**20:.0f} MiB) in {time.perf_counter() - started:.0f} s"
        )
        seconds, code, rss_kib, stdout, stderr = run_import(csv_path, tmp / "import.db")
        rss_mb = rss_kib / 1024
        print(f"import exit {code}: {stdout.strip()}")
        if code != 0:
            print(stderr)
        print(
            f"import of {args.rows:,} rows: {seconds:.0f} s, {args.rows / seconds:,.0f} rows/s; "
            f"peak RSS of the child {rss_mb:.0f} MB (target: < 500 MB)"
        )
        print(
            json.dumps(
                {
                    "rows": args.rows,
                    "csv_mib": round(size / 2**20, 1),
                    "seconds": round(seconds, 1),
                    "rows_per_s": round(args.rows / seconds, 1),
                    "peak_rss_mb": round(rss_mb, 1),
                    "exit": code,
                }
            )
        )
    finally:
        if args.keep:
            print(f"kept {tmp}")
        else:
            import shutil

            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
