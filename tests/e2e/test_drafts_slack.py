"""Drafts through the Slack adapter: signed block_actions and view_submission payloads to
the running bot, the Slack Web API faked, the model, Mastodon and Bluesky faked too."""

from __future__ import annotations

import asyncio
import copy
import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from bot.drafts_recovery import recover
from core.i18n import translate
from tests.bot.slack.fake_slack import Call, fixture
from tests.bot.slack.harness import SlackHarness, block_action, running_bot
from tests.core.drafts import conftest as drafts_db
from tests.e2e.drafts_env import Fakes, draft_settings, fake_platforms, store_mentions

pytestmark = [pytest.mark.e2e, pytest.mark.storage]
sqlite_template = drafts_db.sqlite_template
db_url = drafts_db.db_url
APPROVERS = {"slack_users": ["W111", "W333"]}  # W111 is the captured payloads' user


def buttons(call: Call) -> list[dict[str, Any]]:
    return [
        element
        for block in call.params.get("blocks") or []
        for element in block.get("elements")
        or ([block["accessory"]] if "accessory" in block else [])
        if element.get("type") == "button"
    ]


def button(call: Call, action_id: str) -> dict[str, Any]:
    return next(b for b in buttons(call) if b["action_id"] == action_id)


def shown(call: Call) -> str:
    return json.dumps({k: call.params.get(k) for k in ("text", "blocks")}, ensure_ascii=False)


async def click(bot: SlackHarness, action_id: str, value: str, ts: str, user: str = "W111") -> None:
    payload = block_action(action_id, value, response_url=bot.fake.hook("act"))
    payload["container"].update(message_ts=ts, channel_id="C111")
    payload["user"] = {**payload["user"], "id": user, "username": user, "name": user}
    response = await bot.interact(payload)
    assert response.status == 200


async def card_in_thread(bot: SlackHarness, fakes: Fakes, mention_id: int) -> Call:
    """Ask for the mention list, click its "Draft reply": the card arrives in the thread."""
    await bot.command("mentions entkalken")
    (listing,) = await bot.fake.wait_for(lambda: bot.fake.of("chat.postMessage"))
    draft_button = button(listing, "draft.create")
    assert draft_button["value"] == str(mention_id)
    list_ts = listing.response["ts"]
    await click(bot, "draft.create", draft_button["value"], list_ts, user="W222")
    posts = await bot.fake.wait_for(lambda: bot.fake.of("chat.postMessage")[1:])
    card = posts[0]
    assert card.params["thread_ts"] == list_ts
    return card


async def test_slack_draft_edit_approve_publish(db_url: str, tmp_path: Path) -> None:
    async with (
        fake_platforms() as fakes,
        running_bot(db_url, samples=False, **draft_settings(fakes, tmp_path, **APPROVERS)) as bot,
    ):
        mentions = await store_mentions(bot.services)
        card = await card_in_thread(bot, fakes, mentions["mastodon"].id)
        assert "Das Entkalken steht im Handbuch" in shown(card)
        card_ts = card.response["ts"]

        # Edit opens a modal; its submission saves the text and updates the card.
        await click(bot, "draft.edit", button(card, "draft.edit")["value"], card_ts, user="W222")
        (opened,) = await bot.fake.wait_for(lambda: bot.fake.of("views.open"))
        view = opened.params["view"]
        field = next(b for b in view["blocks"] if b["type"] == "input")
        new_text = "Ja: Kapitel 5 im Handbuch erklärt das Entkalken. – Team Lumora"
        submission = copy.deepcopy(fixture("view_submission.json"))
        submission["view"].update(
            callback_id=view["callback_id"],
            private_metadata=view["private_metadata"],
            blocks=view["blocks"],
            state={
                "values": {
                    field["block_id"]: {
                        field["element"]["action_id"]: {
                            "type": "plain_text_input",
                            "value": new_text,
                        }
                    }
                }
            },
        )
        assert (await bot.interact(submission)).status == 200
        (updated,) = await bot.fake.wait_for(lambda: bot.fake.of("chat.update"))
        assert updated.params["ts"] == card_ts and new_text in shown(updated)
        assert fakes.mastodon.created == []

        # Approve: the reply goes out once and the card shows the published link.
        await click(bot, "draft.approve", button(updated, "draft.approve")["value"], card_ts)
        updates = await bot.fake.wait_for(lambda: bot.fake.of("chat.update")[1:])
        (status,) = fakes.mastodon.created
        assert status["in_reply_to_id"] == "9001"
        assert fakes.mastodon.requests[-1][2]["status"] == new_text
        assert status["url"] in shown(updates[-1])


async def test_slack_refused_approver_sees_a_private_note(db_url: str, tmp_path: Path) -> None:
    async with (
        fake_platforms() as fakes,
        running_bot(db_url, samples=False, **draft_settings(fakes, tmp_path, **APPROVERS)) as bot,
    ):
        mentions = await store_mentions(bot.services)
        card = await card_in_thread(bot, fakes, mentions["mastodon"].id)
        await click(
            bot,
            "draft.approve",
            button(card, "draft.approve")["value"],
            card.response["ts"],
            user="W222",
        )
        await bot.settle()
        private = bot.fake.of("chat.postEphemeral") + [
            c for c in bot.fake.of("hook:act") if c.params.get("response_type") == "ephemeral"
        ]
        assert len(private) == 1
        assert translate("de", "drafts.refused.not_approver") in shown(private[0])
        assert bot.fake.of("chat.update") == [] and fakes.mastodon.created == []


