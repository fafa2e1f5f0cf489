"""`python -m bot ingest --once` as an operator runs it, against local servers replaying real
captured responses, with the real analyzer: a line per source, a failing source reported
without stopping the others, and a second run that stores nothing twice."""

from __future__ import annotations

import asyncio
import copy
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from aiohttp import web

from tests.e2e.cli import bot_env
from tests.integrations.sources.conftest import FakeAPI, fixture_bytes, fixture_json

pytestmark = pytest.mark.e2e

COMMENT = next(
    r["reply"]["hits"][0]
    for r in fixture_json("hackernews", "algolia_api_v1_fixtures.json")
    if r["url"] == "/api/v1/search_by_date?hitsPerPage=1&tags=(comment)"
)


@pytest.fixture
async def api() -> AsyncIterator[FakeAPI]:
    server = FakeAPI()
    yield server
    await server.close()


def workspace(base: str, path: Path) -> Path:
    doc: dict[str, Any] = {
        "name": "Test",
        "brand": {"name": "Lumora"},
        "keywords": ["rsync"],
        "sources": [
            {"name": "hn", "type": "hackernews", "base_url": base, "query": "Lumora"},
            {"name": "blog", "type": "rss", "url": f"{base}/feed.xml"},
            {"name": "down", "type": "rss", "url": f"{base}/down.xml"},
            {"name": "x", "type": "x", "query": "Lumora"},
        ],
    }
    path.write_text(yaml.safe_dump(doc), encoding="utf-8")
    return path


async def run_cli(args: list[str], env: dict[str, str], cwd: Path) -> tuple[int, str, str]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *args,
        cwd=cwd,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(proc.communicate(), timeout=300)
    return proc.returncode or 0, out.decode(), err.decode()


async def test_ingest_once_prints_a_line_per_source(
    api: FakeAPI, db_url: str, tmp_path: Path
) -> None:
    hit = copy.deepcopy(COMMENT)
    hit["created_at_i"] = int(time.time()) - 60
    hit["comment_text"] = "Die Lumora Brew ist wirklich großartig, danke!"
    feed = fixture_bytes("feeds", "wellformed_namespace_rss2.0withAtomNS.xml")

    async def algolia(request: web.Request) -> web.Response:
        since = int(request.query["numericFilters"].removeprefix("created_at_i>"))
        hits = [hit] if hit["created_at_i"] > since else []
        return web.json_response({"hits": hits, "nbPages": 1, "page": 0})

    async def rss(_request: web.Request) -> web.Response:
        return web.Response(body=feed, content_type="application/rss+xml")

    async def down(_request: web.Request) -> web.Response:
        return web.Response(status=503, text="maintenance")

    api.get("/api/v1/search_by_date", algolia)
    api.get("/feed.xml", rss)
    api.get("/down.xml", down)
    base = await api.start()
    env = bot_env(db_url, HORCH_WORKSPACE=str(workspace(base, tmp_path / "ws.yaml")))
    code, out, err = await run_cli(["ingest", "--once"], env, tmp_path)
    lines = out.strip().splitlines()
    assert code == 1, err  # one source failed
    assert lines[0] == "hn: 1 new, 0 duplicates, 0 errors"
    assert lines[1] == "blog: 1 new, 0 duplicates, 0 errors"  # matches the keyword "rsync"
    assert lines[2].startswith("down: 0 new, 0 duplicates, 1 errors (HTTP 503 from 127.0.0.1")
    assert lines[3] == "x: off: needs X_BEARER_TOKEN (X bills every post read)"
    assert "Traceback" not in err
    code, out, _ = await run_cli(["ingest", "--once", "--source", "hn"], env, tmp_path)
    assert code == 0 and out.strip() == "hn: 0 new, 0 duplicates, 0 errors"
