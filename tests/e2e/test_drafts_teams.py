"""Drafts through the Teams adapter: real `adaptiveCard/action` invokes to the running bot's
/api/messages, the Bot Connector faked, the model, Mastodon and Bluesky faked too."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from core.i18n import translate
from tests.bot.teams import activities as act
from tests.bot.teams.harness import TeamsHarness, running_bot
from tests.core.drafts import conftest as drafts_db
from tests.e2e.drafts_env import draft_settings, fake_platforms, store_mentions
from tests.e2e.test_teams_cards import all_actions
from tests.e2e.test_teams_messages import texts

pytestmark = [pytest.mark.e2e, pytest.mark.storage]
sqlite_template = drafts_db.sqlite_template
db_url = drafts_db.db_url
RIDO = "c5e99701-2a32-49c1-a660-4629ceeb8c61"  # the captured invoke's sender (aadObjectId)
APPROVERS = {"teams_aad": [RIDO]}


def button(card: dict[str, Any] | None, action_id: str) -> dict[str, Any]:
    return next(a for a in all_actions(card) if (a.get("data") or {}).get("action_id") == action_id)


async def invoke(
    bot: TeamsHarness, data: dict[str, Any], *, reply_to: str, aad: str = RIDO
) -> dict[str, Any]:
    activity = act.card_action(bot.fake.url, data=data, reply_to=reply_to)
    activity["from"] = {**activity["from"], "aadObjectId": aad}
    response = await bot.post(activity)
    assert response.status == 200
    return dict(await response.json())


async def draft_card(bot: TeamsHarness, mention_id: int) -> tuple[dict[str, Any], str]:
    """Ask for the mentions, click "Draft reply" on one: the draft card is posted."""
    await bot.post(act.personal_message("mentions Lumora", bot.fake.url))
    await bot.settle()
    listing = bot.fake.calls[0].card
    data = next(
        a["data"]
        for a in all_actions(listing)
        if a.get("data") == {"action_id": "draft.create", "value": str(mention_id)}
    )
    await invoke(bot, data, reply_to="1700000000100")
    await bot.settle()
    posted = bot.fake.calls[-1]
    assert posted.kind == "send" and posted.card is not None
    return posted.card, "1700000000200"


async def test_teams_draft_edit_approve_publish(db_url: str, tmp_path: Path) -> None:
    async with (
        fake_platforms() as fakes,
        running_bot(db_url, **draft_settings(fakes, tmp_path, **APPROVERS)) as bot,
    ):
        mentions = await store_mentions(bot.services)
        card, card_id = await draft_card(bot, mentions["bluesky"].id)
        assert "Descaling" in texts(card)

        # Edit turns the card into a form (an Input.Text on the card), Save submits it.
        form = (await invoke(bot, button(card, "draft.edit")["data"], reply_to=card_id))["value"]
        (field,) = [e for e in form["body"] if e["type"] == "Input.Text"]
        save = button(form, "draft.save")
        new_text = "Every 2–4 weeks, see chapter 5 of the manual. – Team Lumora"
        saved = await invoke(
            bot, {**save["data"], field["id"]: new_text}, reply_to=card_id, aad="someone-else"
        )
        assert "chapter 5" in texts(saved["value"])
        assert fakes.bluesky.created == []

        answer = await invoke(
            bot, button(saved["value"], "draft.approve")["data"], reply_to=card_id
        )
        (record,) = fakes.bluesky.created
        assert record["text"] == new_text
        post = fakes.bluesky.thread["thread"]["post"]
        assert record["reply"]["parent"] == {"uri": post["uri"], "cid": post["cid"]}
        assert "bsky.app/profile/lumora.bsky.social/post/" in texts(answer["value"])
        await bot.settle()
        assert bot.fake.calls[-1].kind == "update"  # the card changed for everyone


async def test_teams_refused_approver_and_double_click(db_url: str, tmp_path: Path) -> None:
    async with (
        fake_platforms() as fakes,
        running_bot(db_url, **draft_settings(fakes, tmp_path, **APPROVERS)) as bot,
    ):
        mentions = await store_mentions(bot.services)
        card, card_id = await draft_card(bot, mentions["mastodon"].id)
        data = button(card, "draft.approve")["data"]
        refused = await invoke(bot, data, reply_to=card_id, aad="not-an-approver")
        assert refused["value"] == translate("de", "drafts.refused.not_approver")
        assert fakes.mastodon.created == []
        answers = await asyncio.gather(*(invoke(bot, data, reply_to=card_id) for _ in range(3)))
        assert len(fakes.mastodon.created) == 1
        assert any(fakes.mastodon.created[0]["url"] in texts(a["value"]) for a in answers)
