"""The standup's figures from a real database: volume against the same weekday and hours,
alerts (or rising terms without the alert table), drafts waiting, backlog, focus hints."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import text

from core.db import session_scope
from core.models_alerts import Alert
from core.models_backlog import BacklogItem
from core.models_drafts import Draft
from core.standup.report import build
from core.standup.signals import new_signals
from tests.core.backlog.helpers import NOW, daily, make_services, mentions

pytestmark = pytest.mark.storage
SINCE = NOW - dt.timedelta(hours=24)


@pytest.fixture
async def svc(db_url: str) -> Any:
    services = await make_services(db_url)
    pipe = services.pipeline
    # 3 neutral mentions a day for five weeks: the usual for any 24 hours is 3.
    await pipe.ingest(
        daily("Espresso am Morgen mit der Lumora", days=35, per_day=3, end=NOW, prefix="bg")
    )
    # Since the last standup: 8 complaints and a new hashtag.
    await pipe.ingest(
        mentions(
            [f"Lumora Lieferung kaputt angekommen, Paket {i}" for i in range(8)],
            start=SINCE + dt.timedelta(hours=1),
            prefix="neg",
        )
    )
    await pipe.ingest(
        mentions(
            [f"Crema heute #flatwhite {i}" for i in range(5)],
            start=SINCE + dt.timedelta(hours=2),
            prefix="tag",
        )
    )
    yield services
    from bot.services import close_services

    await close_services(services)


def _draft(state: str, created: dt.datetime, n: int) -> Draft:
    return Draft(
        mention_id=n,
        state=state,
        target="mastodon",
        text=f"Antwort {n}",
        requested_by="u1",
        requested_by_platform="console",
        created_at=created,
        updated_at=created,
        open_key=n if state in ("proposed", "edited") else None,
    )


def _item(n: int, state: str, changed: dt.datetime, score: int = 100) -> BacklogItem:
    return BacklogItem(
        kind="manual",
        fingerprint=f"m:{n}",
        title=f"Item {n}",
        state=state,
        score=score,
        created_at=changed,
        updated_at=changed,
        state_changed_at=changed,
    )


async def test_the_standup_gathers_every_part(svc: Any) -> None:
    async with session_scope(svc.sessions) as s:
        s.add(_draft("proposed", NOW - dt.timedelta(hours=5), 1))
        s.add(_draft("edited", NOW - dt.timedelta(hours=2), 2))
        s.add(_draft("approved", NOW - dt.timedelta(hours=9), 3))
        s.add(_item(1, "done", NOW - dt.timedelta(hours=3)))
        s.add(_item(2, "done", NOW - dt.timedelta(days=3)))  # before the last standup
        s.add(_item(3, "in_progress", NOW - dt.timedelta(days=1)))
        s.add(_item(4, "blocked", NOW - dt.timedelta(days=1), score=300))
        s.add(_item(5, "todo", NOW - dt.timedelta(days=1), score=50))
        for level in ("normal", "high"):  # one alert, fired for two sensitivities
            s.add(
                Alert(
                    key="tag:#flatwhite",
                    title="#flatwhite",
                    kind="burst",
                    level=level,
                    bucket=NOW - dt.timedelta(hours=6),
                    fired_at=NOW - dt.timedelta(hours=6),
                    observed=5,
                    expected=0.2,
                )
            )
        s.add(
            Alert(
                key="term:kaffeeko",
                title="Kaffeeko",
                kind="climb",
                bucket=SINCE - dt.timedelta(hours=3),
                fired_at=SINCE - dt.timedelta(hours=3),
                observed=9,
                expected=3,
            )
        )
    async with svc.sessions() as s:
        data = await build(s, since=SINCE, now=NOW)
    v = data.volume
    assert (v.n, v.neg, v.usual) == (16, 8, 3.0)
    assert v.usual_neg_share == 0.0 and v.neg_share == 0.5
    assert data.signals_from == "alerts"
    assert [(x.topic, x.detail, x.n) for x in data.signals] == [("#flatwhite", "burst", 5)]
    assert data.drafts is not None and data.drafts.count == 2
    assert data.drafts.oldest == dt.timedelta(hours=5)
    assert [i.title for i in data.done] == ["Item 1"]
    assert [i.title for i in data.in_progress] == ["Item 3"]
    assert [i.title for i in data.blocked] == ["Item 4"]
    assert [h.key for h in data.hints] == ["unblock", "drafts", "negative"]
    assert data.hints[0].values["title"] == "Item 4"


async def test_without_the_alert_table_it_reports_rising_terms(svc: Any) -> None:
    async with session_scope(svc.sessions) as s:
        await s.execute(text("DROP TABLE alert_delivery"))
        await s.execute(text("DROP TABLE alert_feedback"))
        await s.execute(text("DROP TABLE alert"))
    async with svc.sessions() as s:
        source, signals = await new_signals(s, SINCE, NOW, {})
    assert source == "trends"
    # Strongest rise first: 8 on a usual 0 (counted as 1), 5 on 0, 11 on a usual 3.
    assert [(x.topic, x.n) for x in signals] == [
        ("lieferung", 8),
        ("#flatwhite", 5),
        ("lumora", 11),
    ]


async def test_a_quiet_day_still_gives_two_hints(svc: Any) -> None:
    quiet_since = NOW - dt.timedelta(days=10)
    async with session_scope(svc.sessions) as s:
        s.add(_item(9, "todo", NOW - dt.timedelta(days=1), score=50))
    async with svc.sessions() as s:
        data = await build(s, since=quiet_since, now=quiet_since + dt.timedelta(hours=1))
    assert [h.key for h in data.hints] == ["backlog_top", "suggest"]
