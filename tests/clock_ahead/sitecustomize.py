"""Moves the wall clock of every Python process of a test run ahead (`make pytest-ahead`).

With HORCH_TEST_CLOCK_AHEAD_DAYS set and this folder on PYTHONPATH, Python imports this
module at start-up (site.py's `sitecustomize`), before any test or bot module: the wall
clock — `time.time`, `datetime.now`, `date.today`, … — then reads that many days ahead and
runs on from there. The monotonic clocks that asyncio, aiohttp, aiosqlite and asyncpg use
for timeouts are untouched (time-machine patches the wall clock only), so the event loop,
threads and subprocess waits behave as usual; the database servers keep their own clocks,
and the bot never asks them for the time. Subprocesses that the tests start (`python -m bot
run`, imports) inherit the variable and this folder on PYTHONPATH (tests/e2e/cli.py), so
they live in the same shifted time as the test that talks to them.

A test that only passes on the day it was written fails here the day it is written.
"""

from __future__ import annotations

import datetime as _dt
import os as _os

_DAYS = _os.environ.get("HORCH_TEST_CLOCK_AHEAD_DAYS", "").strip()
if _DAYS:
    import time_machine as _time_machine

    _AHEAD = _dt.timedelta(days=float(_DAYS))
    _TRAVEL = _time_machine.travel(_dt.datetime.now(_dt.UTC) + _AHEAD, tick=True)
    _TRAVEL.start()
