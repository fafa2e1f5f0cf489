"""People, not accounts: one person approving a draft in Slack and again in Teams counts
as one approver. One running bot serves both platforms (Slack against FakeSlack, Teams
against the fake Bot Connector); the workspace links Anna's Slack and Teams accounts."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlmodel import select

from bot.slack import ADAPTER
from core.drafts.service import DraftService
from core.i18n import translate
from core.models_drafts import Draft, DraftApproval
from core.reply import Actor, Conversation
from tests.bot.slack.fake_slack import FakeSlack
from tests.bot.slack.harness import SECRET, TOKEN, SlackHarness
from tests.bot.teams.harness import running_bot
from tests.core.drafts import conftest as drafts_db
from tests.e2e.drafts_env import draft_settings, fake_platforms, store_mentions
from tests.e2e.test_drafts_slack import click
from tests.e2e.test_drafts_teams import invoke

pytestmark = [pytest.mark.e2e, pytest.mark.storage]
sqlite_template = drafts_db.sqlite_template
db_url = drafts_db.db_url
ANNA_SLACK = "W111"  # the captured block_actions payload's user
ANNA_TEAMS = "c5e99701-2a32-49c1-a660-4629ceeb8c61"  # the captured invoke's sender
BEN_SLACK = "W333"


def people_workspace(settings: dict[str, Any], *, required: int, four_eyes: bool) -> None:
    """Link Anna's accounts; Anna and Ben approve; `required` people must."""
    path = Path(settings["workspace_path"])
    data = yaml.safe_load(path.read_text("utf-8"))
    data["people"] = {
        "anna": [f"slack:{ANNA_SLACK}", f"teams:{ANNA_TEAMS}"],
        "ben": [f"slack:{BEN_SLACK}"],
    }
    data["approvers"].update(
        slack_users=[], teams_aad=[], people=["anna", "ben"], required=required
    )
    data["approvers"]["four_eyes"] = four_eyes
    path.write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")


async def open_draft(services: Any, requester: Actor, mention_id: int) -> Draft:
    service = DraftService(
        sessions=services.sessions,
        workspace=services.workspace,
        llm=services.llm,
        publishers=services.publishers,
        clock=services.clock,
    )
    outcome = await service.create(
        mention_ref=str(mention_id),
        actor=requester,
        conversation=Conversation("slack", "C111", "1764150000.000100"),
    )
    assert outcome.draft is not None, outcome
    return outcome.draft


async def state(services: Any, draft_id: int) -> tuple[str, list[str]]:
    async with services.sessions() as session:
        draft = await session.get(Draft, draft_id)
        rows = (await session.execute(select(DraftApproval.person))).scalars().all()
    assert draft is not None
    return draft.state, list(rows)


async def test_one_person_approving_in_slack_and_in_teams_counts_once(
    db_url: str, tmp_path: Path
) -> None:
    slack = FakeSlack()
    await slack.start()
    try:
        async with fake_platforms() as fakes:
            settings = draft_settings(fakes, tmp_path)
            people_workspace(settings, required=2, four_eyes=False)
            settings.update(
                slack_signing_secret=SECRET, slack_bot_token=TOKEN, slack_api_url=slack.api_url
            )
            async with running_bot(db_url, **settings) as bot:
                on_slack = SlackHarness(slack, bot.client, bot.services)
                bot.client.server.app[ADAPTER].deliverer.pacer.interval = 0.01
                mentions = await store_mentions(bot.services)
                requester = Actor("W222", "Requester", "slack")
                draft = await open_draft(bot.services, requester, mentions["bluesky"].id)
                assert draft.id is not None
                value = f"{draft.id}:{draft.version}"

                # Anna approves in Slack: one of two.
                await click(on_slack, "draft.approve", value, "1764150001.000200", ANNA_SLACK)
                await on_slack.settle()
                assert await state(bot.services, draft.id) == ("proposed", ["anna"])
                noted = translate(
                    "de", "drafts.note.approval_noted", approved=1, required=2, count=1
                )
                assert noted in json.dumps([c.params for c in slack.calls], ensure_ascii=False)

                # Anna again, now in Teams: still one person, so still one of two.
                answer = await invoke(
                    bot,
                    {"action_id": "draft.approve", "value": value},
                    reply_to="1700000000200",
                    aad=ANNA_TEAMS,
                )
                await bot.settle()
                assert await state(bot.services, draft.id) == ("proposed", ["anna"])
                assert fakes.bluesky.created == []
                already = translate("de", "drafts.refused.approved_already", count=1)
                assert already in json.dumps(answer, ensure_ascii=False)

                # Ben is the second person: the draft is approved and published once.
                await click(on_slack, "draft.approve", value, "1764150001.000200", BEN_SLACK)
                await on_slack.settle()
                final, people = await state(bot.services, draft.id)
                assert final == "published" and people == ["anna", "ben"]
                assert len(fakes.bluesky.created) == 1
    finally:
        await slack.stop()


async def test_four_eyes_knows_the_requester_on_the_other_platform(
    db_url: str, tmp_path: Path
) -> None:
    async with fake_platforms() as fakes:
        settings = draft_settings(fakes, tmp_path)
        people_workspace(settings, required=1, four_eyes=True)
        async with running_bot(db_url, **settings) as bot:
            mentions = await store_mentions(bot.services)
            # Anna asks for the draft in Slack, then tries to approve it in Teams.
            anna_in_slack = Actor(ANNA_SLACK, "Anna", "slack")
            draft = await open_draft(bot.services, anna_in_slack, mentions["bluesky"].id)
            answer = await invoke(
                bot,
                {"action_id": "draft.approve", "value": f"{draft.id}:{draft.version}"},
                reply_to="1700000000200",
                aad=ANNA_TEAMS,
            )
            await bot.settle()
            assert draft.id is not None
            assert (await state(bot.services, draft.id))[0] == "proposed"
            refused = translate("de", "drafts.refused.four_eyes")
            assert refused in json.dumps(answer, ensure_ascii=False)
