"""The async engine and sessions, and applying migrations.

SQLite runs in WAL mode with a busy timeout so that the bot, a CLI import and the tests can
share one file; PostgreSQL uses asyncpg with a pool that checks connections before use (a
restarted server or a terminated backend is reconnected instead of failing the next query).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlmodel.ext.asyncio.session import AsyncSession

log = logging.getLogger(__name__)
ROOT = Path(__file__).resolve().parent.parent


def make_engine(url: str, *, echo: bool = False) -> AsyncEngine:
    """An async engine for the URL (sqlite+aiosqlite or postgresql+asyncpg)."""
    if url.startswith("sqlite"):
        _ensure_sqlite_dir(url)
        engine = create_async_engine(url, echo=echo, connect_args={"timeout": 30})
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    return create_async_engine(
        url, echo=echo, pool_pre_ping=True, pool_size=10, max_overflow=10, pool_recycle=1800
    )


def _ensure_sqlite_dir(url: str) -> None:
    path = url.split(":///", 1)[-1].split("?", 1)[0]
    if path and path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA temp_store=MEMORY")
    cur.execute("PRAGMA cache_size=-65536")
    cur.close()


SessionFactory = async_sessionmaker[AsyncSession]


def make_sessionmaker(engine: AsyncEngine) -> SessionFactory:
    """Sessions that keep loaded objects usable after commit (handlers read them afterwards)."""
    return async_sessionmaker(engine, class_=AsyncSession, expire_on_commit=False)


@asynccontextmanager
async def session_scope(factory: SessionFactory) -> AsyncIterator[AsyncSession]:
    """A session that commits on success and rolls back on error."""
    async with factory() as session:
        try:
            yield session
            await session.commit()
        except BaseException:
            await session.rollback()
            raise


def alembic_config(url: str) -> Any:
    """Alembic's config pointed at our migrations and the given database."""
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(ROOT / "migrations"))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    cfg.attributes["configure_logger"] = False
    return cfg


def _run_alembic(url: str, action: str, target: str) -> None:
    from alembic import command

    cfg = alembic_config(url)
    if action == "upgrade":
        command.upgrade(cfg, target)
    else:
        command.downgrade(cfg, target)


async def upgrade(url: str, target: str = "heads") -> None:
    """Apply migrations (every branch head: later features add their own branches)."""
    # env.py runs its own event loop for the async engine, so run it off this loop.
    await asyncio.to_thread(_run_alembic, url, "upgrade", target)


async def downgrade(url: str, target: str = "base") -> None:
    await asyncio.to_thread(_run_alembic, url, "downgrade", target)


def dialect_name(engine: AsyncEngine) -> str:
    return engine.dialect.name
