"""`python -m bot ingest --backfill NAME --days N` as an operator runs it, killed half-way
with SIGKILL and started again: the second process resumes from the stored cursor and
every item of the span is stored exactly once. The API is a local Algolia that pages as the
real one does, over hits derived from the real captured responses (backfill_fakes.py)."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import create_async_engine

from config.settings import normalize_database_url
from core.models import Mention, SourceState
from core.models_sources import SourceBackfill
from tests.e2e.cli import bot_env
from tests.integrations.sources.backfill_fakes import Algolia, hn_hits, spread
from tests.integrations.sources.conftest import FakeAPI

pytestmark = pytest.mark.e2e
HITS = 500


@pytest.fixture
async def api() -> AsyncIterator[FakeAPI]:
    server = FakeAPI()
    yield server
    await server.close()


def workspace(base: str, path: Path) -> Path:
    doc: dict[str, Any] = {
        "name": "Test",
        "brand": {"name": "Lumora"},
        "sources": [{"name": "hn", "type": "hackernews", "base_url": base, "query": "Lumora"}],
    }
    path.write_text(yaml.safe_dump(doc), encoding="utf-8")
    return path


async def start(env: dict[str, str], cwd: Path) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "ingest",
        "--backfill",
        "hn",
        "--days",
        "20",
        "--no-progress",
        cwd=cwd,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


async def run_row(url: str) -> SourceBackfill | None:
    engine = create_async_engine(normalize_database_url(url))
    try:
        async with engine.connect() as conn:
            row = (await conn.execute(select(SourceBackfill))).first()
    finally:
        await engine.dispose()
    return SourceBackfill(**row._mapping) if row is not None else None


async def test_a_backfill_killed_half_way_resumes_and_stores_every_item_once(
    api: FakeAPI, db_url: str, tmp_path: Path
) -> None:
    hits = hn_hits(spread(HITS, 19))
    algolia = Algolia(hits, max_hits=200)  # 2 pages of 100 per query, then it narrows
    algolia.delay = 0.5
    api.get("/api/v1/search_by_date", algolia.handle)
    base = await api.start()
    env = bot_env(db_url, HORCH_WORKSPACE=str(workspace(base, tmp_path / "ws.yaml")))

    first = await start(env, tmp_path)
    deadline = time.monotonic() + 240
    row = None
    while time.monotonic() < deadline:
        row = await run_row(db_url)
        if row is not None and row.pages >= 2:
            break
        assert first.returncode is None, (await first.communicate())[1].decode()[-2000:]
        await asyncio.sleep(0.1)
    assert row is not None and row.pages >= 2, "the backfill never got going"
    os.kill(first.pid, signal.SIGKILL)
    await first.wait()
    assert first.returncode == -signal.SIGKILL
    killed = await run_row(db_url)
    assert killed is not None and killed.status == "running" and killed.pages < 5
    asked_before = len(algolia.queries)

    second = await start(env, tmp_path)
    out, err = await asyncio.wait_for(second.communicate(), timeout=300)
    assert second.returncode == 0, err.decode()[-3000:]
    line = out.decode().strip().splitlines()[-1]
    assert line.startswith("hn: backfill done,"), line

    # The second process went on from the stored cursor, not from the start.
    resumed = algolia.queries[asked_before]
    stored_cursor = json.loads(killed.cursor)
    assert resumed["numericFilters"].endswith(f"<={stored_cursor['until']}")
    assert resumed["page"] == str(stored_cursor["page"])

    engine = create_async_engine(normalize_database_url(db_url))
    try:
        async with engine.connect() as conn:
            ids = (await conn.execute(select(Mention.external_id))).scalars().all()
            per_id = (
                await conn.execute(
                    select(func.count()).select_from(Mention).group_by(Mention.external_id)
                )
            ).scalars()
            covered = (
                await conn.execute(select(SourceState.covered_from).where(SourceState.name == "hn"))
            ).scalar_one()
    finally:
        await engine.dispose()
    assert sorted(ids) == sorted(h["objectID"] for h in hits)  # every item …
    assert set(per_id) == {1}  # … once
    done = await run_row(db_url)
    assert done is not None and done.status == "done" and covered == done.since
