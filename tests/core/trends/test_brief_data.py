"""The brief's figures from a real database: volume, sentiment, share of voice, movers, top
mentions, open questions without a draft, coverage, chart points; and what is emerging."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import select

from config.settings import Settings
from core.analysis.bursts import DetectorConfig
from core.db import session_scope
from core.models import Mention, SourceState
from core.models_drafts import Draft
from core.trends import emerging
from core.trends.brief import gather
from core.trends.period import parse_period
from tests.core.trends.helpers import NOW, Clock, make_services, raws, write_history

CURRENT = NOW.replace(minute=0)


@pytest.fixture
async def services(db_url: str) -> Any:
    svc = await make_services(db_url, Clock())
    yield svc
    from bot.services import close_services

    await close_services(svc)


async def seed(services: Any) -> None:
    earlier = CURRENT - dt.timedelta(hours=30)
    before = raws(
        ["Lumora Brew ist super"] * 10 + ["Kaffeeko ist toll"] * 10, start=earlier, prefix="p"
    )
    now = (
        raws(
            [f"Lumora Brew ist super ({i})" for i in range(20)],
            start=CURRENT - dt.timedelta(hours=5),
        )
        + raws(
            [f"Kaffeeko Lieferung kaputt ({i})" for i in range(8)],
            start=CURRENT - dt.timedelta(hours=3),
            prefix="k",
        )
        + raws(
            [f"Wann kommt die Lumora Lieferung? ({i})" for i in range(4)],
            start=CURRENT - dt.timedelta(hours=2),
            prefix="q",
            followers=1000,
        )
    )
    for i, raw in enumerate(before):
        raw.text = f"{raw.text} ({i})"
    # Listening began three days ago, so the day before the last is fully covered.
    first = raws(["Lumora ist da"], start=CURRENT - dt.timedelta(days=3), prefix="o")
    await services.pipeline.ingest(first + before + now)


async def test_the_figures_of_a_day(services: Any) -> None:
    await seed(services)
    async with services.sessions() as session:
        rows = (await session.execute(select(Mention))).scalars().all()
    ids = sorted(m.id for m in rows if "Wann kommt" in m.text)
    async with session_scope(services.sessions) as session:
        session.add(
            Draft(
                mention_id=ids[0],
                target="mastodon",
                text="Hallo",
                requested_by="x",
                requested_by_platform="console",
            )
        )
        session.add(
            SourceState(name="webhook", last_error="HTTP 500", error_count=1, last_error_at=NOW)
        )
    period = parse_period("24h", NOW)
    assert period is not None
    async with services.sessions() as session:
        f = await gather(
            session,
            period=period,
            workspace=services.workspace,
            settings=Settings.for_tests(),
            now=NOW,
        )
    assert (f.n, f.prev_n) == (32, 20)
    assert f.change == pytest.approx(0.6)
    assert (f.mix.neg, f.mix.pos, f.prev_mix.pos) == (8, 20, 20)
    assert f.voice is not None and f.voice.share == pytest.approx(24 / 32)  # 20 + 4 against 8
    kaffeeko = next(v for v in f.voices if v.competitor == "kaffeeko")
    assert (kaffeeko.ours, kaffeeko.theirs, kaffeeko.prev_theirs) == (24, 8, 10)
    assert [m.key for m in f.rising["term"]][:1] == ["term:lieferung"]
    assert f.names.of("term:lumora brew") == "Lumora Brew"
    # Top reach: the four questions (followers count into reach) come first.
    assert {m.id for m in f.top[:4]} == set(ids)
    # Open: questions and complaints without a draft (one of the four questions has one).
    assert sorted(m.id or 0 for m in f.open[:3]) == ids[1:]
    assert f.open_total == 8 + 4 - 1
    assert f.coverage.measured == ["test"]
    assert f.coverage.failed == [("webhook", "HTTP 500")]
    assert sum(p.n for p in f.points) == 32 and len(f.points) == 24


async def test_nothing_is_compared_before_listening_began(services: Any) -> None:
    await services.pipeline.ingest(
        raws(
            [f"Lumora Brew ist super ({i})" for i in range(10)],
            start=CURRENT - dt.timedelta(hours=30),
        )
        + raws(
            [f"Lumora Lieferung ({i})" for i in range(20)],
            start=CURRENT - dt.timedelta(hours=3),
            prefix="n",
        )
    )
    period = parse_period("24h", NOW)
    assert period is not None
    async with services.sessions() as session:
        f = await gather(
            session,
            period=period,
            workspace=services.workspace,
            settings=Settings.for_tests(),
            now=NOW,
        )
    assert not f.comparable and f.began == CURRENT - dt.timedelta(hours=30)
    assert (f.n, f.prev_n, f.change) == (20, 0, None)
    assert all(not group for group in f.rising.values())
    assert f.voice is not None and f.voice.shift is None


async def test_an_empty_window(services: Any) -> None:
    period = parse_period("7d", NOW)
    assert period is not None
    async with services.sessions() as session:
        f = await gather(
            session,
            period=period,
            workspace=services.workspace,
            settings=Settings.for_tests(),
            now=NOW,
        )
    assert (f.n, f.prev_n, f.change, f.top, f.open) == (0, 0, None, [], [])
    assert len(f.points) == 28  # 7 days in 6-hour steps


async def test_emerging_finds_burst_climb_and_drop(services: Any) -> None:
    days = 24 * 10
    await write_history(services, "term:entkalken", [2] * days, end=CURRENT)
    await write_history(services, "term:lieferung", [4] * (days - 5) + [10] * 5, end=CURRENT)
    await write_history(services, "term:kaffeeko", [12] * (days - 5) + [1] * 5, end=CURRENT)
    await write_history(services, "term:espresso", [3] * days, end=CURRENT)
    from tests.core.trends.helpers import add_count

    await add_count(services, "term:entkalken", CURRENT, 40)
    await add_count(services, "term:lieferung", CURRENT, 7)
    await add_count(services, "term:espresso", CURRENT, 2)
    async with services.sessions() as session:
        found = await emerging.scan(session, now=NOW, config=DetectorConfig())
    kinds = {m.signal.key: (m.signal.kind, m.span // dt.timedelta(hours=1)) for m in found}
    assert kinds == {
        "term:entkalken": ("burst", 1),
        "term:lieferung": ("climb", 6),
        "term:kaffeeko": ("drop", 6),
    }
    # Most significant first, by the z each one shows.
    shown = [abs(m.signal.z) for m in found]
    assert shown == sorted(shown, reverse=True)
