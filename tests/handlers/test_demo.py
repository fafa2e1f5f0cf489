"""The demo stream in chat: its progress while it seeds ("seeding, N of M" on answers that
would be incomplete), its place in `sources`, and `demo reset`, asked first."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

import demo
from bot.demo import seed_once

pytestmark = pytest.mark.storage


def _small_seed(monkeypatch: pytest.MonkeyPatch, calls: list[tuple[int, int]]) -> None:
    """The real generator and pipeline, 120 mentions instead of 20,000."""
    real = demo.seed_demo

    async def small(pipeline: Any, *, now: Any, progress: Any = None, **kw: Any) -> int:
        def tell(done: int, total: int) -> None:
            calls.append((done, total))
            if progress is not None:
                progress(done, total)

        return await real(pipeline, now=now, total=120, batch_size=40, progress=tell)

    monkeypatch.setattr(demo, "seed_demo", small)


async def test_answers_say_how_far_seeding_is(ask: Callable[..., Any], services: Any) -> None:
    progress = services.background.seeding
    progress.running, progress.done, progress.total = True, 3000, 20000
    reply = await ask("mentions Lieferung")
    assert reply.footnotes[0] == (
        "Seeding the demo data, 3,000 of 20,000: answers are incomplete until it is done."
    )
    assert (
        (await ask("brief 7d", locale="de"))
        .footnotes[0]
        .startswith("Die Demodaten werden befüllt, 3.000 von 20.000")
    )
    assert not any("Seeding" in f for f in (await ask("watch")).footnotes)  # complete anyway
    progress.running = False
    assert not any("Seeding" in f for f in (await ask("mentions Lieferung")).footnotes)


async def test_seeding_reports_progress_and_sources_lists_the_demo_stream(
    ask: Callable[..., Any], services: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[tuple[int, int]] = []
    _small_seed(monkeypatch, calls)
    stored = await seed_once(services)
    assert stored > 0
    assert calls[0] == (40, 120) and calls[-1] == (120, 120)
    assert services.background.seeding.finished and not services.background.seeding.running
    reply = await ask("sources")
    demo = next(i for i in reply.items if i.title == "Demo stream (synthetic)")
    facts = {f.label: f.value for f in demo.facts}
    assert facts["Mentions stored"] == f"{stored:,}"
    assert "demo-forum" in facts["Feeds"]
    status = await ask("demo status")
    assert status.sections[0].startswith(f"{stored} synthetic mentions are stored")


async def test_reset_is_asked_first_and_then_seeds_afresh(
    ask: Callable[..., Any], services: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[tuple[int, int]] = []
    _small_seed(monkeypatch, calls)
    stored = await seed_once(services)
    question = await ask("demo reset")
    assert question.title == "Reset the demo data?"
    assert f"The {stored} synthetic mentions and their stories are removed" in question.sections[0]
    confirm, cancel = question.actions
    assert (confirm.id, confirm.style, cancel.id) == (
        "demo.reset.confirmed",
        "danger",
        "confirm.cancel",
    )
    assert (await ask(f"!{cancel.id}")).sections == ["Cancelled: nothing was changed."]
    started = await ask(f"!{confirm.id}")
    assert started.sections[0].startswith("Resetting the demo data")
    await services.background.demo.task  # the reset runs in the background
    assert not services.background.seeding.running
    assert calls.count((120, 120)) == 2  # seeded again
    frage = await ask("demo reset", locale="de")
    assert frage.title == "Demodaten zurücksetzen?"
