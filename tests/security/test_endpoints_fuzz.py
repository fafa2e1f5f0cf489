"""Fuzzing the HTTP endpoints of the running bot: signed Slack payloads of every kind (so the
parsers behind the signature are reached), unsigned garbage, Teams activities in Emulator
mode, and signed webhook batches. Every answer is a 2xx or 4xx — never a 5xx, a hang or a
dropped connection — and nothing fails later in the background either (the error log of
the run stays empty).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Iterator
from typing import Any
from urllib.parse import quote, urlencode

import pytest
import pytest_asyncio
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.slack.forms import ModalContext
from core import db as coredb
from tests.bot.slack.fake_slack import fixture as slack_fixture
from tests.bot.slack.harness import slash_form
from tests.bot.teams.activities import fixture as teams_fixture
from tests.security.bot import Bot, whole_bot
from tests.security.strategies import dumps, garbage, json_values, mutated

pytestmark = pytest.mark.asyncio(loop_scope="module")
FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
REQUEST_TIMEOUT = 15.0
CONTENT_TYPES = st.sampled_from(
    [
        "application/json",
        "application/x-www-form-urlencoded",
        "text/plain",
        "multipart/form-data",
        "application/json; charset=latin-1",
        "",
    ]
)


class Errors(logging.Handler):
    """Every ERROR record of the run (a failure after the HTTP answer shows up here)."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture(scope="module")
def errors() -> Iterator[Errors]:
    handler = Errors()
    logging.getLogger().addHandler(handler)
    yield handler
    logging.getLogger().removeHandler(handler)


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def bot(tmp_path_factory: pytest.TempPathFactory, errors: Errors) -> AsyncIterator[Bot]:
    url = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('fuzz') / 'bot.db'}"
    await coredb.upgrade(url)
    async with whole_bot(url) as running:
        running.webhook_budget(100_000)
        running.slack.adapter.responder.deadline = 30  # no "working on it" notices in between
        yield running


async def settled(bot: Bot, errors: Errors) -> None:
    """Let the work after the acks finish; nothing of it may have failed."""
    await bot.slack.settle()
    from bot.teams import RUNTIME

    await asyncio.wait_for(bot.app[RUNTIME].drain(), 20)
    # The endpoint itself logs a payload that bolt cannot take before answering it with
    # 400 (the status is checked above); anything else at ERROR is a failure after the ack.
    # Except one artefact of the fake: its routes take no "{" or "}" in an id, so a reply
    # to an activity id like "a{b" gets a 404 there (the real connector decides for itself).
    front = ("bot.slack.bolt", "bot.slack.endpoint")
    failures = [
        f"{r.name}: {r.getMessage()} {r.exc_info[1] if r.exc_info else ''!r}"
        for r in errors.records
        if r.name not in front and not _fake_route_miss(r)
    ]
    errors.records.clear()
    assert failures == [], failures


def _fake_route_miss(record: logging.LogRecord) -> bool:
    return record.exc_info is not None and "Connector answered 404" in str(record.exc_info[1])


def hook(bot: Bot) -> str:
    return bot.slack.fake.hook("fuzz")


def pin_urls(payload: Any, bot: Bot) -> Any:
    """Answers go to the fake Slack, wherever a mutated payload would send them."""
    if isinstance(payload, dict):
        if "response_url" in payload:
            payload["response_url"] = hook(bot)
        view = payload.get("view")
        if isinstance(view, dict) and isinstance(view.get("private_metadata"), str):
            view["private_metadata"] = view["private_metadata"].replace("https://", "http://x/")
    return payload


def our_view(bot: Bot) -> dict[str, Any]:
    body = slack_fixture("view_submission.json")
    body["view"]["callback_id"] = "horch.form"
    body["view"]["private_metadata"] = ModalContext(
        "mentions.page", '{"q": "Lumora"}', "C111", None, "1.2", hook(bot)
    ).encode()
    return dict(body)


def form(fields: Any) -> bytes:
    if not isinstance(fields, dict):
        fields = {"payload": fields}
    pairs = {str(k): str(v) for k, v in fields.items()}
    # Lone surrogates go out as the bytes they stand for: invalid UTF-8 for the bot to meet.
    return urlencode(pairs, encoding="utf-8", errors="surrogatepass").encode()


