"""`brief` through the real dispatch on a real database: figures, chart, languages, model."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from core.reply import Reply
from handlers.dispatch import dispatch
from tests.conftest import console_request
from tests.core.trends.helpers import NOW, Clock, make_services, migrated_db_url, raws

CURRENT = NOW.replace(minute=0)


@pytest.fixture
def db_url(backend: str, tmp_path: Path) -> Iterator[str]:
    yield from migrated_db_url(backend, tmp_path)


@pytest.fixture
async def services(db_url: str) -> Any:
    svc = await make_services(db_url, Clock())
    earlier = CURRENT - dt.timedelta(hours=30)
    await svc.pipeline.ingest(
        # Listening began three days ago: the 24 hours before the last 24 are comparable.
        raws(["Lumora ist da"], start=CURRENT - dt.timedelta(days=3), prefix="o")
        + raws([f"Lumora Brew ist super ({i})" for i in range(10)], start=earlier, prefix="p")
        + raws(
            [f"Lumora Brew ist super ({i})" for i in range(25)],
            start=CURRENT - dt.timedelta(hours=6),
        )
        + raws([f"Kaffeeko Lieferung kaputt? ({i})" for i in range(6)], start=CURRENT, prefix="k")
    )
    yield svc
    from bot.services import close_services

    await close_services(svc)


async def ask(services: Any, text: str, locale: str = "en") -> Reply:
    return await dispatch(services.registry, services, console_request(text, locale=locale))


async def test_brief_24h(services: Any) -> None:
    reply = await ask(services, "brief")
    assert not reply.error
    assert reply.title == "Brief: the last 24 hours"
    assert reply.sections[0].startswith("31 mentions in the last 24 hours, +210% against")
    facts = {f.label: f.value for f in reply.facts}
    assert facts["Volume"].startswith("31 (before 10, +210%)")
    assert facts["… against Kaffeeko"].startswith("81%")
    assert "Lumora Brew 25 (before 10, +150%)" in facts["Rising terms"]
    assert facts["Open questions and complaints"].startswith("6 without an answer")
    [image] = reply.images
    assert image.png.startswith(b"\x89PNG") and "▁" in image.text_fallback + "█"
    opened = [i for i in reply.items if i.title.startswith("Open question")]
    assert len(opened) == 5 and all(i.actions[0].id == "draft.create" for i in opened)
    assert [a.value for a in reply.actions if a.id == "trends.brief"] == ["7d", "30d"]
    assert "Not covered: LinkedIn, Xing, Facebook, Instagram, X (no token)" in reply.footnotes[0]


async def test_brief_periods_and_german(services: Any) -> None:
    week = await ask(services, "brief 7d", locale="de")
    assert week.title == "Briefing: die letzten 7 Tage"
    # Listening began three days ago: no full week before to compare with.
    assert week.sections[0].startswith(
        "42 Erwähnungen in den letzten 7 Tagen. Das Zuhören begann 17.11.2026 13:00,"
    )
    facts = {f.label: f.value for f in week.facts}
    assert facts["Volumen"].startswith("42 (Zuhören seit 17.11.2026 13:00: kein voller")
    assert facts["Steigend und fallend"].startswith("das Zuhören begann erst im Zeitraum davor")
    month = await dispatch(
        services.registry,
        services,
        console_request("!trends.brief 30d", locale="en"),
    )
    assert month.title == "Brief: the last 30 days" and month.images


async def test_a_bad_period_is_explained(services: Any) -> None:
    reply = await ask(services, "brief yesterday")
    assert reply.error and reply.sections[0] == "“yesterday” is not a period. Use 24h, 7d or 30d."
    assert reply.sections[1] == "Usage: /horch brief [24h|7d|30d]"


async def test_an_empty_brief_has_no_chart(db_url: str) -> None:
    svc = await make_services(db_url, Clock())
    try:
        reply = await ask(svc, "brief")
        assert reply.sections == ["No mentions in the last 24 hours."] and not reply.images
    finally:
        from bot.services import close_services

        await close_services(svc)


class FakeLLM:
    def __init__(self, answer: str) -> None:
        self.answer = answer

    async def complete(
        self,
        *,
        messages: list[dict[str, str]],
        n: int = 1,
        max_tokens: int = 600,
        temperature: float = 0.4,
    ) -> list[str]:
        return [self.answer]


async def test_a_model_summary_heads_the_brief_only_with_the_figures(services: Any) -> None:
    services.llm = FakeLLM("31 mentions, +210% against the day before; 6 questions want an answer.")
    reply = await ask(services, "brief")
    assert reply.sections[0].startswith("31 mentions, +210%")
    assert reply.footnotes[-1].startswith("The summary was written by the language model")
    services.llm = FakeLLM("31 mentions, 99% of them about the new product launch.")
    reply = await ask(services, "brief")
    assert reply.sections[0].startswith("31 mentions in the last 24 hours")  # the template
    assert not reply.footnotes[-1].startswith("The summary was written")
