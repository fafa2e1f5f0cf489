"""Every migration goes up and down on SQLite and PostgreSQL, and matches the models."""

from __future__ import annotations

from sqlalchemy import inspect
from sqlalchemy.ext.asyncio import create_async_engine
from sqlmodel import SQLModel

import core.models  # noqa: F401
from core import db as coredb


async def _tables(url: str) -> set[str]:
    engine = create_async_engine(url)
    async with engine.connect() as conn:
        names = await conn.run_sync(lambda c: set(inspect(c).get_table_names()))
    await engine.dispose()
    return {n for n in names if not n.startswith(("mention_fts", "sqlite_"))}


async def test_upgrade_downgrade_upgrade(db_url: str) -> None:
    import importlib
    from pathlib import Path

    for path in (Path(__file__).resolve().parent.parent / "core").glob("models*.py"):
        importlib.import_module(f"core.{path.stem}")  # every feature's tables
    expected = set(SQLModel.metadata.tables)
    assert expected <= await _tables(db_url)
    await coredb.downgrade(db_url, "base")
    assert await _tables(db_url) <= {"alembic_version"}
    await coredb.upgrade(db_url)
    assert expected <= await _tables(db_url)


async def test_upgrade_is_idempotent(db_url: str) -> None:
    before = await _tables(db_url)
    await coredb.upgrade(db_url)
    assert await _tables(db_url) == before
