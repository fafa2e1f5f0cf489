"""Soak: mixed load against the running bot for minutes; memory must stay flat, nothing fail.

Starts the bot (`python -m bot run`, one process or `--replicas N` on PostgreSQL) with the
webhook, Slack (against a fake Slack Web API served here) and a Slack channel subscribed to
alerts, then for `--minutes`:

- mentions arrive at `--mention-rate` a second through POST /ingest/webhook (signed
  batches of `--batch`), German and English, with a burst of a new hashtag every minute
  (so that alerts fire and are posted);
- commands arrive at `--command-rate` a second as signed Slack slash commands: help,
  mentions, trends, brief, sources, alerts, and `draft ID` (the offline drafter writes a
  reply card); each answer is counted at the fake Slack.

Every 5 seconds it samples the resident memory of each bot process, all of it (RSS) and its
private part (RssAnon: the heap, what a leak grows). It prints both after the warm-up and at
the end, the growth (target < 10 % of the private memory) and the slope, the
failed requests (target 0: any non-2xx or error from the webhook or the slash endpoint),
commands never answered, the request latencies (median, p95, p99) and the alerts posted.

    python -m bench.bench_soak [--minutes 10] [--warmup 2] [--mention-rate 50]
                               [--command-rate 20] [--postgres URL --replicas 2]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import hashlib
import hmac
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

import aiohttp
from aiohttp import web

from bench.common import BRANDS, WORDS_DE, WORDS_EN, machine, stats
from core.i18n import translate

ROOT = Path(__file__).resolve().parent.parent
WORKING = tuple(translate(loc, "slack.working") for loc in ("de", "en"))
SLACK_SECRET = "bench-soak-signing-secret"
WEBHOOK_SECRET = "bench-soak-webhook-secret"
TOKEN = "xoxb-bench-soak-0000"
ALERT_CHANNEL = "C0ALERTS"
SAMPLE_SECONDS = 5.0
TARGET_GROWTH = 10.0  # percent, after the warm-up
MEMORY = {"VmRSS": "RSS", "RssAnon": "private (RssAnon)"}
# The target is on private memory: RSS also counts the SQLite file's pages that each pooled
# connection maps (core/db.py reads through mmap), once per mapping, though they are the
# operating system's shared, reclaimable page cache of one file, not the process's heap.
TARGET_MEMORY = "RssAnon"
DEMO = 20_000  # about as many mentions as the demo stream seeds before the load starts
COMMANDS = [  # (weight, command line); {id} is a stored mention
    (4, "help"),
    (3, "mentions Lumora"),
    (2, "mentions espresso --since 24h"),
    (2, "trends"),
    (1, "brief 24h"),
    (1, "sources"),
    (1, "alerts"),
    (2, "draft {id}"),
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# --- the fake Slack Web API (in this process) ------------------------------------------


@dataclass
class FakeSlack:
    """Answers the Web API and response_urls like Slack; counts first answers per channel."""

    port: int = 0
    calls: Counter[str] = field(default_factory=Counter)
    answered: set[int] = field(default_factory=set)  # commands (by number) with an answer
    alert_posts: int = 0
    _ts: int = 0

    def note(self, command: int | None, text: str) -> None:
        """An answer to a command, unless it is only the "working on it" notice."""
        if command is not None and not text.startswith(WORKING):
            self.answered.add(command)

    async def start(self) -> web.AppRunner:
        app = web.Application(client_max_size=20 * 1024 * 1024)
        app.router.add_route("*", "/api/{method}", self.api)
        app.router.add_post("/hooks/{name}", self.hook)
        app.router.add_put("/upload/{name}", self.upload)
        app.router.add_post("/upload/{name}", self.upload)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        self.port = free_port()
        await web.TCPSite(runner, "127.0.0.1", self.port).start()
        return runner

    async def api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        raw = await request.read()
        self.calls[method] += 1
        self._ts += 1
        ts = f"1700000000.{self._ts:06d}"
        if method == "auth.test":
            return web.json_response(
                {"ok": True, "team_id": "T0SOAK", "user_id": "U0BOT", "bot_id": "B0BOT"}
            )
        if method in ("chat.postMessage", "chat.postEphemeral"):
            params = _params(request, raw)
            channel = params.get("channel", "")
            if channel == ALERT_CHANNEL:
                self.alert_posts += 1
            else:
                self.note(_number(channel[1:]), params.get("text", ""))
        if method == "files.getUploadURLExternal":
            return web.json_response(
                {
                    "ok": True,
                    "upload_url": f"http://127.0.0.1:{self.port}/upload/f{self._ts}",
                    "file_id": f"F{self._ts:08d}",
                }
            )
        return web.json_response({"ok": True, "ts": ts, "channel": "C0", "message_ts": ts})

    async def hook(self, request: web.Request) -> web.Response:
        body = json.loads(await request.read() or b"{}")
        self.calls["response_url"] += 1
        self.note(_number(request.match_info["name"][3:]), str(body.get("text") or ""))
        return web.Response(text="ok")

    async def upload(self, request: web.Request) -> web.Response:
        await request.read()
        self.calls["upload"] += 1
        return web.Response(text="OK")


def _number(text: str) -> int | None:
    return int(text) if text.isdigit() else None


def _params(request: web.Request, raw: bytes) -> dict[str, str]:
    if request.content_type == "application/json":
        data = json.loads(raw or b"{}")
        return {k: str(v) for k, v in data.items() if isinstance(v, str | int)}
    from urllib.parse import parse_qsl

    return dict(parse_qsl(raw.decode("utf-8", "replace")))


# --- the bot processes -------------------------------------------------------------------


def workspace(path: Path) -> Path:
    import yaml

    data = {
        "name": "Soak",
        "default_locale": "de",
        "brand": {
            "name": "Lumora",
            "products": [{"name": "Lumora Brew"}, {"name": "Lumora Mill"}],
        },
        "competitors": [{"name": "Kaffeeko"}, {"name": "BeanBox"}],
        "keywords": ["espresso", "Lieferung", "delivery", "Kaffeemaschine"],
        "hashtags": ["#lumora", "#kaffeeliebe"],
        "sources": [
            {"name": "webhook", "type": "webhook", "options": {"rate_per_minute": 100_000}}
        ],
        "channels": {"alerts": [{"platform": "slack", "id": ALERT_CHANNEL}]},
        "approvers": {"slack_users": ["U00000"]},
    }
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def start_bots(
    tmp: Path, replicas: int, database_url: str, fake: str, extra: dict[str, str]
) -> list[tuple[subprocess.Popen[bytes], int]]:
    env = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "TMPDIR")}
    env |= extra
    env |= {
        "PYTHONPATH": str(ROOT),
        "DATABASE_URL": database_url,
        "HORCH_WORKSPACE": str(workspace(tmp / "workspace.yaml")),
        "HORCH_SEED_DEMO": "true",  # 30 days of history: trends, briefs and alerts have data
        "HORCH_LOG_LEVEL": "WARNING",
        "HORCH_WEBHOOK_SECRET": WEBHOOK_SECRET,
        "SLACK_SIGNING_SECRET": SLACK_SECRET,
        "SLACK_BOT_TOKEN": TOKEN,
        "SLACK_API_URL": f"{fake}/api/",
        "HOST": "127.0.0.1",
    }
    bots = []
    for i in range(replicas):
        port = free_port()
        log = (tmp / f"bot-{i}.log").open("wb")
        proc = subprocess.Popen(
            [sys.executable, "-m", "bot", "run", "--no-console", "--port", str(port)],
            cwd=tmp,
            env={**env, "HORCH_INSTANCE_ID": f"soak-{i}"},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        bots.append((proc, port))
    return bots


def rss_mib(pid: int, field: str = "VmRSS") -> float | None:
    """Resident memory of a process (MiB): all of it (VmRSS), or its private part (RssAnon:
    the heap, what a leak grows, without mapped files such as the shared libraries)."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith(f"{field}:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


