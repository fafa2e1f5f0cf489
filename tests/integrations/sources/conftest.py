"""Local servers on 127.0.0.1 that answer like the real APIs, from the captured payloads in
tests/fixtures/<source>/ (see each PROVENANCE.md); the HTTP client with quick retries; and
services on a migrated test database with the keyword analyzer of tests/fakes.py.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from config.settings import Settings
from config.workspace import SourceConfig
from integrations.sources.http import HttpClient, RetryPolicy
from tests.fakes import RuleAnalyzer

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def fixture_bytes(*parts: str) -> bytes:
    return FIXTURES.joinpath(*parts).read_bytes()


def fixture_json(*parts: str) -> Any:
    return json.loads(fixture_bytes(*parts))


class FakeAPI:
    """An aiohttp app on a free port: add routes, `await start()`, read `requests` after."""

    def __init__(self) -> None:
        self.app = web.Application(middlewares=[self._record])
        self.requests: list[web.Request] = []
        self.bodies: list[bytes] = []
        self._server: TestServer | None = None

    @web.middleware
    async def _record(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        self.bodies.append(await request.read())
        self.requests.append(request)
        return await handler(request)

    def get(self, path: str, handler: Handler) -> None:
        self.app.router.add_get(path, handler)

    def post(self, path: str, handler: Handler) -> None:
        self.app.router.add_post(path, handler)

    async def start(self) -> str:
        self._server = TestServer(self.app, host="127.0.0.1")
        await self._server.start_server()
        return self.url

    @property
    def url(self) -> str:
        assert self._server is not None
        return str(self._server.make_url("")).rstrip("/")

    def hits(self, path: str) -> list[web.Request]:
        return [r for r in self.requests if r.path == path]

    async def close(self) -> None:
        if self._server is not None:
            await self._server.close()


@pytest.fixture
async def api() -> AsyncIterator[FakeAPI]:
    server = FakeAPI()
    yield server
    await server.close()


@pytest.fixture
async def http() -> AsyncIterator[HttpClient]:
    """The real client with quick retries (waits of milliseconds, Retry-After up to 1 s)."""
    client = HttpClient(
        timeout=1.0, retry=RetryPolicy(attempts=3, initial=0.01, max_wait=0.05, max_retry_after=1.0)
    )
    yield client
    await client.close()


def source_config(name: str, type_: str, **values: Any) -> SourceConfig:
    return SourceConfig(name=name, type=type_, **values)  # type: ignore[arg-type]


@pytest.fixture
async def source_services(db_url: str) -> AsyncIterator[Any]:
    """Services on the test database with the keyword analyzer, for tests of the sources
    (the poller's behaviour, not the models')."""
    from bot.services import build_services, close_services

    svc = await build_services(Settings.for_tests(database_url=db_url), analyzer=RuleAnalyzer())
    yield svc
    await close_services(svc)
