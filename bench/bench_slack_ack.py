"""Time to Slack's ack: signed slash commands at the running bot, beside two bare Bolt apps.

Starts, each in its own process on 127.0.0.1:
- a fake Slack Web API (answers auth.test, chat.postMessage, response_urls; counts them),
- the bot itself (`python -m bot run`, SQLite, Slack pointed at the fake),
- "bare bolt (fair)": a slack-bolt AsyncApp configured like ours — process_before_response
  =True and the same listener shape: one listener for any command that acks, then hands
  the answer (a chat.postMessage, through one connection pool) to a background task, at
  most four worked on at once, as ours does,
- "bare bolt (default)": a slack-bolt AsyncApp with bolt's defaults, whose listener only
  acks `/horch` (the comparison this benchmark made before: bolt's default path waits for
  the ack by polling every 10 ms, so it is slower than either),
all served by aiohttp; then fires `/horch help` at each, one after the other, at a fixed
rate (open loop: a request leaves on schedule whether or not earlier ones were answered),
in alternating 5-second rounds so that all meet the same machine, and prints the median
and p99 time to the HTTP response (the ack) and the errors. The bot's answers are spread
over 400 channels, as one channel takes about one post a second.

Targets: p99 <= 100 ms, no errors, and our p99 within 1.5x of the fair bare app's (the
"fair ratio"); the ratio to bolt's defaults (the "old ratio") is printed beside it.

    python -m bench.bench_slack_ack [--rate 200] [--seconds 30]
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import hmac
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

import aiohttp
from aiohttp import web

from bench.common import machine, stats

ROOT = Path(__file__).resolve().parent.parent
SECRET = "bench-signing-secret"
TOKEN = "xoxb-bench-0000"
CHANNELS = 400
TARGET_P99_MS = 100.0
TARGET_RATIO = 1.5
ROUND_SECONDS = 5
CONCURRENCY = 4  # bot.responder.CONCURRENCY: answers worked on at once
FAIR = "bare bolt (fair)"
DEFAULT = "bare bolt (default)"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# --- the fake Slack Web API (a child process) -----------------------------------------


def serve_fake(port: int) -> None:
    counts: dict[str, int] = {}
    ts = iter(range(1, 10**9))

    async def api(request: web.Request) -> web.Response:
        method = request.match_info["method"]
        await request.read()
        counts[method] = counts.get(method, 0) + 1
        if method == "auth.test":
            return web.json_response(
                {"ok": True, "team_id": "T0BENCH", "user_id": "U0BOT", "bot_id": "B0BOT"}
            )
        return web.json_response({"ok": True, "ts": f"1700000000.{next(ts):06d}"})

    async def hook(request: web.Request) -> web.Response:
        await request.read()
        counts["response_url"] = counts.get("response_url", 0) + 1
        return web.Response(text="ok")

    async def stats_(_request: web.Request) -> web.Response:
        return web.json_response(counts)

    app = web.Application()
    app.router.add_route("*", "/api/{method}", api)
    app.router.add_post("/hooks/{name}", hook)
    app.router.add_get("/stats", stats_)
    web.run_app(app, host="127.0.0.1", port=port, print=None, access_log=None)


# --- the bare Bolt app (a child process) -----------------------------------------------


def serve_bare(port: int, api_url: str) -> None:
    """bolt's defaults (process_before_response=False): the old comparison."""
    from slack_bolt.async_app import AsyncApp
    from slack_sdk.web.async_client import AsyncWebClient

    app = AsyncApp(signing_secret=SECRET, client=AsyncWebClient(token=TOKEN, base_url=api_url))

    @app.command("/horch")
    async def only_ack(ack):  # type: ignore[no-untyped-def]
        await ack()

    web.run_app(
        app.web_app(path="/slack/events"), host="127.0.0.1", port=port, print=None, access_log=None
    )


