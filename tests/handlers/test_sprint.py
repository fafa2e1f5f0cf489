"""The sprint cycle end to end through the console: plan → item states (buttons) →
status with burndown and risks → close with velocity → carry-over into the next plan."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.services import close_services
from tests.core.backlog.helpers import Clock, ask, make_services, migrated_db_url, seed_listening

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


def _facts(item: Any) -> dict[str, str]:
    return {f.label: f.value for f in item.facts}


def _button(item: Any, action_id: str) -> Any:
    return next(a for a in item.actions if a.id == action_id)


def _id(item: Any) -> str:
    return item.title.split()[0].lstrip("#")


async def test_the_whole_sprint_cycle_through_the_console(svc: Any) -> None:
    await seed_listening(svc)
    suggested = await ask(svc, "backlog suggest")
    assert len(suggested.items) == 5
    plan = await ask(svc, "sprint plan --capacity 10 --days 7")
    assert plan.title == "Sprint #1 planned", plan.plain_text()
    planned = {_id(i): i for i in plan.items}
    assert sum(int(_facts(i)["Points"]) for i in plan.items) <= 10
    assert all(_facts(i)["Sprint"] == "#1" for i in plan.items)
    assert plan.footnotes == ["1 item did not fit and stays in the backlog."]
    trend = next(i for i in plan.items if "#baristaathome" in i.title)
    others = [i for i in plan.items if i is not trend]

    # Item states through the console's button syntax (`!ACTION_ID VALUE`), with the
    # values the plan's buttons carry: each click redraws the whole sprint board.
    done_id, blocked_id = _id(others[0]), _id(others[1])
    start = _button(others[0], "backlog.start")
    assert start.value == f"{done_id}@sprint"
    started = await ask(svc, f"!backlog.start {start.value}")
    assert started.replace and started.title.startswith("Sprint #1 (until ")
    assert started.sections[0] == f"Item #{done_id} is now in progress."
    assert len(started.items) == len(plan.items)
    card = next(i for i in started.items if _id(i) == done_id)
    done = await ask(svc, f"!backlog.done {_button(card, 'backlog.done').value}")
    assert done.sections[0] == f"Item #{done_id} is now done."
    assert {f.label: f.value for f in done.facts}["Done"].startswith(_facts(others[0])["Points"])
    assert "blocked" in (await ask(svc, f"!backlog.block {blocked_id}@sprint")).sections[0]

    svc.clock.advance(days=4)  # no new mentions since: the trend is fading
    status = await ask(svc, "sprint status")
    assert status.title == "Sprint #1 — day 5 of 7"
    facts = {f.label: f.value for f in status.facts}
    done_points = int(_facts(others[0])["Points"])
    total = sum(int(_facts(i)["Points"]) for i in plan.items)
    assert facts["Done"] == f"{done_points} of {total} points"
    image = status.images[0]
    assert image.png.startswith(b"\x89PNG") and len(image.png) > 1000
    assert image.text_fallback.startswith("Burndown: ") and f"({total} → " in image.text_fallback
    risks = "\n".join(status.sections)
    assert f"#{blocked_id} " in risks and "— blocked" in risks
    assert f"#{_id(trend)} " in risks and "the topic is fading" in risks
    # The untouched items are at risk too: their stories went quiet (fading) or, where
    # there is nothing to fade, they were not started by half-time.
    assert others[2:] and all(f"#{_id(i)} " in risks for i in others[2:])
    assert [(a.id, a.value) for a in status.actions] == [
        ("sprint.status", "refresh"),
        ("sprint.close", ""),
    ]
    assert (await ask(svc, "!sprint.status refresh")).replace

    # Before its end, closing is asked first, with what it will record.
    question = await ask(svc, "!sprint.close")
    assert question.title == "Close sprint #1 early?"
    open_count = len(set(planned) - {done_id})
    assert f"records {done_points} of {total} points as its velocity" in question.sections[0]
    assert f"carries {open_count} open items back to the backlog" in question.sections[0]
    confirm = question.actions[0]
    assert (confirm.id, confirm.value) == ("sprint.close.confirmed", "1")
    assert (await ask(svc, "sprint status")).title != ""  # still running
    stale = await ask(svc, "!sprint.close.confirmed 7")  # a question about another sprint
    assert stale.sections == ["Sprint #7 was closed a moment ago."]
    closed = await ask(svc, f"!{confirm.id} {confirm.value}")
    assert closed.title == "Sprint #1 closed"
    cfacts = {f.label: f.value for f in closed.facts}
    assert cfacts["Velocity"] == f"{done_points} of {total} points done"
    carried = {_id(i) for i in closed.items}
    assert carried == set(planned) - {done_id}
    assert cfacts["Suggested capacity for the next sprint"] == str(done_points)
    assert (await ask(svc, "sprint status")).sections[0].startswith("No sprint is running")

    # The carried items are back in the backlog and the next plan takes them again.
    svc.clock.advance(days=1)
    nxt = await ask(svc, '!sprint.plan {"capacity": 20}')
    assert nxt.title == "Sprint #2 planned", nxt.plain_text()
    assert carried - {blocked_id} <= {_id(i) for i in nxt.items}
    assert blocked_id not in {_id(i) for i in nxt.items}  # blocked work is not planned


async def test_one_sprint_at_a_time_and_clear_errors(svc: Any) -> None:
    assert "No sprint is running" in (await ask(svc, "sprint close")).sections[0]
    empty = await ask(svc, "sprint plan")
    assert "no open items to plan (capacity 13)" in empty.sections[0]
    await ask(svc, "backlog add Big --points 20")
    assert (
        "Nothing in the backlog fits a capacity of 5"
        in (await ask(svc, "sprint plan --capacity 5")).sections[0]
    )
    await ask(svc, "sprint plan --capacity 30")
    again = await ask(svc, "sprint plan")
    assert "Sprint #1 is running until" in again.sections[0]
    for line, message in [
        ("sprint plan --capacity lots", "--capacity takes a whole number from 1 to 500"),
        ("sprint plan --days 0", "--days takes a whole number from 1 to 60"),
        ("sprint go", "is not a sprint command"),
        ("sprint status now", "I don't know what to do with"),
    ]:
        reply = await ask(svc, line)
        assert reply.error and message in reply.plain_text(), (line, reply.plain_text())
    bad_click = await ask(svc, "!sprint.plan {not json")
    assert bad_click.error


async def test_points_changed_mid_sprint_change_the_burndown(svc: Any) -> None:
    await ask(svc, "backlog add One --points 3")
    await ask(svc, "backlog add Two --points 5")
    await ask(svc, "sprint plan --capacity 10 --days 2")
    await ask(svc, "backlog edit 2 --points 8")
    svc.clock.advance(hours=30)
    status = await ask(svc, "sprint status")
    assert {f.label: f.value for f in status.facts}["Points left"] == "11"
