"""Watch terms and languages changed at the same moment on two app instances of one
database: every command gets its normal answer, and the last change stands.

Two sets of services (each with its own engine and connection pool, as two replicas have)
dispatch at once: the same term added as a product and as a competitor, the same channel
switched to German and to English, many times over.
"""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import text

from bot.services import build_services, close_services
from config.settings import Settings
from core.i18n import translate
from core.reply import Actor, Conversation, Request
from core.watchlist import normalize_term
from handlers.dispatch import dispatch_outcome
from tests.fakes import RuleAnalyzer

pytestmark = pytest.mark.e2e
ROUNDS = 8


def _request(line: str, who: str) -> Request:
    words = line.split()
    return Request(
        command=words[0],
        args=words[1:],
        actor=Actor(id=who, name=who, platform="slack"),
        conversation=Conversation(platform="slack", id="C0EDITS"),
        locale="en",
        text=line,
    )


async def test_watch_terms_and_languages_changed_at_once_on_two_instances(db_url: str) -> None:
    settings = Settings.for_tests(database_url=db_url)
    one = await build_services(settings, analyzer=RuleAnalyzer())
    two = await build_services(settings, analyzer=RuleAnalyzer())
    try:
        jobs = []
        for n in range(ROUNDS):
            for services, line in (
                (one, "watch add Kaffeemühle --as product"),
                (two, "watch add Kaffeemühle --as competitor"),
                (one, "language de --channel"),
                (two, "language en --channel"),
            ):
                jobs.append(dispatch_outcome(services.registry, services, _request(line, f"u{n}")))
        answered = await asyncio.gather(*jobs)
        assert [outcome for _, outcome in answered] == ["ok"] * len(jobs)
        firsts = [reply.sections[0] for reply, _ in answered]
        watched = [line for i, line in enumerate(firsts) if i % 4 < 2]
        spoken = [line for i, line in enumerate(firsts) if i % 4 >= 2]
        kinds = [translate("en", f"watch.kind.{k}") for k in ("product", "competitor")]
        for line in watched:  # added, changed or unchanged — as product or as competitor
            assert "Kaffeemühle" in line and any(kind in line for kind in kinds), line
        languages = {
            translate(loc, "language.set_channel", language=translate(loc, f"language.name.{loc}"))
            for loc in ("de", "en")
        }
        assert set(spoken) == languages
        async with one.sessions() as session:
            kind = (
                await session.execute(
                    text("SELECT kind, active FROM watch_term WHERE normalized = :n"),
                    {"n": normalize_term("Kaffeemühle")},
                )
            ).one()
            changes = (
                await session.execute(
                    text("SELECT after FROM audit_event WHERE subject = :s ORDER BY id DESC"),
                    {"s": f"watch:{normalize_term('Kaffeemühle')}"},
                )
            ).all()
            locale = (
                await session.execute(
                    text(
                        "SELECT value FROM preference WHERE scope = 'channel'"
                        " AND subject_id = 'C0EDITS' AND key = 'locale'"
                    )
                )
            ).scalar_one()
            said = (
                await session.execute(
                    text(
                        "SELECT after FROM audit_event WHERE subject = 'channel:C0EDITS'"
                        " ORDER BY id DESC LIMIT 1"
                    )
                )
            ).scalar_one()
        assert kind.active and kind.kind == changes[0].after  # the last change stands
        assert locale == said
    finally:
        await close_services(one)
        await close_services(two)
