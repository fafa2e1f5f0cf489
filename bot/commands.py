"""What each CLI subcommand does (the parsing is in bot/__main__.py)."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal
import sys
from pathlib import Path
from typing import Any

from aiohttp import web

from config.settings import Settings
from core import db as coredb
from handlers.context import Services

log = logging.getLogger("bot")
# An import of up to this many new mentions is grouped into stories before the command ends;
# a larger one is left to the running bot (a million rows would keep the import busy).
IMPORT_GROUPING_LIMIT = 50_000


async def _services(
    settings: Settings, *, migrate: bool = True, sqlite_mmap: bool = True
) -> Services:
    from bot.services import build_services

    if migrate:
        await coredb.upgrade(settings.database_url)
    return await build_services(settings, sqlite_mmap=sqlite_mmap)


async def run(settings: Settings, *, console: bool) -> int:
    """The bot: HTTP server on PORT, background tasks, and the console when stdin is a TTY."""
    from bot.app import build_app
    from bot.console.session import repl
    from bot.services import close_services

    services = await _services(settings)
    app = await build_app(services)
    runner = web.AppRunner(app, access_log=None, handle_signals=False)
    await runner.setup()
    site = web.TCPSite(runner, settings.host, settings.port)
    await site.start()
    address = listen_address(runner.addresses, settings.host, settings.port)
    log.info("Horchposten listens on %s (healthz, metrics)", address)

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    console_task = None
    if console and sys.stdin.isatty():
        console_task = asyncio.create_task(
            repl(
                services.registry,
                services,
                None,
                stop,
                listening=listening(settings, address),
            )
        )
    await stop.wait()
    log.info("stopping")
    if console_task is not None:
        console_task.cancel()
    await runner.cleanup()
    await close_services(services)
    return 0


def listen_address(addresses: list[Any], host: str, port: int) -> str:
    """The address the server is bound to, as a URL (the first socket's, else the setting's);
    on every interface (0.0.0.0 or ::), the loopback URL to use from this machine is named."""
    if addresses and isinstance(addresses[0], tuple) and len(addresses[0]) >= 2:
        host, port = str(addresses[0][0]), int(addresses[0][1])
    shown = f"[{host}]" if ":" in host else host
    url = f"http://{shown}:{port}"
    if host in ("0.0.0.0", "::"):
        return f"{url} (= http://127.0.0.1:{port})"
    return url


def listening(settings: Settings, address: str) -> Any:
    """What the console banner says about the server, Slack and Teams."""
    from bot.console.session import Listening

    url = address.split(" ")[0]
    slack = None
    if settings.slack_app_token:
        slack = "Socket Mode"
    elif settings.slack_bot_token and settings.slack_signing_secret:
        slack = f"HTTP, POST {url}/slack/events"
    teams = bool(settings.microsoft_app_id or settings.teams_emulator)
    return Listening(address=address, url=url, slack=slack, teams=teams)


async def chat(
    settings: Settings, *, once: str | None, locale: str | None, as_member: str | None = None
) -> int:
    """The console chat: one line (`--once`) or a session until Ctrl-D; `--as NAME` plays a
    member of the team (check-ins, own history)."""
    from bot.console.chat import console_actor
    from bot.console.chat import once as chat_once
    from bot.console.session import repl
    from bot.services import close_services

    services = await _services(settings)
    try:
        registry = services.registry
        if once is not None:
            return await chat_once(registry, services, once, locale, console_actor(as_member))
        await repl(registry, services, locale, asyncio.Event(), console_actor(as_member))
        return 0
    finally:
        await close_services(services)


async def ingest_once(settings: Settings, *, only: str | None) -> int:
    """Poll every configured source once and print a line per source."""
    from integrations.sources.poller import ingest_once as poll_all

    services = await _services(settings)
    try:
        lines, failed = await poll_all(services, only=only)
        for line in lines:
            print(line)
        return 1 if failed else 0
    finally:
        from bot.services import close_services

        await close_services(services)


async def ingest_backfill(settings: Settings, *, name: str, days: int, progress: bool) -> int:
    """Fetch the past of one source (resuming its unfinished run) and print a summary."""
    from integrations.sources.backfill_cli import backfill_once

    if days < 1:
        print("python -m bot ingest: --days must be 1 or more", file=sys.stderr)
        return 2
    services = await _services(settings)
    try:
        line, failed = await backfill_once(services, name=name, days=days, progress=progress)
        print(line)
        return 1 if failed else 0
    finally:
        from bot.services import close_services

        await close_services(services)


async def import_file(
    settings: Settings,
    *,
    path: Path,
    source: str,
    mapping: list[str],
    fmt: str | None,
    progress: bool,
) -> int:
    """Import a CSV/JSONL file through the pipeline."""
    from integrations.sources.files import FileImportError
    from integrations.sources.files import import_file as do_import

    # Writes, one pass: no memory map (its pages of the growing file would count as ours).
    services = await _services(settings, sqlite_mmap=False)
    try:
        result = await do_import(
            services, path=path, source=source, mapping=mapping, fmt=fmt, progress=progress
        )
        if 0 < result.new <= IMPORT_GROUPING_LIMIT:
            await group_topics(services)
    except FileImportError as exc:
        print(f"python -m bot import: {exc}", file=sys.stderr)
        return 2
    finally:
        from bot.services import close_services

        await close_services(services)
    print(
        f"{source}: {result.received} read, {result.new} new, {result.duplicates} duplicates, "
        f"{result.dropped} dropped, {result.invalid} invalid"
    )
    return 0


async def group_topics(services: Services) -> None:
    """Group newly stored mentions into topics and stories now, so that a brief or a backlog
    asked right after an import or a demo reset tells their stories (the running bot does
    this every minute)."""
    from core.stories.topic_job import TopicJob
    from core.stories.topics import SentenceEncoder

    job = TopicJob(services.sessions, SentenceEncoder(), clock=lambda: services.clock())
    done = await job.catch_up()
    log.info(
        "topics: %d mentions seen, %d grouped into stories (%d new topics)",
        done.seen,
        done.grouped,
        done.new_topics,
    )


async def evaluate(args: argparse.Namespace) -> dict[str, Any] | None:
    """`eval sentiment|intent|trends`: the product's own analysis on labelled data."""
    try:
        if args.what == "sentiment":
            from core.analysis.evaluation import evaluate_sentiment_file

            return await asyncio.to_thread(evaluate_sentiment_file, args.data)
        if args.what == "intent":
            from core.analysis.evaluation import evaluate_intent_file

            return await asyncio.to_thread(evaluate_intent_file, args.data)
        from core.analysis.bursts_eval import evaluate_trends

        return await asyncio.to_thread(evaluate_trends, args.series, args.labels)
    except (ValueError, OSError) as exc:
        print(f"python -m bot eval {args.what}: {exc}", file=sys.stderr)
        return None


