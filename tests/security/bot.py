"""The whole bot on 127.0.0.1 (Slack, Teams, the webhook; fake Slack and Bot Connector),
and a raw HTTP client for what aiohttp's client will not send: non-ASCII and duplicate
headers, bodies without Content-Length, lying proxies.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import json
import time
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from integrations.sources.budget import TokenBucket
from integrations.sources.webhook import sign as webhook_sign
from tests.bot.slack.harness import SECRET as SLACK_SECRET
from tests.bot.slack.harness import SlackHarness, running_bot
from tests.bot.teams.fake_connector import FakeConnector

WEBHOOK_SECRET = "whsec-Horch-Webhook-7731-secret"
Headers = Sequence[tuple[str, str | bytes]]


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes


async def raw_request(
    port: int,
    method: str,
    path: str,
    headers: Headers = (),
    body: bytes = b"",
    *,
    chunked: bool = False,
    timeout: float = 20.0,
) -> Answer:
    """One HTTP/1.1 request written byte for byte; the server's answer (status, headers)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    lines = [f"{method} {path} HTTP/1.1".encode(), b"Host: 127.0.0.1", b"Connection: close"]
    for name, value in headers:
        lines.append(
            name.encode() + b": " + (value if isinstance(value, bytes) else value.encode())
        )
    if chunked:
        lines.append(b"Transfer-Encoding: chunked")
    else:
        lines.append(f"Content-Length: {len(body)}".encode())
    head = b"\r\n".join(lines) + b"\r\n\r\n"

    async def send() -> None:
        # The server may answer (413) and close before the body is through: that is fine.
        with contextlib.suppress(ConnectionError):
            writer.write(head)
            if chunked:
                for start in range(0, len(body), 65536):
                    piece = body[start : start + 65536]
                    writer.write(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
                    await writer.drain()
                writer.write(b"0\r\n\r\n")
            else:
                writer.write(body)
            await writer.drain()

    sending = asyncio.create_task(send())
    try:
        status_line = await asyncio.wait_for(reader.readline(), timeout)
        raw_headers: dict[str, str] = {}
        while (line := await asyncio.wait_for(reader.readline(), timeout)) not in (b"\r\n", b""):
            name, _, value = line.decode("latin-1").partition(":")
            raw_headers[name.strip().lower()] = value.strip()
        length = int(raw_headers.get("content-length", "0") or 0)
        payload = await asyncio.wait_for(reader.readexactly(length), timeout) if length else b""
    finally:
        sending.cancel()
        with contextlib.suppress(asyncio.CancelledError, ConnectionError):
            await sending
        writer.close()
        with contextlib.suppress(ConnectionError):
            await writer.wait_closed()
    return Answer(int(status_line.split()[1]), raw_headers, payload)


def slack_headers(body: bytes, *, secret: str = SLACK_SECRET) -> dict[str, str]:
    """Slack's v0 signature headers for a body of any bytes."""
    stamp = str(int(time.time()))
    digest = hmac.new(secret.encode(), f"v0:{stamp}:".encode() + body, hashlib.sha256)
    return {"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": f"v0={digest.hexdigest()}"}


def webhook_headers(body: bytes, *, secret: str = WEBHOOK_SECRET) -> dict[str, str]:
    stamp = str(int(time.time()))
    return {
        "X-Horch-Timestamp": stamp,
        "X-Horch-Signature": webhook_sign(secret, stamp, body),
        "Content-Type": "application/json",
    }


class Bot:
    """The running bot and its fakes."""

    def __init__(self, slack: SlackHarness, connector: FakeConnector) -> None:
        self.slack, self.connector = slack, connector

    def __repr__(self) -> str:  # hypothesis prints the arguments of a failing example
        return f"Bot(port={self.port})"

    @property
    def app(self) -> web.Application:
        return self.slack.client.app  # type: ignore[no-any-return]

    @property
    def port(self) -> int:
        return int(self.slack.client.port)  # type: ignore[arg-type]

    @property
    def services(self) -> Any:
        return self.slack.services

    async def slack_post(
        self, body: bytes, content_type: str, headers: dict[str, str] | None = None
    ) -> int:
        all_headers = {"Content-Type": content_type}
        all_headers.update(headers if headers is not None else slack_headers(body))
        response = await self.slack.client.post("/slack/events", data=body, headers=all_headers)
        await response.read()
        return response.status

    async def teams_post(self, body: bytes, headers: dict[str, str] | None = None) -> int:
        response = await self.slack.client.post(
            "/api/messages",
            data=body,
            headers={"Content-Type": "application/json", **(headers or {})},
        )
        await response.read()
        return response.status

    async def webhook_post(self, body: bytes, headers: dict[str, str] | None = None) -> int:
        response = await self.slack.client.post(
            "/ingest/webhook", data=body, headers=headers or webhook_headers(body)
        )
        await response.read()
        return response.status

    def webhook_budget(self, rate: int) -> None:
        """Give the webhook endpoint a new per-client budget (fuzzing sends many requests)."""
        for route in self.app.router.routes():
            if route.resource is not None and route.resource.canonical == "/ingest/webhook":
                # aiohttp wraps a callable object; the endpoint is the wrapped one.
                endpoint: Any = getattr(route.handler, "__wrapped__", route.handler)
                endpoint.budget = TokenBucket(rate, 60.0)


@asynccontextmanager
async def whole_bot(db_url: str, **settings: Any) -> AsyncIterator[Bot]:
    """Slack (signed HTTP), Teams (Emulator mode unless an app id is given) and the webhook."""
    connector = FakeConnector()
    await connector.start()
    values: dict[str, Any] = {"webhook_secret": WEBHOOK_SECRET, **settings}
    try:
        async with running_bot(db_url, samples=False, **values) as slack:
            yield Bot(slack, connector)
            await slack.settle()
    finally:
        await connector.stop()


def dumps(value: Any) -> bytes:
    return json.dumps(value).encode()
