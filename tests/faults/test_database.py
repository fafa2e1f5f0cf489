"""PostgreSQL drops the bot's connections mid-ingest, or restarts: nothing lost or doubled.

The pipeline stores each chunk of a batch in one transaction; a lost connection rolls it
back, the pool reconnects and the chunk is stored again (core.db.retry_transient). The
counts in `mention` and `hourly_count` must match the items exactly afterwards.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import pytest

from bot.services import build_services, close_services
from config.settings import Settings
from core.pipeline import IngestResult
from core.storage import counts
from tests.conftest import raw
from tests.fakes import RuleAnalyzer
from tests.faults.pg_proxy import PgProxy

pytestmark = [pytest.mark.storage]
BATCH = 2500  # three chunks of the pipeline (CHUNK = 1000): three transactions per batch


@pytest.fixture
async def proxy() -> AsyncIterator[PgProxy]:
    proxy = PgProxy()
    await proxy.start()
    yield proxy
    await proxy.stop()


@pytest.fixture
async def services(pg_database: str, proxy: PgProxy) -> AsyncIterator[Any]:
    """The bot's services, connected to the test database through the proxy."""
    url = proxy.url(pg_database.rsplit("/", 1)[1])
    svc = await build_services(Settings.for_tests(database_url=url), analyzer=RuleAnalyzer())
    yield svc
    await close_services(svc)


async def _totals(pg_database: str) -> tuple[int, int, int]:
    """Mentions, distinct ids, and the sum of the hourly counts of key 'all'."""
    conn = await asyncpg.connect(pg_database)
    try:
        row = await conn.fetchrow(
            "SELECT count(*), count(DISTINCT (source, external_id)) FROM mention"
        )
        counted = await conn.fetchval(
            "SELECT coalesce(sum(n), 0) FROM hourly_count WHERE key = 'all'"
        )
    finally:
        await conn.close()
    assert row is not None
    return int(row[0]), int(row[1]), int(counted)


async def _terminate(pg_database: str) -> int:
    """pg_terminate_backend on every backend of the bot's database; returns how many."""
    name = pg_database.rsplit("/", 1)[1]
    conn = await asyncpg.connect(pg_database)
    try:
        return int(
            await conn.fetchval(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = $1 AND pid <> pg_backend_pid()",
                name,
            )
        )
    finally:
        await conn.close()


async def test_a_backend_terminated_inside_the_store_transaction_is_retried(
    services: Any, pg_database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Kill the connection after the mentions are inserted and before their counts are:
    # the worst moment, half a transaction done.
    real_add = counts.add_counts
    killed: list[int] = []

    async def add_then_die(*, session: Any, increments: Any) -> None:
        if len(killed) < 2:
            conn = await session.connection()
            pid = (await conn.exec_driver_sql("SELECT pg_backend_pid()")).scalar()
            admin = await asyncpg.connect(pg_database)
            await admin.execute("SELECT pg_terminate_backend($1)", pid)
            await admin.close()
            killed.append(pid)
        await real_add(session=session, increments=increments)

    monkeypatch.setattr(counts, "add_counts", add_then_die)
    result = await services.pipeline.ingest(raw(BATCH, source="killed"))
    assert len(killed) == 2
    assert (result.new, result.duplicates) == (BATCH, 0)
    assert await _totals(pg_database) == (BATCH, BATCH, BATCH)


async def test_backends_terminated_again_and_again_during_an_import(
    services: Any, pg_database: str
) -> None:
    total = IngestResult()
    kills = 0

    async def killer() -> None:
        # Five times, a moment apart: each lands in whatever the batch is doing then.
        nonlocal kills
        for _ in range(5):
            await asyncio.sleep(0.6)
            kills += await _terminate(pg_database)

    task = asyncio.create_task(killer())
    try:
        for start in range(3):
            items = raw(BATCH, source="imp")
            for item in items:
                item.external_id = f"{start}-{item.external_id}"
            total.merge(await services.pipeline.ingest(items))
    finally:
        task.cancel()
    assert kills > 0, "the test must actually cut connections"
    assert total.new + total.duplicates == 3 * BATCH
    assert await _totals(pg_database) == (3 * BATCH, 3 * BATCH, 3 * BATCH)
    # A batch sent again (the sender did not see our answer) adds nothing.
    repeat = await services.pipeline.ingest(items)
    assert (repeat.new, repeat.duplicates) == (0, BATCH)
    assert await _totals(pg_database) == (3 * BATCH, 3 * BATCH, 3 * BATCH)


async def test_a_server_restart_mid_ingest_reconnects_and_loses_nothing(
    services: Any, pg_database: str, proxy: PgProxy, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = await services.pipeline.ingest(raw(500, source="before"))
    assert first.new == 500
    real_add = counts.add_counts
    restarts: list[asyncio.Task[None]] = []

    async def restart_midway(*, session: Any, increments: Any) -> None:
        if not restarts:  # the first chunk's transaction: the server goes away under it
            restarts.append(asyncio.create_task(proxy.restart(down=2.0)))
            await asyncio.sleep(0.2)
        await real_add(session=session, increments=increments)

    monkeypatch.setattr(counts, "add_counts", restart_midway)
    result = await services.pipeline.ingest(raw(BATCH, source="during"))
    await restarts[0]
    assert proxy.dropped > 0
    assert (result.new, result.duplicates) == (BATCH, 0)
    after = await services.pipeline.ingest(raw(500, source="after"))
    assert after.new == 500
    assert await _totals(pg_database) == (BATCH + 1000, BATCH + 1000, BATCH + 1000)
