"""No secret in any log line: a whole run at DEBUG with every secret set to a value that
can be recognised, logging set up exactly as `python -m bot run` does (bot.logs), driven
through Slack (HTTP and Socket Mode), Teams, the webhook, failing sources that were sent a
token, and a failing model call with an API key. Every captured line, traceback and
stderr write is then searched for each secret in every form it could take on the wire.
"""

from __future__ import annotations

import base64
import io
import json
import logging
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from urllib.parse import quote, urlencode

import pytest
import pytest_asyncio
import yaml
from aiohttp import web
from aiohttp.test_utils import TestServer
from sqlalchemy import select

from bot.logs import configure_logging
from config.settings import ROOT, Settings
from core.models import Mention
from integrations.sources.poller import ingest_once
from tests.bot.slack.harness import slash_form
from tests.bot.teams import activities as act
from tests.security.bot import Bot, dumps, slack_headers, webhook_headers, whole_bot

SECRETS = {
    "slack_bot_token": "xoxb-4711-0815-HorchSlackBotTokenSecret",
    "slack_signing_secret": "slack-signing-secret-3f9a7c11d0",
    "slack_app_token": "xapp-1-A0815-4711-HorchSlackAppTokenSecret",
    "microsoft_app_password": "teams~Pa55w0rd.HorchTeamsSecret-91",
    "openai_api_key": "sk-horch-test-0123456789abcdefSECRET",
    "webhook_secret": "whsec-horch-webhook-secret-555",
    "bluesky_app_password": "bsky-app-pass-horch-2026-secret",
    "reddit_client_secret": "reddit-secret-horch-abc123xyz",
    "x_bearer_token": "AAAAAAAAAAAAAAAAAAAAAHorchXBearerSecret%3Dtoken",
    "mastodon_access_token": "mastodon-token-horch-xyz789secret",
}
OTHER = {
    "microsoft_app_id": "0b6fe6d1-fece-44f7-9a48-56465e2d5ab8",
    "microsoft_app_tenant_id": "50612dbb-0237-4969-b378-8d42590f9c00",
    "bluesky_handle": "horch.bsky.social",
    "reddit_client_id": "horch-reddit-client",
    "log_level": "DEBUG",
}


def wire_forms(name: str, secret: str) -> list[str]:
    """The secret as it may travel: itself, URL-quoted, base64, JSON-escaped, Basic auth."""
    forms = {secret, quote(secret, safe=""), json.dumps(secret)[1:-1]}
    forms.add(base64.b64encode(secret.encode()).decode().rstrip("="))
    if name == "reddit_client_secret":
        basic = f"{OTHER['reddit_client_id']}:{secret}".encode()
        forms.add(base64.b64encode(basic).decode().rstrip("="))
    return sorted(forms)


class Upstream:
    """Every outside service failing as unkindly as it can: it echoes the credentials it was
    sent in its error (as a careless or hostile server would), for the bot to log."""

    def __init__(self) -> None:
        self.app = web.Application()
        self.app.router.add_route("*", "/{tail:.*}", self.fail)
        self.server = TestServer(self.app, host="127.0.0.1")

    async def fail(self, request: web.Request) -> web.Response:
        body = await request.text()
        echo = f"{request.headers.get('Authorization', '')} {body} {request.query_string}"
        if request.path.endswith("/chat/completions"):  # OpenAI's own error shape
            error = {"message": f"Incorrect API key provided: {echo}", "code": "invalid_api_key"}
            return web.json_response({"error": error}, status=401)
        # 401, not 5xx: a 5xx would be retried with backoff, which only makes the test slow.
        return web.json_response({"error": f"bad credentials: {echo}"}, status=401)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.port}"


@pytest_asyncio.fixture
async def upstream() -> AsyncIterator[Upstream]:
    server = Upstream()
    await server.server.start_server()
    yield server
    await server.server.close()


def workspace_file(tmp_path: Path, base: str) -> Path:
    data = yaml.safe_load((ROOT / "config" / "workspace.example.yaml").read_text())
    data["voice"]["facts_file"] = str(ROOT / "config" / data["voice"]["facts_file"])
    data["sources"] = [
        {"name": "webhook", "type": "webhook"},
        {"name": "masto", "type": "mastodon", "base_url": base, "hashtags": ["lumora"]},
        {"name": "sky", "type": "bluesky", "base_url": base, "query": "Lumora"},
        {
            "name": "red",
            "type": "reddit",
            "base_url": base,
            "query": "Lumora",
            "options": {"auth_url": base},
        },
        {"name": "x", "type": "x", "base_url": base, "query": "Lumora"},
        {"name": "feed", "type": "rss", "url": f"{base}/feed.xml"},
    ]
    path = tmp_path / "workspace.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True))
    return path


