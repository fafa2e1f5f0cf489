"""A migrated database, a workspace with approvers, stored mentions and a fake publisher."""

from __future__ import annotations

import asyncio
import datetime as dt
import shutil
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

from config.workspace import Workspace, load_workspace
from core import db as coredb
from core.clock import utcnow
from core.db import SessionFactory, make_engine, make_sessionmaker, session_scope
from core.drafts.errors import PublishError
from core.drafts.service import DraftService
from core.models import Mention
from core.ports import Published
from core.reply import Actor, Conversation
from tests.conftest import _create_pg_database, _drop_pg_database

ROOT = Path(__file__).resolve().parents[3]
T0 = dt.datetime(2026, 11, 26, 9, 0)
ANNA = Actor("U_ANNA", "Anna", "slack")
BEN = Actor("U_BEN", "Ben", "slack", groups=("S_SOCIAL",))
MALLORY = Actor("U_MALLORY", "Mallory", "slack")
TEAMS_CARLA = Actor("aad-carla", "Carla", "teams")
THREAD = Conversation("slack", "C_SOCIAL", "1700000000.000100")


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One migrated SQLite file per test run; each test gets a copy (migrating takes ~1 s)."""
    path = tmp_path_factory.mktemp("drafts-template") / "template.db"
    asyncio.run(coredb.upgrade(f"sqlite+aiosqlite:///{path}"))
    return path


@pytest.fixture
def db_url(backend: str, tmp_path: Path, sqlite_template: Path) -> Iterator[str]:
    """Like the shared fixture (a fresh migrated database), from the template on SQLite."""
    if backend == "sqlite":
        target = tmp_path / "test.db"
        for suffix in ("", "-wal", "-shm"):
            source = Path(str(sqlite_template) + suffix)
            if source.exists():
                shutil.copyfile(source, Path(str(target) + suffix))
        yield f"sqlite+aiosqlite:///{target}"
        return
    plain = asyncio.run(_create_pg_database())
    url = plain.replace("postgresql://", "postgresql+asyncpg://")
    asyncio.run(coredb.upgrade(url))
    yield url
    asyncio.run(_drop_pg_database(plain))


@pytest.fixture
async def sessions(db_url: str) -> AsyncIterator[SessionFactory]:
    engine = make_engine(db_url)
    yield make_sessionmaker(engine)
    await engine.dispose()


@pytest.fixture
def workspace() -> Workspace:
    ws = load_workspace(ROOT / "config" / "workspace.example.yaml")
    ws.approvers.slack_users = ["U_ANNA"]
    ws.approvers.slack_usergroups = ["S_SOCIAL"]
    ws.approvers.teams_aad = ["aad-carla"]
    return ws


async def add_mention(sessions: SessionFactory, **kw: Any) -> Mention:
    values: dict[str, Any] = dict(
        source="mastodon-social",
        source_type="mastodon",
        external_id=f"https://mastodon.social/users/x/statuses/{kw.get('n', 1)}",
        url=f"https://mastodon.social/@x/{kw.get('n', 1)}",
        author="X",
        author_handle="@x@mastodon.social",
        text="Wann kommt meine Lumora Brew?",
        language="de",
        intent="question",
        published_at=T0,
    )
    kw.pop("n", None)
    values.update(kw)
    mention = Mention(**values)
    async with session_scope(sessions) as session:
        session.add(mention)
    return mention


class FakePublisher:
    """Behaves like a platform with idempotency keys: one post per key, however often asked."""

    def __init__(self, platform: str = "mastodon") -> None:
        self.platform = platform
        self.posts: dict[str, str] = {}
        self.calls = 0
        self.fail: list[Exception] = []
        self.delay = 0.0

    async def publish(
        self,
        *,
        text: str,
        reply_to_external_id: str,
        reply_to_url: str | None,
        idempotency_key: str,
    ) -> Published:
        self.calls += 1
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.fail:
            raise self.fail.pop(0)
        self.posts.setdefault(idempotency_key, text)
        n = list(self.posts).index(idempotency_key) + 1
        return Published(url=f"https://{self.platform}.example/@lumora/{n}", external_id=str(n))


@pytest.fixture
def publisher() -> FakePublisher:
    return FakePublisher()


@pytest.fixture
def service(
    sessions: SessionFactory, workspace: Workspace, publisher: FakePublisher
) -> DraftService:
    return DraftService(
        sessions=sessions, workspace=workspace, publishers={"mastodon": publisher}, clock=utcnow
    )


__all__ = ["PublishError"]