# --- the load ----------------------------------------------------------------------------


@dataclass
class Tally:
    latencies: dict[str, list[float]] = field(default_factory=lambda: {"webhook": [], "slash": []})
    failures: Counter[str] = field(default_factory=Counter)
    sent: Counter[str] = field(default_factory=Counter)
    mentions: int = 0


def mention_text(rnd: random.Random, tag: str | None) -> tuple[str, str]:
    german = rnd.random() < 0.6
    words = WORDS_DE if german else WORDS_EN
    text = f"{rnd.choice(BRANDS)} " + " ".join(rnd.choice(words) for _ in range(rnd.randint(6, 20)))
    if tag:
        text += f" {tag}"
    return text, "de" if german else "en"


def webhook_body(rnd: random.Random, start: int, n: int, tag: str | None) -> bytes:
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    items = []
    for i in range(start, start + n):
        text, _lang = mention_text(rnd, tag)
        items.append(
            {"id": f"soak-{i}", "text": text, "published_at": now, "author": f"a{i % 997}"}
        )
    return json.dumps({"platform": "soak", "items": items}).encode()


def slash(n: int, line: str, fake: str) -> tuple[bytes, dict[str, str]]:
    form = {
        "token": "soak",
        "team_id": "T0SOAK",
        "team_domain": "soak",
        "channel_id": f"C{n:08d}",  # a channel per command: its answer is known by it
        "channel_name": "soak",
        "user_id": f"U{n % 50:05d}",
        "user_name": "soak",
        "command": "/horch",
        "text": line,
        "api_app_id": "A0SOAK",
        "response_url": f"{fake}/hooks/cmd{n}",
        "trigger_id": f"{n}.{n}.soak",
    }
    body = urlencode(form)
    ts = str(int(time.time()))
    digest = hmac.new(SLACK_SECRET.encode(), f"v0:{ts}:{body}".encode(), hashlib.sha256)
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Slack-Request-Timestamp": ts,
        "X-Slack-Signature": f"v0={digest.hexdigest()}",
    }
    return body.encode(), headers


