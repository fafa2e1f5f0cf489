"""`standup` through the console: the post on demand, and subscribing the channel."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.services import close_services
from core.storage import conversations
from tests.core.backlog.helpers import (
    NOW,
    Clock,
    ask,
    daily,
    make_services,
    mentions,
    migrated_db_url,
)

pytestmark = pytest.mark.storage


@pytest.fixture
def db_url(backend: str, tmp_path: Path) -> Iterator[str]:
    """A migrated database (a copy of a migrated template on SQLite: faster)."""
    yield from migrated_db_url(backend, tmp_path)


@pytest.fixture
async def svc(db_url: str) -> AsyncIterator[Any]:
    services = await make_services(db_url, clock=Clock())
    yield services
    await close_services(services)


async def _sub(svc: Any, channel: str = "console") -> Any:
    async with svc.sessions() as s:
        return await conversations.get_subscription(
            session=s, platform="console", channel_id=channel, kind="standup"
        )


async def test_standup_on_demand(svc: Any) -> None:
    await svc.pipeline.ingest(
        daily("Espresso mit Lumora", days=35, per_day=3, end=NOW, prefix="bg")
    )
    await svc.pipeline.ingest(
        mentions(
            [f"Lumora Lieferung kaputt {i}" for i in range(9)],
            start=NOW - dt.timedelta(hours=20),
            prefix="n",
        )
    )
    await ask(svc, "backlog add Unblock me --points 1")
    await ask(svc, "!backlog.block 1")
    reply = await ask(svc, "standup")
    assert reply.title == "Standup — 2026-11-20", reply.plain_text()
    text = "\n".join(reply.sections)
    assert "12 mentions since 2026-11-19 13:00 — usually 3 (+300%)." in text
    assert "Sentiment: 75% negative" in text
    assert "New alerts:" in text or "No new alerts." in text
    assert "Blocked: #1 Unblock me" in text
    assert "Today's focus:" in text and "1. Unblock #1 Unblock me." in text
    assert [a.id for a in reply.actions] == ["backlog.list"]
    german = await ask(svc, "standup", locale="de")
    assert german.title == "Standup — 20.11.2026"
    assert any(s.startswith("12 Erwähnungen seit 19.11.2026 13:00") for s in german.sections)


async def test_on_at_days_status_off(svc: Any) -> None:
    on = await ask(svc, "standup on")
    assert on.sections[0] == "This channel gets the standup."
    assert "At 09:30 (Europe/Berlin) on Mon, Tue, Wed, Thu, Fri" in on.sections[1]
    # Friday 13:00 Berlin: the next one is Monday 09:30.
    assert on.sections[2] == "Next standup: 2026-11-23 09:30."
    at = await ask(svc, "standup at 8:15 America/New_York")
    assert "At 08:15 (America/New_York)" in at.sections[1]
    days = await ask(svc, "standup days mon,wed")
    assert "on Mon, Wed;" in days.sections[1]
    sub = await _sub(svc)
    settings = json.loads(sub.settings)
    assert sub.enabled and settings["at"] == "08:15" and settings["zone"] == "America/New_York"
    assert settings["weekdays"] == ["mon", "wed"] and settings["active_from"].startswith(
        "2026-11-20"
    )
    status = await ask(svc, "standup status")
    assert status.sections[0] == "This channel gets the standup."
    off = await ask(svc, "standup off")
    assert "no longer gets the standup" in off.sections[0]
    assert not (await _sub(svc)).enabled
    assert (await ask(svc, "standup status")).sections[0].startswith("This channel does not get")


async def test_bad_standup_input(svc: Any) -> None:
    for line, message in [
        ("standup at", "At what time?"),
        ("standup at 25:00", "is not a time of day"),
        ("standup at 09:30 Mars/Olympus", "is not a time zone"),
        ("standup days someday", "are not weekdays"),
        ("standup later", "is not a standup command"),
        ("standup on now", "I don't know what to do with"),
    ]:
        reply = await ask(svc, line)
        assert reply.error and message in reply.plain_text(), (line, reply.plain_text())
    assert await _sub(svc) is None


async def test_an_alert_on_a_story_is_named_by_the_story_in_the_channel_s_language(
    svc: Any,
) -> None:
    """The standup once said "New alerts: 92 …": the alert kept the title the story had
    when it fired (its id, before it was named)."""
    from core.models_alerts import Alert
    from core.models_stories import Topic

    async with svc.sessions() as s:
        topic = Topic(
            label="Lieferung", label_de="Lieferung", label_en="late deliveries", centroid=b""
        )
        s.add(topic)
        await s.flush()
        s.add(
            Alert(
                key=f"topic:{topic.id}",
                title=str(topic.id),
                kind="burst",
                bucket=NOW - dt.timedelta(hours=3),
                fired_at=NOW - dt.timedelta(hours=3),
                observed=40,
                expected=8,
            )
        )
        await s.commit()
        ident = topic.id
    english = "\n".join((await ask(svc, "standup")).sections)
    assert "late deliveries" in english and f"{ident} " not in english.split("alerts")[1]
    german = "\n".join((await ask(svc, "standup", locale="de")).sections)
    assert "Lieferung" in german
