"""The alert engine on a real database: cold start, burst, slow climb, drop, repeats, replicas,
sensitivity per channel, and delivery (retries, one channel failing)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlmodel import col

from bot.alert_jobs import engine_for
from core.alerts.engine import AlertEngine
from core.db import session_scope
from core.models_alerts import Alert, AlertDelivery
from core.storage import conversations
from tests.core.trends.helpers import (
    HOUR,
    NOW,
    Clock,
    Recorder,
    add_count,
    make_services,
    raws,
    write_history,
)

DAYS = 10
CURRENT = NOW.replace(minute=0)


@pytest.fixture
async def env(db_url: str) -> Any:
    clock = Clock()
    services = await make_services(db_url, clock)
    recorder = Recorder()
    services.notifiers["console"] = recorder
    engine = engine_for(services)
    yield services, engine, recorder, clock
    await engine.drain()
    from bot.services import close_services

    await close_services(services)


async def subscribe(services: Any, channel: str = "console", level: str | None = None) -> None:
    async with session_scope(services.sessions) as session:
        await conversations.set_subscription(
            session=session,
            platform="console",
            channel_id=channel,
            kind="alerts",
            enabled=True,
            now=NOW,
            settings={"sensitivity": level} if level else None,
        )
    engine = services.background.alerts
    if engine is not None:
        engine.forget_targets()


async def alerts(services: Any) -> list[Alert]:
    async with services.sessions() as session:
        return list((await session.execute(select(Alert).order_by(col(Alert.id)))).scalars().all())


def burst_texts(n: int, word: str = "Entkalken") -> list[str]:
    return [f"{word} geht bei der Maschine nicht ({i})?" for i in range(n)]


async def test_a_burst_reaches_the_notifier_after_ingest(env: Any) -> None:
    services, engine, recorder, _clock = env
    await subscribe(services)
    await write_history(services, "term:entkalken", [2] * (24 * DAYS), end=CURRENT)
    before = raws(burst_texts(10), start=CURRENT)
    await services.pipeline.ingest(before)
    await engine.drain()
    assert recorder.posts == []  # ten are usual enough: nothing yet
    await services.pipeline.ingest(
        raws(burst_texts(25), start=CURRENT + dt.timedelta(minutes=12), prefix="n")
    )
    await engine.drain()
    assert len(recorder.posts) == 1
    channel, reply, locale = recorder.posts[0]
    assert channel == "console" and locale == "de"  # the workspace's language
    [alert] = await alerts(services)
    assert (alert.key, alert.kind, alert.level) == ("term:entkalken", "burst", "normal")
    assert alert.mention_id is not None  # the mention whose arrival decided it
    ids = [a.id for a in reply.actions]
    assert ids == ["trends.to_backlog", "alerts.useful", "alerts.noise", "alerts.mute"]
    assert json.loads(reply.actions[0].value) == {"key": "term:entkalken", "kind": "burst"}
    drafts = [a for item in reply.items for a in item.actions if a.id == "draft.create"]
    assert drafts and drafts[0].value == str(alert.mention_id)
    assert "Entkalken" in reply.title
    async with services.sessions() as session:
        [delivery] = (await session.execute(select(AlertDelivery))).scalars().all()
    assert delivery.state == "posted" and delivery.message_ref == "msg-1"


async def test_cold_start_never_alerts(env: Any) -> None:
    services, engine, recorder, _clock = env
    await subscribe(services)
    # Listening began three hours ago: no history to judge against, however loud.
    await write_history(services, "term:entkalken", [2, 3, 2], end=CURRENT)
    await services.pipeline.ingest(raws(burst_texts(60), start=CURRENT))
    await engine.drain()
    assert recorder.posts == [] and await alerts(services) == []


async def test_a_never_seen_term_needs_the_minimum_count(env: Any) -> None:
    services, engine, recorder, _clock = env
    await subscribe(services)
    await write_history(services, "term:lumora", [5] * (24 * DAYS), end=CURRENT)
    # A hashtag nobody used before: nine mentions are below the minimum count.
    texts = [f"Lumora #neuerhashtag ({i})" for i in range(9)]
    await services.pipeline.ingest(raws(texts, start=CURRENT))
    await engine.drain()
    assert recorder.posts == []
    await services.pipeline.ingest(raws(["Lumora #neuerhashtag (9)"], start=NOW, prefix="x"))
    await engine.drain()
    [alert] = await alerts(services)
    assert (alert.key, alert.kind) == ("tag:#neuerhashtag", "burst")
    assert len(recorder.posts) == 1


async def test_a_slow_climb_is_a_climb(env: Any) -> None:
    services, engine, recorder, _clock = env
    await subscribe(services)
    history = [4] * (24 * DAYS - 5) + [10] * 5
    await write_history(services, "term:lieferung", history, end=CURRENT)
    await services.pipeline.ingest(
        raws([f"Lieferung dauert ({i})" for i in range(7)], start=CURRENT)
    )
    await engine.drain()
    [alert] = await alerts(services)
    assert (alert.key, alert.kind, alert.span_hours) == ("term:lieferung", "climb", 6)
    assert alert.observed > 2 * alert.expected
    reply = recorder.posts[0][1]
    assert "6" in reply.sections[0]  # "… in the last 6 hours"


async def test_a_drop_is_found_by_the_sweep(env: Any) -> None:
    services, engine, recorder, _clock = env
    await subscribe(services)
    history = [12] * (24 * DAYS - 5) + [1] * 5
    await write_history(services, "term:kaffeeko", history, end=CURRENT)
    fired = await engine.sweep()  # no mention announces a drop: the scan finds it
    await engine.drain()
    assert [(f.key, f.kind) for f in fired] == [("term:kaffeeko", "drop")]
    [alert] = await alerts(services)
    assert alert.observed < alert.expected and alert.z < 0
    assert len(recorder.posts) == 1
    assert recorder.posts[0][1].title.startswith("Kaffeeko")


async def test_repeats_are_suppressed_by_the_cooldown(env: Any) -> None:
    services, engine, recorder, clock = env
    await subscribe(services)
    await write_history(services, "term:entkalken", [2] * (24 * DAYS), end=CURRENT)
    await services.pipeline.ingest(raws(burst_texts(30), start=CURRENT))
    await engine.drain()
    assert len(recorder.posts) == 1
    # More of the same hour, then the next hour: still the same burst, no repeat.
    await services.pipeline.ingest(
        raws(burst_texts(30), start=CURRENT + dt.timedelta(minutes=5), prefix="b")
    )
    clock.advance(hours=1)
    await services.pipeline.ingest(raws(burst_texts(40), start=CURRENT + HOUR, prefix="c"))
    await engine.drain()
    assert len(recorder.posts) == 1 and len(await alerts(services)) == 1
    # After the cooldown, a new burst alerts again.
    clock.advance(hours=6)
    await services.pipeline.ingest(raws(burst_texts(60), start=CURRENT + 7 * HOUR, prefix="d"))
    await engine.drain()
    assert len(recorder.posts) == 2


async def test_two_replicas_post_an_alert_once(env: Any) -> None:
    services, engine, recorder, clock = env
    await subscribe(services)
    await write_history(services, "term:entkalken", [2] * (24 * DAYS), end=CURRENT)
    await add_count(services, "term:entkalken", CURRENT, 30)
    other_recorder = Recorder()
    other = AlertEngine(
        sessions=services.sessions,
        workspace=services.workspace,
        notifiers={"console": other_recorder},
        clock=clock,
        owner="replica-2",
    )
    first = await engine.check({"term:entkalken": None})
    second = await other.check({"term:entkalken": None})
    await engine.drain()
    await other.drain()
    assert len(first) + len(second) == 1
    assert len(recorder.posts) + len(other_recorder.posts) == 1


async def test_each_channel_gets_alerts_at_its_own_sensitivity(env: Any) -> None:
    services, engine, recorder, _clock = env
    await subscribe(services, "eager", "high")
    await subscribe(services, "calm", "low")
    await write_history(services, "term:entkalken", [2] * (24 * DAYS), end=CURRENT)
    # 17 this hour: significant at high sensitivity (×0.8), not at normal or low.
    await add_count(services, "term:entkalken", CURRENT, 17)
    fired = await engine.check({"term:entkalken": None})
    await engine.drain()
    assert [(f.level, f.channels) for f in fired] == [("high", 1)]
    assert [channel for channel, _, _ in recorder.posts] == ["eager"]


async def test_a_failed_post_is_retried_and_other_channels_still_get_it(env: Any) -> None:
    services, engine, recorder, clock = env
    teams = Recorder("teams")
    teams.fail = 1
    services.notifiers["teams"] = teams
    await subscribe(services)
    async with session_scope(services.sessions) as session:
        await conversations.set_subscription(
            session=session,
            platform="teams",
            channel_id="19:abc",
            kind="alerts",
            enabled=True,
            now=NOW,
        )
    engine.forget_targets()
    await write_history(services, "term:entkalken", [2] * (24 * DAYS), end=CURRENT)
    await add_count(services, "term:entkalken", CURRENT, 30)
    await engine.check({"term:entkalken": None})
    await engine.drain()
    assert len(recorder.posts) == 1 and teams.posts == []
    assert await engine.retry() == 0  # too soon: the failed post waits a moment
    clock.advance(seconds=31)
    assert await engine.retry() == 1
    assert len(teams.posts) == 1 and len(recorder.posts) == 1
    async with services.sessions() as session:
        states = (await session.execute(select(col(AlertDelivery.state)))).scalars().all()
        count = (await session.execute(select(func.count()).select_from(Alert))).scalar_one()
    assert sorted(states) == ["posted", "posted"] and count == 1


async def test_an_old_mention_cannot_fire_now(env: Any) -> None:
    services, engine, recorder, _clock = env
    await subscribe(services)
    await write_history(services, "term:entkalken", [2] * (24 * DAYS), end=CURRENT)
    # An import of yesterday's mentions: they count into yesterday, not into now.
    await services.pipeline.ingest(raws(burst_texts(50), start=CURRENT - dt.timedelta(hours=20)))
    await engine.drain()
    assert recorder.posts == []


async def test_the_sweep_catches_what_another_process_stored(env: Any) -> None:
    services, engine, recorder, _clock = env
    await subscribe(services)
    await write_history(services, "term:entkalken", [2] * (24 * DAYS), end=CURRENT)
    assert await engine.sweep() == []
    # A CLI import (another process, no listener here) stores a burst of this hour.
    await add_count(services, "term:entkalken", CURRENT, 35)
    fired = await engine.sweep()
    await engine.drain()
    assert [(f.key, f.kind) for f in fired] == [("term:entkalken", "burst")]
    assert len(recorder.posts) == 1
    assert await engine.sweep() == []  # nothing changed since: nothing judged again