async def post(
    session: aiohttp.ClientSession,
    tally: Tally,
    kind: str,
    url: str,
    body: bytes,
    headers: dict[str, str],
) -> None:
    started = time.perf_counter()
    try:
        async with session.post(url, data=body, headers=headers) as response:
            await response.read()
            ok = 200 <= response.status < 300
            if not ok:
                tally.failures[f"{kind} HTTP {response.status}"] += 1
    except Exception as exc:
        ok = False
        tally.failures[f"{kind} {type(exc).__name__}"] += 1
    if ok:
        tally.latencies[kind].append(time.perf_counter() - started)


async def mentions_load(
    session: aiohttp.ClientSession,
    tally: Tally,
    urls: list[str],
    rate: float,
    batch: int,
    until: float,
) -> None:
    """Open loop: a signed batch every batch/rate seconds; a hashtag burst every minute."""
    rnd = random.Random(5)
    loop = asyncio.get_running_loop()
    start, n, tasks = loop.time(), 0, set()
    while loop.time() < until:
        due = start + n * batch / rate
        await asyncio.sleep(max(0.0, due - loop.time()))
        minute, second = divmod(int(loop.time() - start), 60)
        tag = f"#soakwelle{minute}" if second < 6 else None  # ~300 mentions in 6 s
        body = webhook_body(rnd, tally.mentions, batch, tag)
        ts = str(int(time.time()))
        signature = hmac.new(WEBHOOK_SECRET.encode(), ts.encode() + b"." + body, hashlib.sha256)
        headers = {
            "Content-Type": "application/json",
            "X-Horch-Timestamp": ts,
            "X-Horch-Signature": f"sha256={signature.hexdigest()}",
        }
        url = urls[n % len(urls)]
        task = asyncio.create_task(post(session, tally, "webhook", url, body, headers))
        tasks.add(task)
        task.add_done_callback(tasks.discard)
        tally.mentions += batch
        tally.sent["webhook"] += 1
        n += 1
    await asyncio.gather(*tasks)


