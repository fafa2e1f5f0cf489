"""The sprint cycle through the Teams adapter: real message activities and
`adaptiveCard/action` invokes to the running bot's /api/messages, the Bot Connector faked —
plan, item buttons updating the card, status with the burndown on the card, close."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from core.models_backlog import BacklogItem, Sprint
from tests.bot.teams import activities as act
from tests.bot.teams.harness import TeamsHarness, running_bot
from tests.core.backlog.helpers import migrated_db_url
from tests.e2e.test_teams_cards import all_actions
from tests.e2e.test_teams_messages import texts as card_texts

pytestmark = [pytest.mark.e2e, pytest.mark.storage]


@pytest.fixture
def db_url(backend: str, tmp_path: Path) -> Iterator[str]:
    """A migrated database (a copy of a migrated template on SQLite: faster)."""
    yield from migrated_db_url(backend, tmp_path)


def button(card: dict[str, Any] | None, action_id: str, item: str | None = None) -> dict[str, Any]:
    """The data of button `action_id` (on item #`item`, when given) of a card."""
    return next(
        a["data"]
        for a in all_actions(card)
        if (a.get("data") or {}).get("action_id") == action_id
        and (item is None or str(a["data"].get("value", "")).split("@")[0] == item)
    )


async def say(bot: TeamsHarness, text: str) -> dict[str, Any] | None:
    """A personal message to the bot; returns the card it answers with."""
    before = len(bot.fake.calls)
    assert (await bot.post(act.personal_message(text, bot.fake.url))).status in (200, 201, 202)
    await bot.settle()
    (answer,) = bot.fake.calls[before:]
    return answer.card


async def invoke(bot: TeamsHarness, data: dict[str, Any], reply_to: str) -> dict[str, Any]:
    response = await bot.post(act.card_action(bot.fake.url, data=data, reply_to=reply_to))
    assert response.status == 200
    return dict(await response.json())


async def test_the_sprint_cycle_through_teams_buttons(db_url: str) -> None:
    async with running_bot(db_url) as bot:
        await say(bot, "backlog add Newsletter --points 3")
        await say(bot, "backlog add FAQ --points 2")
        await say(bot, "backlog add Video --points 8")
        plan = await say(bot, "sprint plan --capacity 6")
        shown = texts(plan)
        assert "Sprint #1" in shown and "#1 Newsletter" in shown and "#3 Video" not in shown
        plan_id = "1700000000300"

        # A click on an item's button answers with the whole sprint card, updated.
        started = await invoke(bot, button(plan, "backlog.start", "1"), plan_id)
        card = started["value"]
        assert "Eintrag #1 ist jetzt in Arbeit." in texts(card) and "#2 FAQ" in texts(card)
        done = (await invoke(bot, button(card, "backlog.done", "1"), plan_id))["value"]
        assert "Eintrag #1 ist jetzt erledigt." in texts(done)
        assert "3 von 5 Punkten" in texts(done) and button(done, "backlog.reopen", "1")

        # Status: a new card with the burndown chart as an image.
        before = len(bot.fake.calls)
        await invoke(bot, button(done, "sprint.status"), plan_id)
        await bot.settle()
        status = bot.fake.calls[before:][-1].card
        images = [n for n in _walk(status) if n.get("type") == "Image"]
        assert images and images[0]["url"].startswith("data:image/png;base64,")

        # Before its end, closing is asked first; the card's button confirms.
        before = len(bot.fake.calls)
        answer = await invoke(bot, button(status, "sprint.close"), "1700000000400")
        await bot.settle()
        question = answer.get("value") or bot.fake.calls[before:][-1].card
        assert "Sprint #1 vorzeitig abschließen?" in texts(question)
        assert "zählen 3 von 5 Punkten als Velocity" in texts(question)
        before = len(bot.fake.calls)
        await invoke(bot, button(question, "sprint.close.confirmed"), "1700000000400")
        await bot.settle()
        closed = bot.fake.calls[before:][-1].card
        assert "Sprint #1 abgeschlossen" in texts(closed) and "#2 FAQ" in texts(closed)
        assert "3 von 5 Punkten erledigt" in texts(closed)
        async with bot.services.sessions() as s:
            sprint = (await s.execute(select(Sprint))).scalars().one()
            items = {i.id: i for i in (await s.execute(select(BacklogItem))).scalars()}
        assert (sprint.state, sprint.completed_points, sprint.carried_points) == ("closed", 3, 2)
        assert items[1].state == "done" and items[2].sprint_id is None


def texts(card: dict[str, Any] | None) -> str:
    """The card's words, without the Markdown escapes Teams text needs (`\\#1` → `#1`)."""
    return card_texts(card).replace("\\", "")


def _walk(node: Any) -> list[dict[str, Any]]:
    if isinstance(node, list):
        return [n for child in node for n in _walk(child)]
    if not isinstance(node, dict):
        return []
    return [node] + [n for value in node.values() for n in _walk(value)]
