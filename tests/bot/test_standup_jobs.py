"""The standup schedule with a controlled clock: one post a day at the channel's local
time on its weekdays, no post on weekends and holidays, both DST changes, restarts inside
and outside the grace time, a failed post retried, and two replicas posting once."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from sqlalchemy import select

from bot import scheduler as bot_scheduler
from bot import standup_jobs
from bot.console.notifier import ConsoleNotifier
from bot.services import close_services
from bot.standup_jobs import CLAIM_TTL, StandupJobs
from core.db import session_scope
from core.models import JobClaim
from core.reply import Reply
from core.storage import conversations
from tests.core.backlog.helpers import Clock, ask, make_services, migrated_db_url

pytestmark = pytest.mark.storage


@pytest.fixture
def db_url(backend: str, tmp_path: Path) -> Iterator[str]:
    """A migrated database (a copy of a migrated template on SQLite: faster)."""
    yield from migrated_db_url(backend, tmp_path)


EVERY_DAY = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


class RecordingNotifier:
    """A Notifier that records each post (and can fail the first few)."""

    def __init__(self, platform: str, posts: list[tuple[str, dt.datetime, Reply]], clock: Clock):
        self.platform = platform
        self.posts = posts
        self.clock = clock
        self.fail = 0

    async def post(
        self,
        *,
        channel_id: str,
        reply: Reply,
        thread_id: str | None = None,
        locale: str | None = None,
    ) -> str | None:
        if self.fail:
            self.fail -= 1
            raise ConnectionError("platform unavailable")
        self.posts.append((channel_id, self.clock(), reply))
        return f"ts-{len(self.posts)}"


@pytest.fixture
async def clock() -> Clock:
    return Clock(dt.datetime(2026, 12, 20, 12, 0))


@pytest.fixture
async def posts() -> list[tuple[str, dt.datetime, Reply]]:
    return []


@pytest.fixture
async def svc(db_url: str, clock: Clock, posts: list[Any]) -> AsyncIterator[Any]:
    services = await make_services(db_url, clock=clock, instance="replica-a")
    services.notifiers["slack"] = RecordingNotifier("slack", posts, clock)
    yield services
    await close_services(services)


async def subscribe(svc: Any, channel: str, **settings: Any) -> None:
    settings.setdefault("active_from", svc.clock().isoformat())
    async with session_scope(svc.sessions) as s:
        await conversations.set_subscription(
            session=s,
            platform="slack",
            channel_id=channel,
            kind="standup",
            enabled=True,
            now=svc.clock(),
            settings=settings,
        )


async def walk(
    jobs: list[StandupJobs], clock: Clock, until: dt.datetime, step: dt.timedelta
) -> list[Any]:
    """Tick every replica at each step until `until` (replicas tick concurrently)."""
    outcomes = []
    while clock.now < until:
        clock.now += step
        for got in await asyncio.gather(*(j.tick() for j in jobs)):
            outcomes += got
    return outcomes


def _posted(posts: list[Any], channel: str) -> list[dt.datetime]:
    return [at for ch, at, _ in posts if ch == channel]


async def test_one_post_a_day_on_workdays_not_on_weekends_or_holidays(
    svc: Any, clock: Clock, posts: list[Any]
) -> None:
    await subscribe(svc, "C1")  # workspace defaults: 09:30 Europe/Berlin, mon-fri
    jobs = StandupJobs(svc)
    # Sun 20 Dec to Mon 28 Dec 2026; 24 and 25 Dec are holidays in the workspace.
    await walk([jobs], clock, dt.datetime(2026, 12, 28, 12, 0), dt.timedelta(minutes=30))
    times = _posted(posts, "C1")
    # 09:30 CET = 08:30 UTC (30-minute steps land on it).
    assert times == [
        dt.datetime(2026, 12, 21, 8, 30),
        dt.datetime(2026, 12, 22, 8, 30),
        dt.datetime(2026, 12, 23, 8, 30),
        dt.datetime(2026, 12, 28, 8, 30),
    ]
    assert posts[0][2].title.startswith("Standup — 21.12.2026")  # the workspace speaks German
    async with svc.sessions() as s:
        claims = (
            (await s.execute(select(JobClaim).where(JobClaim.job == "standup:slack:C1")))
            .scalars()
            .all()
        )
    assert sorted((c.slot, c.status) for c in claims) == [
        ("2026-12-21", "done"),
        ("2026-12-22", "done"),
        ("2026-12-23", "done"),
        ("2026-12-28", "done"),
    ]


@pytest.mark.parametrize(
    "start,expected",
    [
        # Spring forward: Sun 29 Mar 2026, 02:00 CET → 03:00 CEST.
        (
            dt.datetime(2026, 3, 27, 22, 0),
            {
                "morning": [
                    dt.datetime(2026, 3, 28, 8, 30),
                    dt.datetime(2026, 3, 29, 7, 30),
                    dt.datetime(2026, 3, 30, 7, 30),
                ],
                # 02:30 does not exist on the 29th: posted at 03:00 CEST (01:00 UTC), once.
                "night": [
                    dt.datetime(2026, 3, 28, 1, 30),
                    dt.datetime(2026, 3, 29, 1, 0),
                    dt.datetime(2026, 3, 30, 0, 30),
                ],
            },
        ),
        # Fall back: Sun 25 Oct 2026, 03:00 CEST → 02:00 CET.
        (
            dt.datetime(2026, 10, 23, 22, 0),
            {
                "morning": [
                    dt.datetime(2026, 10, 24, 7, 30),
                    dt.datetime(2026, 10, 25, 8, 30),
                    dt.datetime(2026, 10, 26, 8, 30),
                ],
                # 02:30 happens twice on the 25th (00:30 and 01:30 UTC): posted once.
                "night": [
                    dt.datetime(2026, 10, 24, 0, 30),
                    dt.datetime(2026, 10, 25, 0, 30),
                    dt.datetime(2026, 10, 26, 1, 30),
                ],
            },
        ),
    ],
    ids=["march", "october"],
)
async def test_daylight_saving_neither_skips_nor_doubles(
    svc: Any,
    clock: Clock,
    posts: list[Any],
    start: dt.datetime,
    expected: dict[str, list[dt.datetime]],
) -> None:
    clock.set(start)
    await subscribe(svc, "morning", weekdays=EVERY_DAY)
    await subscribe(svc, "night", at="02:30", weekdays=EVERY_DAY)
    jobs = StandupJobs(svc)
    await walk([jobs], clock, start + dt.timedelta(hours=62), dt.timedelta(minutes=10))
    assert _posted(posts, "morning") == expected["morning"]
    assert _posted(posts, "night") == expected["night"]


async def test_restart_inside_the_grace_posts_once(
    svc: Any, clock: Clock, posts: list[Any]
) -> None:
    clock.set(dt.datetime(2026, 11, 23, 7, 0))  # Monday, before the standup
    await subscribe(svc, "C1")
    await StandupJobs(svc).tick()
    # The bot is down from 08:00 to 09:10 UTC; the standup was due at 08:30 UTC.
    clock.set(dt.datetime(2026, 11, 23, 9, 10))
    restarted = StandupJobs(svc)
    outcomes = await walk(
        [restarted], clock, dt.datetime(2026, 11, 23, 12, 0), dt.timedelta(minutes=1)
    )
    assert [o.result for o in outcomes] == ["posted"]
    assert _posted(posts, "C1") == [dt.datetime(2026, 11, 23, 9, 11)]


async def test_restart_after_the_grace_skips_and_logs_once(
    svc: Any, clock: Clock, posts: list[Any], caplog: pytest.LogCaptureFixture
) -> None:
    clock.set(dt.datetime(2026, 11, 23, 7, 0))
    await subscribe(svc, "C1")
    clock.set(dt.datetime(2026, 11, 23, 9, 45))  # 75 minutes late; the grace is 60
    caplog.set_level(logging.WARNING, logger="bot.standup_jobs")
    outcomes = await walk(
        [StandupJobs(svc), StandupJobs(svc, owner="replica-b")],
        clock,
        dt.datetime(2026, 11, 24, 9, 0),
        dt.timedelta(minutes=15),
    )
    assert [(o.slot, o.result) for o in outcomes] == [
        ("2026-11-23", "skipped"),
        ("2026-11-24", "posted"),
    ]
    assert _posted(posts, "C1") == [dt.datetime(2026, 11, 24, 8, 30)]
    skipped = [r for r in caplog.records if "skipped" in r.getMessage()]
    assert len(skipped) == 1 and "2026-11-23" in skipped[0].getMessage()


async def test_a_failed_post_is_retried_within_the_grace(
    svc: Any, clock: Clock, posts: list[Any]
) -> None:
    clock.set(dt.datetime(2026, 11, 23, 8, 0))
    await subscribe(svc, "C1")
    svc.notifiers["slack"].fail = 2
    outcomes = await walk(
        [StandupJobs(svc)], clock, dt.datetime(2026, 11, 23, 9, 30), dt.timedelta(minutes=1)
    )
    assert [o.result for o in outcomes] == ["failed", "failed", "posted"]
    # Each retry waits for the failed claim to expire (it must be older than its TTL).
    first_try = dt.datetime(2026, 11, 23, 8, 30)
    assert _posted(posts, "C1") == [first_try + 2 * (CLAIM_TTL + dt.timedelta(minutes=1))]


async def test_two_replicas_on_one_database_post_once(
    db_url: str, svc: Any, clock: Clock, posts: list[Any]
) -> None:
    other = await make_services(db_url, clock=clock, instance="replica-b")
    other.notifiers["slack"] = RecordingNotifier("slack", posts, clock)
    try:
        clock.set(dt.datetime(2026, 11, 22, 12, 0))
        await subscribe(svc, "C1")
        await subscribe(svc, "C2", at="10:00")
        a, b = StandupJobs(svc), StandupJobs(other)
        outcomes = await walk(
            [a, b], clock, dt.datetime(2026, 11, 25, 12, 0), dt.timedelta(minutes=30)
        )
        assert len(_posted(posts, "C1")) == 3 and len(_posted(posts, "C2")) == 3
        assert sorted(o.slot for o in outcomes if o.job == "standup:slack:C1") == [
            "2026-11-23",
            "2026-11-24",
            "2026-11-25",
        ]
        async with svc.sessions() as s:
            owners = {c.owner for c in (await s.execute(select(JobClaim))).scalars()}
        assert owners <= {"replica-a", "replica-b"}
    finally:
        await close_services(other)


async def test_setup_registers_the_tick_and_the_console_gets_its_standup(
    svc: Any, clock: Clock
) -> None:
    app = web.Application()
    bot_scheduler.setup(app, svc)
    standup_jobs.setup(app, svc)
    assert [j.name for j in svc.background.scheduler._jobs] == ["standup"]
    console = svc.notifiers["console"]
    assert isinstance(console, ConsoleNotifier)
    clock.set(dt.datetime(2026, 11, 23, 7, 0))
    reply = await ask(svc, "standup at 09:00")
    assert not reply.error
    jobs = svc.background.standups
    jobs.clock = clock
    await walk([jobs], clock, dt.datetime(2026, 11, 23, 8, 30), dt.timedelta(minutes=5))
    assert len(console.posted) == 1
    channel, text = console.posted[0]
    # The channel chose no language: the workspace's (German) is used.
    assert channel == "console" and "Standup — 23.11.2026" in text
