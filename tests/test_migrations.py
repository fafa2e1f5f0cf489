"""The migration history: one head, up and down on SQLite and PostgreSQL, a database on the
four old branch heads moves onto the merge, and the migrated schema is the models' schema
(tables, columns, types, nullability, unique constraints and indexes)."""

from __future__ import annotations

import importlib
import subprocess
import sys
from pathlib import Path
from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect
from sqlalchemy.ext.asyncio import create_async_engine
from sqlmodel import SQLModel

import core.models  # noqa: F401
from core import db as coredb

ROOT = Path(__file__).resolve().parent.parent
OLD_HEADS = ("0002", "0005", "0006", "0007")
# Full-text search is the one part of the schema that differs by database and lives in the
# migrations alone: SQLite's FTS5 table (and the shadow tables it keeps), PostgreSQL's
# generated `search` column and its GIN index. Nothing else may differ from the models.
_FTS_TABLES = ("mention_fts",)
_FTS_COLUMNS = {("mention", "search")}
_FTS_INDEXES = {"ix_mention_search"}


def _all_models() -> None:
    for path in (ROOT / "core").glob("models*.py"):
        importlib.import_module(f"core.{path.stem}")  # every feature's tables


async def _tables(url: str) -> set[str]:
    engine = create_async_engine(url)
    async with engine.connect() as conn:
        names = await conn.run_sync(lambda c: set(inspect(c).get_table_names()))
    await engine.dispose()
    return {n for n in names if not n.startswith(("mention_fts", "sqlite_"))}


def _ours(obj: Any, name: str | None, kind: str, reflected: bool, _other: Any) -> bool:
    if kind == "table" and name and name.startswith(_FTS_TABLES):
        return False
    if kind == "column" and (obj.table.name, name) in _FTS_COLUMNS:
        return False
    return not (kind == "index" and name in _FTS_INDEXES)


async def _differences(url: str) -> list[Any]:
    _all_models()
    engine = create_async_engine(url)

    def compare(conn: Any) -> list[Any]:
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "include_object": _ours}
        )
        return list(compare_metadata(context, SQLModel.metadata))

    async with engine.connect() as conn:
        diff = await conn.run_sync(compare)
    await engine.dispose()
    return diff


def _heads() -> list[str]:
    return list(ScriptDirectory.from_config(coredb.alembic_config("sqlite://")).get_heads())


def test_the_history_has_one_head() -> None:
    heads = _heads()
    assert len(heads) == 1, heads
    # ... and every revision since the merge descends from it.
    script = ScriptDirectory.from_config(coredb.alembic_config("sqlite://"))
    lineage = {r.revision for r in script.walk_revisions("base", heads[0])}
    assert {"0008_one_history", *OLD_HEADS} <= lineage


def test_alembic_heads_from_the_repository_root_prints_one_head() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "alembic", "heads"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert done.stdout.split() == [*_heads(), "(head)"], done.stdout + done.stderr


async def test_the_migrated_schema_is_the_models_schema(db_url: str) -> None:
    assert await _differences(db_url) == []


async def test_upgrade_downgrade_upgrade(db_url: str) -> None:
    _all_models()
    expected = set(SQLModel.metadata.tables)
    assert expected <= await _tables(db_url)
    await coredb.downgrade(db_url, "base")
    assert await _tables(db_url) <= {"alembic_version"}
    await coredb.upgrade(db_url)
    assert expected <= await _tables(db_url)
    assert await _differences(db_url) == []


async def test_a_database_on_the_old_branch_heads_moves_onto_the_merge(db_url: str) -> None:
    await coredb.downgrade(db_url, "base")
    for head in OLD_HEADS:  # as the bot left it when it upgraded to "heads"
        await coredb.upgrade(db_url, head)
    assert await _versions(db_url) == set(OLD_HEADS)
    await coredb.upgrade(db_url)
    assert await _versions(db_url) == set(_heads())
    assert await _differences(db_url) == []


async def test_upgrade_is_idempotent(db_url: str) -> None:
    before = await _tables(db_url)
    await coredb.upgrade(db_url)
    assert await _tables(db_url) == before
    assert await _versions(db_url) == set(_heads())


async def _versions(url: str) -> set[str]:
    engine = create_async_engine(url)
    async with engine.connect() as conn:
        heads = await conn.run_sync(lambda c: MigrationContext.configure(c).get_current_heads())
    await engine.dispose()
    return set(heads)
