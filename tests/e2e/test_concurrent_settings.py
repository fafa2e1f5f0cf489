"""Fifty settings at once at two replicas: every command gets its normal answer, the last
write stands.

Two bot processes (`python -m bot run --no-console`, as in production) share one database
— PostgreSQL in the PostgreSQL pass, one SQLite file otherwise — and Slack is a local
FakeSlack. Five channels each get, at the same moment, the same five settings on both
replicas (a double click, a retried request) and conflicting ones (two team members):
`standup on`, `standup at 09:00` / `10:30`, `standup days mon-fri` / `mon-wed`, `alerts
on`, `alerts sensitivity high` / `low`. Before the subscriptions became upserts, 8 of 50
such commands answered "Something went wrong on my side" (a unique violation on
uq_subscription).

Every answer must be the command's normal reply, and each channel's final settings must
be exactly what the last change wrote (the audit log names it: changes to one channel are
applied one after the other under its row lock, and each logs what it left) — with both
the time and the weekdays in it, so no concurrent change was lost.
"""

from __future__ import annotations

import asyncio
import json
import signal
import socket
import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import aiohttp
import pytest
import yaml
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from core.i18n import translate
from tests.bot.slack.fake_slack import Call, FakeSlack
from tests.bot.slack.harness import SECRET, TOKEN, sign, slash_form
from tests.e2e.cli import bot_env

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
CHANNELS = [f"C0SETTING{i}" for i in range(5)]
# What each replica is told, per channel: the same words on both, and conflicting values.
TOLD = {
    "a": [
        "standup on",
        "standup at 09:00",
        "standup days mon-fri",
        "alerts on",
        "alerts sensitivity high",
    ],
    "b": [
        "standup on",
        "standup at 10:30",
        "standup days mon-wed",
        "alerts on",
        "alerts sensitivity low",
    ],
}
DEADLINE = 240.0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _en(key: str, **values: Any) -> str:
    return translate("en", key, **values)


@asynccontextmanager
async def _replicas(db_url: str, tmp_path: Path, slack: FakeSlack) -> AsyncIterator[dict[str, int]]:
    workspace = tmp_path / "workspace.yaml"
    workspace.write_text(
        yaml.safe_dump(
            {
                "name": "Settings",
                "default_locale": "en",
                "brand": {"name": "Lumora"},
                "schedules": {"timezone": "UTC"},
            }
        ),
        encoding="utf-8",
    )
    ports = {name: _free_port() for name in TOLD}
    procs: list[asyncio.subprocess.Process] = []
    try:
        for name, port in ports.items():
            env = bot_env(
                db_url,
                PORT=str(port),
                HOST="127.0.0.1",
                HORCH_INSTANCE_ID=f"replica-{name}",
                HORCH_WORKSPACE=str(workspace),
                SLACK_BOT_TOKEN=TOKEN,
                SLACK_SIGNING_SECRET=SECRET,
                SLACK_API_URL=slack.api_url,
            )
            with (tmp_path / f"replica-{name}.log").open("wb") as log:
                procs.append(
                    await asyncio.create_subprocess_exec(
                        sys.executable,
                        "-m",
                        "bot",
                        "run",
                        "--no-console",
                        cwd=tmp_path,
                        env=env,
                        stdout=log,
                        stderr=asyncio.subprocess.STDOUT,
                    )
                )
        yield ports
    finally:
        for proc in procs:
            if proc.returncode is None:
                proc.send_signal(signal.SIGTERM)
        for proc in procs:
            try:
                await asyncio.wait_for(proc.wait(), timeout=20)
            except TimeoutError:
                proc.kill()
                await proc.wait()


async def _healthy(http: aiohttp.ClientSession, port: int) -> bool:
    try:
        async with http.get(f"http://127.0.0.1:{port}/healthz") as response:
            return response.status == 200
    except aiohttp.ClientError:
        return False


def _shown(call: Call) -> str:
    return json.dumps([call.params.get("text"), call.params.get("blocks")], ensure_ascii=False)


