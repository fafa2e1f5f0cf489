"""Exporting 100,000 mentions with `mentions --export csv|xlsx` (`python -m bot chat --once`,
a child process, as users run it): seconds, file size and the child's peak memory.

Fills a fresh SQLite database with synthetic mentions (bench/common.py), runs the export in
a child and reads its peak RSS from wait4; the child's resident size after start-up alone
(`help`) is printed beside it, so the export's own share shows. Target: peak RSS under
300 MB. With --reimport the CSV is imported into an empty database (`python -m bot
import`, several minutes) and the count and the texts are compared.

    python -m bench.bench_export [--rows 100000] [--reimport] [--keep]
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import datetime as dt
import hashlib
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.bench_import import import_environment
from bench.bench_mentions import build_sqlite
from bench.common import machine

ROOT = Path(__file__).resolve().parent.parent
TARGET_MB = 300
csv.field_size_limit(4 * 1024 * 1024)


def run_child(args: list[str], db: Path, files: Path) -> tuple[float, int, float, str]:
    """A bot CLI child on `db`; returns seconds, exit code, peak RSS (MB), stdout."""
    env = import_environment(db) | {"HORCH_FILES_DIR": str(files), "COLUMNS": "200"}
    started = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot", *args],
        cwd=db.parent,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert proc.stdout is not None
    out = proc.stdout.read()
    _pid, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - started
    return seconds, os.waitstatus_to_exitcode(status), usage.ru_maxrss / 1024, out


def count_rows(path: Path) -> int:
    if path.suffix == ".xlsx":
        from openpyxl import load_workbook

        book = load_workbook(path, read_only=True)
        try:
            return sum(1 for _ in book.worksheets[0].iter_rows(values_only=True)) - 1
        finally:
            book.close()
    with path.open(encoding="utf-8", newline="") as fh:
        return sum(1 for _ in csv.reader(fh)) - 1


def text_digest(db: Path) -> tuple[int, int]:
    """(rows, an order-free digest of every text) of a database's mention table."""
    total, n = 0, 0
    with sqlite3.connect(db) as conn:
        for (text,) in conn.execute("SELECT text FROM mention"):
            digest = hashlib.blake2b(text.encode(), digest_size=8).digest()
            total = (total + int.from_bytes(digest, "big")) % (1 << 64)
            n += 1
    return n, total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--reimport", action="store_true", help="import the CSV back and compare")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="horch-export-"))
    results: dict[str, object] = {"rows": args.rows}
    try:
        from core import db as coredb

        db = tmp / "export.db"
        asyncio.run(coredb.upgrade(f"sqlite+aiosqlite:///{db}"))
        started = time.perf_counter()
        build_sqlite(db, args.rows, dt.datetime.now(dt.UTC).replace(tzinfo=None))
        print(f"machine: {machine()}")
        print(f"filled {args.rows:,} mentions in {time.perf_counter() - started:.0f} s")
        _, code, base_mb, _ = run_child(["chat", "--once", "help"], db, tmp / "files")
        print(f"the bot after start-up (help): peak RSS {base_mb:.0f} MB (exit {code})")
        results["startup_rss_mb"] = round(base_mb, 1)
        for fmt in ("csv", "xlsx"):
            line = f"mentions --export {fmt}"
            seconds, code, rss_mb, out = run_child(["chat", "--once", line], db, tmp / "files")
            (path,) = (tmp / "files").glob(f"*.{fmt}")
            rows = count_rows(path)
            size = path.stat().st_size / 2**20
            ok = "ok" if rss_mb < TARGET_MB and rows == args.rows and code == 0 else "MISSED"
            print(
                f"{line}: {rows:,} rows, {size:.1f} MiB in {seconds:.1f} s "
                f"({rows / seconds:,.0f} rows/s); peak RSS {rss_mb:.0f} MB "
                f"(target: < {TARGET_MB} MB) {ok}"
            )
            if code != 0:
                print(out[-2000:])
            results[fmt] = {
                "rows": rows,
                "mib": round(size, 1),
                "seconds": round(seconds, 1),
                "peak_rss_mb": round(rss_mb, 1),
                "exit": code,
            }
        if args.reimport:
            (path,) = (tmp / "files").glob("*.csv")
            empty = tmp / "back.db"
            asyncio.run(coredb.upgrade(f"sqlite+aiosqlite:///{empty}"))
            seconds, code, rss_mb, out = run_child(
                ["import", str(path), "--source", "back", "--no-progress"], empty, tmp / "files"
            )
            same = text_digest(db) == text_digest(empty)
            print(
                f"import back into an empty database: {out.strip()} in {seconds:.0f} s; "
                f"same count and texts: {same}"
            )
            results["reimport"] = {"seconds": round(seconds, 1), "same": same, "exit": code}
        print(json.dumps(results))
    finally:
        if args.keep:
            print(f"kept {tmp}")
        else:
            import shutil

            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
