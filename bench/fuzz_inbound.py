"""A longer fuzzing run over every inbound parser and endpoint (not part of `make test`).

It runs the property tests of tests/security for as long as asked, feeding each one random
bytes through Hypothesis' `fuzz_one_input` (the entry point Hypothesis offers to outside
fuzzers): the pure parsers first (Slack and Teams payloads, the webhook, command arguments
and full-text queries, every source's reader, the pipeline, the three renderers), then the
running bot over HTTP (signed Slack payloads and garbage, Teams activities, signed webhook
batches, feed and API responses, CSV/JSONL imports). Time is split evenly between targets.
A target fails when its test's assertion fails — a 5xx, an exception that is not the
parser's own refusal, a rendered message with a ping or link in it — and the first
failures are printed with the exception, so they can be turned into `@example`s.

    python -m bench.fuzz_inbound [--seconds 120] [--seed 1] [--only slack webhook ...]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import tempfile
import time
import traceback
import warnings
from collections import Counter
from collections.abc import Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PURE = {
    "tests.security.test_parsers": [
        "test_split_text_splits_or_says_usage",
        "test_parse_parses_or_says_usage",
        "test_full_text_queries_are_always_quoted",
        "test_slack_slash_command_fields",
        "test_slack_events",
        "test_slack_block_actions",
        "test_slack_view_submissions",
        "test_slack_message_text_unwraps",
        "test_slack_form_button_value",
        "test_teams_activities",
        "test_teams_card_actions",
        "test_webhook_requests",
        "test_pipeline_normalizes_anything",
    ],
    "tests.security.test_sources_fuzz": [
        "test_mastodon_status",
        "test_bluesky_post",
        "test_reddit_child",
        "test_hackernews_hit",
        "test_x_post",
        "test_discourse_post",
        "test_youtube_video_and_comment",
        "test_appstore_review",
        "test_lemmy_post_and_comment",
    ],
    "tests.security.test_renderers": ["test_arbitrary_text_renders_safely_everywhere"],
}
ENDPOINTS = [
    "test_signed_slack_events",
    "test_signed_slack_interactivity",
    "test_signed_slash_commands",
    "test_slack_garbage",
    "test_teams_activities",
    "test_teams_garbage",
    "test_signed_webhook_batches",
]
SOURCE_KINDS = [
    "mastodon",
    "bluesky",
    "reddit",
    "hackernews",
    "x",
    "discourse",
    "youtube",
    "appstore",
    "lemmy",
]
IMPORTS = ["test_csv_files", "test_csv_garbage", "test_jsonl_files"]
SHOWN_FAILURES = 3


@dataclass
class Target:
    """One property test, with its fixtures bound and run in the given event loop."""

    name: str
    run: Callable[[bytes], Any]
    examples: int = 0
    failures: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0
    shown: int = 0


def fuzzable(test: Any, loop: asyncio.AbstractEventLoop | None, **fixtures: Any) -> Any:
    """The test's body under its own strategies, with `fixtures` bound (async run in `loop`).

    Hypothesis keeps a test's strategies on its handle (`_given_kwargs`); there is no public
    accessor, and re-declaring them here would let the script drift from the tests.
    """
    strategies = test.hypothesis._given_kwargs
    inner = test.hypothesis.inner_test

    def body(**drawn: Any) -> None:
        result = inner(**fixtures, **drawn)
        if asyncio.iscoroutine(result):
            assert loop is not None
            loop.run_until_complete(result)

    quiet = settings(database=None, deadline=None, suppress_health_check=list(HealthCheck))
    wrapped: Any = quiet(given(**strategies)(body))
    return wrapped.hypothesis.fuzz_one_input


def pure_targets() -> list[Target]:
    import importlib

    out = []
    for module_name, names in PURE.items():
        module = importlib.import_module(module_name)
        for name in names:
            label = f"{module_name.rsplit('.', 1)[1].removeprefix('test_')}:{name[5:]}"
            out.append(Target(label, fuzzable(getattr(module, name), None)))
    return out


async def start_services(stack: AsyncExitStack, tmp: Path) -> dict[str, Any]:
    """The running bot, a fake upstream for the sources, an HTTP client, import services."""
    from core import db as coredb
    from integrations.sources.http import HttpClient, RetryPolicy
    from tests.security import test_endpoints_fuzz as endpoints
    from tests.security import test_import_fuzz as imports
    from tests.security import test_sources_fuzz as sources
    from tests.security.bot import whole_bot

    url = f"sqlite+aiosqlite:///{tmp / 'fuzz.db'}"
    await coredb.upgrade(url)
    bot = await stack.enter_async_context(whole_bot(url))
    bot.webhook_budget(10_000_000)
    bot.slack.adapter.responder.deadline = 30
    errors = endpoints.Errors()
    import logging

    logging.getLogger().addHandler(errors)
    upstream = sources.Upstream()
    await upstream.server.start_server()
    stack.push_async_callback(upstream.server.close)
    http = HttpClient(timeout=5, retry=RetryPolicy(attempts=1))
    stack.push_async_callback(http.close)
    from bot.services import build_services, close_services
    from config.settings import Settings
    from tests.fakes import RuleAnalyzer

    import_url = f"sqlite+aiosqlite:///{tmp / 'import.db'}"
    await coredb.upgrade(import_url)
    services = await build_services(
        Settings.for_tests(database_url=import_url), analyzer=RuleAnalyzer()
    )
    stack.push_async_callback(close_services, services)
    return {
        "bot": bot,
        "errors": errors,
        "upstream": upstream,
        "http": http,
        "services": services,
        "endpoints": endpoints,
        "sources": sources,
        "imports": imports,
    }


class TmpFactory:
    """What the import tests use of pytest's tmp_path_factory."""

    def __init__(self, base: Path) -> None:
        self.base = base

    def getbasetemp(self) -> Path:
        return self.base


