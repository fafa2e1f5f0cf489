"""The sprint cycle through the Slack adapter: signed slash commands and block_actions to
the running bot, the Slack Web API faked — plan, item buttons, status with the burndown
uploaded as a file, close with carry-over."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from core.models_backlog import BacklogItem, Sprint
from tests.bot.slack.fake_slack import Call
from tests.bot.slack.harness import SlackHarness, block_action, running_bot
from tests.core.backlog.helpers import migrated_db_url

pytestmark = [pytest.mark.e2e, pytest.mark.storage]


@pytest.fixture
def db_url(backend: str, tmp_path: Path) -> Iterator[str]:
    """A migrated database (a copy of a migrated template on SQLite: faster)."""
    yield from migrated_db_url(backend, tmp_path)


def buttons(call: Call) -> list[dict[str, Any]]:
    return [
        element
        for block in call.params.get("blocks") or []
        for element in block.get("elements")
        or ([block["accessory"]] if "accessory" in block else [])
        if element.get("type") == "button"
    ]


def shown(call: Call) -> str:
    return json.dumps({k: call.params.get(k) for k in ("text", "blocks")}, ensure_ascii=False)


async def click(bot: SlackHarness, action_id: str, value: str, ts: str, user: str = "W111") -> None:
    payload = block_action(action_id, value, response_url=bot.fake.hook("act"))
    payload["container"].update(message_ts=ts, channel_id="C111")
    payload["user"] = {**payload["user"], "id": user, "username": user, "name": user}
    response = await bot.interact(payload)
    assert response.status == 200


def button(call: Call, action_id: str, item: str | None = None) -> dict[str, Any]:
    """The button `action_id` (of item #`item`, when given) in a posted or updated message."""
    return next(
        b
        for b in buttons(call)
        if b["action_id"] == action_id and (item is None or b["value"].split("@")[0] == item)
    )


async def posted(bot: SlackHarness, title: str) -> Call:
    return await bot.fake.wait_for(
        lambda: next(
            (c for c in bot.fake.of("chat.postMessage") if c.params["text"] == title), None
        )
    )


async def test_the_sprint_cycle_through_slack_buttons(db_url: str) -> None:
    async with running_bot(db_url, samples=False) as bot:
        for n, line in enumerate(
            (
                "backlog add Newsletter --points 3",
                "backlog add FAQ --points 2",
                "backlog add Video --points 8",
            ),
            start=1,
        ):
            assert (await bot.command(line)).status == 200
            await posted(bot, f"Als #{n} ins Backlog aufgenommen")  # one after the other
        await bot.command("sprint plan --capacity 6")
        plan = await posted(bot, "Sprint #1 geplant")
        assert "#1 Newsletter" in shown(plan) and "#2 FAQ" in shown(plan)
        assert "#3 Video" not in shown(plan)
        ts = plan.response["ts"]

        # Start, then finish #1 with the buttons on the plan: the message is updated in
        # place and still shows the whole sprint.
        await click(bot, "backlog.start", button(plan, "backlog.start", "1")["value"], ts)
        first = await bot.fake.wait_for(lambda: bot.fake.of("chat.update"))
        assert first[0].params["ts"] == ts
        assert "Eintrag #1 ist jetzt in Arbeit." in shown(first[0])
        assert "#2 FAQ" in shown(first[0])
        await click(bot, "backlog.done", button(first[0], "backlog.done", "1")["value"], ts)
        second = (await bot.fake.wait_for(lambda: bot.fake.of("chat.update")[1:]))[0]
        assert "Eintrag #1 ist jetzt erledigt." in shown(second) and "3 von 5 Punkten" in shown(
            second
        )

        # Sprint status: a new message, and the burndown chart uploaded as a PNG file.
        await click(bot, "sprint.status", button(second, "sprint.status").get("value", ""), ts)
        status = await posted(bot, "Sprint #1 — Tag 1 von 14")
        assert "3 von 5 Punkten" in shown(status)
        (done_upload,) = await bot.fake.wait_for(
            lambda: bot.fake.of("files.completeUploadExternal")
        )
        (asked,) = bot.fake.of("files.getUploadURLExternal")
        assert asked.params["filename"] == "chart.png" and int(asked.params["length"]) > 1000
        assert "Burndown Sprint #1" in json.dumps(done_upload.params, ensure_ascii=False)
        assert len(bot.fake.of("upload")) == 1

        # Close before its end: asked first, with what it records; then confirmed.
        await click(
            bot,
            "sprint.close",
            button(status, "sprint.close").get("value", ""),
            status.response["ts"],
        )
        question = await bot.fake.wait_for(
            lambda: next(
                (c for c in bot.fake.calls if "Sprint #1 vorzeitig abschließen?" in shown(c)),
                None,
            )
        )
        assert "zählen 3 von 5 Punkten als Velocity" in shown(question)
        assert "Abbrechen, alles lassen" in shown(question)
        async with bot.services.sessions() as s:
            assert (await s.execute(select(Sprint))).scalars().one().state == "active"
        confirm = button(question, "sprint.close.confirmed")
        assert confirm["style"] == "danger"
        await click(bot, "sprint.close.confirmed", confirm["value"], status.response["ts"])
        closed = await posted(bot, "Sprint #1 abgeschlossen")
        assert "3 von 5 Punkten erledigt" in shown(closed) and "#2 FAQ" in shown(closed)
        async with bot.services.sessions() as s:
            sprint = (await s.execute(select(Sprint))).scalars().one()
            items = {i.id: i for i in (await s.execute(select(BacklogItem))).scalars()}
        assert (sprint.state, sprint.completed_points, sprint.carried_points) == ("closed", 3, 2)
        assert items[1].state == "done" and items[1].owner == "W111"
        assert items[2].state == "todo" and items[2].sprint_id is None
