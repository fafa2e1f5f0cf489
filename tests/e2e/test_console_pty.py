"""The console as a person uses it, through a pseudo-terminal (pexpect): a numbered button
approves a draft, an apostrophe query answers, the history outlives the session, and two
Ctrl-C end it at once."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import re
import sys
import time
from pathlib import Path

import pexpect
import pytest

from core.clock import utcnow
from core.db import make_engine, make_sessionmaker
from core.pipeline import Pipeline
from core.raw import RawMention
from tests.e2e.cli import bot_env
from tests.fakes import RuleAnalyzer

pytestmark = pytest.mark.e2e
_NBSP = "\u00a0"  # buttons keep their words together with no-break spaces
_ESCAPES = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b[()][0-9A-Za-z]|\x1b[=>]|\r")
# Generous: the bound says "it exits by itself", not how fast (timings belong in bench/).
EXIT_BOUND = 15.0


class Terminal:
    """A `python -m bot chat` on a pseudo-terminal; `wait` reads the screen's text
    (escape sequences removed) until a pattern appears after the last one found."""

    def __init__(self, db_url: str, cwd: Path, history: Path) -> None:
        env = bot_env(
            db_url,
            HORCH_CONSOLE_HISTORY=str(history),
            PROMPT_TOOLKIT_NO_CPR="1",
            TERM="xterm",
            COLUMNS="160",
            LINES="50",
        )
        self.child = pexpect.spawn(
            sys.executable,
            ["-m", "bot", "chat", "--locale", "en"],
            cwd=str(cwd),
            env=env,
            encoding="utf-8",
            dimensions=(50, 160),
            timeout=5,
        )
        self.raw = ""
        self.seen = 0

    def wait(self, pattern: str, timeout: float = 90.0) -> re.Match[str]:
        deadline = time.monotonic() + timeout
        while True:
            text = _ESCAPES.sub("", self.raw).replace(_NBSP, " ")
            match = re.compile(pattern).search(text, self.seen)
            if match:
                self.seen = match.end()
                return match
            if time.monotonic() > deadline:
                raise AssertionError(f"{pattern!r} not shown; the screen:\n{text[-3000:]}")
            with contextlib.suppress(pexpect.TIMEOUT):
                self.raw += self.child.read_nonblocking(65536, timeout=0.5)

    def type(self, line: str) -> None:
        time.sleep(0.2)  # as a person would: after the prompt is drawn
        self.child.send(line + "\r")

    def closes_within(self, seconds: float) -> bool:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                self.raw += self.child.read_nonblocking(65536, timeout=0.2)
            except pexpect.TIMEOUT:
                pass
            except pexpect.EOF:
                self.child.wait()
                return True
        return False

    def close(self) -> None:
        if self.child.isalive():
            self.child.terminate(force=True)


def _seed(db_url: str) -> None:
    async def go() -> None:
        engine = make_engine(db_url)
        pipeline = Pipeline(make_sessionmaker(engine), clock=utcnow, analyzer=RuleAnalyzer())
        now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        await pipeline.ingest(
            [
                RawMention(
                    "demo-forum",
                    "1",
                    "Lumora's new Brew machine leaks water, what can I do?",
                    now - dt.timedelta(hours=3),
                    url="https://forum.example/t/1",
                    author="Tobias",
                )
            ]
        )
        await engine.dispose()

    asyncio.run(go())


def test_numbered_buttons_apostrophes_history_and_ctrl_c(db_url: str, tmp_path: Path) -> None:
    _seed(db_url)
    history = tmp_path / "var" / "console_history"
    term = Terminal(db_url, tmp_path, history)
    try:
        term.wait(r"type it \(3 or !3\) to click")
        term.wait(r"horch>")
        term.type("mentions Lumora's")
        term.wait(r"Lumora's new Brew machine leaks water")
        draft = term.wait(r"\[(\d+)\] Draft reply").group(1)
        term.type(draft)
        term.wait(r"Reply draft #1")
        approve = term.wait(r"\[(\d+)\] Approve").group(1)
        term.type(f"!{approve}")
        term.wait(r"approved by console")
        term.type("watch list")
        term.wait(r"Lumora Brew")
        # Ctrl-C drops the line being typed, a second one ends the session.
        time.sleep(0.3)
        term.child.send("watch add never-typed")
        time.sleep(0.3)
        term.child.sendcontrol("c")
        term.wait(r"Ctrl-C again \(or Ctrl-D\) quits")
        time.sleep(0.3)
        term.child.sendcontrol("c")
        assert term.closes_within(EXIT_BOUND), "the console did not exit after Ctrl-C twice"
        assert term.child.exitstatus == 0
    finally:
        term.close()
    lines = history.read_text(encoding="utf-8")
    assert "+mentions Lumora's" in lines and "+watch list" in lines
    assert "never-typed" not in lines

    # The next session recalls the last line with the up arrow.
    again = Terminal(db_url, tmp_path, history)
    try:
        again.wait(r"horch>")
        time.sleep(0.3)
        again.child.send("\x1b[A")  # ↑
        again.type("")
        again.wait(r"Watchlist")
        time.sleep(0.3)
        again.child.sendeof()  # Ctrl-D
        assert again.closes_within(EXIT_BOUND)
    finally:
        again.close()