def http_targets(ctx: dict[str, Any], loop: asyncio.AbstractEventLoop, tmp: Path) -> list[Target]:
    endpoints, sources, imports = ctx["endpoints"], ctx["sources"], ctx["imports"]
    bot, errors = ctx["bot"], ctx["errors"]
    out = [
        Target(
            f"endpoints:{name[5:]}",
            fuzzable(getattr(endpoints, name), loop, bot=bot, errors=errors),
        )
        for name in ENDPOINTS
    ]
    upstream, http = ctx["upstream"], ctx["http"]
    out += [
        Target(
            f"sources_fuzz:api_responses[{kind}]",
            fuzzable(sources.test_api_responses, loop, upstream=upstream, http=http, kind=kind),
        )
        for kind in SOURCE_KINDS
    ]
    out.append(
        Target(
            "sources_fuzz:feed_responses",
            fuzzable(sources.test_feed_responses, loop, upstream=upstream, http=http),
        )
    )
    factory = TmpFactory(tmp)
    out += [
        Target(
            f"import_fuzz:{name[5:]}",
            fuzzable(
                getattr(imports, name), loop, services=ctx["services"], tmp_path_factory=factory
            ),
        )
        for name in IMPORTS
    ]
    return out


def fuzz(target: Target, rng: random.Random, seconds: float) -> None:
    """Feed `target` random inputs for `seconds`."""
    end = time.monotonic() + seconds
    started = time.monotonic()
    while time.monotonic() < end:
        buffer = rng.randbytes(rng.choice((8, 64, 512, 4096)))
        target.examples += 1
        try:
            target.run(buffer)
        except Exception as exc:
            key = f"{type(exc).__name__}: {str(exc).splitlines()[0][:120] if str(exc) else ''}"
            target.failures[key] += 1
            if target.shown < SHOWN_FAILURES:
                target.shown += 1
                print(f"\n!! {target.name}: {key}")
                traceback.print_exception(exc, limit=-4)
    target.seconds += time.monotonic() - started


def report(targets: list[Target], seconds: float) -> int:
    print(f"\nfuzz_inbound: {seconds:.0f} s over {len(targets)} targets")
    print(f"{'target':58} {'examples':>9} {'per s':>7} {'failures':>9}")
    total = failed = 0
    for t in targets:
        rate = t.examples / t.seconds if t.seconds else 0.0
        count = sum(t.failures.values())
        print(f"{t.name:58} {t.examples:9d} {rate:7.0f} {count:9d}")
        total += t.examples
        failed += count
    print(f"{'all':58} {total:9d} {'':7} {failed:9d}")
    for t in targets:
        for key, count in t.failures.most_common(5):
            print(f"  {t.name}: {count} × {key}")
    return 1 if failed else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=120.0, help="total running time")
    parser.add_argument("--seed", type=int, default=None, help="for a repeatable run")
    parser.add_argument("--only", nargs="*", default=[], help="targets whose name holds one")
    args = parser.parse_args()
    seed = args.seed if args.seed is not None else random.randrange(2**32)
    rng = random.Random(seed)
    print(f"seed {seed}")
    warnings.simplefilter("ignore")
    import logging

    # Failures are counted, not printed; ERROR records still reach the endpoint tests,
    # which fail when something broke after the HTTP answer.
    logging.basicConfig(level=logging.ERROR, handlers=[logging.NullHandler()])
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    stack = AsyncExitStack()
    with tempfile.TemporaryDirectory() as tmp_dir:
        tmp = Path(tmp_dir)
        try:
            ctx = loop.run_until_complete(start_services(stack, tmp))
            targets = pure_targets() + http_targets(ctx, loop, tmp)
            if args.only:
                targets = [t for t in targets if any(word in t.name for word in args.only)]
            if not targets:
                print("no target matches --only")
                return 2
            share = args.seconds / len(targets)
            for target in targets:
                fuzz(target, rng, share)
                print(f"  {target.name}: {target.examples} examples", flush=True)
        finally:
            loop.run_until_complete(stack.aclose())
            loop.close()
    return report(targets, args.seconds)


if __name__ == "__main__":
    sys.exit(main())