def serve_fair(port: int, api_url: str) -> None:
    """Configured like ours: process_before_response=True, one listener for every command
    that acks first and then answers in a background task (chat.postMessage)."""
    import re

    from slack_bolt.async_app import AsyncApp
    from slack_sdk.web.async_client import AsyncWebClient

    client = AsyncWebClient(token=TOKEN, base_url=api_url)
    app = AsyncApp(signing_secret=SECRET, client=client, process_before_response=True)
    running: set[asyncio.Task[None]] = set()
    slots: list[asyncio.Semaphore] = []

    async def answer(channel: str, text: str) -> None:
        # As ours: one connection pool, and at most CONCURRENCY answers worked on at once
        # (bot.slack.adapter), so the answers queue instead of crowding out the acks.
        if client.session is None:  # made on the running loop
            client.session = aiohttp.ClientSession()
            slots.append(asyncio.Semaphore(CONCURRENCY))
        async with slots[0]:
            await client.chat_postMessage(channel=channel, text=f"help: {text}")

    @app.command(re.compile(r".*", re.DOTALL))
    async def on_command(ack, body):  # type: ignore[no-untyped-def]
        await ack()
        task = asyncio.create_task(answer(str(body["channel_id"]), str(body.get("text", ""))))
        running.add(task)
        task.add_done_callback(running.discard)

    web.run_app(
        app.web_app(path="/slack/events"), host="127.0.0.1", port=port, print=None, access_log=None
    )


# --- the load ------------------------------------------------------------------------


def signed(form: dict[str, str]) -> tuple[bytes, dict[str, str]]:
    body = urlencode(form)
    ts = str(int(time.time()))
    digest = hmac.new(SECRET.encode(), f"v0:{ts}:{body}".encode(), hashlib.sha256).hexdigest()
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Slack-Request-Timestamp": ts,
        "X-Slack-Signature": f"v0={digest}",
    }
    return body.encode(), headers


def command(n: int, fake: str) -> dict[str, str]:
    return {
        "token": "bench",
        "team_id": "T0BENCH",
        "team_domain": "bench",
        "channel_id": f"C{n % CHANNELS:05d}",
        "channel_name": "bench",
        "user_id": f"U{n % 50:05d}",
        "user_name": "bench",
        "command": "/horch",
        "text": "help",
        "api_app_id": "A0BENCH",
        "response_url": f"{fake}/hooks/cmd{n}",
        "trigger_id": f"{n}.{n}.bench",
    }


async def fire(url: str, fake: str, rate: float, seconds: float) -> tuple[list[float], int]:
    """Open-loop load: one signed command every 1/rate s; returns ack times and errors."""
    total = int(rate * seconds)
    latencies: list[float] = []
    errors = 0
    connector = aiohttp.TCPConnector(limit=256)
    timeout = aiohttp.ClientTimeout(total=10)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:

        async def one(n: int) -> None:
            nonlocal errors
            body, headers = signed(command(n, fake))
            started = time.perf_counter()
            try:
                async with session.post(url, data=body, headers=headers) as response:
                    await response.read()
                    ok = response.status == 200
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


async def settled_counts(fake: str, quiet: float = 3.0, limit: float = 120.0) -> dict[str, int]:
    """The fake's counts once the bot has stopped answering (its backlog is done)."""
    deadline = time.monotonic() + limit
    counts = await fake_counts(fake)
    while time.monotonic() < deadline:
        await asyncio.sleep(quiet)
        latest = await fake_counts(fake)
        if latest == counts:
            break
        counts = latest
    return counts


def child(*args: str, env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


async def run(rate: float, seconds: float) -> None:
    load_before = os.getloadavg()[0]
    fake_port, bot_port, bare_port = free_port(), free_port(), free_port()
    fair_port = free_port()
    fake = f"http://127.0.0.1:{fake_port}"
    tmp = tempfile.mkdtemp(prefix="bench-slack-")
    env = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "TMPDIR")} | {
        "PYTHONPATH": str(ROOT),
        "DATABASE_URL": f"sqlite:///{tmp}/bot.db",
        "HORCH_SEED_DEMO": "false",
        "HORCH_LOG_LEVEL": "WARNING",
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_BOT_TOKEN": TOKEN,
        "SLACK_API_URL": f"{fake}/api/",
    }
    procs = [
        child("-m", "bench.bench_slack_ack", "--serve-fake", str(fake_port), env=env),
        child(
            "-m",
            "bot",
            "run",
            "--no-console",
            "--port",
            str(bot_port),
            env={**env, "HOST": "127.0.0.1"},
        ),
        child(
            "-m", "bench.bench_slack_ack", "--serve-bare", str(bare_port), f"{fake}/api/", env=env
        ),
        child(
            "-m", "bench.bench_slack_ack", "--serve-fair", str(fair_port), f"{fake}/api/", env=env
        ),
    ]
    try:
        await wait_ready(f"{fake}/stats")
        await wait_ready(f"http://127.0.0.1:{bot_port}/healthz")
        await wait_ready(f"http://127.0.0.1:{bare_port}/slack/events")
        await wait_ready(f"http://127.0.0.1:{fair_port}/slack/events")
        targets = {
            "horchposten": f"http://127.0.0.1:{bot_port}/slack/events",
            FAIR: f"http://127.0.0.1:{fair_port}/slack/events",
            DEFAULT: f"http://127.0.0.1:{bare_port}/slack/events",
        }
        for url in targets.values():
            await fire(url, fake, rate=20, seconds=1)  # warm-up: imports, auth.test, pools
        await asyncio.sleep(1)
        # Alternate short rounds, so that both apps meet the same machine (other load on
        # the host comes and goes; back-to-back runs of 30 s each would not compare).
        results: dict[str, tuple[list[float], int]] = {name: ([], 0) for name in targets}
        rounds = max(1, round(seconds / ROUND_SECONDS))
        for _ in range(rounds):
            for name, url in targets.items():
                latencies, errors = await fire(url, fake, rate=rate, seconds=seconds / rounds)
                results[name] = (results[name][0] + latencies, results[name][1] + errors)
                await asyncio.sleep(0.5)
        counts = await settled_counts(fake)
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
    report(results, counts, rate, seconds, (load_before, os.getloadavg()[0]))


