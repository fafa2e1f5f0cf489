"""Shared test helpers for the backlog, sprint and standup tests: services on a test
database with the deterministic RuleAnalyzer, a clock the test moves, and data builders."""

from __future__ import annotations

import asyncio
import atexit
import datetime as dt
import shutil
import sqlite3
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from config.settings import Settings
from core.raw import RawMention
from core.reply import Actor, Conversation, Reply, Request
from tests.fakes import RuleAnalyzer

NOW = dt.datetime(2026, 11, 20, 12, 0)  # a Friday, naive UTC
_TEMPLATE: list[Path] = []


def migrated_db_url(backend: str, tmp_path: Path) -> Iterator[str]:
    """What tests/conftest.py's `db_url` gives, faster on SQLite: a copy of a database
    migrated once per test process (migrating takes about a second per test)."""
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

        folder = Path(tempfile.mkdtemp(prefix="horch-test-template-"))
        atexit.register(shutil.rmtree, folder, True)
        template = folder / "template.db"
        asyncio.run(coredb.upgrade(f"sqlite+aiosqlite:///{template}"))
        with sqlite3.connect(template) as conn:  # fold the WAL into the file before copying
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

    def set(self, value: dt.datetime) -> None:
        self.now = value

    def advance(self, **delta: float) -> None:
        self.now += dt.timedelta(**delta)


async def make_services(db_url: str, *, clock: Clock | None = None, instance: str = "") -> Any:
    """The bot's services on the test database, with the RuleAnalyzer and a test clock."""
    from bot.services import build_services

    settings = Settings.for_tests(database_url=db_url, instance_id=instance or "test")
    services = await build_services(settings, analyzer=RuleAnalyzer())
    services.clock = clock or Clock()
    return services


def mentions(
    texts: Iterable[str],
    *,
    start: dt.datetime,
    step: dt.timedelta = dt.timedelta(hours=1),
    source: str = "test",
    prefix: str = "m",
    **extra: Any,
) -> list[RawMention]:
    """One raw mention per text, `step` apart from `start`, with distinct ids."""
    return [
        RawMention(
            source=source,
            external_id=f"{prefix}-{start.isoformat()}-{i}",
            text=text,
            published_at=start + i * step,
            author_handle=extra.pop("author_handle", None) or f"user{i}",
            **extra,
        )
        for i, text in enumerate(texts)
    ]


def daily(
    text: str, *, days: int, per_day: int, end: dt.datetime, prefix: str, **extra: Any
) -> list[RawMention]:
    """`per_day` mentions on each of the `days` days before `end` (numbered texts)."""
    out = []
    for d in range(days):
        day_start = end - dt.timedelta(days=d + 1) + dt.timedelta(hours=1)
        for k in range(per_day):
            out.append(
                RawMention(
                    source=extra.get("source", "test"),
                    external_id=f"{prefix}-{d}-{k}",
                    text=f"{text} ({d}-{k})",
                    published_at=day_start + dt.timedelta(hours=2 * k),
                    author_handle=f"{prefix}{d}{k}",
                    followers=extra.get("followers", 100),
                )
            )
    return out


def console(
    text: str = "",
    *,
    action: tuple[str, str] | None = None,
    actor: str = "console",
    channel: str = "console",
    locale: str = "en",
) -> Request:
    """A console request: a command line, or a button click (action id, value)."""
    from bot.console.chat import parse_line

    req = parse_line(text or "help", locale)
    if action is not None:
        req.command, req.args = "", []
        req.action_id, req.action_value = action
    req.actor = Actor(id=actor, name=actor, platform="console")
    req.conversation = Conversation(platform="console", id=channel)
    return req


async def ask(services: Any, text: str = "", **kw: Any) -> Reply:
    """Dispatch a console line (or a click) through the real registry and dispatch."""
    from handlers.dispatch import dispatch

    return await dispatch(services.registry, services, console(text, **kw))


async def seed_listening(services: Any, now: dt.datetime = NOW) -> None:
    """Five weeks of listening with a rising hashtag, recurring questions, complaints and
    a competitor that is suddenly talked about, and negatively."""
    pipe = services.pipeline
    # Steady background: espresso talk, 3 a day for 35 days (the baseline).
    await pipe.ingest(
        daily("Espresso am Morgen mit der Lumora", days=35, per_day=3, end=now, prefix="bg")
    )
    # Kaffeeko: 1 a day usually, neutral; the last 6 days 4 a day and negative.
    await pipe.ingest(
        daily(
            "Kaffeeko hat eine neue Maschine",
            days=35,
            per_day=1,
            end=now - dt.timedelta(days=7),
            prefix="kk",
        )
    )
    await pipe.ingest(
        daily("Kaffeeko Maschine ist kaputt, schlecht", days=6, per_day=4, end=now, prefix="kkneg")
    )
    # #baristaathome: once a week before, then 4 a day for the last 6 days.
    await pipe.ingest(
        daily(
            "Latte art #baristaathome",
            days=4,
            per_day=1,
            end=now - dt.timedelta(days=8),
            prefix="tagold",
        )
    )
    await pipe.ingest(
        daily(
            "My latte art today #baristaathome",
            days=6,
            per_day=4,
            end=now,
            prefix="tagnew",
            followers=2000,
        )
    )
    # Recurring questions about descaling the Brew (intent "question": they end in "?").
    questions = [
        "How often should I descale the Lumora Brew?",
        "How do I descale my Lumora Brew, which descaling liquid?",
        "Lumora Brew descale light is on, how do I descale it?",
        "What is the right way to descale the Lumora Brew?",
    ]
    await pipe.ingest(mentions(questions, start=now - dt.timedelta(days=3), prefix="q"))
    # Complaints about delivery (intent "complaint": negative words, no question mark).
    complaints = [
        "Lumora delivery still waiting after two weeks, bad service",
        "My Lumora delivery arrived broken. Still waiting for a reply",
        "Lumora delivery never arrived, still waiting",
        "Still waiting for my Lumora delivery, ordered a month ago. Bad.",
    ]
    await pipe.ingest(
        mentions(complaints, start=now - dt.timedelta(days=2), prefix="c", source="mastodon-social")
    )
    await group_topics(services, now)


async def group_topics(services: Any, now: dt.datetime = NOW) -> Any:
    """Group what is stored into topics and stories, as the running bot does every minute
    (with the shipped sentence encoder)."""
    from core.stories.topic_job import TopicJob
    from core.stories.topics import SentenceEncoder

    return await TopicJob(services.sessions, SentenceEncoder(), clock=lambda: now).catch_up()