async def check(status_call: Any) -> int:
    status = int(await asyncio.wait_for(status_call, REQUEST_TIMEOUT))
    assert status < 500, status
    return status


# --- Slack ------------------------------------------------------------------------------


@FUZZ
@given(data=st.data())
async def test_signed_slack_events(bot: Bot, errors: Errors, data: st.DataObject) -> None:
    payload = data.draw(
        mutated(slack_fixture("app_mention.json"), max_changes=4)
        | mutated(slack_fixture("message_im.json"), max_changes=4)
        | mutated(slack_fixture("url_verification.json"))
    )
    await check(bot.slack_post(dumps(payload), data.draw(CONTENT_TYPES)))
    await settled(bot, errors)


@FUZZ
@given(data=st.data())
async def test_signed_slack_interactivity(bot: Bot, errors: Errors, data: st.DataObject) -> None:
    payload = data.draw(
        mutated(slack_fixture("block_actions.json"), max_changes=4)
        | mutated(our_view(bot), max_changes=4)
        | json_values
    )
    body = f"payload={quote(str(dumps(pin_urls(payload, bot)), 'utf-8'))}".encode()
    await check(bot.slack_post(body, "application/x-www-form-urlencoded"))
    await settled(bot, errors)


@FUZZ
@given(data=st.data())
async def test_signed_slash_commands(bot: Bot, errors: Errors, data: st.DataObject) -> None:
    fields = data.draw(mutated(slash_form("mentions Lumora"), max_changes=4))
    fields = pin_urls(fields, bot) if isinstance(fields, dict) else fields
    if isinstance(fields, dict):
        fields["response_url"] = hook(bot)
    await check(bot.slack_post(form(fields), "application/x-www-form-urlencoded"))
    await settled(bot, errors)


@FUZZ
@given(body=garbage, content_type=CONTENT_TYPES, signed=st.booleans())
async def test_slack_garbage(
    bot: Bot, errors: Errors, body: bytes, content_type: str, signed: bool
) -> None:
    status = await check(bot.slack_post(body, content_type, None if signed else {}))
    if not signed:
        assert status == 401
    await settled(bot, errors)


# --- Teams (Emulator mode, from this machine) -------------------------------------------

ACTIVITIES = [
    teams_fixture(name)
    for name in (
        "personal_message.json",
        "channel_message.json",
        "card_action_invoke.json",
        "conversation_update_team_install.json",
    )
]


@FUZZ
@given(data=st.data(), expect_replies=st.booleans())
async def test_teams_activities(
    bot: Bot, errors: Errors, data: st.DataObject, expect_replies: bool
) -> None:
    activity = data.draw(st.sampled_from(ACTIVITIES).flatmap(lambda a: mutated(a, max_changes=4)))
    if isinstance(activity, dict):
        activity["serviceUrl"] = bot.connector.url
        if expect_replies:
            activity["deliveryMode"] = "expectReplies"
    await check(bot.teams_post(dumps(activity)))
    await settled(bot, errors)


@FUZZ
@given(body=garbage | json_values.map(dumps))
async def test_teams_garbage(bot: Bot, errors: Errors, body: bytes) -> None:
    status = await check(bot.teams_post(body))
    assert 400 <= status < 500
    await settled(bot, errors)


# --- the webhook -------------------------------------------------------------------------

ITEM = {
    "id": "li-7",
    "text": "Lumora Brew <!channel> ist super",
    "published_at": "2026-11-20T08:00:00Z",
    "url": "https://www.linkedin.com/feed/update/7",
    "author": "Anna",
    "title": "Post",
    "likes": 3,
    "followers": 10,
    "reply_to": "li-1",
}


@FUZZ
@given(
    body=mutated({"platform": "linkedin", "items": [ITEM, ITEM]}, max_changes=5).map(dumps)
    | json_values.map(dumps)
    | garbage
)
async def test_signed_webhook_batches(bot: Bot, errors: Errors, body: bytes) -> None:
    status = await check(bot.webhook_post(body))
    assert status in (200, 400, 413, 422), status
    await settled(bot, errors)
