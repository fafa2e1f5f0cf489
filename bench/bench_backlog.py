"""The backlog and the standup on the 20,000-mention demo stream (30 days, SQLite; the
keyword analyzer of the tests labels sentiment and intent).

- suggest: `backlog suggest`'s rules over the data (trends, questions, complaints,
  competitors): median and p95.
- standup: gathering one standup (last 24 hours against the same hours of 4 weeks).
- sprint status: the burndown data, risks and the PNG chart of a 10-item sprint.
- tick: one standup tick with 50 subscribed channels, when nothing is due (the cost every
  30 seconds) and when all 50 are due (claim, gather, post to an in-process notifier).

    python -m bench.bench_backlog [--repeat 10]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import logging
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.common import machine, stats, time_async
from config.settings import Settings
from core import db as coredb
from core.reply import Reply

NOW = dt.datetime(2026, 11, 20, 12, 0)


class NullNotifier:
    platform = "slack"

    def __init__(self) -> None:
        self.posts = 0

    async def post(self, *, channel_id: str, reply: Reply, **_: Any) -> str | None:
        self.posts += 1
        return None


def line(name: str, samples: list[float]) -> str:
    s = stats(samples)
    return f"{name:<34} median {s['median_ms']:8.1f} ms   p95 {s['p95_ms']:8.1f} ms   (n={s['n']})"


async def main(repeat: int) -> None:
    from bot.services import build_services, close_services
    from bot.standup_jobs import StandupJobs
    from core.backlog.suggest import suggest
    from core.db import session_scope
    from core.standup.report import build
    from core.storage import conversations
    from demo import seed_demo
    from handlers.dispatch import dispatch
    from tests.core.backlog.helpers import console
    from tests.fakes import RuleAnalyzer

    folder = Path(tempfile.mkdtemp(prefix="bench-backlog-"))
    url = f"sqlite+aiosqlite:///{folder / 'bench.db'}"
    await coredb.upgrade(url)
    # The keyword analyzer: these figures are about the backlog, not the sentiment model.
    services = await build_services(Settings.for_tests(database_url=url), analyzer=RuleAnalyzer())
    clock = {"now": NOW}
    services.clock = lambda: clock["now"]
    started = time.perf_counter()
    stored = await seed_demo(services.pipeline, now=NOW)
    print(f"machine: {machine()}")
    print(f"demo stream: {stored} mentions stored in {time.perf_counter() - started:.1f} s")

    async def run_suggest() -> None:
        async with services.sessions() as session:
            await suggest(session, now=NOW, locale="de", brand="Lumora")

    async with services.sessions() as session:
        found = await suggest(session, now=NOW, locale="de", brand="Lumora")
    print(f"suggestions: {len(found.new)} ({', '.join(sorted({s.kind for s in found.new}))})")
    print(line("backlog suggest (rules)", await time_async(run_suggest, repeat)))

    async def run_standup() -> None:
        async with services.sessions() as session:
            await build(session, since=NOW - dt.timedelta(hours=24), now=NOW)

    print(line("standup (gather, 24 h)", await time_async(run_standup, repeat)))

    registry = services.registry
    await dispatch(registry, services, console("backlog suggest", locale="de"))
    for n in range(8):
        await dispatch(registry, services, console(f"backlog add Item{n} --points 1"))
    await dispatch(registry, services, console("sprint plan --capacity 40"))
    clock["now"] = NOW + dt.timedelta(days=5)

    async def run_status() -> None:
        reply = await dispatch(registry, services, console("sprint status"))
        assert reply.images, reply.plain_text()

    print(line("sprint status (incl. PNG chart)", await time_async(run_status, repeat)))

    notifier = NullNotifier()
    services.notifiers["slack"] = notifier
    async with session_scope(services.sessions) as session:
        for i in range(50):
            await conversations.set_subscription(
                session=session,
                platform="slack",
                channel_id=f"C{i:03d}",
                kind="standup",
                enabled=True,
                now=dt.datetime(2026, 11, 1),
                settings={"active_from": "2026-11-01T00:00:00"},
            )
    # Monday 23 Nov 2026, 06:00 UTC: nothing due yet (07:00 in Berlin).
    clock["now"] = dt.datetime(2026, 11, 23, 6, 0)
    jobs = StandupJobs(services, clock=lambda: clock["now"])
    print(line("tick, 50 channels, none due", await time_async(jobs.tick, repeat)))
    samples = []
    for day in range(min(repeat, 5)):
        clock["now"] = dt.datetime(2026, 11, 23 + day, 8, 31)
        begin = time.perf_counter()
        await jobs.tick()
        samples.append(time.perf_counter() - begin)
    print(line("tick, 50 channels all due", samples))
    print(f"standups posted: {notifier.posts} (one per channel and day)")
    await close_services(services)


if __name__ == "__main__":
    logging.disable(logging.WARNING)  # the first tick skips last week's standups, loudly
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=10)
    asyncio.run(main(parser.parse_args().repeat))
