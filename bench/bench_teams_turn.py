"""Teams turns: activities at the running bot's /api/messages, beside a bare botbuilder app.

Starts, each in its own process on 127.0.0.1:
- a fake Bot Connector (answers the v3 send/reply/update/create calls; counts them),
- the bot itself (`python -m bot run`, SQLite, no app id: the loopback Emulator mode),
- a bare botbuilder CloudAdapter app that answers every message with a plain text reply,
then fires, open loop at a fixed rate, `@Horchposten help` messages (spread over 300
channel threads, as Teams allows a bot about 7 posts a second per conversation) at the
bot and at the bare app, and card clicks (`adaptiveCard/action`, the mentions "More"
button) at the bot. A message turn's HTTP answer comes after the reply card is posted (as
the SDK does it); a click is answered with the card's note at once, the post follows.
It also times the Reply → Adaptive Card rendering of a ten-item list.

Targets: message turns p99 <= 1,000 ms (Teams waits 15 s), clicks p99 <= 500 ms, no
errors, every message answered, and message p99 within 1.5x of the bare app's.

    python -m bench.bench_teams_turn [--rate 50] [--seconds 20]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

from bench.common import machine, stats

ROOT = Path(__file__).resolve().parent.parent
THREADS = 300
TARGET_MESSAGE_P99_MS = 1000.0
TARGET_CLICK_P99_MS = 500.0
TARGET_RATIO = 1.5
BOT_ID = "28:0b6fe6d1-fece-44f7-9a48-56465e2d5ab8"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# --- the fake Bot Connector (a child process) -------------------------------------------


def serve_fake(port: int) -> None:
    counts: dict[str, int] = {}
    ids = iter(range(1_700_000_000_000, 10**15))

    def count(request: web.Request, kind: str) -> None:
        key = f"{request.match_info['who']} {kind}"
        counts[key] = counts.get(key, 0) + 1

    async def activities(request: web.Request) -> web.Response:
        await request.read()
        kind = "reply" if "activity" in request.match_info else "send"
        count(request, "update" if request.method == "PUT" else kind)
        return web.json_response({"id": str(next(ids))}, status=201)

    async def create(request: web.Request) -> web.Response:
        await request.read()
        count(request, "create")
        n = str(next(ids))
        return web.json_response({"id": f"19:x@thread.tacv2;messageid={n}", "activityId": n})

    async def stats_(_request: web.Request) -> web.Response:
        return web.json_response(counts)

    app = web.Application()
    base = "/{who}/v3/conversations"
    app.router.add_post(base, create)
    app.router.add_post(base + "/{conversation}/activities", activities)
    app.router.add_route("*", base + "/{conversation}/activities/{activity}", activities)
    app.router.add_get("/stats", stats_)
    web.run_app(app, host="127.0.0.1", port=port, print=None, access_log=None)


# --- the bare botbuilder app (a child process) -------------------------------------------


def serve_bare(port: int) -> None:
    from botbuilder.core import TurnContext
    from botbuilder.integration.aiohttp import (
        CloudAdapter,
        ConfigurationBotFrameworkAuthentication,
    )

    class Config:
        APP_ID = ""
        APP_PASSWORD = ""
        APP_TYPE = "MultiTenant"

    adapter = CloudAdapter(ConfigurationBotFrameworkAuthentication(Config()))

    class Echo:
        async def on_turn(self, context: TurnContext) -> None:
            if context.activity.type == "message":
                await context.send_activity("ok")

    async def messages(request: web.Request) -> web.StreamResponse:
        return await adapter.process(request, Echo()) or web.Response(status=201)

    app = web.Application()
    app.router.add_post("/api/messages", messages)
    web.run_app(app, host="127.0.0.1", port=port, print=None, access_log=None)


# --- the load --------------------------------------------------------------------------


def message(n: int, service_url: str) -> dict[str, Any]:
    """An @mention in a channel thread, shaped like tests/fixtures/teams/channel_message.json."""
    channel = f"19:bench{n % THREADS:04d}@thread.tacv2"
    return {
        "type": "message",
        "channelId": "msteams",
        "id": str(1_759_944_781_430 + n),
        "serviceUrl": service_url,
        "text": "<at>Horchposten</at> help",
        "textFormat": "plain",
        "from": {"id": f"29:user{n % 50}", "name": "Bench", "aadObjectId": f"aad-{n % 50}"},
        "recipient": {"id": BOT_ID, "name": "Horchposten"},
        "conversation": {
            "id": f"{channel};messageid=1759881511856",
            "isGroup": True,
            "conversationType": "channel",
            "tenantId": "50612dbb-0237-4969-b378-8d42590f9c00",
        },
        "entities": [
            {
                "type": "mention",
                "text": "<at>Horchposten</at>",
                "mentioned": {"id": BOT_ID, "name": "Horchposten"},
            },
        ],
        "channelData": {"channel": {"id": channel}, "tenant": {"id": "50612dbb"}},
        "locale": "de-DE",
    }


def click(n: int, service_url: str) -> dict[str, Any]:
    """A click on the mentions list's More button (Action.Execute)."""
    activity = message(n, service_url)
    data = {"action_id": "mentions.page", "value": '{"page": "2", "q": "Lumora"}'}
    activity.update(
        type="invoke",
        name="adaptiveCard/action",
        text=None,
        entities=[],
        replyToId=str(1_767_765_488_332 + n),
        value={
            "action": {"type": "Action.Execute", "verb": "mentions.page", "data": data},
            "trigger": "manual",
        },
    )
    return activity


