"""Shared fixtures: a migrated database (SQLite always; PostgreSQL when HORCH_TEST_PG=1),
services built from explicit settings, and a helper to store mentions through the pipeline.

Tests never read the developer's environment: Settings come from `Settings.for_tests`.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from config.settings import Settings
from core import db as coredb
from core.raw import RawMention
from core.reply import Actor, Conversation, Reply, Request

ROOT = Path(__file__).resolve().parent.parent
PG_ADMIN_URL = os.environ.get("HORCH_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")
USE_PG = os.environ.get("HORCH_TEST_PG") == "1"


def _backends() -> list[str]:
    # The default run is SQLite; .ci/run repeats the storage and e2e tests with
    # HORCH_TEST_PG=1, where the same tests run on PostgreSQL instead.
    return ["postgresql"] if USE_PG else ["sqlite"]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests on a database are `storage`; tests under tests/e2e are `e2e`."""
    for item in items:
        if "db_url" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.storage)
        if "/tests/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


async def _create_pg_database() -> str:
    import asyncpg

    name = f"horch_{uuid.uuid4().hex[:12]}"
    conn = await asyncpg.connect(PG_ADMIN_URL)
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    base = PG_ADMIN_URL.rsplit("/", 1)[0]
    return f"{base}/{name}"


async def _drop_pg_database(url: str) -> None:
    import asyncpg

    name = url.rsplit("/", 1)[1]
    conn = await asyncpg.connect(PG_ADMIN_URL)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


@pytest.fixture(params=_backends())
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def db_url(backend: str, tmp_path: Path) -> Iterator[str]:
    """A freshly migrated, empty database (async URL)."""
    if backend == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path / 'test.db'}"
        asyncio.run(coredb.upgrade(url))
        yield url
        return
    plain = asyncio.run(_create_pg_database())
    url = plain.replace("postgresql://", "postgresql+asyncpg://")
    asyncio.run(coredb.upgrade(url))
    yield url
    asyncio.run(_drop_pg_database(plain))


@pytest.fixture
def settings(db_url: str) -> Settings:
    return Settings.for_tests(database_url=db_url)


@pytest.fixture
async def services(settings: Settings) -> AsyncIterator[Any]:
    """The process's services on the test database (offline analyzer, no platforms)."""
    from bot.services import build_services, close_services

    svc = await build_services(settings)
    yield svc
    await close_services(svc)


def console_request(text: str, *, locale: str | None = "en", actor: str = "console") -> Request:
    """A console Request for a command line such as 'mentions Lieferung --since 7d'."""
    from bot.console.chat import parse_line

    req = parse_line(text, locale)
    req.actor = Actor(id=actor, name=actor, platform="console")
    req.conversation = Conversation(platform="console", id="console")
    return req


@pytest.fixture
def ask(services: Any) -> Callable[..., Any]:
    """`await ask("mentions x")` → the Reply, through the real dispatch."""
    from handlers.dispatch import dispatch

    async def _ask(text: str, *, locale: str | None = "en", actor: str = "console") -> Reply:
        registry = services.registry
        return await dispatch(registry, services, console_request(text, locale=locale, actor=actor))

    return _ask


def raw(
    n: int,
    *,
    text: str = "Lumora Brew ist super",
    source: str = "test",
    start: dt.datetime | None = None,
    step: dt.timedelta = dt.timedelta(minutes=1),
    **extra: Any,
) -> list[RawMention]:
    """n raw mentions with distinct ids, one per `step` from `start`."""
    start = start or dt.datetime(2026, 11, 20, 8, 0)
    return [
        RawMention(
            source=source,
            external_id=f"{source}-{i}",
            text=f"{text} ({i})" if n > 1 else text,
            published_at=start + i * step,
            **extra,
        )
        for i in range(n)
    ]