def report(
    results: dict[str, tuple[list[float], int]],
    counts: dict[str, int],
    rate: float,
    seconds: float,
    load: tuple[float, float],
) -> None:
    total = int(rate * seconds)
    print(f"bench_slack_ack — {machine()}, {os.cpu_count()} cores")
    print(
        f"load: /horch help, {rate:.0f}/s for {seconds:.0f} s ({total} signed requests to each), "
        f"loopback, alternating rounds of {ROUND_SECONDS} s"
    )
    print(f"host load average (1 min) before/after: {load[0]:.1f} / {load[1]:.1f}")
    figures = {}
    for name, (latencies, errors) in results.items():
        if not latencies:
            print(f"  {name:12s} no successful request, errors {errors}")
            return
        s = stats(latencies)
        figures[name] = (s, errors)
        print(
            f"  {name:19s} ack median {s['median_ms']:6.1f} ms  p95 {s['p95_ms']:6.1f} ms  "
            f"p99 {s['p99_ms']:6.1f} ms  max {s['max_ms']:6.1f} ms  errors {errors}"
        )
    ours, ours_errors = figures["horchposten"]
    fair, _ = figures[FAIR]
    default, _ = figures[DEFAULT]
    ratio = ours["p99_ms"] / fair["p99_ms"]
    print(
        f"  fair ratio (ours / {FAIR}, same configuration and listener shape): "
        f"p99 {ratio:.2f}x, median {ours['median_ms'] / fair['median_ms']:.2f}x"
    )
    print(
        f"  old ratio (ours / {DEFAULT}, bolt's 10 ms ack polling): "
        f"p99 {ours['p99_ms'] / default['p99_ms']:.2f}x, "
        f"median {ours['median_ms'] / default['median_ms']:.2f}x"
    )
    answered = counts.get("chat.postMessage", 0)
    print(
        "  answers at the fake Slack (chat.postMessage, the bot's and the fair app's): "
        f"{answered} of {2 * (total + 20)}"
    )
    met = {True: "met", False: "MISSED"}
    print(
        f"  target p99 <= {TARGET_P99_MS:.0f} ms: {met[ours['p99_ms'] <= TARGET_P99_MS]} "
        f"({ours['p99_ms']:.1f} ms)"
    )
    print(f"  target no errors: {met[ours_errors == 0]} ({ours_errors})")
    print(
        f"  target p99 within {TARGET_RATIO}x of {FAIR}: {met[ratio <= TARGET_RATIO]} ({ratio:.2f}x)"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rate", type=float, default=200, help="requests per second")
    parser.add_argument("--seconds", type=float, default=30, help="seconds of load per app")
    parser.add_argument("--serve-fake", type=int, metavar="PORT", help=argparse.SUPPRESS)
    parser.add_argument(
        "--serve-bare", nargs=2, metavar=("PORT", "API_URL"), help=argparse.SUPPRESS
    )
    parser.add_argument(
        "--serve-fair", nargs=2, metavar=("PORT", "API_URL"), help=argparse.SUPPRESS
    )
    args = parser.parse_args()
    if args.serve_fake:
        serve_fake(args.serve_fake)
        return 0
    if args.serve_bare:
        serve_bare(int(args.serve_bare[0]), args.serve_bare[1])
        return 0
    if args.serve_fair:
        serve_fair(int(args.serve_fair[0]), args.serve_fair[1])
        return 0
    asyncio.run(run(args.rate, args.seconds))
    return 0


if __name__ == "__main__":
    sys.exit(main())