async def fire(
    url: str, build: Any, service_url: str, rate: float, seconds: float
) -> tuple[list[float], int]:
    """Open-loop load: one activity every 1/rate s; returns response times and errors."""
    total = int(rate * seconds)
    latencies: list[float] = []
    errors = 0
    timeout = aiohttp.ClientTimeout(total=20)
    async with aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(limit=256), timeout=timeout
    ) as s:

        async def one(n: int) -> None:
            nonlocal errors
            started = time.perf_counter()
            try:
                async with s.post(url, json=build(n, service_url)) as response:
                    await response.read()
                    ok = response.status in (200, 201)
            except Exception:
                ok = False
            if ok:
                latencies.append(time.perf_counter() - started)
            else:
                errors += 1

        loop = asyncio.get_running_loop()
        start = loop.time()
        tasks = []
        for n in range(total):
            delay = start + n / rate - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(one(n)))
        await asyncio.gather(*tasks)
    return latencies, errors


async def wait_ready(url: str, *, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    async with aiohttp.ClientSession() as session:
        while True:
            try:
                async with session.get(url) as response:
                    if response.status < 500:
                        return
            except aiohttp.ClientError:
                pass
            if time.monotonic() > deadline:
                raise SystemExit(f"{url} did not come up")
            await asyncio.sleep(0.2)


async def fake_counts(fake: str) -> dict[str, int]:
    async with aiohttp.ClientSession() as session, session.get(f"{fake}/stats") as response:
        return dict(await response.json())


def child(*args: str, env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def render_figures() -> dict[str, float]:
    from bot.teams.render import render_card
    from core.reply import Action, Fact, Item, Reply

    reply = Reply(
        title="Erwähnungen",
        sections=["Neueste zuerst"],
        items=[
            Item(
                f"Post {i}",
                "Die Lieferung ist nicht angekommen [link](x) **" * 4,
                url=f"https://news.example/{i}",
                author="Anna",
                source="demo-forum",
                time=dt.datetime(2026, 11, 20, 8, i),
                sentiment="negative",
                facts=(Fact("Reichweite", "1.234"),),
                actions=(Action("draft.create", "Antwort entwerfen", str(i)),),
            )
            for i in range(10)
        ],
        actions=[Action("mentions.page", "Mehr", '{"page": "2"}')],
    )
    samples = []
    for _ in range(2000):
        started = time.perf_counter()
        render_card(reply, locale="de", zone="Europe/Berlin")
        samples.append(time.perf_counter() - started)
    return stats(samples)


async def run(rate: float, seconds: float) -> None:
    fake_port, bot_port, bare_port = free_port(), free_port(), free_port()
    fake = f"http://127.0.0.1:{fake_port}"
    tmp = tempfile.mkdtemp(prefix="bench-teams-")
    env = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "TMPDIR")} | {
        "PYTHONPATH": str(ROOT),
        "DATABASE_URL": f"sqlite:///{tmp}/bot.db",
        "HORCH_SEED_DEMO": "false",
        "HORCH_LOG_LEVEL": "ERROR",
        "MicrosoftAppId": "",
        "HORCH_TEAMS_EMULATOR": "true",  # unauthenticated, loopback only (as `make run`)
    }
    procs = [
        child("-m", "bench.bench_teams_turn", "--serve-fake", str(fake_port), env=env),
        child(
            "-m",
            "bot",
            "run",
            "--no-console",
            "--port",
            str(bot_port),
            env={**env, "HOST": "127.0.0.1"},
        ),
        child("-m", "bench.bench_teams_turn", "--serve-bare", str(bare_port), env=env),
    ]
    results: dict[str, tuple[list[float], int]] = {}
    try:
        await wait_ready(f"{fake}/stats")
        await wait_ready(f"http://127.0.0.1:{bot_port}/healthz")
        await wait_ready(f"http://127.0.0.1:{bare_port}/api/messages")
        bot = f"http://127.0.0.1:{bot_port}/api/messages"
        bare = f"http://127.0.0.1:{bare_port}/api/messages"
        runs = {  # each app gets its own serviceUrl, so the fake counts their posts apart
            "horchposten message": (bot, message, f"{fake}/bot/"),
            "bare botbuilder message": (bare, message, f"{fake}/bare/"),
            "horchposten card click": (bot, click, f"{fake}/bot/"),
        }
        for name, (url, build, service_url) in runs.items():
            await fire(url, build, service_url, rate=10, seconds=1)  # warm-up
            await asyncio.sleep(1)
            results[name] = await fire(url, build, service_url, rate=rate, seconds=seconds)
            await asyncio.sleep(2)
        await asyncio.sleep(3)  # let the bot finish the posts that follow the clicks
        counts = await fake_counts(fake)
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
    report(results, counts, render_figures(), rate, seconds)


