"""Migration 0006 (drafts) upgrades and downgrades on its own branch."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import inspect

from core import db as coredb

pytestmark = pytest.mark.storage


def _tables(url: str) -> set[str]:
    async def read() -> set[str]:
        engine = coredb.make_engine(url)
        try:
            async with engine.connect() as conn:
                return set(await conn.run_sync(lambda c: inspect(c).get_table_names()))
        finally:
            await engine.dispose()

    return asyncio.run(read())


def _indexes(url: str) -> set[str]:
    async def read() -> set[str]:
        engine = coredb.make_engine(url)
        try:
            async with engine.connect() as conn:
                return {
                    i["name"]
                    for i in await conn.run_sync(lambda c: inspect(c).get_indexes("draft"))
                    if i["name"]
                }
        finally:
            await engine.dispose()

    return asyncio.run(read())


def test_upgrade_and_downgrade_the_drafts_branch(db_url: str) -> None:
    assert "draft" in _tables(db_url)
    assert {"ix_draft_state", "ix_draft_mention", "ix_draft_requested_by"} <= _indexes(db_url)
    asyncio.run(coredb.downgrade(db_url, "0006-1"))
    tables = _tables(db_url)
    assert "draft" not in tables and "mention" in tables
    asyncio.run(coredb.upgrade(db_url))
    assert "draft" in _tables(db_url)
