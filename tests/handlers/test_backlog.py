"""`backlog` end to end through the console dispatch: suggest, list by score, add, show,
edit, drop, the buttons on an item, and clear answers to bad input."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from bot.services import close_services
from core.models import AuditEvent
from core.models_backlog import BacklogItem
from handlers.backlog_edit import evidence_count
from tests.core.backlog.helpers import ask, make_services, migrated_db_url, seed_listening

pytestmark = pytest.mark.storage


@pytest.fixture
def db_url(backend: str, tmp_path: Path) -> Iterator[str]:
    """A migrated database (a copy of a migrated template on SQLite: faster)."""
    yield from migrated_db_url(backend, tmp_path)


@pytest.fixture
async def svc(db_url: str) -> AsyncIterator[Any]:
    services = await make_services(db_url)
    yield services
    await close_services(services)


@pytest.fixture
async def seeded(svc: Any) -> Any:
    await seed_listening(svc)
    return svc


async def _items(svc: Any) -> list[BacklogItem]:
    async with svc.sessions() as s:
        return list((await s.execute(select(BacklogItem).order_by(BacklogItem.id))).scalars())


async def test_suggest_adds_items_once_with_ice_parts_and_buttons(seeded: Any) -> None:
    svc = seeded
    reply = await ask(svc, "backlog suggest")
    assert not reply.error, reply.plain_text()
    assert reply.title == "Backlog suggestions"
    assert "5 new items" in reply.sections[0]
    first = reply.items[0]
    assert first.title.startswith("#") and first.text.startswith("As ")
    facts = {f.label: f.value for f in first.facts}
    assert facts["ICE"].split(" = ")[0].isdigit() and "impact" in facts["ICE"]
    assert facts["State"] == "to do"
    assert [a.id for a in first.actions][:2] == ["backlog.start", "backlog.done"]
    again = await ask(svc, "backlog suggest")
    assert "No new items" in again.sections[0] and "in the backlog already" in again.sections[1]
    assert len(await _items(svc)) == 5


async def test_list_is_sorted_by_score_and_show_explains_the_score(seeded: Any) -> None:
    svc = seeded
    await ask(svc, "backlog suggest")
    listing = await ask(svc, "backlog")
    scores = [
        int(dict((f.label, f.value) for f in i.facts)["ICE"].split(" = ")[0]) for i in listing.items
    ]
    assert scores == sorted(scores, reverse=True) and len(scores) == 5
    item_id = listing.items[0].title.split()[0].lstrip("#")
    shown = await ask(svc, f"backlog show {item_id}")
    labels = [f.label for f in shown.facts]
    assert {"Impact", "Confidence", "Ease"} <= set(labels)
    impact = next(f.value for f in shown.facts if f.label == "Impact")
    assert "mentions with a reach of" in impact
    assert any(f.label.startswith("Evidence") for f in shown.facts)
    assert shown.items and all(i.source for i in shown.items)  # the linked mentions


async def test_add_edit_drop_and_the_audit_trail(svc: Any) -> None:
    added = await ask(
        svc, 'backlog add "Descaling FAQ for the Brew" --points 2 --format faq_entry --owner me'
    )
    assert added.title == "Added to the backlog as #1", added.plain_text()
    facts = dict((f.label, f.value) for f in added.items[0].facts)
    assert facts["Owner"] == "console" and facts["Points"] == "2"
    assert facts["ICE"].startswith("200 = ")  # 5 × 5 × ease 8
    assert len((await ask(svc, "backlog list --owner me")).items) == 1
    assert len((await ask(svc, "backlog list --owner me", actor="ben")).items) == 0
    dup = await ask(svc, "backlog add descaling faq for the brew")
    assert dup.error and "#1" in dup.plain_text()
    edited = await ask(svc, "backlog edit 1 --points 3 --impact 8 --owner none")
    facts = dict((f.label, f.value) for f in edited.items[0].facts)
    assert (
        facts["Points"] == "3" and facts["Owner"] == "nobody yet" and facts["ICE"].startswith("320")
    )
    moved = await ask(svc, "backlog edit #1 --state progress")
    assert "is now in progress" in moved.sections[0]
    dropped = await ask(svc, "backlog drop 1")
    assert "is now dropped" in dropped.sections[0]
    assert (await ask(svc, "backlog")).sections == [
        "The backlog is empty. Try /horch backlog suggest, or add an item with /horch backlog add TEXT."
    ]
    everything = await ask(svc, "backlog list --state all")
    assert len(everything.items) == 1
    async with svc.sessions() as s:
        kinds = [
            e.kind
            for e in (
                await s.execute(select(AuditEvent).where(AuditEvent.subject == "backlog:1"))
            ).scalars()
        ]
    assert kinds == ["backlog.add", "backlog.edit", "backlog.state", "backlog.state"]


async def test_buttons_move_an_item_and_a_stale_click_changes_nothing(svc: Any) -> None:
    await ask(svc, "backlog add Newsletter --points 3")
    started = await ask(svc, action=("backlog.start", "1"), actor="anna")
    assert started.replace and "in progress" in started.sections[0]
    facts = dict((f.label, f.value) for f in started.items[0].facts)
    assert facts["Owner"] == "anna"  # starting an unowned item takes it
    blocked = await ask(svc, action=("backlog.block", "1"))
    assert "blocked" in blocked.sections[0]
    assert [a.id for a in blocked.items[0].actions][:2] == ["backlog.unblock", "backlog.drop"]
    bad = await ask(svc, action=("backlog.done", "1"))  # blocked → done is not a move
    assert bad.error and "cannot go to done" in bad.sections[0]
    await ask(svc, action=("backlog.unblock", "1"))
    done = await ask(svc, action=("backlog.done", "1"))
    again = await ask(svc, action=("backlog.done", "1"))
    assert "is now done" in done.sections[0] and "is done already" in again.sections[0]
    taken = await ask(svc, action=("backlog.take", "1"), actor="ben")
    assert "now belongs to ben" in taken.sections[0]


BAD_INPUT = [
    ("backlog frobnicate", "is not a backlog command"),
    ("backlog show", "Which item?"),
    ("backlog show abc", "is not an item number"),
    ("backlog show 999", "There is no backlog item #999"),
    ("backlog add", "What should the item say?"),
    ("backlog add x --points 1000", "--points takes a whole number from 0 to 100"),
    ("backlog add x --format tiktok_dance", "is not a format"),
    ("backlog list --state later", "is not a state"),
    ("backlog list --color red", "Unknown option --color"),
    ("backlog edit 1", "What should change?"),
    ("backlog edit 1 --state finished", "is not a state"),
]


async def test_bad_input_gets_a_clear_answer(svc: Any) -> None:
    await ask(svc, "backlog add something")
    for line, message in BAD_INPUT:
        reply = await ask(svc, line)
        assert reply.error and message in reply.plain_text(), (line, reply.plain_text())
    clicked = await ask(svc, action=("backlog.start", "not-a-number"))
    assert clicked.error and "is not an item number" in clicked.plain_text()


async def test_german_replies(seeded: Any) -> None:
    reply = await ask(seeded, "backlog suggest", locale="de")
    assert reply.title == "Backlog-Vorschläge"
    assert reply.items[0].text.startswith("Als ")
    assert [f.label for f in reply.items[0].facts][:3] == ["ICE", "Status", "Zuständig"]


async def test_dropping_an_item_with_evidence_is_asked_first(seeded: Any) -> None:
    svc = seeded
    await ask(svc, "backlog suggest")
    item = (await _items(svc))[0]
    question = await ask(svc, f"backlog drop {item.id}")
    assert question.title == f"Drop backlog item #{item.id}?"
    assert f"#{item.id} “{item.title}” rests on" in question.sections[0]
    count = evidence_count(item)
    assert count > 1 and f"rests on {count} mentions as evidence" in question.sections[0]
    confirm, cancel = question.actions
    assert (confirm.id, confirm.value, cancel.id) == (
        "backlog.drop.confirmed",
        str(item.id),
        "confirm.cancel",
    )
    assert (await _items(svc))[0].state == "todo"  # nothing changed yet
    # The card's Drop button asks too, and keeps the view it was clicked in.
    from_list = await ask(svc, f"!backlog.drop {item.id}@list")
    assert from_list.actions[0].value == f"{item.id}@list"
    dropped = await ask(svc, f"!{confirm.id} {confirm.value}")
    assert not dropped.error and "dropped" in dropped.sections[0]
    assert (await _items(svc))[0].state == "dropped"
    # In German too.
    other = (await _items(svc))[1]
    frage = await ask(svc, f"backlog drop {other.id}", locale="de")
    assert frage.title == f"Backlog-Eintrag #{other.id} verwerfen?"
    assert frage.actions[1].label == "Abbrechen, alles lassen"