@pytest.fixture
def captured_logging() -> Iterator[io.StringIO]:
    """The root logger as production sets it up, writing into a buffer; restored after."""
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    noisy = {
        name: logging.getLogger(name).level
        for name in ("aiohttp.access", "alembic", "httpx", "httpcore")
    }
    buffer = io.StringIO()
    yield buffer
    root.handlers[:], level = saved[0], saved[1]
    root.setLevel(level)
    for name, value in noisy.items():
        logging.getLogger(name).setLevel(value)


def start_logging(settings: Settings, buffer: io.StringIO) -> None:
    configure_logging(settings)
    [handler] = logging.getLogger().handlers
    assert isinstance(handler, logging.StreamHandler)
    handler.setStream(buffer)  # the production handler and filter, writing here


async def drive(bot: Bot, secrets: dict[str, str], upstream: Upstream) -> None:
    signing = secrets["slack_signing_secret"]

    async def slack(text: str) -> int:
        form = slash_form(text, response_url=bot.slack.fake.hook("secrets"))
        body = urlencode(form).encode()
        return await bot.slack_post(
            body, "application/x-www-form-urlencoded", slack_headers(body, secret=signing)
        )

    hook = secrets["webhook_secret"]
    items = dumps({"items": [{"id": "s-1", "text": f"Lumora Brew {secrets['x_bearer_token']}"}]})
    assert await bot.webhook_post(items, webhook_headers(items, secret=hook)) == 200
    assert await bot.webhook_post(items, webhook_headers(items, secret="wrong")) == 401
    async with bot.services.sessions() as session:
        mention = (await session.execute(select(Mention))).scalars().first()
    assert mention is not None

    assert await slack("help") == 200
    assert await slack(f"mentions {secrets['openai_api_key']}") == 200  # a pasted secret
    assert await slack(f"draft {mention.id}") == 200  # the model call fails with a 401
    assert await bot.slack_post(b"text=help", "application/x-www-form-urlencoded", {}) == 401
    await bot.slack.settle()

    activity = dumps(act.personal_message("help", bot.connector.url))
    for token in (
        "",
        "Bearer x.y.z",
        f"Bearer {secrets['microsoft_app_password']}",
        f"Basic {secrets['microsoft_app_password']}",
    ):
        assert await bot.teams_post(activity, {"Authorization": token}) == 401

    lines, failed = await ingest_once(bot.services)
    assert failed and len(lines) >= 5, lines


@pytest.mark.asyncio
async def test_no_secret_in_any_log_line(
    db_url: str,
    tmp_path: Path,
    upstream: Upstream,
    captured_logging: io.StringIO,
    capfd: pytest.CaptureFixture[str],
) -> None:
    values = {
        **SECRETS,
        **OTHER,
        "workspace_path": workspace_file(tmp_path, upstream.url),
        "openai_base_url": f"{upstream.url}/v1",
    }
    start_logging(Settings.for_tests(database_url=db_url, **values), captured_logging)
    started = time.monotonic()
    async with whole_bot(db_url, **values) as bot:
        await drive(bot, SECRETS, upstream)
    out, err = capfd.readouterr()
    text = "\n".join([captured_logging.getvalue(), out, err])

    # The run really logged what the secrets could leak through (so the test can fail):
    for expected in (
        "webhook refused",
        "Teams request refused",
        "source masto failed",
        "source red failed",
        "drafting a reply",
        "DEBUG",
    ):
        assert expected in text, expected
    assert "***" in text  # something secret was there and was masked
    leaks = [
        (name, form)
        for name, secret in SECRETS.items()
        for form in wire_forms(name, secret)
        if form in text
    ]
    assert leaks == [], [line for line in text.splitlines() if any(f in line for _, f in leaks)]
    assert time.monotonic() - started >= 0  # (timings are never asserted)


def test_the_filter_masks_messages_arguments_tracebacks_and_auth_headers() -> None:
    from bot.logs import RedactingFilter

    secret = SECRETS["webhook_secret"]
    filt = RedactingFilter([secret, "short", ""])
    try:
        raise ValueError(f"upstream said {secret}")
    except ValueError:
        import sys

        info = sys.exc_info()
    record = logging.LogRecord(
        "x", logging.ERROR, __file__, 1, "got %s and %r", (secret, {"k": secret}), info
    )
    assert filt.filter(record)
    line = logging.Formatter().format(record)
    assert secret not in line and line.count("***") >= 3
    for header in (
        "Authorization: Basic aG9yY2g6c2VjcmV0LXZhbHVl",
        "bearer eyJhbGciOi.eyJzdWIi.sig",
    ):
        record = logging.LogRecord("x", logging.DEBUG, __file__, 1, "headers %s", (header,), None)
        filt.filter(record)
        assert record.getMessage().endswith("***"), record.getMessage()
    # Secrets under six characters are not searched for (they would mask ordinary words).
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "a short word", None, None)
    filt.filter(record)
    assert record.getMessage() == "a short word"