async def commands_load(
    session: aiohttp.ClientSession,
    tally: Tally,
    urls: list[str],
    rate: float,
    fake: str,
    until: float,
) -> None:
    rnd = random.Random(9)
    weighted = [line for weight, line in COMMANDS for _ in range(weight)]
    loop = asyncio.get_running_loop()
    start, n, tasks = loop.time(), 0, set()
    while loop.time() < until:
        due = start + n / rate
        await asyncio.sleep(max(0.0, due - loop.time()))
        stored = DEMO + max(1, tally.mentions // 2)  # ids that are surely stored by now
        line = rnd.choice(weighted).format(id=rnd.randint(1, stored))
        body, headers = slash(n, line, fake)
        url = urls[n % len(urls)]
        task = asyncio.create_task(post(session, tally, "slash", url, body, headers))
        tasks.add(task)
        task.add_done_callback(tasks.discard)
        tally.sent["slash"] += 1
        n += 1
    await asyncio.gather(*tasks)


Series = list[tuple[float, float]]  # (seconds into the load, MiB)


async def sample_memory(
    pids: list[int], samples: dict[int, dict[str, Series]], started: float, until: float
) -> None:
    while time.monotonic() < until:
        for pid in pids:
            for name in MEMORY:
                value = rss_mib(pid, name)
                if value is not None:
                    samples[pid][name].append((time.monotonic() - started, value))
        await asyncio.sleep(SAMPLE_SECONDS)


async def wait_ready(url: str, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    async with aiohttp.ClientSession() as session:
        while True:
            with contextlib.suppress(aiohttp.ClientError):
                async with session.get(url) as response:
                    if response.status == 200:
                        return
            if time.monotonic() > deadline:
                raise SystemExit(f"{url} did not come up")
            await asyncio.sleep(0.5)


async def run(args: argparse.Namespace) -> int:
    tmp = Path(tempfile.mkdtemp(prefix="bench-soak-"))
    fake = FakeSlack()
    runner = await fake.start()
    fake_url = f"http://127.0.0.1:{fake.port}"
    database_url, drop = await database(args, tmp)
    extra = dict(item.split("=", 1) for item in args.env)
    bots = start_bots(tmp, args.replicas, database_url, fake_url, extra)
    tally = Tally()
    samples: dict[int, dict[str, Series]] = {p.pid: {m: [] for m in MEMORY} for p, _ in bots}
    load = os.getloadavg()[0]
    try:
        for _proc, port in bots:
            await wait_ready(f"http://127.0.0.1:{port}/healthz")
        seeding = await demo_seeded(database_url)
        webhook_urls = [f"http://127.0.0.1:{port}/ingest/webhook" for _, port in bots]
        slash_urls = [f"http://127.0.0.1:{port}/slack/events" for _, port in bots]
        seconds = args.minutes * 60
        started = time.monotonic()
        until = started + seconds
        connector = aiohttp.TCPConnector(limit=512)
        timeout = aiohttp.ClientTimeout(total=60)
        async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
            await asyncio.gather(
                mentions_load(session, tally, webhook_urls, args.mention_rate, args.batch, until),
                commands_load(session, tally, slash_urls, args.command_rate, fake_url, until),
                sample_memory([p.pid for p, _ in bots], samples, started, until),
            )
        answered = await settle(fake, tally.sent["slash"])
        exited = [proc.returncode for proc, _ in bots if proc.poll() is not None]
    finally:
        for proc, _ in bots:
            proc.terminate()
        for proc, _ in bots:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
        await runner.cleanup()
        if drop is not None:
            await drop()
    report(args, tally, samples, answered, fake, exited, (load, os.getloadavg()[0]), seeding)
    return 0


async def settle(fake: FakeSlack, sent: int, quiet: float = 5.0, limit: float = 180.0) -> int:
    """Wait until every command is answered or the bot has gone quiet; returns answers."""
    deadline = time.monotonic() + limit
    last = -1
    while time.monotonic() < deadline and len(fake.answered) < sent:
        if len(fake.answered) == last:
            break
        last = len(fake.answered)
        await asyncio.sleep(quiet)
    return len(fake.answered)


async def demo_seeded(database_url: str, timeout: float = 600) -> float:
    """Wait until the demo stream is seeded (its claim is done); returns the seconds."""
    from sqlalchemy import text

    from config.settings import normalize_database_url
    from core.db import make_engine

    engine = make_engine(normalize_database_url(database_url))
    started = time.monotonic()
    try:
        while time.monotonic() - started < timeout:
            with contextlib.suppress(Exception):
                async with engine.connect() as conn:
                    done = await conn.execute(
                        text("SELECT done_at FROM job_claim WHERE job = 'demo-seed'")
                    )
                    if done.scalar():
                        break
            await asyncio.sleep(2)
    finally:
        await engine.dispose()
    return time.monotonic() - started


async def database(
    args: argparse.Namespace, tmp: Path
) -> tuple[str, Callable[[], Awaitable[None]] | None]:
    if not args.postgres:
        if args.replicas != 1:
            raise SystemExit("--replicas > 1 needs --postgres (replicas share one database)")
        return f"sqlite:///{tmp}/soak.db", None
    import asyncpg

    name = f"horch_soak_{os.getpid()}"
    admin = await asyncpg.connect(args.postgres)
    await admin.execute(f'CREATE DATABASE "{name}"')
    await admin.close()
    url = args.postgres.rsplit("/", 1)[0] + f"/{name}"
    # Migrate once, as the Procfile's `release` does, before the replicas start.
    subprocess.run(
        [sys.executable, "-m", "bot", "db", "upgrade"],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": url, "PYTHONPATH": str(ROOT)},
        check=True,
        capture_output=True,
    )

    async def drop() -> None:
        conn = await asyncpg.connect(args.postgres)
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.close()

    return url, drop


def report(
    args: argparse.Namespace,
    tally: Tally,
    samples: dict[int, dict[str, Series]],
    answered: int,
    fake: FakeSlack,
    exited: list[int | None],
    load: tuple[float, float],
    seeding: float,
) -> None:
    warmup = args.warmup * 60
    met = {True: "met", False: "MISSED"}
    db = "PostgreSQL" if args.postgres else "SQLite"
    print(f"bench_soak — {machine()}, {os.cpu_count()} cores")
    print(
        f"load: {args.minutes:g} min against {args.replicas} bot process(es) on {db}: mentions "
        f"{args.mention_rate:g}/s through the webhook (batches of {args.batch}), signed slash "
        f"commands {args.command_rate:g}/s, a hashtag burst every minute; warm-up {args.warmup:g} min"
    )
    print(f"host load average (1 min) before/after: {load[0]:.1f} / {load[1]:.1f}")
    print(
        f"sent: {tally.mentions} mentions in {tally.sent['webhook']} webhook requests, "
        f"{tally.sent['slash']} slash commands"
    )
    print(f"demo stream seeded before the load: {seeding:.0f} s")
    if args.env:
        print(f"bot environment added: {' '.join(args.env)}")
    growths = []
    for i, fields in enumerate(samples.values()):
        for name, label in MEMORY.items():
            growth = _memory(f"bot {i} {label}", fields[name], warmup)
            if growth is not None and name == TARGET_MEMORY:
                growths.append(growth)
    for kind, values in tally.latencies.items():
        if values:
            s = stats(values)
            print(
                f"  {kind:8s} answer median {s['median_ms']:7.1f} ms  p95 {s['p95_ms']:7.1f} ms  "
                f"p99 {s['p99_ms']:7.1f} ms  max {s['max_ms']:7.1f} ms  ({s['n']:.0f} ok)"
            )
    failed = sum(tally.failures.values())
    detail = ", ".join(f"{k}: {v}" for k, v in tally.failures.most_common()) or "none"
    print(f"  failed requests: {failed} ({detail})")
    print(f"  commands answered at the fake Slack: {answered} of {tally.sent['slash']}")
    print(f"  alerts posted to the alert channel: {fake.alert_posts}")
    if exited:
        print(f"  bot processes that exited during the run: {exited}")
    worst = max(growths) if growths else float("nan")
    print(
        f"  target private memory growth after warm-up < {TARGET_GROWTH:.0f} %: "
        f"{met[worst < TARGET_GROWTH]} ({worst:+.1f} %)"
    )
    print(f"  target no failed request: {met[failed == 0]} ({failed})")
    print(
        f"  target every command answered: {met[answered >= tally.sent['slash']]} "
        f"({answered}/{tally.sent['slash']})"
    )


def _memory(what: str, series: Series, warmup: float) -> float | None:
    """Print a memory series: each minute, after the warm-up, at the end; returns the growth."""
    after = [v for t, v in series if warmup <= t < warmup + 60] or [v for _, v in series[-1:]]
    last = [v for t, v in series if t >= series[-1][0] - 60] if series else []
    if not after or not last:
        print(f"  {what}: no samples")
        return None
    start_mib, end_mib = statistics.median(after), statistics.median(last)
    growth = (end_mib - start_mib) / start_mib * 100
    curve = " ".join(f"{v:.0f}" for t, v in series if int(t) % 60 < SAMPLE_SECONDS)
    slope = _slope([(t, v) for t, v in series if t >= warmup])
    print(
        f"  {what}: each minute {curve} MiB; after warm-up {start_mib:.0f} MiB (median of "
        f"the next minute), end {end_mib:.0f} MiB (median of the last minute), peak "
        f"{max(v for _, v in series):.0f} MiB: growth {growth:+.1f} % ({slope:+.2f} MiB/min)"
    )
    return growth


def _slope(points: list[tuple[float, float]]) -> float:
    """Least-squares slope in MiB per minute."""
    if len(points) < 2:
        return 0.0
    xs, ys = [t / 60 for t, _ in points], [v for _, v in points]
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    den = sum((x - mx) ** 2 for x in xs)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / den if den else 0.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0, help="length of the load")
    parser.add_argument(
        "--warmup",
        type=float,
        help="minutes before memory counts (default: a fifth of the run, at least 1)",
    )
    parser.add_argument("--mention-rate", type=float, default=50.0)
    parser.add_argument("--command-rate", type=float, default=20.0)
    parser.add_argument("--batch", type=int, default=10, help="mentions per webhook request")
    parser.add_argument("--postgres", help="admin URL: run on a PostgreSQL database made here")
    parser.add_argument("--replicas", type=int, default=1)
    parser.add_argument(
        "--env", action="append", default=[], metavar="KEY=VALUE", help="for the bot processes"
    )
    args = parser.parse_args()
    if args.warmup is None:
        args.warmup = max(1.0, args.minutes / 5)
    return asyncio.run(run(args))


if __name__ == "__main__":
    sys.exit(main())
