"""Reply drafts: the output checks, the whole draft → approve → publish path, and racing
approvals.

- checks: `check_draft` on 2,000 model-like replies (links, handles, claims, emoji), per
  platform: median and p95 per draft.
- flow: `draft ID` and a click on Approve through the real dispatch on SQLite, offline
  drafter, an in-process publisher: median and p95 of each step.
- races: N drafts, each approved by 8 concurrent clicks: publications per draft (must be 1)
  and the time until all clicks are answered.

    python -m bench.bench_drafts [--drafts 100] [--clicks 8] [--checks 2000]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import tempfile
import time
from pathlib import Path

from bench.common import machine, stats, time_async
from config.settings import Settings
from core import db as coredb
from core.db import session_scope
from core.drafts.checks import check_draft
from core.drafts.facts import load_facts
from core.models import Mention
from core.ports import Published
from core.reply import Actor, Conversation, Reply, Request

SAMPLES = [
    "Danke für deine Frage! Die Lieferung dauert 2–4 Werktage. Mehr: https://lumora.example/help",
    "Thanks @anna! Descaling is in chapter 5 of the manual 👍 – Team Lumora",
    "@channel see http://evil.example/win and bit.ly/x, 50 % Rabatt morgen!",
    "Wir erstatten dir 19,99 € bis 24.12. – schreib an support@lumora.example 👨‍👩‍👧‍👦🇩🇪",
]


class CountingPublisher:
    """In-process publisher: one post per idempotency key, a few ms of 'network'."""

    platform = "mastodon"

    def __init__(self) -> None:
        self.posts: dict[str, int] = {}
        self.calls = 0

    async def publish(
        self,
        *,
        text: str,
        reply_to_external_id: str,
        reply_to_url: str | None,
        idempotency_key: str,
    ) -> Published:
        self.calls += 1
        await asyncio.sleep(0.005)
        self.posts[idempotency_key] = self.posts.get(idempotency_key, 0) + 1
        return Published(url=f"https://m.example/@lumora/{len(self.posts)}", external_id="1")


def bench_checks(n: int) -> None:
    from config.workspace import load_workspace

    ws = load_workspace(
        Path(__file__).resolve().parent.parent / "config" / "workspace.example.yaml"
    )
    facts = load_facts(ws).text
    rng = random.Random(7)
    texts = [" ".join(rng.sample(SAMPLES, 2)) for _ in range(n)]
    for target in ("mastodon", "bluesky", "x", "linkedin"):
        samples = []
        for text in texts:
            start = time.perf_counter()
            check_draft(
                text,
                target=target,
                allowed_domains=["lumora.example"],
                author_handle="@anna@mastodon.social",
                facts=facts,
            )
            samples.append(time.perf_counter() - start)
        s = stats(samples)
        print(
            f"checks {target:9s} n={n}: median {s['median_ms']:.3f} ms, "
            f"p95 {s['p95_ms']:.3f} ms, p99 {s['p99_ms']:.3f} ms (target: p95 < 10 ms)"
        )


async def bench_flow(drafts: int, clicks: int) -> None:
    from bot.services import build_services, close_services
    from handlers.dispatch import dispatch

    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite+aiosqlite:///{tmp}/bench.db"
        await coredb.upgrade(url)
        services = await build_services(Settings.for_tests(database_url=url))
        publisher = CountingPublisher()
        services.publishers = {"mastodon": publisher}
        services.workspace.approvers.console = [f"approver{i}" for i in range(clicks)]
        registry = services.registry
        async with session_scope(services.sessions) as session:
            for i in range(drafts * 2):
                session.add(
                    Mention(
                        source="m",
                        source_type="mastodon",
                        external_id=str(i),
                        url=f"https://m.example/@x/{i}",
                        text=f"Wann kommt sie? {i}",
                        language="de",
                        intent="question",
                        published_at=services.clock(),
                    )
                )
        where = Conversation("console", "bench")

        def request(actor: str, **kw: object) -> Request:
            return Request("", [], Actor(actor, actor, "console"), where, locale="en", **kw)  # type: ignore[arg-type]

        ids = iter(range(1, drafts * 2 + 1))
        cards: list[Reply] = []

        async def draft() -> None:
            words = ["draft", str(next(ids))]
            cards.append(
                await dispatch(
                    registry,
                    services,
                    Request(
                        words[0], words[1:], Actor("approver0", "a", "console"), where, locale="en"
                    ),
                )
            )

        draft_times = await time_async(draft, repeat=drafts, warmup=0)
        approve_times: list[float] = []
        race_start = time.perf_counter()
        for card in cards:
            value = next(a.value for a in card.actions if a.id == "draft.approve")
            start = time.perf_counter()
            await asyncio.gather(
                *(
                    dispatch(
                        registry,
                        services,
                        request(f"approver{i}", action_id="draft.approve", action_value=value),
                    )
                    for i in range(clicks)
                )
            )
            approve_times.append(time.perf_counter() - start)
        race_total = time.perf_counter() - race_start
        d, a = stats(draft_times), stats(approve_times)
        print(
            f"draft (offline) n={drafts}: median {d['median_ms']:.1f} ms, "
            f"p95 {d['p95_ms']:.1f} ms (target: p95 < 500 ms)"
        )
        print(
            f"approve+publish, {clicks} concurrent clicks each, n={drafts}: "
            f"median {a['median_ms']:.1f} ms, p95 {a['p95_ms']:.1f} ms (target: p95 < 2 s)"
        )
        per_draft = sorted(set(publisher.posts.values()))
        print(
            f"publications per draft: {per_draft} over {len(publisher.posts)} drafts "
            "(target: exactly [1]); "
            f"publisher calls {publisher.calls}; {drafts * clicks} clicks in {race_total:.2f} s"
        )
        await close_services(services)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--drafts", type=int, default=100)
    parser.add_argument("--clicks", type=int, default=8)
    parser.add_argument("--checks", type=int, default=2000)
    args = parser.parse_args()
    print(machine())
    bench_checks(args.checks)
    asyncio.run(bench_flow(args.drafts, args.clicks))


if __name__ == "__main__":
    main()
