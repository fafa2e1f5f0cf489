"""Helpers of the trends and alerts tests: a migrated database copied from a template,
services with the deterministic RuleAnalyzer and a test clock, hourly histories written
straight into `hourly_count`, and a Notifier that records what it was handed."""

from __future__ import annotations

import asyncio
import atexit
import datetime as dt
import shutil
import sqlite3
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from config.settings import Settings
from core.db import session_scope
from core.raw import RawMention
from core.reply import Actor, Conversation, Reply, Request
from core.storage import counts
from tests.fakes import RuleAnalyzer

NOW = dt.datetime(2026, 11, 20, 12, 40)  # a Friday, naive UTC; 40 minutes into the hour
HOUR = dt.timedelta(hours=1)
_TEMPLATE: list[Path] = []


def migrated_db_url(backend: str, tmp_path: Path) -> Iterator[str]:
    """A freshly migrated database; on SQLite a copy of one migrated once per process."""
    if backend != "sqlite":
        from core import db as coredb
        from tests.conftest import _create_pg_database, _drop_pg_database

        plain = asyncio.run(_create_pg_database())
        url = plain.replace("postgresql://", "postgresql+asyncpg://")
        asyncio.run(coredb.upgrade(url))
        yield url
        asyncio.run(_drop_pg_database(plain))
        return
    if not _TEMPLATE:
        from core import db as coredb

        folder = Path(tempfile.mkdtemp(prefix="horch-trends-template-"))
        atexit.register(shutil.rmtree, folder, True)
        template = folder / "template.db"
        asyncio.run(coredb.upgrade(f"sqlite+aiosqlite:///{template}"))
        with sqlite3.connect(template) as conn:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        _TEMPLATE.append(template)
    target = tmp_path / "test.db"
    shutil.copyfile(_TEMPLATE[0], target)
    yield f"sqlite+aiosqlite:///{target}"


class Clock:
    """A clock the test sets and moves (naive UTC)."""

    def __init__(self, now: dt.datetime = NOW) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += dt.timedelta(**delta)


async def make_services(db_url: str, clock: Clock | None = None, instance: str = "test") -> Any:
    from bot.services import build_services

    settings = Settings.for_tests(database_url=db_url, instance_id=instance)
    services = await build_services(settings, analyzer=RuleAnalyzer())
    services.clock = clock or Clock()
    return services


class Recorder:
    """A Notifier that keeps every post; `fail` makes the next posts raise."""

    def __init__(self, platform: str = "console") -> None:
        self.platform = platform
        self.posts: list[tuple[str, Reply, str | None]] = []
        self.fail = 0

    async def post(
        self,
        *,
        channel_id: str,
        reply: Reply,
        thread_id: str | None = None,
        locale: str | None = None,
    ) -> str | None:
        if self.fail:
            self.fail -= 1
            raise ConnectionError("the platform is down")
        self.posts.append((channel_id, reply, locale))
        return f"msg-{len(self.posts)}"


async def write_history(
    services: Any,
    key: str,
    hourly: Sequence[int],
    *,
    end: dt.datetime,
    sentiment: str = "neu",
) -> None:
    """Counts of `key` for the hours before `end` (the last value is the hour before it),
    and the same hours of `all`, so that listening began with the first of them."""
    start = end - len(hourly) * HOUR
    increments: dict[tuple[dt.datetime, str], dict[str, int]] = {}
    for i, n in enumerate(hourly):
        bucket = start + i * HOUR
        cell = {"n": int(n), "neg": 0, "neu": 0, "pos": 0, "reach": 0}
        cell[sentiment] = int(n)
        if n:
            increments[(bucket, key)] = cell
        increments[(bucket, "all")] = {
            "n": int(n) + 1,
            "neg": 0,
            "neu": int(n) + 1,
            "pos": 0,
            "reach": 0,
        }
    async with session_scope(services.sessions) as session:
        await counts.add_counts(session=session, increments=increments)


async def add_count(services: Any, key: str, bucket: dt.datetime, n: int) -> None:
    """Add n to one hour of one key (as the pipeline or another replica would)."""
    cell = {"n": n, "neg": 0, "neu": n, "pos": 0, "reach": 0}
    async with session_scope(services.sessions) as session:
        await counts.add_counts(session=session, increments={(bucket, key): cell})


def raws(
    texts: Iterable[str],
    *,
    start: dt.datetime,
    step: dt.timedelta = dt.timedelta(minutes=1),
    source: str = "test",
    prefix: str = "m",
    **extra: Any,
) -> list[RawMention]:
    """Raw mentions with distinct ids, one per `step` from `start`."""
    return [
        RawMention(
            source=source,
            external_id=f"{prefix}{i}",
            text=text,
            published_at=start + i * step,
            **extra,
        )
        for i, text in enumerate(texts)
    ]


def request(
    text: str = "",
    *,
    command: str = "",
    args: Sequence[str] = (),
    action_id: str | None = None,
    action_value: str | None = None,
    locale: str = "en",
    actor: str = "alice",
    channel: str = "console",
    platform: str = "console",
) -> Request:
    return Request(
        command=command,
        args=list(args),
        actor=Actor(id=actor, name=actor, platform=platform),  # type: ignore[arg-type]
        conversation=Conversation(platform=platform, id=channel),  # type: ignore[arg-type]
        locale=locale,
        text=text,
        action_id=action_id,
        action_value=action_value,
    )
