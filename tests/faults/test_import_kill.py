"""`python -m bot import` killed with SIGKILL mid-file, then started again: exactly N rows.

Each batch of the import is one transaction (mentions and their hourly counts together),
and each row's id makes a repeat skip what is stored. So a kill loses at most the batch in
flight, and the second run stores exactly the rest. The 1,000,000-row version of this is
bench/bench_import_resume.py; here the file is smaller and the kill comes early.
"""

from __future__ import annotations

import asyncio
import csv
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import text

from core.db import make_engine
from tests.e2e.cli import bot_env, run_bot

pytestmark = [pytest.mark.slow]
ROWS = 6_000  # three batches of the importer (BATCH = 2000)
TEXTS = 10  # few distinct texts: reposts reuse their original's analysis, the import is quick


def write_csv(path: Path, rows: int) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(["id", "text", "author", "published_at"])
        for i in range(rows):
            out.writerow(
                [
                    f"row-{i}",
                    f"Lumora Brew, Variante {i % TEXTS}: macht heute wieder guten Kaffee",
                    f"author{i % 97}",
                    f"2026-11-{1 + i % 25:02d}T{i % 24:02d}:{i % 60:02d}:00Z",
                ]
            )


async def _counts(db_url: str) -> tuple[int, int, int]:
    """Rows, distinct ids, and the hourly counts of the source."""
    engine = make_engine(db_url)
    try:
        async with engine.connect() as conn:
            rows, ids = (
                await conn.execute(
                    text(
                        "SELECT count(*), count(DISTINCT external_id) FROM mention "
                        "WHERE source = 'bulk'"
                    )
                )
            ).one()
            counted = (
                await conn.execute(
                    text("SELECT coalesce(sum(n), 0) FROM hourly_count WHERE key = 'src:bulk'")
                )
            ).scalar()
    finally:
        await engine.dispose()
    return int(rows), int(ids), int(counted or 0)


def test_an_import_killed_mid_file_resumes_without_duplicates(db_url: str, tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    write_csv(path, ROWS)
    args = [sys.executable, "-m", "bot", "import", str(path), "--source", "bulk", "--no-progress"]
    proc = subprocess.Popen(
        args, cwd=tmp_path, env=bot_env(db_url), stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    try:
        deadline = time.monotonic() + 90
        while asyncio.run(_counts(db_url))[0] < 2000:  # the first batch is committed
            assert proc.poll() is None, proc.communicate()[1][-2000:]
            assert time.monotonic() < deadline, "the import stored nothing in time"
            time.sleep(0.05)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == -signal.SIGKILL
    stored, ids, counted = asyncio.run(_counts(db_url))
    assert 2000 <= stored < ROWS, "killed mid-file"
    assert stored == ids == counted  # the batches in the database are whole

    again = run_bot(
        ["import", str(path), "--source", "bulk", "--no-progress"], db_url=db_url, cwd=tmp_path
    )
    assert again.returncode == 0, again.stderr[-2000:]
    assert again.stdout.strip() == (
        f"bulk: {ROWS} read, {ROWS - stored} new, {stored} duplicates, 0 dropped, 0 invalid"
    )
    assert asyncio.run(_counts(db_url)) == (ROWS, ROWS, ROWS)
