"""Teams end to end: real activities over HTTP to the running bot, replies at a fake Bot
Connector — messages in a channel thread, a group chat and a personal chat, the install,
`expectReplies`, slow work, and bad input."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from core.i18n import Translator
from core.raw import RawMention
from core.storage.conversations import get_conversation
from tests.bot.teams import activities as act
from tests.bot.teams.harness import running_bot

pytestmark = pytest.mark.e2e
t = Translator("de")  # the example workspace speaks German by default

CHANNEL = "19:6848757105754c8981c67612732d9aa7@thread.tacv2"
THREAD = "1759881511856"


def texts(card: dict[str, Any] | None) -> str:
    """Every text of a card, joined (to look for words)."""
    out: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key in ("text", "title", "value", "label"):
                if isinstance(node.get(key), str):
                    out.append(node[key])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(card)
    return "\n".join(out)


async def _seed(services: Any) -> None:
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    await services.pipeline.ingest(
        [
            RawMention(
                "demo-forum",
                "1",
                "Die Lieferung ist nicht angekommen, Lumora!",
                now - dt.timedelta(hours=2),
                url="https://forum.example/1",
                author="Anna",
            ),
        ]
    )


async def test_channel_mention_answers_in_the_thread_and_remembers_the_channel(db_url: str) -> None:
    async with running_bot(db_url) as bot:
        await _seed(bot.services)
        response = await bot.post(
            act.channel_message("mentions Lieferung --since 7d", bot.fake.url)
        )
        assert response.status == 200
        [call] = bot.fake.calls
        # The answer is a reply to the user's message, in the same thread.
        assert call.kind == "reply" and call.activity_id == "1759944781430"
        assert call.conversation_id == f"{CHANNEL};messageid={THREAD}"
        card = call.card
        assert card is not None and card["type"] == "AdaptiveCard" and card["version"] == "1.5"
        assert "Anna" in texts(card) and "Lieferung" in texts(card)
        # The bot answers as itself, to the person who asked.
        assert call.body["from"]["id"] == "28:0b6fe6d1-fece-44f7-9a48-56465e2d5ab8"
        assert call.body["conversation"]["tenantId"] == "50612dbb-0237-4969-b378-8d42590f9c00"
        async with bot.services.sessions() as session:
            row = await get_conversation(session=session, platform="teams", conversation_id=CHANNEL)
        assert row is not None and row.reference
        stored = json.loads(row.reference)
        assert stored["conversation"]["id"] == CHANNEL  # the channel, not the thread
        assert stored["serviceUrl"] == bot.fake.url and "activityId" not in stored


async def test_group_and_personal_chats_get_the_same_commands(db_url: str) -> None:
    async with running_bot(db_url) as bot:
        assert (await bot.post(act.group_message("help", bot.fake.url))).status == 200
        assert (await bot.post(act.personal_message("hilfe", bot.fake.url))).status == 200
        group, personal = bot.fake.calls
        assert group.conversation_id == "19:1a2b3c4d5e6f47a8b9c0d1e2f3a4b5c6@thread.v2"
        assert (personal.conversation_id or "").startswith("a:17I0kl9EkpE1O9PH5")
        for call in (group, personal):
            assert "mentions" in texts(call.card)  # the command list


async def test_unknown_command_and_bad_quote_get_a_clear_answer(db_url: str) -> None:
    async with running_bot(db_url) as bot:
        await bot.post(act.channel_message("mentoins x", bot.fake.url))
        await bot.post(act.personal_message('mentions "unclosed', bot.fake.url))
        unknown, quote = (texts(c.card) for c in bot.fake.calls)
        assert "mentoins" in unknown and "mentions" in unknown
        words = " ".join(t("usage.quoted", word=w) for w in ("mentions", "unclosed"))
        assert t("usage.read_as", words=words) in quote


async def test_install_remembers_the_channel_and_says_hello(db_url: str) -> None:
    async with running_bot(db_url) as bot:
        response = await bot.post(act.team_install(bot.fake.url))
        assert response.status == 200
        [welcome] = bot.fake.calls
        channel = "19:0b7f32667e064dd9b25d7969801541f4@thread.tacv2"
        assert welcome.kind == "send" and welcome.conversation_id == channel
        assert "Horchposten" in texts(welcome.card)
        async with bot.services.sessions() as session:
            row = await get_conversation(session=session, platform="teams", conversation_id=channel)
        assert row is not None and row.name == "2021 Test Channel"
        assert row.tenant_id == "b28fdbfd-2b78-4f93-b0f8-8881793f0f8f"


async def test_expect_replies_come_back_in_the_response_body(db_url: str) -> None:
    async with running_bot(db_url) as bot:
        response = await bot.post(act.expect_replies(act.personal_message("help", bot.fake.url)))
        assert response.status == 200
        body = await response.json()
        [reply] = body["activities"]
        card = reply["attachments"][0]["content"]
        assert "mentions" in texts(card)
        assert bot.fake.calls == []  # nothing went to the connector


async def test_slow_work_answers_at_once_and_posts_the_result_later(db_url: str) -> None:
    async with running_bot(db_url) as bot:
        bot.runtime.responder.deadline = 0.05
        response = await bot.post(act.channel_message("teamsslow", bot.fake.url))
        assert response.status == 200
        [working] = bot.fake.calls
        assert t("teams.working") in texts(working.card).replace("\\", "")
        bot.gate.set()
        await bot.settle()
        later = bot.fake.calls[-1]
        assert later.kind == "send" and "Draft ready" in texts(later.card)
        # Proactively, into the same thread, and not as a reply to a made-up id.
        assert later.conversation_id == f"{CHANNEL};messageid={THREAD}"
        assert "replyToId" not in later.body


MALFORMED = [
    (b"{not json", "application/json", 400),
    (b"[]", "application/json", 400),
    (b'{"text": "no type"}', "application/json", 400),
    (
        b'{"type": "message", "serviceUrl": "file:///etc/passwd", "conversation": {"id": "a"}}',
        "application/json",
        400,
    ),
    (b'{"type": "message", "serviceUrl": "https://x.example/"}', "application/json", 400),
    (
        b'{"type": "message", "serviceUrl": "https://x.example/", "conversation": {"id": "a"},'
        b' "from": "me"}',
        "application/json",
        400,
    ),
    (b"type=message", "application/x-www-form-urlencoded", 415),
]


async def test_malformed_requests_get_a_4xx_and_a_reason(db_url: str) -> None:
    async with running_bot(db_url) as bot:
        for body, content_type, status in MALFORMED:
            response = await bot.client.post(
                "/api/messages", data=body, headers={"Content-Type": content_type}
            )
            assert response.status == status, body
            assert (await response.json())["error"]
        big = b'{"type": "message", "text": "' + b"x" * (1024 * 1024) + b'"}'
        response = await bot.client.post(
            "/api/messages", data=big, headers={"Content-Type": "application/json"}
        )
        assert response.status == 413
        assert bot.fake.calls == []


async def test_a_proxied_request_is_refused_without_an_app_id(db_url: str) -> None:
    async with running_bot(db_url) as bot:
        activity = act.personal_message("help", bot.fake.url)
        response = await bot.post(activity, headers={"X-Forwarded-For": "203.0.113.9"})
        assert response.status == 403
        assert bot.fake.calls == []
