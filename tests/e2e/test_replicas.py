"""Three replicas of the bot on one PostgreSQL; one is killed with SIGKILL mid-poll.

Each replica is `python -m bot run --no-console` (its own PORT and HORCH_INSTANCE_ID),
with a workspace that polls a local RSS feed every 10 seconds and posts a standup to six
Slack channels of a local fake Slack Web API. The feed grows while the replicas run; the
test kills the replica that is polling the feed at that moment (it holds the poll lease),
and checks that the others take the feed over, that every item is stored exactly once
(and counted once in the hourly counts), and that every standup went out exactly once.

PostgreSQL only (several processes on one database): it runs in the PostgreSQL pass
(HORCH_TEST_PG=1, as .ci/run does) and skips when no server answers. The database is
migrated once before the replicas start, as the Procfile's `release` does.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import signal
import socket
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import yaml

from tests.bot.slack.fake_slack import FakeSlack
from tests.e2e.cli import bot_env
from tests.faults.conftest import pg_database as pg_database  # the fixture
from tests.faults.fake_feed import FakeFeed

pytestmark = [pytest.mark.e2e, pytest.mark.storage, pytest.mark.slow]
REPLICAS = 3
CHANNELS = [f"C0REPLICA{i}" for i in range(6)]
TOKEN = "xoxb-17653672481-19874698323-pdFZKVeTuE8sk7oOcBrzbqgy"
DEADLINE = 120.0  # seconds for the whole run; it normally takes about a minute


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _workspace(path: Path, feed: FakeFeed) -> Path:
    # The standup is due a minute ago (UTC, every day), well within its grace time.
    due = (dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)).strftime("%H:%M")
    data: dict[str, Any] = {
        "name": "Replicas",
        "default_locale": "en",
        "brand": {"name": "Lumora", "products": [{"name": "Lumora Brew"}]},
        "sources": [
            {"name": "feed", "type": "rss", "url": feed.url, "interval_seconds": 10},
        ],
        "channels": {"standup": [{"platform": "slack", "id": c} for c in CHANNELS]},
        "schedules": {
            "timezone": "UTC",
            "standup": {
                "at": due,
                "weekdays": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"],
                "grace_minutes": 120,
            },
        },
    }
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


class Replica:
    """One bot process."""

    def __init__(self, name: str, proc: asyncio.subprocess.Process, port: int, log: Path):
        self.name, self.proc, self.port, self.log = name, proc, port, log

    async def healthy(self, http: aiohttp.ClientSession) -> bool:
        try:
            async with http.get(f"http://127.0.0.1:{self.port}/healthz") as resp:
                return resp.status == 200
        except aiohttp.ClientError:
            return False


@contextlib.asynccontextmanager
async def replicas(
    tmp_path: Path, db_url: str, workspace: Path, slack: FakeSlack
) -> AsyncIterator[list[Replica]]:
    started: list[Replica] = []
    try:
        for i in range(REPLICAS):
            port, name = _free_port(), f"replica-{i}"
            log = tmp_path / f"{name}.log"
            env = bot_env(
                db_url,
                PORT=str(port),
                HOST="127.0.0.1",
                HORCH_INSTANCE_ID=name,
                HORCH_WORKSPACE=str(workspace),
                HORCH_LOG_LEVEL="INFO",
                SLACK_BOT_TOKEN=TOKEN,
                SLACK_API_URL=slack.api_url,
            )
            with log.open("wb") as out:
                proc = await asyncio.create_subprocess_exec(
                    sys.executable,
                    "-m",
                    "bot",
                    "run",
                    "--no-console",
                    cwd=tmp_path,
                    env=env,
                    stdout=out,
                    stderr=asyncio.subprocess.STDOUT,
                )
            started.append(Replica(name, proc, port, log))
        yield started
    finally:
        for replica in started:
            if replica.proc.returncode is None:
                replica.proc.send_signal(signal.SIGTERM)
        for replica in started:
            try:
                await asyncio.wait_for(replica.proc.wait(), timeout=15)
            except TimeoutError:
                replica.proc.kill()
                await replica.proc.wait()


async def _wait(check: Any, what: str, until: float, every: float = 0.25) -> Any:
    while True:
        result = await check()
        if result:
            return result
        if time.monotonic() > until:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(every)


@pytest.fixture
async def pg_url(pg_database: str) -> str:
    """A migrated database of its own (the PostgreSQL pass; skipped when no server answers)."""
    return pg_database


async def test_three_replicas_one_killed_nothing_lost_nothing_doubled(
    pg_url: str, tmp_path: Path
) -> None:
    import asyncpg

    until = time.monotonic() + DEADLINE
    feed = FakeFeed("feed")
    feed.set_mode("slow", delay=1.5)  # a poll takes a while: the kill lands mid-poll
    slack = FakeSlack()
    await feed.start()
    await slack.start()
    feed.grow(40)
    db = await asyncpg.connect(pg_url)
    workspace = _workspace(tmp_path / "workspace.yaml", feed)

    async def stored() -> int:
        return int(await db.fetchval("SELECT count(*) FROM mention WHERE source = 'feed'"))

    async def poll_holder() -> str | None:
        return await db.fetchval(
            "SELECT owner FROM job_claim WHERE job = 'lease:poll:feed' AND done_at IS NULL"
        )

    def standups() -> dict[str, int]:
        posts = [c for c in slack.of("chat.postMessage") if not c.params.get("thread_ts")]
        return {c: sum(1 for p in posts if p.params.get("channel") == c) for c in CHANNELS}

    try:
        async with (
            aiohttp.ClientSession() as http,
            replicas(tmp_path, pg_url, workspace, slack) as procs,
        ):

            def alive() -> list[Replica]:
                return [p for p in procs if p.proc.returncode is None]

            async def all_up() -> bool:
                for p in procs:
                    if p.proc.returncode is not None and p.proc.returncode != -signal.SIGKILL:
                        raise AssertionError(f"{p.name} exited: {p.log.read_text()[-3000:]}")
                return all([await p.healthy(http) for p in alive()])

            # The first replica up polls at once (the models load during that poll, so it
            # takes a while): kill it then, while the other two are still starting.
            holder = await _wait(poll_holder, "a replica polling the feed", until, every=0.05)
            victim = next(p for p in procs if p.name == holder)
            victim.proc.send_signal(signal.SIGKILL)  # mid-poll: no finally, no release
            await victim.proc.wait()
            await _wait(all_up, "the two other replicas", until)
            feed.grow(40)
            feed.set_mode("ok")
            total = len(feed.items)

            async def all_stored() -> bool:
                return await stored() >= total

            await _wait(all_stored, f"all {total} feed items stored", until)

            async def all_posted() -> bool:
                return all(n >= 1 for n in standups().values())

            await _wait(all_posted, "six standups", until)
            survivors = [p for p in procs if p is not victim]
            assert all(p.proc.returncode is None for p in survivors)
            taker = await db.fetchval("SELECT owner FROM job_claim WHERE job = 'lease:poll:feed'")
            assert taker in {p.name for p in survivors}, "a survivor took the feed over"

        # Every item once, counted once; every standup once.
        assert await stored() == total
        ids = await db.fetchval(
            "SELECT count(DISTINCT external_id) FROM mention WHERE source = 'feed'"
        )
        assert ids == total
        counted = await db.fetchval("SELECT sum(n) FROM hourly_count WHERE key = 'src:feed'")
        assert counted == total
        assert standups() == dict.fromkeys(CHANNELS, 1)
        claims = await db.fetch(
            "SELECT job, owner, status, claimed_at, expires_at, done_at FROM job_claim "
            "WHERE job LIKE 'standup:slack:%'"
        )
        assert sorted(r["job"] for r in claims) == sorted(f"standup:slack:{c}" for c in CHANNELS)
        assert {r["status"] for r in claims} == {"done"}, [dict(r) for r in claims]
    finally:
        await db.close()
        await feed.stop()
        await slack.stop()