async def db(settings: Settings, action: str, target: str) -> int:
    """Database maintenance: upgrade, downgrade, reset-demo."""
    if action == "upgrade":
        await coredb.upgrade(settings.database_url)
        print("database is up to date")
        return 0
    if action == "downgrade":
        await coredb.downgrade(settings.database_url, target)
        print(f"database downgraded to {target}")
        return 0
    if action == "reclassify":
        return await reclassify(settings)
    from bot.demo import reset_demo
    from bot.services import close_services

    services = await _services(settings)
    try:
        removed, stored = await reset_demo(services)
        await group_topics(services)
    finally:
        await close_services(services)
    print(f"demo data reset: {removed} synthetic mentions removed, {stored} seeded")
    return 0


async def reclassify(settings: Settings) -> int:
    """`db reclassify`: the current intent model over every stored mention."""
    from core.analysis.intent_model import classify_intents
    from core.reclassify import reclassify_intents

    await coredb.upgrade(settings.database_url)
    engine = coredb.make_engine(settings.database_url)
    sessions = coredb.make_sessionmaker(engine)
    try:
        done = await reclassify_intents(sessions, classify_intents)
        if done.changed:
            # The hourly counts keep a series per intent (events, briefs): recount them, or
            # they would still tell the old intents.
            from core.storage.maintenance import rebuild_counts

            async with coredb.session_scope(sessions) as session:
                await rebuild_counts(session=session)
    finally:
        await engine.dispose()
    print(f"intent recomputed for {done.seen} mentions, {done.changed} changed")
    return 0


async def teams_package(settings: Settings, out: Path) -> int:
    """Write the Teams app package (manifest and icons) as a zip to sideload."""
    from bot.teams.package import PackageError, write_package

    try:
        path = write_package(settings, out)
    except PackageError as exc:
        print(f"python -m bot teams-package: {exc}", file=sys.stderr)
        return 2
    print(f"wrote {path}")
    return 0
