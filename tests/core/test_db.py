"""The database helpers of scale-out: migrations under a lock, retries of transient errors."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import exc, text

from core import db as coredb
from tests.conftest import USE_PG, _create_pg_database, _drop_pg_database


def _dbapi(error: Exception, *, invalidated: bool = False) -> exc.DBAPIError:
    wrapped = exc.DBAPIError.instance("SELECT 1", {}, error, Exception)
    assert isinstance(wrapped, exc.DBAPIError)
    wrapped.connection_invalidated = invalidated
    return wrapped


class _PgError(Exception):
    def __init__(self, sqlstate: str) -> None:
        super().__init__(f"state {sqlstate}")
        self.sqlstate = sqlstate


@pytest.mark.parametrize(
    ("error", "transient"),
    [
        (_dbapi(_PgError("08003"), invalidated=True), True),  # terminated backend
        (_dbapi(_PgError("57P01")), True),  # admin shutdown
        (_dbapi(_PgError("57P03")), True),  # cannot connect now (starting up)
        (_dbapi(_PgError("40P01")), True),  # deadlock
        (_dbapi(_PgError("23505")), False),  # unique violation: a bug, not the weather
        (_dbapi(_PgError("42P01")), False),  # undefined table
        (_dbapi(sqlite3.OperationalError("database is locked")), True),
        (_dbapi(sqlite3.OperationalError("no such table: mention")), False),
        (ConnectionRefusedError(111, "refused"), True),
        (ValueError("bad"), False),
    ],
)
def test_which_errors_are_worth_a_retry(error: Exception, transient: bool) -> None:
    assert coredb.is_transient(error) is transient


async def test_retry_transient_repeats_then_gives_up() -> None:
    calls: list[int] = []

    async def flaky() -> str:
        calls.append(1)
        if len(calls) < 3:
            raise ConnectionResetError("reset")
        return "ok"

    assert await coredb.retry_transient(flaky, what="test", delays=(0, 0, 0)) == "ok"
    assert len(calls) == 3

    async def broken() -> None:
        calls.append(1)
        raise ConnectionResetError("reset")

    calls.clear()
    with pytest.raises(ConnectionResetError):
        await coredb.retry_transient(broken, what="test", delays=(0, 0))
    assert len(calls) == 3

    async def bug() -> None:
        calls.append(1)
        raise ValueError("no retry for bugs")

    calls.clear()
    with pytest.raises(ValueError):
        await coredb.retry_transient(bug, what="test", delays=(0, 0))
    assert len(calls) == 1


@pytest.mark.storage
@pytest.mark.skipif(not USE_PG, reason="PostgreSQL pass only (HORCH_TEST_PG=1)")
async def test_replicas_migrating_at_once_take_turns(tmp_path: Path) -> None:
    plain = await _create_pg_database()
    url = plain.replace("postgresql://", "postgresql+asyncpg://")
    try:
        await asyncio.gather(*(coredb.upgrade(url) for _ in range(3)))
        engine = coredb.make_engine(url)
        async with engine.connect() as conn:
            heads = (await conn.execute(text("SELECT count(*) FROM alembic_version"))).scalar()
        await engine.dispose()
        assert heads == 1  # one history: the merge revision alone
    finally:
        await _drop_pg_database(plain)


@pytest.mark.parametrize(("mmap", "expected"), [(True, coredb.SQLITE_MMAP_BYTES), (False, 0)])
async def test_sqlite_memory_map_is_on_for_the_bot_and_off_for_imports(
    tmp_path: Path, mmap: bool, expected: int
) -> None:
    """The bot reads through a memory map; a file import (write-mostly) does without one,
    so the mapped pages of its growing database file never count in its memory."""
    engine = coredb.make_engine(f"sqlite+aiosqlite:///{tmp_path / 'm.db'}", sqlite_mmap=mmap)
    try:
        async with engine.connect() as conn:
            assert (await conn.execute(text("PRAGMA mmap_size"))).scalar() == expected
            assert (await conn.execute(text("PRAGMA journal_mode"))).scalar() == "wal"
    finally:
        await engine.dispose()
