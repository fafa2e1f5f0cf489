"""Slack, Teams and the console all dispatch through the one responder (bot/responder.py),
and the platform adapters keep no deadline, retry or metrics logic of their own."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.console.chat import answer as console_answer
from bot.responder import Responder
from core.reply import Reply, Request
from handlers import dispatch as dispatch_module
from tests.bot.slack.harness import running_bot as slack_bot
from tests.bot.teams import activities as act
from tests.bot.teams.harness import running_bot as teams_bot
from tests.core.backlog.helpers import migrated_db_url

pytestmark = [pytest.mark.e2e, pytest.mark.storage]
ROOT = Path(__file__).resolve().parents[2]
# What the responder owns; an adapter that writes any of these does its job a second time.
OWNED = {
    "a deadline or a concurrency limit": r"asyncio\.wait\(|wait_for\(|Semaphore",
    "the retry of an answer, or its Try again notice": (
        r"bot\.patience|keep_trying|deliver_or_notify|failure_notice|Patience\b"
    ),
    "command or answer metrics": r"\bCOMMANDS\b|COMMAND_SECONDS|\bPOSTS\b|count_answer",
    "a dispatch of its own": r"dispatch_outcome|handlers\.dispatch import .*\bdispatch\b",
}
# Transports that wait on their own I/O (auth in a thread with a timeout) are not dispatch.
TRANSPORT = {"bot/teams/auth.py": {"a deadline or a concurrency limit"}}


@pytest.fixture
def db_url(backend: str, tmp_path: Path) -> Iterator[str]:
    yield from migrated_db_url(backend, tmp_path)


def test_no_platform_module_keeps_deadline_retry_or_metrics_logic() -> None:
    found = []
    for package in ("bot/slack", "bot/teams"):
        for path in sorted((ROOT / package).rglob("*.py")):
            rel = path.relative_to(ROOT).as_posix()
            text = path.read_text(encoding="utf-8")
            for what, pattern in OWNED.items():
                if what not in TRANSPORT.get(rel, set()) and re.search(pattern, text):
                    found.append(f"{rel}: {what}")
    assert found == []


async def test_slack_teams_and_the_console_dispatch_through_the_responder(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    through: list[tuple[str, str]] = []
    dispatched: list[str] = []
    real_answer = Responder.answer
    real_dispatch = dispatch_module.dispatch_outcome

    async def spy_answer(self: Responder, request: Request) -> Reply:
        through.append((self.platform, request.conversation.platform))
        return await real_answer(self, request)

    async def spy_dispatch(*args: Any, **kwargs: Any) -> tuple[Reply, str]:
        dispatched.append(args[2].conversation.platform)
        return await real_dispatch(*args, **kwargs)

    monkeypatch.setattr(Responder, "answer", spy_answer)
    monkeypatch.setattr("bot.responder.dispatch_outcome", spy_dispatch)

    async with slack_bot(db_url, samples=False) as bot:
        await bot.command("help")
        await bot.settle()
        reply, _ = await console_answer(bot.services.registry, bot.services, "help", "en")
        assert not reply.error
    async with teams_bot(db_url) as bot:
        await bot.post(act.personal_message("help", bot.fake.url))
        await bot.settle()

    assert through == [("slack", "slack"), ("console", "console"), ("teams", "teams")]
    # Every dispatch went through a responder: none around it.
    assert dispatched == ["slack", "console", "teams"]
