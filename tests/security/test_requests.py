"""Requests at the running bot: a body limit on every endpoint (413, with or without
Content-Length), the webhook's per-client rate limit (429 + Retry-After), and signature
and token checks that no header trick gets around.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import time
from collections.abc import AsyncIterator
from unittest import mock

import pytest
import pytest_asyncio
from aiohttp.test_utils import make_mocked_request

from bot.app import MAX_BODY
from bot.teams.endpoint import MessagesEndpoint
from core import db as coredb
from tests.bot.slack.harness import SECRET as SLACK_SECRET
from tests.bot.slack.harness import interactive_body, slash_form
from tests.bot.slack.harness import sign as slack_sign
from tests.bot.teams import activities as act
from tests.security.bot import (
    WEBHOOK_SECRET,
    Bot,
    Headers,
    dumps,
    raw_request,
    webhook_headers,
    whole_bot,
)

pytestmark = pytest.mark.asyncio(loop_scope="module")
ITEMS = dumps({"items": [{"id": "sec-1", "text": "Lumora Brew ist super"}]})
METADATA_SETTING = "botframework.connector.auth.ChannelValidation.open_id_metadata_endpoint"


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def bot(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Bot]:
    url = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('requests') / 'bot.db'}"
    await coredb.upgrade(url)
    async with whole_bot(url) as running:
        running.webhook_budget(10_000)
        yield running


def slack_form_body(text: str = "help") -> bytes:
    from urllib.parse import urlencode

    return urlencode(slash_form(text, response_url="http://127.0.0.1:9/hook")).encode()


# --- body limits -------------------------------------------------------------------------

BIG = b"a" * (MAX_BODY + 1)
POSTS = [
    ("/slack/events", {"Content-Type": "application/x-www-form-urlencoded"}),
    ("/api/messages", {"Content-Type": "application/json"}),
    ("/ingest/webhook", {"Content-Type": "application/json"}),
]


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
@pytest.mark.parametrize(("path", "headers"), POSTS, ids=[p for p, _ in POSTS])
async def test_every_endpoint_refuses_an_oversized_body(
    bot: Bot, path: str, headers: dict[str, str], chunked: bool
) -> None:
    extra = dict(headers)
    if path == "/ingest/webhook":
        extra = webhook_headers(BIG)  # signed: the size is the only fault
    elif path == "/slack/events":
        extra.update(slack_sign(BIG.decode()))
    answer = await raw_request(bot.port, "POST", path, list(extra.items()), BIG, chunked=chunked)
    assert answer.status == 413, answer


@pytest.mark.parametrize("path", ["/healthz", "/metrics"])
async def test_read_only_endpoints_ignore_a_body(bot: Bot, path: str) -> None:
    answer = await raw_request(bot.port, "GET", path, [], BIG, chunked=True)
    assert answer.status == 200


@pytest.mark.parametrize(("path", "headers"), POSTS, ids=[p for p, _ in POSTS])
async def test_a_body_at_the_limit_is_read_and_judged(
    bot: Bot, path: str, headers: dict[str, str]
) -> None:
    body = b"{" + b" " * (MAX_BODY - 2) + b"}"
    answer = await raw_request(bot.port, "POST", path, list(headers.items()), body)
    assert answer.status in (400, 401), answer  # unsigned or not an activity; never 413/500


async def test_oversized_headers_are_refused_cleanly(bot: Bot) -> None:
    answer = await raw_request(bot.port, "POST", "/ingest/webhook", [("X-Big", "a" * 20_000)])
    assert 400 <= answer.status < 500


# --- the webhook's rate limit ------------------------------------------------------------


async def test_the_webhook_limits_each_client_address(bot: Bot) -> None:
    bot.webhook_budget(5)
    try:
        statuses = []
        for n in range(8):
            # A lying proxy header must not make each request look like another client.
            spoof = [("X-Forwarded-For", f"203.0.113.{n}"), ("X-Real-IP", f"198.51.100.{n}")]
            headers = [*webhook_headers(ITEMS).items(), *spoof]
            answer = await raw_request(bot.port, "POST", "/ingest/webhook", headers, ITEMS)
            statuses.append(answer.status)
            if answer.status == 429:
                assert int(answer.headers["retry-after"]) >= 1
                assert json.loads(answer.body)["error"] == "rate_limited"
        assert statuses[:5] == [200] * 5 and set(statuses[5:]) == {429}
        # Unsigned floods are counted too: the limit comes before the signature check.
        unsigned = await raw_request(bot.port, "POST", "/ingest/webhook", [], ITEMS)
        assert unsigned.status == 429
    finally:
        bot.webhook_budget(10_000)


async def test_the_budget_is_per_client_address() -> None:
    from bot.ingest_http import WebhookEndpoint

    services = mock.Mock()
    endpoint = WebhookEndpoint(services, rate_per_minute=2)
    assert [endpoint.budget.try_take("127.0.0.1") for _ in range(3)][:2] == [0.0, 0.0]
    assert endpoint.budget.try_take("127.0.0.1") > 0
    assert endpoint.budget.try_take("127.0.0.2") == 0.0


# --- Slack: the signature cannot be skipped ----------------------------------------------


def slack_signature(body: bytes, stamp: str, secret: str = SLACK_SECRET) -> str:
    base = f"v0:{stamp}:".encode() + body
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


async def test_slack_header_tricks_are_401(bot: Bot) -> None:
    body = slack_form_body()
    now = str(int(time.time()))
    good = slack_signature(body, now)
    form = ("Content-Type", "application/x-www-form-urlencoded")
    tricks: list[Headers] = [
        [form],
        [form, ("X-Slack-Retry-Num", "1"), ("X-Slack-Retry-Reason", "http_timeout")],
        [form, ("X-Slack-Request-Timestamp", now)],
        [form, ("X-Slack-Signature", good)],
        [form, ("X-Slack-Request-Timestamp", now), ("X-Slack-Signature", "v0=")],
        [form, ("X-Slack-Request-Timestamp", now), ("X-Slack-Signature", good.upper())],
        [form, ("X-Slack-Request-Timestamp", now), ("X-Slack-Signature", "v1" + good[2:])],
        [form, ("X-Slack-Request-Timestamp", now), ("X-Slack-Signature", good[3:])],
        # The forged one first, the genuine one second: the first is what counts.
        [
            form,
            ("X-Slack-Request-Timestamp", now),
            ("X-Slack-Signature", "v0=00"),
            ("X-Slack-Signature", good),
        ],
        [
            form,
            ("X-Slack-Request-Timestamp", now),
            ("X-Slack-Request-Timestamp", "1"),
            ("X-Slack-Signature", good),
        ][::-1],
        # A stale or future timestamp with a signature that matches it: replay refused.
        *(
            [
                form,
                ("X-Slack-Request-Timestamp", t),
                ("X-Slack-Signature", slack_signature(body, t)),
            ]
            for t in (str(int(time.time()) - 600), str(int(time.time()) + 600))
        ),
        [form, ("X-Slack-Request-Timestamp", now + ".5"), ("X-Slack-Signature", good)],
        [form, ("X-Slack-Request-Timestamp", "١٧٠٠٠٠٠٠٠٠".encode()), ("X-Slack-Signature", good)],
        [form, ("X-Slack-Request-Timestamp", now), ("X-Slack-Signature", "v0=é".encode())],
        [form, ("X-Slack-Request-Timestamp", now), ("X-Slack-Signature", b"v0=\xff\xfe")],
        [
            form,
            ("X-Slack-Request-Timestamp", now),
            ("X-Slack-Signature", slack_signature(body, now, secret="another-secret")),
        ],
    ]
    for headers in tricks:
        answer = await raw_request(bot.port, "POST", "/slack/events", headers, body)
        assert answer.status == 401, headers


async def test_slack_header_names_are_case_insensitive_and_retries_still_signed(bot: Bot) -> None:
    body = slack_form_body()
    now = str(int(time.time()))
    headers: list[tuple[str, str | bytes]] = [
        ("content-type", "application/x-www-form-urlencoded"),
        ("x-slack-request-timestamp", now),
        ("X-SLACK-SIGNATURE", slack_signature(body, now)),
        ("X-Slack-Retry-Num", "3"),
    ]
    answer = await raw_request(bot.port, "POST", "/slack/events", headers, body)
    assert answer.status == 200
    # The same signed body changed by one byte is not signed any more.
    answer = await raw_request(bot.port, "POST", "/slack/events", headers, body + b"&x=1")
    assert answer.status == 401
    await bot.slack.settle()


async def test_a_signed_interactive_payload_for_another_body_is_401(bot: Bot) -> None:
    payload = interactive_body({"type": "block_actions", "actions": []}).encode()
    now = str(int(time.time()))
    other = slack_signature(slack_form_body(), now)
    headers = [
        ("Content-Type", "application/x-www-form-urlencoded"),
        ("X-Slack-Request-Timestamp", now),
        ("X-Slack-Signature", other),
    ]
    answer = await raw_request(bot.port, "POST", "/slack/events", headers, payload)
    assert answer.status == 401


# --- the webhook: the signature cannot be skipped ----------------------------------------


def hmac_hex(algorithm: str, stamp: str, body: bytes) -> str:
    return hmac.new(WEBHOOK_SECRET.encode(), stamp.encode() + b"." + body, algorithm).hexdigest()


async def test_webhook_signature_tricks_are_401(bot: Bot) -> None:
    now = str(int(time.time()))
    good = "sha256=" + hmac_hex("sha256", now, ITEMS)
    body_only = "sha256=" + hmac.new(WEBHOOK_SECRET.encode(), ITEMS, "sha256").hexdigest()
    tricks: list[Headers] = [
        [],
        [("X-Horch-Signature", good)],
        [("X-Horch-Timestamp", now)],
        [("X-Horch-Timestamp", now), ("X-Horch-Signature", "sha1=" + hmac_hex("sha1", now, ITEMS))],
        [
            ("X-Horch-Timestamp", now),
            ("X-Horch-Signature", "sha512=" + hmac_hex("sha512", now, ITEMS)),
        ],
        [("X-Horch-Timestamp", now), ("X-Horch-Signature", "md5=" + hmac_hex("md5", now, ITEMS))],
        [("X-Horch-Timestamp", now), ("X-Horch-Signature", "SHA256=" + good[7:])],
        [("X-Horch-Timestamp", now), ("X-Horch-Signature", "sha256=" + good[7:].upper())],
        [("X-Horch-Timestamp", now), ("X-Horch-Signature", good[7:])],
        [("X-Horch-Timestamp", now), ("X-Horch-Signature", "sha256=")],
        [("X-Horch-Timestamp", now), ("X-Horch-Signature", body_only)],
        [
            ("X-Horch-Timestamp", now),
            ("X-Horch-Signature", "sha256=00"),
            ("X-Horch-Signature", good),
        ],
        [("X-Horch-Timestamp", now), ("X-Horch-Signature", "sha256=é".encode())],
        [
            ("X-Horch-Timestamp", "".join(chr(0x660 + int(c)) for c in now).encode()),
            ("X-Horch-Signature", good),
        ],
        [("X-Horch-Timestamp", now + ".0"), ("X-Horch-Signature", good)],
        [("X-Horch-Timestamp", "9" * 30), ("X-Horch-Signature", good)],
        *(
            [
                ("X-Horch-Timestamp", t),
                ("X-Horch-Signature", "sha256=" + hmac_hex("sha256", t, ITEMS)),
            ]
            for t in (str(int(time.time()) - 400), str(int(time.time()) + 400))
        ),
    ]
    for headers in tricks:
        headers = [("Content-Type", "application/json"), *headers]
        answer = await raw_request(bot.port, "POST", "/ingest/webhook", headers, ITEMS)
        assert answer.status == 401, headers
        assert json.loads(answer.body)["error"] != ""
    lower = [
        ("content-type", "application/json"),
        ("x-horch-timestamp", now),
        ("x-horch-signature", good),
    ]
    assert (await raw_request(bot.port, "POST", "/ingest/webhook", lower, ITEMS)).status == 200


# --- Teams: Emulator mode is for this machine only ---------------------------------------


@pytest.mark.parametrize(
    "proxy",
    [
        ("X-Forwarded-For", "127.0.0.1"),
        ("x-forwarded-for", "::1"),
        ("Forwarded", "for=127.0.0.1"),
        ("X-Real-IP", "127.0.0.1"),
        ("X-FORWARDED-FOR", "203.0.113.9"),
    ],
)
async def test_emulator_mode_refuses_anything_proxied(bot: Bot, proxy: tuple[str, str]) -> None:
    body = dumps(act.personal_message("help", bot.connector.url))
    answer = await raw_request(
        bot.port, "POST", "/api/messages", [("Content-Type", "application/json"), proxy], body
    )
    assert answer.status == 403


@pytest.mark.parametrize("forwarded", [None, "127.0.0.1"])
async def test_emulator_mode_refuses_other_machines(bot: Bot, forwarded: str | None) -> None:
    from bot.teams import RUNTIME

    runtime = bot.app[RUNTIME]
    transport = mock.Mock()
    transport.get_extra_info.side_effect = lambda name, default=None: (
        ("203.0.113.7", 40000) if name == "peername" else default
    )
    headers = {"Content-Type": "application/json"}
    if forwarded:
        headers["X-Forwarded-For"] = forwarded
    request = make_mocked_request("POST", "/api/messages", headers=headers, transport=transport)
    endpoint = MessagesEndpoint(runtime, mock.Mock())
    response = await endpoint(request)
    assert response.status == 403


async def test_emulator_mode_answers_this_machine(bot: Bot) -> None:
    activity = act.expect_replies(act.personal_message("help", bot.connector.url))
    assert await bot.teams_post(dumps(activity)) == 200


# --- Teams with an app id: every request needs a valid token -----------------------------

TEAMS = {
    "microsoft_app_id": "0b6fe6d1-fece-44f7-9a48-56465e2d5ab8",
    "microsoft_app_password": "teams-app-password-for-tests",
    "microsoft_app_tenant_id": "50612dbb-0237-4969-b378-8d42590f9c00",
}


@pytest_asyncio.fixture(loop_scope="function")
async def key_server(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[str]:
    """The Bot Framework's OpenID metadata and signing keys, served from 127.0.0.1."""
    from aiohttp import web
    from cryptography.hazmat.primitives.asymmetric import rsa
    from jwt.algorithms import RSAAlgorithm

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    jwk = json.loads(RSAAlgorithm.to_jwk(key.public_key()))
    jwk.update(kid="genuine", use="sig", endorsements=["msteams"])
    app = web.Application()

    async def metadata(request: web.Request) -> web.Response:
        keys = f"http://127.0.0.1:{request.url.port}/keys"
        return web.json_response({"issuer": "https://api.botframework.com", "jwks_uri": keys})

    async def keys(_request: web.Request) -> web.Response:
        return web.json_response({"keys": [jwk]})

    app.router.add_get("/openid", metadata)
    app.router.add_get("/keys", keys)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    monkeypatch.setattr(METADATA_SETTING, f"http://127.0.0.1:{port}/openid")
    yield f"http://127.0.0.1:{port}/openid"
    await runner.cleanup()