async def test_slack_four_eyes_and_double_click(db_url: str, tmp_path: Path) -> None:
    async with (
        fake_platforms() as fakes,
        running_bot(
            db_url, samples=False, **draft_settings(fakes, tmp_path, four_eyes=True, **APPROVERS)
        ) as bot,
    ):
        mentions = await store_mentions(bot.services)
        await bot.command("mentions entkalken", user_id="W111")
        (listing,) = await bot.fake.wait_for(lambda: bot.fake.of("chat.postMessage"))
        await click(bot, "draft.create", str(mentions["mastodon"].id), listing.response["ts"])
        (card,) = await bot.fake.wait_for(lambda: bot.fake.of("chat.postMessage")[1:])
        ref = button(card, "draft.approve")["value"]
        ts = card.response["ts"]
        # W111 asked for the draft: four-eyes refuses them.
        await click(bot, "draft.approve", ref, ts, user="W111")
        await bot.settle()
        assert fakes.mastodon.created == []
        notes = bot.fake.of("chat.postEphemeral") + bot.fake.of("hook:act")
        assert any(translate("de", "drafts.refused.four_eyes") in shown(c) for c in notes)
        # W333 clicks twice at once (and Slack retries): one publication.
        await asyncio.gather(*(click(bot, "draft.approve", ref, ts, user="W333") for _ in range(3)))
        await bot.settle()
        assert len(fakes.mastodon.created) == 1
        assert any(fakes.mastodon.created[0]["url"] in shown(u) for u in bot.fake.of("chat.update"))


async def test_slack_publication_completed_later_is_told_in_the_thread(
    db_url: str, tmp_path: Path
) -> None:
    async with (
        fake_platforms() as fakes,
        running_bot(db_url, samples=False, **draft_settings(fakes, tmp_path, **APPROVERS)) as bot,
    ):
        mentions = await store_mentions(bot.services)
        card = await card_in_thread(bot, fakes, mentions["mastodon"].id)
        thread = card.params["thread_ts"]
        fakes.mastodon.fail_posts = [503]
        await click(
            bot, "draft.approve", button(card, "draft.approve")["value"], card.response["ts"]
        )
        (failed,) = await bot.fake.wait_for(lambda: bot.fake.of("chat.update"))
        assert button(failed, "draft.retry")["value"] == "publish:1"
        assert fakes.mastodon.created == []
        # The recovery job, once the retry is due, publishes and tells the card's thread.
        later = dt.datetime.now(dt.UTC).replace(tzinfo=None) + dt.timedelta(minutes=5)
        bot.services.clock = lambda: later
        (outcome,) = await recover(bot.services)
        assert outcome.status == "published" and len(fakes.mastodon.created) == 1
        posts = await bot.fake.wait_for(lambda: bot.fake.of("chat.postMessage")[2:])
        assert posts[0].params["thread_ts"] == thread
        assert fakes.mastodon.created[0]["url"] in shown(posts[0])


async def test_slack_user_group_approver(db_url: str, tmp_path: Path) -> None:
    """An approver named only through a Slack user group: the adapter asks Slack who is in
    it (usergroups.users.list, cached), so its member approves and anyone else is refused."""
    group = "S0614TZR7"
    async with (
        fake_platforms() as fakes,
        running_bot(
            db_url, samples=False, **draft_settings(fakes, tmp_path, slack_usergroups=[group])
        ) as bot,
    ):
        bot.fake.usergroups = {group: ["U060R4BJ4", "W333"]}
        mentions = await store_mentions(bot.services)
        card = await card_in_thread(bot, fakes, mentions["mastodon"].id)
        ref, ts = button(card, "draft.approve")["value"], card.response["ts"]

        await click(bot, "draft.approve", ref, ts, user="W444")  # not in the group
        await bot.settle()
        assert fakes.mastodon.created == []
        notes = bot.fake.of("chat.postEphemeral") + bot.fake.of("hook:act")
        assert any(translate("de", "drafts.refused.not_approver") in shown(c) for c in notes)

        await click(bot, "draft.approve", ref, ts, user="W333")  # a member
        await bot.settle()
        assert len(fakes.mastodon.created) == 1
        asked = bot.fake.of("usergroups.users.list")
        assert [c.params.get("usergroup") for c in asked] == [group]  # once, then cached


async def test_slack_user_group_unreadable_fails_closed(db_url: str, tmp_path: Path) -> None:
    """Without the usergroups:read scope Slack refuses the lookup: nobody is taken for an
    approver through the group, and the click gets the polite refusal, not an error."""
    async with (
        fake_platforms() as fakes,
        running_bot(
            db_url,
            samples=False,
            **draft_settings(fakes, tmp_path, slack_usergroups=["S0614TZR7"]),
        ) as bot,
    ):
        bot.fake.fail("usergroups.users.list", status=200, error="missing_scope", times=5)
        mentions = await store_mentions(bot.services)
        card = await card_in_thread(bot, fakes, mentions["mastodon"].id)
        ref, ts = button(card, "draft.approve")["value"], card.response["ts"]
        await click(bot, "draft.approve", ref, ts, user="W333")
        await bot.settle()
        assert fakes.mastodon.created == []
        notes = bot.fake.of("chat.postEphemeral") + bot.fake.of("hook:act")
        assert any(translate("de", "drafts.refused.not_approver") in shown(c) for c in notes)
