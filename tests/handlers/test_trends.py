"""`trends` and the "add to backlog" button through the real dispatch on a real database."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from core.models_backlog import BacklogItem
from core.reply import Reply
from handlers.dispatch import dispatch
from tests.conftest import console_request
from tests.core.trends.helpers import (
    NOW,
    Clock,
    make_services,
    migrated_db_url,
    raws,
    write_history,
)

CURRENT = NOW.replace(minute=0)


@pytest.fixture
def db_url(backend: str, tmp_path: Path) -> Iterator[str]:
    yield from migrated_db_url(backend, tmp_path)


@pytest.fixture
async def services(db_url: str) -> Any:
    svc = await make_services(db_url, Clock())
    yield svc
    from bot.services import close_services

    await close_services(svc)


async def ask(services: Any, text: str, locale: str = "en") -> Reply:
    return await dispatch(services.registry, services, console_request(text, locale=locale))


async def test_trends_shows_what_moves_with_evidence_and_buttons(services: Any) -> None:
    await write_history(services, "term:entkalken", [2] * 240, end=CURRENT)
    await services.pipeline.ingest(
        raws([f"Entkalken klappt nicht ({i})?" for i in range(30)], start=CURRENT, followers=50)
    )
    reply = await ask(services, "trends")
    assert reply.title == "What is emerging now"
    signal = reply.items[0]
    assert signal.title == "Entkalken: sudden burst"
    # The last hour before now: the 30 new ones and the two the hour before counted after
    # 11:40 (the history here is counts without mentions, so all of that hour counts).
    assert signal.text.startswith("32 mentions in the last hour; about")
    assert [a.id for a in signal.actions] == ["draft.create", "trends.to_backlog"]
    assert json.loads(signal.actions[1].value) == {"key": "term:entkalken", "kind": "burst"}
    examples = reply.items[1:3]
    assert all(e.text.startswith("Entkalken klappt nicht") for e in examples)
    assert examples[0].actions[0].id == "draft.create"


async def test_quiet_times_say_so(services: Any) -> None:
    await write_history(services, "term:entkalken", [2] * 240, end=CURRENT)
    reply = await ask(services, "trends", locale="de")
    assert reply.sections == [
        "In den letzten Stunden bis jetzt steigt, klettert oder bricht nichts deutlich ein."
    ]
    assert reply.items == []


async def test_add_to_backlog_creates_one_item_with_the_evidence(services: Any) -> None:
    await services.pipeline.ingest(raws([f"Entkalken ({i})" for i in range(6)], start=CURRENT))
    value = json.dumps({"key": "term:entkalken", "kind": "burst"})
    first = await ask(services, f"!trends.to_backlog {value}")
    assert first.sections[0].startswith("Added to the backlog as #")
    assert first.actions[0].id == "backlog.show"
    again = await ask(services, f"!trends.to_backlog {value}")
    assert again.sections[0].startswith("Entkalken is already on the backlog as #")
    async with services.sessions() as session:
        [item] = (await session.execute(select(BacklogItem))).scalars().all()
    assert (item.kind, item.topic_key) == ("trend", "term:entkalken")
    evidence = json.loads(item.evidence)
    assert evidence["counts"]["n"] == 6 and len(evidence["mention_ids"]) == 5


@pytest.mark.parametrize(
    "value",
    ["nonsense", '{"key": "all", "kind": "burst"}', '{"key": "term:x", "kind": "boom"}', "[]"],
)
async def test_a_bad_button_value_is_refused(services: Any, value: str) -> None:
    reply = await ask(services, f"!trends.to_backlog {value}")
    assert reply.error and "cannot read" in reply.sections[0]
