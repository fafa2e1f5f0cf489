"""Fixtures of the fault tests: a PostgreSQL database of their own (PostgreSQL pass only)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from core import db as coredb
from tests.conftest import PG_ADMIN_URL, USE_PG, _create_pg_database, _drop_pg_database


async def pg_answers() -> bool:
    """Whether the test server answers (the PostgreSQL tests skip cleanly when not)."""
    import asyncpg

    try:
        conn = await asyncio.wait_for(asyncpg.connect(PG_ADMIN_URL), timeout=3)
    except Exception:
        return False
    await conn.close()
    return True


@pytest.fixture
async def pg_database() -> AsyncIterator[str]:
    """A fresh, migrated PostgreSQL database; yields its plain (asyncpg) URL.

    Runs in the PostgreSQL pass (HORCH_TEST_PG=1) and skips when no server answers."""
    if not USE_PG:
        pytest.skip("PostgreSQL pass only (HORCH_TEST_PG=1)")
    if not await pg_answers():
        pytest.skip("no PostgreSQL server answers on 127.0.0.1:5432")
    plain = await _create_pg_database()
    try:
        await coredb.upgrade(plain.replace("postgresql://", "postgresql+asyncpg://"))
        yield plain
    finally:
        await _drop_pg_database(plain)
