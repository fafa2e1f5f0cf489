"""Feedback: "noise" raises a term's threshold, "useful" lowers it, and the change is kept
(a new engine — a restart, another replica — judges with it)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from core.alerts import feedback
from core.alerts.engine import AlertEngine
from core.analysis.bursts import DetectorConfig, detect_latest
from core.reply import Actor
from core.storage import alerts as store
from tests.core.alerts.test_engine import subscribe
from tests.core.trends.helpers import (
    HOUR,
    NOW,
    Clock,
    Recorder,
    add_count,
    make_services,
    write_history,
)

CURRENT = NOW.replace(minute=0)
HISTORY = [2] * (24 * 10)
ALICE = Actor(id="alice", name="Alice", platform="slack")
BOB = Actor(id="bob", name="Bob", platform="slack")


def smallest_alerting(factor: float, at: dt.datetime) -> int:
    """The fewest mentions in the current hour that alert with this threshold factor."""
    start = at.replace(minute=0) - len(HISTORY) * HOUR
    for count in range(1, 500):
        if detect_latest(
            [*HISTORY, count],
            start,
            key="k",
            config=DetectorConfig(),
            threshold_multiplier=factor,
            now=at,
        ):
            return count
    raise AssertionError("no count alerts")


@pytest.fixture
async def env(db_url: str) -> Any:
    clock = Clock()
    services = await make_services(db_url, clock)
    services.notifiers["console"] = Recorder()
    await subscribe(services)
    for key in ("term:entkalken", "term:lieferung", "term:espresso", "term:delivery"):
        await write_history(services, key, HISTORY, end=CURRENT)
    yield services, clock
    from bot.services import close_services

    await close_services(services)


def fresh_engine(services: Any, clock: Clock) -> AlertEngine:
    """A new engine: nothing in memory, everything it knows comes from the database."""
    return AlertEngine(
        sessions=services.sessions,
        workspace=services.workspace,
        notifiers=services.notifiers,
        clock=clock,
        owner="fresh",
    )


async def fire(services: Any, clock: Clock, key: str, count: int, at: dt.datetime) -> list[Any]:
    clock.now = at
    await add_count(services, key, at.replace(minute=0), count)
    engine = fresh_engine(services, clock)
    fired = await engine.check({key: None})
    await engine.drain()
    return fired


async def test_noise_raises_the_threshold_and_it_is_kept(env: Any) -> None:
    services, clock = env
    needed = smallest_alerting(1.0, NOW)
    [alert] = await fire(services, clock, "term:entkalken", needed, NOW)
    outcome = await feedback.give_feedback(
        services.sessions, alert_id=alert.alert_id, verdict="noise", actor=ALICE, now=NOW
    )
    assert outcome.status == "applied" and outcome.after == pytest.approx(1.25)
    # A day later the same jump alerts for a term without feedback, not for this one.
    later = NOW + dt.timedelta(days=1)
    assert smallest_alerting(1.25, later) > smallest_alerting(1.0, later)
    count = smallest_alerting(1.0, later)
    await write_history(services, "term:entkalken", [2] * 23, end=later.replace(minute=0))
    await write_history(services, "term:lieferung", [2] * 23, end=later.replace(minute=0))
    assert await fire(services, clock, "term:entkalken", count, later) == []
    assert len(await fire(services, clock, "term:lieferung", count, later)) == 1
    async with services.sessions() as session:
        row = (await store.thresholds(session=session, keys=["term:entkalken"]))["term:entkalken"]
    assert (row.factor, row.noise, row.useful) == (pytest.approx(1.25), 1, 0)


async def test_useful_lowers_the_threshold(env: Any) -> None:
    services, clock = env
    [alert] = await fire(services, clock, "term:espresso", smallest_alerting(1.0, NOW), NOW)
    await feedback.give_feedback(
        services.sessions, alert_id=alert.alert_id, verdict="useful", actor=ALICE, now=NOW
    )
    later = NOW + dt.timedelta(days=1)
    count = smallest_alerting(feedback.USEFUL_STEP, later)
    assert count < smallest_alerting(1.0, later)
    await write_history(services, "term:espresso", [2] * 23, end=later.replace(minute=0))
    await write_history(services, "term:delivery", [2] * 23, end=later.replace(minute=0))
    assert len(await fire(services, clock, "term:espresso", count, later)) == 1
    assert await fire(services, clock, "term:delivery", count, later) == []


async def test_each_person_counts_once_and_may_change_their_mind(env: Any) -> None:
    services, clock = env
    [alert] = await fire(services, clock, "term:entkalken", 40, NOW)
    args = {"alert_id": alert.alert_id, "now": NOW}
    first = await feedback.give_feedback(services.sessions, verdict="noise", actor=ALICE, **args)
    again = await feedback.give_feedback(services.sessions, verdict="noise", actor=ALICE, **args)
    other = await feedback.give_feedback(services.sessions, verdict="noise", actor=BOB, **args)
    changed = await feedback.give_feedback(services.sessions, verdict="useful", actor=ALICE, **args)
    assert (first.status, again.status, other.status, changed.status) == (
        "applied",
        "same",
        "applied",
        "changed",
    )
    assert again.after == first.after
    assert other.after == pytest.approx(1.25 * 1.25)
    # Alice's noise undone, her "useful" applied: ×1.25 (Bob) × 0.85 (Alice).
    assert changed.after == pytest.approx(1.25 * 0.85)
    async with services.sessions() as session:
        row = (await store.thresholds(session=session, keys=["term:entkalken"]))["term:entkalken"]
    assert (row.noise, row.useful) == (1, 1)


async def test_the_factor_stays_within_bounds() -> None:
    factor = 1.0
    for _ in range(20):
        factor = feedback.adjust(factor, "noise")
    assert factor == feedback.MAX_FACTOR
    for _ in range(40):
        factor = feedback.adjust(factor, "useful")
    assert factor == feedback.MIN_FACTOR


async def test_mute_silences_a_term(env: Any) -> None:
    services, clock = env
    [alert] = await fire(services, clock, "term:entkalken", 40, NOW)
    outcome = await feedback.mute(services.sessions, alert_id=alert.alert_id, actor=ALICE, now=NOW)
    assert outcome.muted_until == NOW + feedback.MUTE
    later = NOW + dt.timedelta(hours=8)  # past the cooldown, within the mute
    assert await fire(services, clock, "term:entkalken", 80, later) == []
    unknown = await feedback.mute(services.sessions, alert_id=9999, actor=ALICE, now=NOW)
    assert unknown.status == "not_found"
