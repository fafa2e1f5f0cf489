"""Slack over HTTP, end to end: signed requests to the running bot, a fake Slack Web API.

One bot (the real aiohttp application with every setup) serves the whole module; each
test starts with an empty call log. Payloads are Slack's own (tests/fixtures/slack).
"""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import hmac
import json
import time
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
import pytest_asyncio

from core import db as coredb
from core.i18n import translate
from core.raw import RawMention
from tests.bot.slack.fake_slack import Call, fixture
from tests.bot.slack.harness import (
    BOT_USER,
    SECRET,
    SlackHarness,
    block_action,
    interactive_body,
    running_bot,
    sign,
    slash_form,
)

pytestmark = [pytest.mark.e2e, pytest.mark.asyncio(loop_scope="module")]


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def shared_bot(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[SlackHarness]:
    path: Path = tmp_path_factory.mktemp("slack") / "bot.db"
    url = f"sqlite+aiosqlite:///{path}"
    await coredb.upgrade(url)
    async with running_bot(url) as harness:
        yield harness


@pytest_asyncio.fixture(loop_scope="module")
async def bot(shared_bot: SlackHarness) -> SlackHarness:
    await shared_bot.settle()
    shared_bot.fake.calls.clear()
    shared_bot.fake.failures.clear()
    shared_bot.fake.not_member.clear()
    shared_bot.adapter.responder.deadline = 2.0
    return shared_bot


def dump(call: Call) -> str:
    """Everything a call would show in Slack (text and blocks) as one string."""
    return json.dumps(
        {k: call.params.get(k) for k in ("text", "blocks", "view")}, ensure_ascii=False
    )


def mention(text: str, **event: Any) -> dict[str, Any]:
    payload = copy.deepcopy(fixture("app_mention.json"))
    payload["event_id"] = f"Ev{uuid.uuid4().hex[:10].upper()}"
    payload["event"].update(text=text, **event)
    return payload


def de(key: str, **values: Any) -> str:
    return translate("de", key, **values)


async def test_url_verification_answers_the_challenge(bot: SlackHarness) -> None:
    payload = fixture("url_verification.json")
    response = await bot.post(json.dumps(payload), "application/json")
    assert response.status == 200
    assert (await response.json()) == {"challenge": payload["challenge"]}


@pytest.mark.parametrize(
    "case", ["missing", "bad", "wrong-secret", "stale", "future", "not-a-number"]
)
async def test_forged_or_stale_requests_are_401_and_run_nothing(
    bot: SlackHarness, case: str
) -> None:
    body = "&".join(f"{k}={v}" for k, v in slash_form("sample-private").items())
    now = int(time.time())
    headers = {
        "missing": {},
        "bad": {**sign(body), "X-Slack-Signature": "v0=" + "0" * 64},
        "wrong-secret": sign(body, secret="not-the-secret"),
        "stale": sign(body, timestamp=now - 301),
        "future": sign(body, timestamp=now + 400),
        "not-a-number": {**sign(body), "X-Slack-Request-Timestamp": "soon"},
    }[case]
    response = await bot.post(body, "application/x-www-form-urlencoded", headers)
    assert response.status == 401
    await bot.settle()
    assert bot.fake.calls == []


async def test_ssl_check_is_answered_200_unsigned_and_runs_nothing(bot: SlackHarness) -> None:
    # Slack's certificate probe: a form POST with ssl_check=1 and no signature.
    probe = "ssl_check=1&token=Jhj5dZrVaK7ZwHHjRyZWjbDl"
    response = await bot.post(probe, "application/x-www-form-urlencoded", headers={})
    assert response.status == 200 and await response.text() == ""
    # Anything else unsigned is still refused: a command that says ssl_check=0, or the
    # same words in a JSON body.
    body = urlencode({**slash_form("help"), "ssl_check": "0"})
    assert (await bot.post(body, "application/x-www-form-urlencoded", headers={})).status == 401
    as_json = json.dumps({"ssl_check": "1", "type": "event_callback"})
    assert (await bot.post(as_json, "application/json", headers={})).status == 401
    await bot.settle()
    assert bot.fake.calls == []


async def test_slash_command_acks_at_once_and_posts_the_answer(bot: SlackHarness) -> None:
    response = await bot.command("help")
    assert response.status == 200
    assert await response.text() == ""
    posts = await bot.fake.wait_for(lambda: bot.fake.of("chat.postMessage"))
    assert posts[0].params["channel"] == "C111"
    blocks = posts[0].params["blocks"]
    assert blocks[0] == {
        "type": "header",
        "text": {"type": "plain_text", "text": de("help.title"), "emoji": False},
    }
    assert "/horch mentions" in dump(posts[0])


async def test_horch_alone_is_help(bot: SlackHarness) -> None:
    await bot.command("")
    posts = await bot.fake.wait_for(lambda: bot.fake.of("chat.postMessage"))
    assert posts[0].params["text"] == de("help.title")


async def test_unknown_command_is_a_polite_ephemeral(bot: SlackHarness) -> None:
    await bot.command("frobnicate now")
    hooks = await bot.fake.wait_for(lambda: bot.fake.of("hook:cmd"))
    assert hooks[0].params["response_type"] == "ephemeral"
    assert de("errors.unknown_command", command="frobnicate") in dump(hooks[0])
    assert bot.fake.of("chat.postMessage") == []


async def test_unclosed_quote_answers_with_how_it_was_read(bot: SlackHarness) -> None:
    await bot.command('mentions "Lumora')
    hooks = await bot.fake.wait_for(
        lambda: bot.fake.of("hook:cmd") or bot.fake.of("chat.postMessage")
    )
    read = de(
        "usage.read_as", words=" ".join(de("usage.quoted", word=w) for w in ("mentions", "Lumora"))
    )
    assert read in dump(hooks[0])


async def test_language_then_help_in_english(bot: SlackHarness) -> None:
    await bot.command("language en", user_id="W777")
    hooks = await bot.fake.wait_for(lambda: bot.fake.of("hook:cmd"))
    assert "English" in dump(hooks[0])
    await bot.command("help", user_id="W777")
    posts = await bot.fake.wait_for(lambda: bot.fake.of("chat.postMessage"))
    assert posts[0].params["text"] == translate("en", "help.title")


def assert_harmless(shown: str) -> None:
    """No ping, no link but our own, no raw markup in what Slack would show."""
    for bad in ("<!", "<@", "<#", "<https://evil", "<javascript", "<data:", "@here", "@channel"):
        assert bad not in shown, bad


async def test_hostile_text_is_escaped_everywhere(bot: SlackHarness) -> None:
    await bot.command("sample-hostile")
    posts = await bot.fake.wait_for(lambda: bot.fake.of("chat.postMessage"))
    shown = dump(posts[0])
    assert_harmless(shown)
    assert "&lt;!channel&gt;" in shown
    assert "&lt;https://evil.example|https://bank.example&gt;" in shown
    assert "&amp;amp;" in shown  # a literal "&amp;" stays visible as typed
    # The one link is the item's, made safe; the unsafe schemes are plain text.
    assert "<https://news.example/a?b=1&amp;c=%3C2%3E%7Cx|" in shown
    assert "javascript link" in shown and "data link" in shown
    for block in posts[0].params["blocks"]:
        texts = [block.get("text"), *block.get("elements", []), *block.get("fields", [])]
        for text in texts:
            if isinstance(text, dict) and text.get("type") == "mrkdwn":
                assert text["verbatim"] is True


async def test_stored_mentions_cannot_ping_or_disguise_links(bot: SlackHarness) -> None:
    hostile = "<!channel> <@U0ADMIN> <https://evil.example|https://bank.example> Lumora"
    await bot.services.pipeline.ingest(
        [
            RawMention(
                source="hostile",
                external_id=f"h-{uuid.uuid4().hex}",
                text=f"{hostile} @here &lt;!everyone&gt;",
                title=hostile,
                author="<!here> @channel",
                url="javascript:alert(document.cookie)",
                published_at=dt.datetime(2026, 11, 20, 8, 0),
            )
        ]
    )
    await bot.command("mentions Lumora --source hostile")
    posts = await bot.fake.wait_for(lambda: bot.fake.of("chat.postMessage"))
    shown = dump(posts[0])
    assert "Lumora" in shown
    assert_harmless(shown)


async def test_app_mention_runs_once_despite_retries_and_duplicates(bot: SlackHarness) -> None:
    payload = mention(f"<@{BOT_USER}> help")
    first = await bot.event(payload)
    retry = await bot.event(payload, retry_num=1)
    again = await bot.event(payload, retry_num=2)
    assert [first.status, retry.status, again.status] == [200, 200, 200]
    await bot.settle()
    posts = bot.fake.of("chat.postMessage")
    assert len(posts) == 1
    assert posts[0].params["channel"] == "C111"
    assert posts[0].params["text"] == de("help.title")


async def test_direct_message_is_answered_in_the_dm(bot: SlackHarness) -> None:
    payload = copy.deepcopy(fixture("message_im.json"))
    payload["event_id"] = f"Ev{uuid.uuid4().hex[:10]}"
    payload["event"]["text"] = "help"
    assert (await bot.event(payload)).status == 200
    posts = await bot.fake.wait_for(lambda: bot.fake.of("chat.postMessage"))
    assert posts[0].params["channel"] == "D111"


@pytest.mark.parametrize("subtype", ["file_share", "thread_broadcast"])
async def test_a_dm_with_a_file_or_broadcast_from_a_thread_is_a_command(
    bot: SlackHarness, subtype: str
) -> None:
    payload = copy.deepcopy(fixture("message_im.json"))
    payload["event_id"] = f"Ev{uuid.uuid4().hex[:10]}"
    payload["event"].update(text="help", subtype=subtype)
    if subtype == "file_share":  # the shape Slack sends with a file shared in the DM
        payload["event"].update(
            files=[{"id": "F0123ABCD", "name": "screenshot.png", "mimetype": "image/png"}],
            upload=False,
            display_as_bot=False,
        )
    else:  # a reply in a thread of the DM, also sent to the conversation
        payload["event"].update(thread_ts="1595926000.000100", root={"ts": "1595926000.000100"})
    assert (await bot.event(payload)).status == 200
    posts = await bot.fake.wait_for(lambda: bot.fake.of("chat.postMessage"))
    assert posts[0].params["channel"] == "D111"
    assert posts[0].params["text"] == de("help.title")


@pytest.mark.parametrize(
    "change",
    [{"bot_id": "B999"}, {"subtype": "message_changed"}, {"channel_type": "channel"}],
)
async def test_messages_that_are_not_commands_are_ignored(
    bot: SlackHarness, change: dict[str, str]
) -> None:
    payload = copy.deepcopy(fixture("message_im.json"))
    payload["event_id"] = f"Ev{uuid.uuid4().hex[:10]}"
    payload["event"].update(text="help", **change)
    assert (await bot.event(payload)).status == 200
    await bot.settle()
    assert [c.method for c in bot.fake.calls if c.method != "auth.test"] == []


async def test_replies_stay_in_the_thread(bot: SlackHarness) -> None:
    await bot.event(mention(f"<@{BOT_USER}> help", thread_ts="1595926000.000100"))
    await bot.event(mention(f"<@{BOT_USER}> sample-thread", ts="1595926999.000200"))
    await bot.settle()
    threads = sorted(str(c.params.get("thread_ts")) for c in bot.fake.of("chat.postMessage"))
    assert threads == ["1595926000.000100", "1595926999.000200"]


async def test_private_reply_to_a_mention_is_ephemeral(bot: SlackHarness) -> None:
    await bot.event(mention(f"<@{BOT_USER}> sample-private"))
    calls = await bot.fake.wait_for(lambda: bot.fake.of("chat.postEphemeral"))
    assert calls[0].params["user"] == "W222"
    assert calls[0].params["channel"] == "C111"
    assert bot.fake.of("chat.postMessage") == []


async def test_button_click_replaces_the_message(bot: SlackHarness) -> None:
    await bot.command("sample-approvable")
    posts = await bot.fake.wait_for(lambda: bot.fake.of("chat.postMessage"))
    buttons = posts[0].params["blocks"][-1]["elements"]
    assert [b["action_id"] for b in buttons] == ["sample.approve", "sample.edit"]
    ts = "1700000000.000999"
    payload = block_action("sample.approve", buttons[0]["value"], response_url=bot.fake.hook("act"))
    payload["container"].update(message_ts=ts, channel_id="C111")
    response = await bot.interact(payload)
    assert response.status == 200
    updates = await bot.fake.wait_for(lambda: bot.fake.of("chat.update"))
    assert updates[0].params["channel"] == "C111"
    assert updates[0].params["ts"] == ts
    assert f"approved 42 by primary-owner (C111:{ts})" in dump(updates[0])


async def test_click_on_an_ephemeral_message_replaces_it_through_response_url(
    bot: SlackHarness,
) -> None:
    payload = block_action("sample.approve", "7", response_url=bot.fake.hook("act"))
    payload["container"]["is_ephemeral"] = True
    await bot.interact(payload)
    hooks = await bot.fake.wait_for(lambda: bot.fake.of("hook:act"))
    assert hooks[0].params["replace_original"] is True
    assert bot.fake.of("chat.update") == []


async def test_unknown_action_is_a_polite_ephemeral(bot: SlackHarness) -> None:
    payload = block_action("nothing.here", "1", response_url=bot.fake.hook("act"))
    assert (await bot.interact(payload)).status == 200
    hooks = await bot.fake.wait_for(lambda: bot.fake.of("hook:act"))
    assert hooks[0].params["response_type"] == "ephemeral"
    assert de("errors.unknown_action") in dump(hooks[0])


async def test_edit_opens_a_modal_and_its_submit_updates_the_message(bot: SlackHarness) -> None:
    ts = "1700000000.000777"
    click = block_action("sample.edit", "42", response_url=bot.fake.hook("act"))
    click["container"].update(message_ts=ts, channel_id="C111")
    await bot.interact(click)
    opened = await bot.fake.wait_for(lambda: bot.fake.of("views.open"))
    assert opened[0].params["trigger_id"] == click["trigger_id"]
    view = opened[0].params["view"]
    assert view["callback_id"] == "horch.form"
    field = next(b for b in view["blocks"] if b["type"] == "input")
    assert field["block_id"] == "text"
    # The field holds the value itself (it is edited and sent back), not mrkdwn.
    assert field["element"]["initial_value"] == "Thanks <3 & see you"
    assert field["element"]["max_length"] == 500

    submission = copy.deepcopy(fixture("view_submission.json"))
    submission["view"].update(
        callback_id=view["callback_id"],
        private_metadata=view["private_metadata"],
        blocks=view["blocks"],
        state={
            "values": {
                "text": {"value": {"type": "plain_text_input", "value": "New <b> & <!here>"}}
            }
        },
    )
    response = await bot.interact(submission)
    assert response.status == 200 and await response.text() == ""
    updates = await bot.fake.wait_for(lambda: bot.fake.of("chat.update"))
    assert updates[0].params["ts"] == ts
    shown = dump(updates[0])
    assert f"saved 42: New &lt;b&gt; &amp; &lt;!here&gt; (C111:{ts})" in shown
    assert_harmless(shown)


async def test_a_form_without_trigger_gets_a_button_that_opens_it(bot: SlackHarness) -> None:
    await bot.event(mention(f"<@{BOT_USER}> sample-form"))
    posts = await bot.fake.wait_for(lambda: bot.fake.of("chat.postMessage"))
    opener = posts[0].params["blocks"][-1]["elements"][0]
    assert opener["action_id"] == "_slack.form"
    click = block_action(opener["action_id"], opener["value"], response_url=bot.fake.hook("act"))
    await bot.interact(click)
    opened = await bot.fake.wait_for(lambda: bot.fake.of("views.open"))
    field = next(b for b in opened[0].params["view"]["blocks"] if b["type"] == "input")
    assert field["element"]["initial_value"] == "Thanks <3 & see you"


async def test_a_long_reply_goes_on_in_the_thread(bot: SlackHarness) -> None:
    await bot.command("sample-long")
    await bot.settle()
    posts = bot.fake.of("chat.postMessage")
    assert len(posts) >= 2
    assert all(len(p.params["blocks"]) <= 50 for p in posts)
    assert posts[0].params.get("thread_ts") is None
    assert de("render.continued") in dump(posts[0])
    assert {p.params.get("thread_ts") for p in posts[1:]} == {posts[0].response["ts"]}
    for post in posts:
        for block in post.params["blocks"]:
            if block["type"] == "section" and "text" in block:
                assert len(block["text"]["text"]) <= 3000
    assert "end" in dump(posts[-1])  # nothing lost: the footnote made it to the last part


async def test_a_chart_is_uploaded_and_an_ephemeral_one_shown_as_text(bot: SlackHarness) -> None:
    await bot.command("sample-chart")
    done = await bot.fake.wait_for(lambda: bot.fake.of("files.completeUploadExternal"))
    assert done[0].params["channel_id"] == "C111"
    assert bot.fake.of("upload") and bot.fake.of("files.getUploadURLExternal")
    bot.fake.calls.clear()
    await bot.command("sample-chart private")
    hooks = await bot.fake.wait_for(lambda: bot.fake.of("hook:cmd"))
    assert "▁▂▃" in dump(hooks[0])
    assert bot.fake.of("files.getUploadURLExternal") == []


async def test_a_rate_limited_post_is_retried_after_retry_after(bot: SlackHarness) -> None:
    bot.fake.fail("chat.postMessage", 429, retry_after=0)
    await bot.command("help")
    await bot.fake.wait_for(lambda: bot.fake.of("chat.postMessage"))
    attempts = bot.fake.attempts("chat.postMessage")
    assert [a.status for a in attempts] == [429, 200]


async def test_a_server_error_is_retried(bot: SlackHarness) -> None:
    bot.fake.fail("chat.postMessage", 502, error="bad_gateway")
    await bot.command("help")
    await bot.fake.wait_for(lambda: bot.fake.of("chat.postMessage"))
    assert [a.status for a in bot.fake.attempts("chat.postMessage")] == [502, 200]


async def test_not_in_the_channel_answers_through_the_response_url(bot: SlackHarness) -> None:
    bot.fake.not_member.add("C222")
    await bot.command("help", channel_id="C222")
    hooks = await bot.fake.wait_for(lambda: bot.fake.of("hook:cmd"))
    assert hooks[0].params["response_type"] == "in_channel"
    assert de("help.title") in dump(hooks[0])


async def test_a_slow_command_says_it_is_working(bot: SlackHarness) -> None:
    bot.adapter.responder.deadline = 0.05
    await bot.command("sample-slow")
    await bot.fake.wait_for(lambda: bot.fake.of("chat.postMessage"))
    methods = [c.method for c in bot.fake.calls if c.method != "auth.test"]
    assert methods == ["hook:cmd", "chat.postMessage"]
    assert de("slack.working") in dump(bot.fake.of("hook:cmd")[0])


FORM = "application/x-www-form-urlencoded"
MALFORMED = {
    "payload-not-json": ("payload=%7Bnot-json", FORM, 400),
    "json-list": ("[1, 2]", "application/json", 400),
    "json-string": ('"just a string"', "application/json", 400),
    "actions-missing": (
        interactive_body({"type": "block_actions", "user": {"id": "W1"}}),
        FORM,
        404,
    ),
    "actions-not-a-list": (
        interactive_body({**block_action("x", "1"), "actions": "no"}),
        FORM,
        400,
    ),
    "modal-metadata-broken": (
        interactive_body(
            {
                "type": "view_submission",
                "user": {"id": "W1"},
                "view": {"callback_id": "horch.form", "private_metadata": "{oops"},
            }
        ),
        FORM,
        400,
    ),
    "someone-elses-modal": (interactive_body(fixture("view_submission.json")), FORM, 404),
    "shortcut": (
        interactive_body({"type": "shortcut", "callback_id": "x", "user": {"id": "W1"}}),
        FORM,
        404,
    ),
    "command-without-user": ("command=%2Fhorch&text=help", FORM, 400),
    "event-not-a-mapping": (
        json.dumps({"type": "event_callback", "event_id": "EvX", "event": "not a dict"}),
        "application/json",
        400,
    ),
    "empty": ("", FORM, 404),
}


@pytest.mark.parametrize("case", sorted(MALFORMED))
async def test_malformed_payloads_are_4xx_never_500(bot: SlackHarness, case: str) -> None:
    body, content_type, status = MALFORMED[case]
    response = await bot.post(body, content_type)
    assert response.status == status
    await bot.settle()
    assert [c.method for c in bot.fake.calls if c.method != "auth.test"] == []


async def test_a_body_that_is_not_utf8_is_refused(bot: SlackHarness) -> None:
    raw = b"payload=\xff\xfe"
    ts = str(int(time.time()))
    digest = hmac.new(SECRET.encode(), f"v0:{ts}:".encode() + raw, hashlib.sha256).hexdigest()
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Slack-Request-Timestamp": ts,
        "X-Slack-Signature": f"v0={digest}",
    }
    response = await bot.client.post("/slack/events", data=raw, headers=headers)
    # slack_sdk verifies signatures over UTF-8 text only: such a body is not from Slack.
    assert response.status == 401
