"""Running `python -m bot …` as a subprocess, isolated from the developer's environment."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PASS_THROUGH = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")


CLOCK_AHEAD = ROOT / "tests" / "clock_ahead"


def bot_env(db_url: str, **extra: str) -> dict[str, str]:
    """A clean environment: only what the test sets (no .env: the cwd is a temp dir).

    In a run with the clock moved ahead (tests/clock_ahead), the bot moves with it."""
    env = {k: os.environ[k] for k in PASS_THROUGH if k in os.environ}
    path = str(ROOT)
    if os.environ.get("HORCH_TEST_CLOCK_AHEAD_DAYS"):
        env["HORCH_TEST_CLOCK_AHEAD_DAYS"] = os.environ["HORCH_TEST_CLOCK_AHEAD_DAYS"]
        path = os.pathsep.join([str(CLOCK_AHEAD), path])
    env.update(
        PYTHONPATH=path,
        DATABASE_URL=db_url,
        HORCH_SEED_DEMO="false",
        HORCH_LOG_LEVEL="WARNING",
        COLUMNS="120",
    )
    env.update(extra)
    return env


def run_bot(
    args: list[str], *, db_url: str, cwd: Path, timeout: float = 120, **extra: str
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=cwd,
        env=bot_env(db_url, **extra),
        capture_output=True,
        text=True,
        timeout=timeout,
    )
