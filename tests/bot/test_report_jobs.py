"""The weekly report with a controlled clock: Mondays at 09:00 in the channel's time zone,
not on holidays, once across two replicas, the PDF of the 7 days before attached; and the
`report weekly on|off` command in both languages."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from sqlalchemy import select

from bot import report_jobs
from bot import scheduler as bot_scheduler
from bot.report_jobs import ReportJobs
from bot.services import close_services
from core.db import session_scope
from core.models import JobClaim, Subscription
from core.storage import conversations
from tests.bot.test_standup_jobs import RecordingNotifier
from tests.core.backlog.helpers import Clock, ask, make_services, migrated_db_url

pytestmark = pytest.mark.storage


@pytest.fixture
def db_url(backend: str, tmp_path: Path) -> Iterator[str]:
    yield from migrated_db_url(backend, tmp_path)


@pytest.fixture
async def clock() -> Clock:
    return Clock(dt.datetime(2026, 12, 20, 12, 0))  # a Sunday


@pytest.fixture
async def posts() -> list[Any]:
    return []


@pytest.fixture
async def svc(db_url: str, clock: Clock, posts: list[Any], tmp_path: Path) -> AsyncIterator[Any]:
    services = await make_services(db_url, clock=clock, instance="replica-a")
    services.settings.files_dir = tmp_path / "files"
    services.notifiers["slack"] = RecordingNotifier("slack", posts, clock)
    yield services
    await close_services(services)


async def subscribe(svc: Any, channel: str, kind: str = "report", **settings: Any) -> None:
    settings.setdefault("active_from", svc.clock().isoformat())
    async with session_scope(svc.sessions) as s:
        await conversations.set_subscription(
            session=s,
            platform="slack",
            channel_id=channel,
            kind=kind,
            enabled=True,
            now=svc.clock(),
            settings=settings,
        )


async def walk(jobs: list[ReportJobs], clock: Clock, until: dt.datetime) -> list[Any]:
    outcomes = []
    while clock.now < until:
        clock.now += dt.timedelta(minutes=30)
        for got in await asyncio.gather(*(j.tick() for j in jobs)):
            outcomes += got
    return outcomes


async def test_mondays_at_nine_in_the_channels_zone_not_on_holidays(
    svc: Any, clock: Clock, posts: list[Any]
) -> None:
    svc.workspace.schedules.holidays.append(dt.date(2027, 1, 4))
    await subscribe(svc, "BERLIN")
    await subscribe(svc, "NEWYORK")
    # The channel's zone is the one its standup was set to.
    await subscribe(svc, "NEWYORK", kind="standup", zone="America/New_York")
    await walk([ReportJobs(svc)], clock, dt.datetime(2027, 1, 5, 0, 0))
    berlin = [at for ch, at, _ in posts if ch == "BERLIN"]
    newyork = [at for ch, at, _ in posts if ch == "NEWYORK"]
    # 09:00 CET = 08:00 UTC; 09:00 EST = 14:00 UTC; Mon 4 Jan 2027 is a holiday.
    assert berlin == [dt.datetime(2026, 12, 21, 8, 0), dt.datetime(2026, 12, 28, 8, 0)]
    assert newyork == [dt.datetime(2026, 12, 21, 14, 0), dt.datetime(2026, 12, 28, 14, 0)]
    reply = posts[0][2]
    (file,) = reply.files
    assert file.path is not None and file.path.read_bytes()[:5] == b"%PDF-"
    assert file.name.startswith("bericht-7d-20261221-0900")  # German workspace, local time
    assert reply.title.startswith("Bericht 14.12.2026 – 21.12.2026")


async def test_two_replicas_post_each_report_once(
    db_url: str, svc: Any, clock: Clock, posts: list[Any]
) -> None:
    other = await make_services(db_url, clock=clock, instance="replica-b")
    other.settings.files_dir = svc.settings.files_dir
    other.notifiers["slack"] = RecordingNotifier("slack", posts, clock)
    try:
        await subscribe(svc, "C1")
        a, b = ReportJobs(svc), ReportJobs(other)
        outcomes = await walk([a, b], clock, dt.datetime(2026, 12, 29, 0, 0))
        assert [at for _, at, _ in posts] == [
            dt.datetime(2026, 12, 21, 8, 0),
            dt.datetime(2026, 12, 28, 8, 0),
        ]
        assert sorted(o.slot for o in outcomes if o.result == "posted") == [
            "2026-12-21",
            "2026-12-28",
        ]
        async with svc.sessions() as s:
            rows = await s.execute(select(JobClaim).where(JobClaim.job == "report:slack:C1"))
            assert {(c.slot, c.status) for c in rows.scalars()} == {
                ("2026-12-21", "done"),
                ("2026-12-28", "done"),
            }
    finally:
        await close_services(other)


async def test_a_failed_post_is_tried_again_and_a_missed_monday_is_skipped(
    svc: Any, clock: Clock, posts: list[Any]
) -> None:
    await subscribe(svc, "C1")
    svc.notifiers["slack"].fail = 1
    outcomes = await walk([ReportJobs(svc)], clock, dt.datetime(2026, 12, 21, 12, 0))
    assert [o.result for o in outcomes] == ["failed", "posted"]
    assert len(posts) == 1
    # The bot is down all Monday morning: the report is not sent in the afternoon.
    clock.set(dt.datetime(2026, 12, 28, 14, 0))
    outcomes = await ReportJobs(svc).tick()
    assert [o.result for o in outcomes] == ["skipped"] and len(posts) == 1


@pytest.mark.parametrize(
    "locale,on,off",
    [
        ("en", "every Monday at 09:00 (Europe/Berlin)", "no longer gets the weekly report"),
        ("de", "jeden Montag um 09:00 (Europe/Berlin)", "bekommt den Wochenbericht nicht mehr"),
    ],
)
async def test_report_weekly_on_and_off(
    svc: Any, clock: Clock, locale: str, on: str, off: str
) -> None:
    reply = await ask(svc, "report weekly on", locale=locale)
    assert not reply.error and on in reply.plain_text()
    assert "21.12.2026 09:00" in reply.plain_text() or "2026-12-21 09:00" in reply.plain_text()
    async with svc.sessions() as s:
        (sub,) = (await s.execute(select(Subscription))).scalars().all()
    assert sub.kind == "report" and sub.enabled
    reply = await ask(svc, "report weekly off", locale=locale)
    assert off in reply.plain_text()
    async with svc.sessions() as s:
        (sub,) = (await s.execute(select(Subscription))).scalars().all()
    assert not sub.enabled


async def test_setup_registers_the_tick(svc: Any) -> None:
    app = web.Application()
    bot_scheduler.setup(app, svc)
    report_jobs.setup(app, svc)
    assert [j.name for j in svc.background.scheduler._jobs] == ["report"]