def report(
    results: dict[str, tuple[list[float], int]],
    counts: dict[str, int],
    render: dict[str, float],
    rate: float,
    seconds: float,
) -> None:
    total = int(rate * seconds)
    nan = float("nan")
    print(f"bench_teams_turn — {machine()}")
    print(f"load: {rate:.0f} activities/s for {seconds:.0f} s ({total} each), loopback, open loop")
    figures: dict[str, tuple[dict[str, float], int]] = {}
    for name, (latencies, errors) in results.items():
        s = (
            stats(latencies)
            if latencies
            else {"median_ms": nan, "p95_ms": nan, "p99_ms": nan, "max_ms": nan}
        )
        figures[name] = (s, errors)
        print(
            f"  {name:24s} median {s['median_ms']:7.1f} ms  p95 {s['p95_ms']:7.1f} ms  "
            f"p99 {s['p99_ms']:7.1f} ms  max {s['max_ms']:7.1f} ms  errors {errors}"
        )
    print(
        f"  Reply → Adaptive Card (10 items): median {render['median_ms'] * 1000:.0f} µs  "
        f"p95 {render['p95_ms'] * 1000:.0f} µs  p99 {render['p99_ms'] * 1000:.0f} µs"
    )
    print(f"  calls at the fake Bot Connector: {dict(sorted(counts.items()))}")
    ours, ours_errors = figures["horchposten message"]
    bare, _ = figures["bare botbuilder message"]
    clicks, click_errors = figures["horchposten card click"]
    ratio = ours["p99_ms"] / bare["p99_ms"] if bare["p99_ms"] else nan
    answered = counts.get("bot reply", 0)
    verdict = lambda ok: "met" if ok else "MISSED"  # noqa: E731
    print(
        f"  target message p99 <= {TARGET_MESSAGE_P99_MS:.0f} ms: "
        f"{verdict(ours['p99_ms'] <= TARGET_MESSAGE_P99_MS)} ({ours['p99_ms']:.1f} ms)"
    )
    print(
        f"  target click p99 <= {TARGET_CLICK_P99_MS:.0f} ms: "
        f"{verdict(clicks['p99_ms'] <= TARGET_CLICK_P99_MS)} ({clicks['p99_ms']:.1f} ms)"
    )
    print(
        f"  target no errors: {verdict(ours_errors + click_errors == 0)} "
        f"({ours_errors + click_errors})"
    )
    print(
        f"  target every message answered: {verdict(answered >= total + 10)} "
        f"({answered} of {total + 10})"
    )
    print(
        f"  target message p99 within {TARGET_RATIO}x of bare botbuilder: "
        f"{verdict(ratio <= TARGET_RATIO)} ({ratio:.2f}x)"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rate", type=float, default=50, help="activities per second")
    parser.add_argument("--seconds", type=float, default=20, help="seconds of load per run")
    parser.add_argument("--serve-fake", type=int, metavar="PORT", help=argparse.SUPPRESS)
    parser.add_argument("--serve-bare", type=int, metavar="PORT", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_fake:
        serve_fake(args.serve_fake)
        return 0
    if args.serve_bare:
        serve_bare(args.serve_bare)
        return 0
    asyncio.run(run(args.rate, args.seconds))
    return 0


if __name__ == "__main__":
    sys.exit(main())
