"""`alerts on|off|sensitivity` and the useful / noise / mute buttons through the real
dispatch; and the wiring: an alert fires on ingest once bot.alert_jobs is set up."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from sqlalchemy import select
from sqlmodel import col

from bot import alert_jobs
from core.models import AuditEvent
from core.reply import Reply
from core.storage import conversations
from handlers.dispatch import dispatch
from tests.core.trends.helpers import (
    NOW,
    Clock,
    Recorder,
    make_services,
    migrated_db_url,
    raws,
    request,
    write_history,
)

CURRENT = NOW.replace(minute=0)


@pytest.fixture
def db_url(backend: str, tmp_path: Path) -> Iterator[str]:
    yield from migrated_db_url(backend, tmp_path)


@pytest.fixture
async def services(db_url: str) -> Any:
    svc = await make_services(db_url, Clock())
    svc.notifiers["slack"] = Recorder("slack")
    alert_jobs.setup(web.Application(), svc)  # the engine on the pipeline, as the bot does
    yield svc
    await svc.background.alerts.drain()
    from bot.services import close_services

    await close_services(svc)


async def ask(services: Any, *args: str, locale: str = "en", **kw: Any) -> Reply:
    req = request(command="alerts", args=args, locale=locale, platform="slack", channel="C1", **kw)
    return await dispatch(services.registry, services, req)


async def click(services: Any, action: str, value: str, actor: str = "alice") -> Reply:
    req = request(action_id=action, action_value=value, platform="slack", channel="C1", actor=actor)
    return await dispatch(services.registry, services, req)


async def subscription(services: Any) -> Any:
    async with services.sessions() as session:
        return await conversations.get_subscription(
            session=session, platform="slack", channel_id="C1", kind="alerts"
        )


async def test_on_off_and_sensitivity(services: Any) -> None:
    status = await ask(services)
    assert {f.label: f.value for f in status.facts}["Alerts in this channel"] == "off"
    on = await ask(services, "on")
    assert on.sections[0].startswith("Alerts are on in this channel (sensitivity normal)")
    high = await ask(services, "sensitivity", "high")
    assert "(sensitivity high)" in high.sections[0]
    sub = await subscription(services)
    assert sub.enabled and '"sensitivity": "high"' in sub.settings
    german = await ask(services, "aus", locale="de")
    assert german.sections == ["Alarme sind in diesem Kanal aus."]
    assert not (await subscription(services)).enabled
    again = await ask(services, "an", "niedrig")
    assert "(sensitivity low)" in again.sections[0]
    async with services.sessions() as session:
        kinds = (await session.execute(select(col(AuditEvent.kind)))).scalars().all()
    assert kinds.count("alerts.subscription") == 4


@pytest.mark.parametrize(
    "args,message",
    [
        (("loud",), "“loud” is not an alerts command. Use on, off or sensitivity."),
        (("sensitivity",), "Which sensitivity? low, normal or high."),
        (("on", "extreme"), "The sensitivity is low|normal|high, not “extreme”."),
    ],
)
async def test_bad_input_is_explained(services: Any, args: tuple[str, ...], message: str) -> None:
    reply = await ask(services, *args)
    assert reply.error and reply.sections[0] == message


async def test_an_alert_after_ingest_and_the_feedback_buttons(services: Any) -> None:
    await ask(services, "on")
    await write_history(services, "term:entkalken", [2] * 240, end=CURRENT)
    await services.pipeline.ingest(raws([f"Entkalken? ({i})" for i in range(30)], start=CURRENT))
    await services.background.alerts.drain()
    [(channel, post, _locale)] = services.notifiers["slack"].posts
    assert channel == "C1" and post.title == "Entkalken: sprunghafter Anstieg"
    alert_id = next(a.value for a in post.actions if a.id == "alerts.noise")
    noise = await click(services, "alerts.noise", alert_id)
    assert noise.ephemeral and noise.sections[0] == (
        "Noted: Entkalken will need a bigger change to alert again (threshold ×1.00 → ×1.25)."
    )
    same = await click(services, "alerts.noise", alert_id)
    assert same.sections[0] == "You already gave this feedback on Entkalken; nothing changed."
    useful = await click(services, "alerts.useful", alert_id, actor="bob")
    assert "(threshold ×1.25 → ×1.06)" in useful.sections[0]
    muted = await click(services, "alerts.mute", alert_id)
    assert muted.sections[0].startswith("Entkalken is muted until")
    status = await ask(services)
    facts = {f.label: f.value for f in status.facts}
    assert facts["Alerts in the last 24 hours (all channels)"] == "1"
    assert facts["Entkalken"].startswith("threshold ×1.06 (1 × noise, 1 × useful); muted until")


@pytest.mark.parametrize("value", ["", "abc", "99999"])
async def test_buttons_with_a_bad_or_unknown_alert(services: Any, value: str) -> None:
    reply = await click(services, "alerts.useful", value)
    assert reply.error
