"""Slack's check-in roster against the fake Slack: a channel's people with zone and language
(bots and deactivated users left out, users.info cached), and the DM a question goes to."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.checkin import USER_TTL_SECONDS, SlackRoster
from core.reply import Reply
from core.standup.checkin import Member
from tests.bot.slack.fake_slack import FakeSlack


class FakeNotifier:
    platform = "slack"

    def __init__(self) -> None:
        self.posts: list[tuple[str, Reply, str | None]] = []

    async def post(
        self,
        *,
        channel_id: str,
        reply: Reply,
        thread_id: str | None = None,
        locale: str | None = None,
    ) -> str | None:
        self.posts.append((channel_id, reply, locale))
        return "1700000000.000001"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def user(uid: str, name: str, **extra: Any) -> dict[str, Any]:
    return {
        "id": uid,
        "name": name.lower(),
        "real_name": name,
        "tz": "America/New_York",
        "locale": "de-DE",
        "deleted": False,
        "is_bot": False,
        "profile": {"real_name": name, "display_name": ""},
        **extra,
    }


@pytest.fixture
async def fake() -> AsyncIterator[FakeSlack]:
    slack = FakeSlack()
    await slack.start()
    slack.channel_members["C1"] = ["U1", "U2", "U3", "B1"]
    slack.users.update(
        {
            "U1": user("U1", "Anna"),
            "U2": user("U2", "Gone", deleted=True),
            "U3": user("U3", "Cem", tz=None, locale=None),
            "B1": user("B1", "Horchposten", is_bot=True),
        }
    )
    try:
        yield slack
    finally:
        await slack.stop()


async def test_members_with_zone_and_language_and_no_bots(fake: FakeSlack) -> None:
    clock = Clock()
    roster = SlackRoster(
        AsyncWebClient(token="xoxb-test", base_url=fake.api_url), FakeNotifier(), clock=clock
    )  # type: ignore[arg-type]
    members = await roster.members("C1")
    assert members == [
        Member("U1", "Anna", zone="America/New_York", locale="de-DE"),
        Member("U3", "Cem"),
    ]
    await roster.members("C1")
    assert len(fake.of("users.info")) == 4  # the second listing from the cache
    clock.now += USER_TTL_SECONDS
    await roster.members("C1")
    assert len(fake.of("users.info")) == 8
    with pytest.raises(SlackApiError):
        await roster.members("C404")


async def test_the_question_goes_to_the_members_dm(fake: FakeSlack) -> None:
    notifier = FakeNotifier()
    roster = SlackRoster(AsyncWebClient(token="xoxb-test", base_url=fake.api_url), notifier)  # type: ignore[arg-type]
    where = await roster.send_direct(
        member=Member("U1", "Anna"), reply=Reply(title="Check-in"), locale="de", channel_id="C1"
    )
    assert where == "DU1"
    (opened,) = fake.of("conversations.open")
    assert opened.params["users"] == "U1"
    assert [(c, r.title, loc) for c, r, loc in notifier.posts] == [("DU1", "Check-in", "de")]
