"""The clock-ahead run (`make pytest-ahead`) really moves the clock, here and in the bot
processes the tests start; the ordinary run does not.

The kernel's own idea of now is the time it stamps on a file it writes: the wall clock the
tests and the bot read must be that, or that plus HORCH_TEST_CLOCK_AHEAD_DAYS."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import time
from pathlib import Path

from tests.e2e.cli import bot_env

AHEAD = float(os.environ.get("HORCH_TEST_CLOCK_AHEAD_DAYS") or 0)
DAY = 86_400.0


def _kernel_now(tmp_path: Path) -> float:
    stamp = tmp_path / f"stamp-{time.monotonic_ns()}"
    stamp.write_bytes(b"")
    return stamp.stat().st_mtime


def test_the_wall_clock_reads_the_days_ahead(tmp_path: Path) -> None:
    shift = time.time() - _kernel_now(tmp_path)
    assert abs(shift - AHEAD * DAY) < 60, shift / DAY
    shifted = dt.datetime.now(dt.UTC).timestamp() - _kernel_now(tmp_path)
    assert abs(shifted - AHEAD * DAY) < 60


def test_a_bot_process_lives_in_the_same_time(tmp_path: Path) -> None:
    code = "import datetime as dt; print(dt.datetime.now(dt.UTC).timestamp())"
    out = subprocess.run(
        [sys.executable, "-c", code],
        env=bot_env("sqlite+aiosqlite:///unused.db"),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    assert abs(float(out.stdout) - time.time()) < 60
    assert abs(float(out.stdout) - _kernel_now(tmp_path) - AHEAD * DAY) < 60
