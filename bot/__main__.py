"""The command line: `python -m bot run | chat | ingest | import | eval | db | teams-package`.

Usage errors exit 2 with one line; a user mistake never shows a traceback.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from config.settings import Settings, load_settings
from config.workspace import WorkspaceError

log = logging.getLogger("bot")
# Where the interactive console sends its logs, so they do not interleave with the chat.
LOG_FILE = Path(__file__).resolve().parent.parent / "var" / "horchposten.log"


class _Parser(argparse.ArgumentParser):
    """argparse that reports a usage error in one line and exits 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: {message} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m bot", description="Horchposten, the social-listening bot.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    run = sub.add_parser("run", help="start the bot: HTTP server, scheduler, console if a TTY")
    run.add_argument("--no-console", action="store_true", help="never start the local console")
    run.add_argument("--port", type=int, help="override PORT")

    chat = sub.add_parser("chat", help="talk to the bot in the terminal")
    chat.add_argument("--once", metavar="TEXT", help="answer one line and exit")
    chat.add_argument("--locale", choices=["de", "en"], help="answer in this language")
    chat.add_argument(
        "--as", dest="as_member", metavar="NAME", help="play this team member (check-ins)"
    )

    ingest = sub.add_parser("ingest", help="poll the configured sources, or fetch their past")
    how = ingest.add_mutually_exclusive_group(required=True)
    how.add_argument("--once", action="store_true", help="poll each source once")
    how.add_argument("--backfill", metavar="NAME", help="fetch the past of source NAME")
    ingest.add_argument("--source", help="poll only this source")
    ingest.add_argument("--days", type=int, default=30, help="how far back to backfill (30)")
    ingest.add_argument("--no-progress", action="store_true", help="no progress bar")

    imp = sub.add_parser("import", help="import mentions from a CSV or JSONL file")
    imp.add_argument("file", type=Path, help="the file (.csv with a header, or .jsonl)")
    imp.add_argument("--source", required=True, help="the source name to store them under")
    imp.add_argument(
        "--map",
        action="append",
        default=[],
        metavar="FIELD=COLUMN",
        help="take FIELD (text, url, author, published_at, id, title) from COLUMN",
    )
    imp.add_argument(
        "--format", choices=["csv", "jsonl", "xlsx"], help="default: from the file name"
    )
    imp.add_argument("--no-progress", action="store_true", help="no progress bar")

    ev = sub.add_parser("eval", help="measure the analysis on labelled data")
    ev_sub = ev.add_subparsers(dest="what", required=True, parser_class=_Parser)
    ev_sent = ev_sub.add_parser("sentiment", help="macro-F1 on a text<TAB>label file")
    ev_sent.add_argument("--data", type=Path, required=True)
    ev_intent = ev_sub.add_parser("intent", help="macro- and per-class F1 on a text<TAB>label file")
    ev_intent.add_argument("--data", type=Path, required=True)
    ev_trend = ev_sub.add_parser("trends", help="trend detection on NAB-format series")
    ev_trend.add_argument("--series", type=Path, required=True)
    ev_trend.add_argument("--labels", type=Path, required=True)

    db = sub.add_parser("db", help="database maintenance")
    db_sub = db.add_subparsers(dest="action", required=True, parser_class=_Parser)
    db_sub.add_parser("upgrade", help="apply the migrations")
    down = db_sub.add_parser("downgrade", help="revert migrations")
    down.add_argument("target", nargs="?", default="base")
    db_sub.add_parser("reset-demo", help="remove the demo mentions and seed them afresh")
    db_sub.add_parser("reclassify", help="recompute the intent of every stored mention")

    pkg = sub.add_parser("teams-package", help="write the Teams app package (zip) to sideload")
    pkg.add_argument("--out", type=Path, default=Path("var/horchposten-teams.zip"))
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = load_settings()
    except Exception as exc:  # pydantic's message names the variable and what it expects
        print(f"python -m bot: bad setting: {exc}", file=sys.stderr)
        return 2
    from bot.logs import configure_logging

    interactive = sys.stdin.isatty() and (
        (args.command == "run" and not args.no_console)
        or (args.command == "chat" and args.once is None)
    )
    configure_logging(settings, log_file=LOG_FILE if interactive else None)
    try:
        code = asyncio.run(_run(args, settings))
    except WorkspaceError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    if interactive:
        _leave_now(code)
    return code


def _leave_now(code: int) -> NoReturn:
    """End an interactive session at once. Everything is closed by now (server, database,
    logs); the interpreter's own finalisation of the loaded models takes about two seconds,
    and a person who pressed Ctrl-C twice expects the prompt back within one."""
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


async def _run(args: argparse.Namespace, settings: Settings) -> int:
    from bot import commands

    command = args.command
    if command == "run":
        if args.port:
            settings.port = args.port
        return await commands.run(settings, console=not args.no_console)
    if command == "chat":
        return await commands.chat(
            settings, once=args.once, locale=args.locale, as_member=args.as_member
        )
    if command == "ingest" and args.backfill:
        return await commands.ingest_backfill(
            settings, name=args.backfill, days=args.days, progress=not args.no_progress
        )
    if command == "ingest":
        return await commands.ingest_once(settings, only=args.source)
    if command == "import":
        return await commands.import_file(
            settings,
            path=args.file,
            source=args.source,
            mapping=args.map,
            fmt=args.format,
            progress=not args.no_progress,
        )
    if command == "eval":
        result = await commands.evaluate(args)
        if result is None:
            return 2
        print(json.dumps(result, ensure_ascii=False))
        return 0
    if command == "db":
        return await commands.db(settings, args.action, getattr(args, "target", "base"))
    if command == "teams-package":
        return await commands.teams_package(settings, args.out)
    return 2


if __name__ == "__main__":
    sys.exit(main())