@pytest.mark.asyncio(loop_scope="function")
async def test_teams_token_tricks_are_401(db_url: str, key_server: str) -> None:
    now = dt.datetime.now(dt.UTC)
    unsigned_jwt = (
        ".".join(
            base64.urlsafe_b64encode(json.dumps(part).encode()).decode().rstrip("=")
            for part in (
                {"alg": "none", "typ": "JWT"},
                {
                    "aud": TEAMS["microsoft_app_id"],
                    "iss": "https://api.botframework.com",
                    "exp": int(now.timestamp()) + 600,
                },
            )
        )
        + "."
    )
    async with whole_bot(db_url, **TEAMS) as running:
        activity = dumps(act.expect_replies(act.personal_message("help", running.connector.url)))
        tricks: list[Headers] = [
            [],
            [("Authorization", "")],
            [("Authorization", "Bearer ")],
            [("Authorization", "Bearer")],
            [("Authorization", "bearer")],
            [("Authorization", "Basic dXNlcjpwYXNzd29yZA==")],
            [("Authorization", "Basic " + TEAMS["microsoft_app_password"])],
            [("Authorization", "Bearer " + TEAMS["microsoft_app_password"])],
            [("Authorization", "Bearer " + unsigned_jwt)],
            [("Authorization", "Bearer " + unsigned_jwt), ("Authorization", "Bearer x")],
            [("Authorization", "Bearer x"), ("Authorization", "Bearer " + unsigned_jwt)],
            [("Authorization", "Bearer é".encode())],
            [("X-Forwarded-For", "127.0.0.1")],
            [("X-Forwarded-For", "127.0.0.1"), ("Authorization", "Bearer ")],
            [("X-MS-Emulator", "true"), ("Authorization", "Bearer ")],
        ]
        for headers in tricks:
            headers = [("Content-Type", "application/json"), *headers]
            answer = await raw_request(running.port, "POST", "/api/messages", headers, activity)
            assert answer.status == 401, headers
        # Whatever the body, without a token it is refused before any turn runs.
        bodies = [b"", b"{}", b"[" * 5000, dumps({"type": "message"}), activity[:-1]]
        bodies += [dumps({**json.loads(activity), "deliveryMode": "expectReplies"})]
        for body in bodies:
            answer = await raw_request(
                running.port, "POST", "/api/messages", [("Content-Type", "application/json")], body
            )
            assert answer.status in (400, 401), body[:40]
        assert running.connector.calls == []
