"""Teams end to end: with an app id set, only the Bot Framework may post to /api/messages.

No token, a malformed one, and well-formed JWTs that are signed by the wrong key, for
another bot, for another service URL or expired — each is a 401, never a 500. The signing
keys come from a local OpenID metadata server standing in for login.botframework.com; a
token signed with its key and the right claims is let in.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import jwt
import pytest
from aiohttp import web
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from tests.bot.teams import activities as act
from tests.bot.teams.harness import TeamsHarness, running_bot

pytestmark = pytest.mark.e2e

APP_ID = "0b6fe6d1-fece-44f7-9a48-56465e2d5ab8"
SETTINGS = {
    "microsoft_app_id": APP_ID,
    "microsoft_app_password": "not-a-real-secret",
    "microsoft_app_tenant_id": "50612dbb-0237-4969-b378-8d42590f9c00",
}
ISSUER = "https://api.botframework.com"
METADATA_SETTING = "botframework.connector.auth.ChannelValidation.open_id_metadata_endpoint"


def _key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


GENUINE, FORGER = _key(), _key()


@dataclass
class KeyServer:
    """An OpenID metadata document and its JWKS, as the Bot Framework publishes them."""

    url: str
    runner: web.AppRunner


@pytest.fixture
async def key_server(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[KeyServer]:
    jwk = json.loads(RSAAlgorithm.to_jwk(GENUINE.public_key()))
    jwk.update(kid="genuine", use="sig", endorsements=["msteams"])
    app = web.Application()

    async def metadata(request: web.Request) -> web.Response:
        base = f"http://127.0.0.1:{request.url.port}"
        return web.json_response({"issuer": ISSUER, "jwks_uri": f"{base}/keys"})

    async def keys(_request: web.Request) -> web.Response:
        return web.json_response({"keys": [jwk]})

    app.router.add_get("/v1/.well-known/openidconfiguration", metadata)
    app.router.add_get("/keys", keys)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    url = f"http://127.0.0.1:{port}/v1/.well-known/openidconfiguration"
    monkeypatch.setattr(METADATA_SETTING, url)
    yield KeyServer(url, runner)
    await runner.cleanup()


def token(service_url: str, *, key: Any = None, kid: str = "genuine", **claims: Any) -> str:
    now = dt.datetime.now(dt.UTC)
    payload = {
        "iss": ISSUER,
        "aud": APP_ID,
        "serviceurl": service_url,
        "nbf": now - dt.timedelta(minutes=1),
        "exp": now + dt.timedelta(minutes=10),
        **claims,
    }
    return jwt.encode(payload, key or GENUINE, algorithm="RS256", headers={"kid": kid})


async def _refused(bot: TeamsHarness, headers: dict[str, str]) -> None:
    activity = act.expect_replies(act.personal_message("help", bot.fake.url))
    response = await bot.post(activity, headers=headers)
    assert response.status == 401, headers
    assert await response.json() == {"error": "unauthorized"}


async def test_no_or_malformed_authorization_is_401(db_url: str) -> None:
    async with running_bot(db_url, **SETTINGS) as bot:
        for headers in (
            {},
            {"Authorization": ""},
            {"Authorization": "Bearer"},
            {"Authorization": "Bearer not-a-jwt"},
            {"Authorization": "Bearer a.b.c"},
            {"Authorization": "Bearer eyJhbGciOiJub25lIn0.e30."},
            {"Authorization": "Basic dXNlcjpwYXNzd29yZA=="},
            {"Authorization": "Bearer x y z"},
        ):
            await _refused(bot, headers)
        assert bot.fake.calls == []


async def test_valid_looking_tokens_are_401(db_url: str, key_server: KeyServer) -> None:
    async with running_bot(db_url, **SETTINGS) as bot:
        url = bot.fake.url
        past = dt.datetime.now(dt.UTC) - dt.timedelta(hours=2)
        for forged in (
            token(url, key=FORGER),  # the Bot Framework's key id, our own key
            token(url, key=FORGER, kid="ours"),  # a key the Bot Framework never published
            token(url, aud="11111111-2222-3333-4444-555555555555"),  # for another bot
            token("https://evil.example/"),  # for another service URL
            token(url, exp=past, nbf=past - dt.timedelta(hours=1)),  # expired
            token(url, iss="https://evil.example"),  # not the Bot Framework's issuer
        ):
            await _refused(bot, {"Authorization": f"Bearer {forged}"})
        assert bot.fake.calls == []


async def test_a_properly_signed_token_gets_in(db_url: str, key_server: KeyServer) -> None:
    async with running_bot(db_url, **SETTINGS) as bot:
        activity = act.expect_replies(act.personal_message("help", bot.fake.url))
        response = await bot.post(
            activity, headers={"Authorization": f"Bearer {token(bot.fake.url)}"}
        )
        assert response.status == 200
        [reply] = (await response.json())["activities"]
        assert reply["attachments"][0]["contentType"] == "application/vnd.microsoft.card.adaptive"


async def test_unreachable_signing_keys_are_503_not_401_or_500(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(METADATA_SETTING, "http://127.0.0.1:9/v1/.well-known/openidconfiguration")
    async with running_bot(db_url, **SETTINGS) as bot:
        activity = act.personal_message("help", bot.fake.url)
        response = await bot.post(
            activity, headers={"Authorization": f"Bearer {token(bot.fake.url)}"}
        )
        assert response.status == 503
        assert bot.fake.calls == []


async def test_an_app_id_without_its_tenant_turns_teams_off_clearly(db_url: str) -> None:
    settings = {**SETTINGS, "microsoft_app_tenant_id": ""}
    async with running_bot(db_url, **settings) as bot:
        response = await bot.post(act.personal_message("help", bot.fake.url))
        assert response.status == 503
        assert "teams" not in bot.services.notifiers
