"""The approver user groups' member lists: asked of Slack (a local fake speaking the Web
API), cached for the TTL, refreshed after it, and failing closed when Slack cannot tell."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator

import pytest
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.usergroups import UserGroups
from tests.bot.slack.fake_slack import FakeSlack

pytestmark = pytest.mark.asyncio
GROUP, OTHER = "S0614TZR7", "S0615G0KT"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
async def fake() -> AsyncIterator[FakeSlack]:
    slack = FakeSlack()
    await slack.start()
    slack.usergroups = {GROUP: ["U060R4BJ4", "W123A4BC5"], OTHER: ["W123A4BC5"]}
    try:
        yield slack
    finally:
        await slack.stop()


def groups(fake: FakeSlack, clock: Clock) -> UserGroups:
    client = AsyncWebClient(token="xoxb-test", base_url=fake.api_url)
    return UserGroups(client, ttl=300, stale=3600, clock=clock)


def asked(fake: FakeSlack) -> list[str]:
    return [c.params["usergroup"] for c in fake.attempts("usergroups.users.list")]


async def test_membership_of_the_configured_groups_only(fake: FakeSlack) -> None:
    directory = groups(fake, Clock())
    assert await directory.of("W123A4BC5", [GROUP, OTHER]) == (GROUP, OTHER)
    assert await directory.of("U060R4BJ4", [GROUP, OTHER]) == (GROUP,)
    assert await directory.of("U999", [GROUP, OTHER]) == ()
    assert await directory.of("U060R4BJ4", []) == ()
    assert sorted(asked(fake)) == [GROUP, OTHER]  # each group once: the rest from the cache


async def test_a_burst_asks_once_and_the_ttl_refreshes(fake: FakeSlack) -> None:
    clock = Clock()
    directory = groups(fake, clock)
    answers = await asyncio.gather(*(directory.of("U060R4BJ4", [GROUP]) for _ in range(20)))
    assert set(answers) == {(GROUP,)} and asked(fake) == [GROUP]
    fake.usergroups[GROUP] = ["W123A4BC5"]  # U060R4BJ4 leaves the group in Slack
    clock.now += 299
    assert await directory.of("U060R4BJ4", [GROUP]) == (GROUP,)  # still cached
    clock.now += 2
    assert await directory.of("U060R4BJ4", [GROUP]) == ()  # refreshed after the TTL
    assert asked(fake) == [GROUP, GROUP]


async def test_unreadable_group_fails_closed(
    fake: FakeSlack, caplog: pytest.LogCaptureFixture
) -> None:
    fake.fail("usergroups.users.list", error="missing_scope")
    with caplog.at_level(logging.WARNING, logger="bot.slack.usergroups"):
        assert await groups(fake, Clock()).of("U060R4BJ4", [GROUP]) == ()
    assert "missing_scope" in caplog.text and "usergroups:read" in caplog.text
    # An id Slack does not know is no group anyone is in.
    assert await groups(fake, Clock()).of("U060R4BJ4", ["S000NOPE"]) == ()


async def test_outage_keeps_the_last_list_until_it_is_stale(fake: FakeSlack) -> None:
    clock = Clock()
    directory = groups(fake, clock)
    assert await directory.of("U060R4BJ4", [GROUP]) == (GROUP,)
    clock.now += 400  # past the TTL: refresh, but Slack fails
    fake.fail("usergroups.users.list", status=200, error="fatal_error")
    assert await directory.of("U060R4BJ4", [GROUP]) == (GROUP,)
    clock.now += 3600  # the last list is now too old to trust
    fake.fail("usergroups.users.list", status=200, error="fatal_error")
    assert await directory.of("U060R4BJ4", [GROUP]) == ()
