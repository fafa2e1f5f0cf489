"""Check-ins through the console, playing each member (`--as NAME` is the actor): asked on
demand, answered, edited, skipped, posted once with blockers first; privacy, away,
history, backlog links confirmed only by their member, blockers to the backlog."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.services import close_services
from core.storage import backlog as store
from tests.core.backlog.helpers import Clock, ask, make_services, migrated_db_url

pytestmark = pytest.mark.storage
MONDAY_0700 = dt.datetime(2026, 11, 23, 6, 0)  # 07:00 in Berlin, standup at 09:30


@pytest.fixture
def db_url(backend: str, tmp_path: Path) -> Iterator[str]:
    yield from migrated_db_url(backend, tmp_path)


@pytest.fixture
async def svc(db_url: str) -> AsyncIterator[Any]:
    services = await make_services(db_url, clock=Clock(MONDAY_0700))
    yield services
    await close_services(services)


async def _team(svc: Any) -> None:
    on = await ask(svc, 'standup checkin on --questions "Done?|Today?|Blocked?" --remind 10')
    assert not on.error, on.plain_text()
    assert "Done? | Today? | Blocked?" in on.plain_text()
    members = await ask(svc, "standup members @anna @ben @cem")
    assert "@anna, @ben, @cem" in members.plain_text()


async def test_three_members_two_answer_one_edits_one_skips_posted_once(svc: Any) -> None:
    await _team(svc)
    await ask(svc, 'backlog add "Battery FAQ"')
    prompt = await ask(svc, "standup checkin", actor="anna")
    assert prompt.ephemeral and [i.label for i in prompt.inputs] == ["Done?", "Today?", "Blocked?"]
    row_id = prompt.actions[0].value
    saved = await ask(svc, 'standup checkin answer "Launch post" "Battery FAQ" "no"', actor="anna")
    assert "saved" in saved.plain_text() and saved.ephemeral
    edited = await ask(
        svc,
        'standup checkin answer "Launch post" "Battery FAQ" "Waiting for legal"',
        actor="anna",
    )
    assert [(f.label, f.value) for f in edited.facts] == [
        ("Done?", "Launch post"),
        ("Today?", "Battery FAQ"),
        ("Blocked?", "Waiting for legal"),
    ]
    # "Change" opens the form again, with the answers in it, for anna alone.
    change = next(a for a in edited.actions if a.id == "checkin.edit")
    form = await ask(svc, action=(change.id, change.value), actor="anna")
    assert [i.value for i in form.inputs] == ["Launch post", "Battery FAQ", "Waiting for legal"]
    assert (await ask(svc, action=(change.id, change.value), actor="ben")).error
    await ask(svc, 'standup checkin answer "Finished #1" "Newsletter" "-"', actor="ben")
    await ask(svc, "standup checkin", actor="cem")  # asked, never answers

    # Before the post only the count is visible, not the answers.
    preview = (await ask(svc, "standup")).plain_text()
    assert "2 of 3 answered" in preview and "Waiting for legal" not in preview
    # Another member cannot answer or skip anna's check-in.
    forged = await ask(svc, action=("checkin.skip", row_id), actor="ben")
    assert forged.error

    post = await ask(svc, "standup post")
    text = post.plain_text()
    assert "No answer from: cem" in text
    titles = [i.title for i in post.items]
    assert titles == ["⚠ anna — blocked", "ben"]
    assert "Blocked? — Waiting for legal" in post.items[0].text
    assert (
        await ask(svc, "standup post")
    ).plain_text() == "The standup of 2026-11-23 has been posted already."
    late = await ask(svc, "standup checkin skip", actor="anna")
    assert "can no longer be changed" in late.plain_text()

    # The answers link the backlog: only the member confirms the move.
    move = next(a for a in post.items[1].actions if a.id == "checkin.move")
    assert move.label == "#1 → done"
    refused = await ask(svc, action=(move.id, move.value), actor="anna")
    assert "Only ben can confirm" in refused.plain_text()
    moved = await ask(svc, action=(move.id, move.value), actor="ben")
    assert moved.plain_text() == "#1 is now done."
    async with svc.sessions() as s:
        item = await store.get_item(session=s, item_id=1)
    assert item is not None and item.state == "done"

    # anna's blocker becomes a backlog item flagged blocked, once.
    block = next(a for a in post.items[0].actions if a.id == "checkin.block")
    added = await ask(svc, action=(block.id, block.value), actor="ben")
    assert "flagged blocked" in added.plain_text()
    again = await ask(svc, action=(block.id, block.value), actor="anna")
    assert "already backlog item" in again.plain_text()
    async with svc.sessions() as s:
        blocked = await store.list_items(session=s, states=("blocked",))
    assert [(i.title, i.owner) for i in blocked] == [("anna: Waiting for legal", "anna")]


async def test_members_not_yet_asked_are_named_unless_away(svc: Any) -> None:
    """`standup post` before the check-in time once said "1 of 1 answered" for a team of
    three: members without a row (not asked yet) count and are named as not answering."""
    await _team(svc)
    await ask(svc, "standup away @cem until 2026-11-30")
    await ask(svc, 'standup checkin answer "A" "B" "no"', actor="anna")  # asks anna on demand
    text = (await ask(svc, "standup post")).plain_text()
    assert "1 of 2 answered" in text and "No answer from: ben" in text
    assert "cem" not in text


async def test_history_shows_only_ones_own(svc: Any) -> None:
    await _team(svc)
    await ask(svc, 'standup checkin answer "A" "B" "C"', actor="anna")
    mine = await ask(svc, "standup history @anna 14d", actor="anna")
    assert "Done? — A" in mine.plain_text() and mine.ephemeral
    other = await ask(svc, "standup history @anna 14d", actor="ben")
    assert other.error and "A" not in [s.strip() for s in other.sections]
    assert (
        "No check-ins from you" in (await ask(svc, "standup history 14d", actor="ben")).plain_text()
    )
    bad = await ask(svc, "standup history @me soon", actor="anna")
    assert bad.error


async def test_away_members_and_strangers_are_not_asked(svc: Any) -> None:
    await _team(svc)
    away = await ask(svc, "standup away @cem until 2026-11-30")
    assert "until 2026-11-30" in away.plain_text()
    assert not (await ask(svc, "standup checkin", actor="cem")).inputs
    assert "no open check-in" in (await ask(svc, "standup checkin skip", actor="zoe")).plain_text()
    await ask(svc, "standup away @cem back")
    assert (await ask(svc, "standup checkin", actor="cem")).inputs
    assert (await ask(svc, "standup away @cem until someday")).error


async def test_bad_settings_are_usage_errors(svc: Any) -> None:
    for line in (
        'standup checkin on --questions " | "',
        "standup checkin on --at 25:00",
        "standup checkin on --remind soon",
        "standup checkin maybe",
        "standup members anna",
    ):
        reply = await ask(svc, line)
        assert reply.error, line
    off = await ask(svc, "standup checkin off")
    assert off.plain_text() == "Check-ins are off in this channel."