async def test_fifty_conflicting_settings_at_two_replicas_all_answered(
    db_url: str, tmp_path: Path
) -> None:
    until = time.monotonic() + DEADLINE
    slack = FakeSlack()
    await slack.start()
    try:
        async with aiohttp.ClientSession() as http, _replicas(db_url, tmp_path, slack) as ports:
            while not all([await _healthy(http, p) for p in ports.values()]):
                assert time.monotonic() < until, (tmp_path / "replica-a.log").read_text()[-3000:]
                await asyncio.sleep(0.25)

            async def send(replica: str, channel: str, words: str) -> int:
                form = slash_form(words, channel_id=channel, response_url=slack.hook("cmd"))
                body = urlencode(form)
                headers = {"Content-Type": "application/x-www-form-urlencoded", **sign(body)}
                url = f"http://127.0.0.1:{ports[replica]}/slack/events"
                async with http.post(url, data=body.encode(), headers=headers) as response:
                    return response.status

            sends = [
                send(replica, channel, words)
                for channel in CHANNELS
                for replica, told in TOLD.items()
                for words in told
            ]
            assert len(sends) == 50
            assert await asyncio.gather(*sends) == [200] * 50

            def answers() -> list[Call]:
                firsts = {_en("standup.on")} | {
                    _en("alerts.on", level=_en(f"alerts.level.{level}"))
                    for level in ("low", "normal", "high")
                }
                return [c for c in slack.of("chat.postMessage") if c.params.get("text") in firsts]

            refusals = [_en("errors.internal"), _en("slack.failed")]

            def refused() -> list[str]:
                shown = [_shown(c) for c in slack.calls]
                return [s for s in shown if any(r in s for r in refusals)]

            while len(answers()) + len(refused()) < 50:
                assert time.monotonic() < until, f"only {len(answers())} of 50 answers"
                await asyncio.sleep(0.25)
            await asyncio.sleep(1.0)  # nothing more (no error notice) may follow
            posted = answers()
            assert refused() == [], f"{len(refused())} of 50 commands answered with an error"
    finally:
        await slack.stop()

    assert len(posted) == 50
    by_channel = {c: [p for p in posted if p.params.get("channel") == c] for c in CHANNELS}
    for channel, got in by_channel.items():
        shown = [_shown(p) for p in got]
        standups = [s for s in shown if _en("standup.on") in s]
        assert len(standups) == 6 and len(got) == 10, (channel, shown)
        assert any("(sensitivity high)" in s for s in shown), shown
        assert any("(sensitivity low)" in s for s in shown), shown

    engine = create_async_engine(db_url)
    try:
        async with engine.connect() as conn:
            for channel in CHANNELS:
                standup = (
                    await conn.execute(
                        text(
                            "SELECT enabled, settings FROM subscription WHERE platform = 'slack'"
                            " AND channel_id = :c AND kind = 'standup'"
                        ),
                        {"c": channel},
                    )
                ).one()
                last = (
                    await conn.execute(
                        text(
                            "SELECT after FROM audit_event WHERE subject = :s"
                            " ORDER BY id DESC LIMIT 1"
                        ),
                        {"s": f"standup:slack:{channel}"},
                    )
                ).scalar_one()
                settings = json.loads(standup.settings)
                assert standup.enabled and settings == json.loads(last)
                assert settings["at"] in ("09:00", "10:30")
                assert settings["weekdays"] in (
                    ["mon", "tue", "wed", "thu", "fri"],
                    ["mon", "tue", "wed"],
                )
                alerts = (
                    await conn.execute(
                        text(
                            "SELECT enabled, settings FROM subscription WHERE platform = 'slack'"
                            " AND channel_id = :c AND kind = 'alerts'"
                        ),
                        {"c": channel},
                    )
                ).one()
                said = (
                    await conn.execute(
                        text(
                            "SELECT after FROM audit_event WHERE subject = :s"
                            " ORDER BY id DESC LIMIT 1"
                        ),
                        {"s": f"alerts:slack:{channel}"},
                    )
                ).scalar_one()
                level = json.loads(alerts.settings).get("sensitivity", "normal")
                assert alerts.enabled and said == f"on {level}"
                assert level in ("high", "low")
    finally:
        await engine.dispose()
