"""The synthetic demo stream in chat: how far its seeding is (answers that would be
incomplete say so while it runs), its place in `sources`, and `demo status|reset` —
resetting is asked first, since it replaces every demo mention.

The seeding and the reset run in the bot (bot/demo.py); their state is on
`services.background` (`seeding`, `demo`), so every front end can tell it.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlmodel import col

from core.background import SeedProgress
from core.format import format_time
from core.i18n import Translator
from core.models import Mention
from core.reply import Fact, Item, Reply, Request
from handlers.args import UsageError, parse
from handlers.confirm import ask
from handlers.context import Context
from handlers.registry import action, command

RESET_CONFIRMED = "demo.reset.confirmed"
# Commands whose answers are incomplete while the demo is still being seeded.
INCOMPLETE_WHILE_SEEDING = frozenset({"mentions", "brief", "trends", "assess", "sources"})
DEMO_SIZE = 20_000


def seeding_line(t: Translator, progress: SeedProgress) -> str:
    """ "Seeding the demo data, 3,000 of 20,000: …" with the locale's digit grouping."""
    total = progress.total or DEMO_SIZE
    return t("demo.seeding", done=t.number(min(progress.done, total)), total=t.number(total))


def seeding_note(ctx: Context, command: str) -> str | None:
    """The seeding line for an answer that would be incomplete now, else None."""
    progress = ctx.services.background.seeding
    if not progress.running or command not in INCOMPLETE_WHILE_SEEDING:
        return None
    return seeding_line(ctx.t, progress)


async def synthetic_sources(ctx: Context) -> dict[str, tuple[int, dt.datetime | None]]:
    """The demo stream's sources: {name: (stored mentions, newest post)}."""
    stmt = (
        select(col(Mention.source), func.count(), func.max(col(Mention.published_at)))
        .where(col(Mention.synthetic))
        .group_by(col(Mention.source))
    )
    async with ctx.sessions() as session:
        rows = (await session.execute(stmt)).all()
    return {str(name): (int(n), newest) for name, n, newest in rows}


async def demo_stream_item(ctx: Context) -> Item | None:
    """The demo stream as a source for `sources`: what it feeds, how much, how far seeded."""
    t = ctx.t
    by_source = await synthetic_sources(ctx)
    progress = ctx.services.background.seeding
    if not by_source and not progress.running:
        return None
    total = sum(n for n, _ in by_source.values())
    newest = max((d for _, d in by_source.values() if d is not None), default=None)
    facts = [
        Fact(t("demo.fact.feeds"), ", ".join(sorted(by_source)) or "—"),
        Fact(t("demo.fact.stored"), t.number(total)),
    ]
    if newest is not None:
        zone = ctx.workspace.schedules.timezone
        facts.append(Fact(t("demo.fact.newest"), format_time(newest, ctx.locale, zone)))
    state = seeding_line(t, progress) if progress.running else t("demo.source_text")
    return Item(title=t("demo.source_title"), text=state, facts=tuple(facts))


@command("demo", order=95)
async def demo_command(request: Request, ctx: Context) -> Reply:
    """The synthetic demo data: how far seeding is, or reset it (asked first).

    de: Die synthetischen Demodaten: wie weit das Befüllen ist, oder zurücksetzen (mit Rückfrage).
    Usage: demo [status | reset]
    """
    sub = request.args[0].lower() if request.args else "status"
    parse(request.args[1:], max_positional=0)
    t = ctx.t
    progress = ctx.services.background.seeding
    count = sum(n for n, _ in (await synthetic_sources(ctx)).values())
    if sub in ("status", "stand"):
        lines = [t("demo.stored", count=count)]
        if progress.running:
            lines.append(seeding_line(t, progress))
        return Reply(title=t("demo.title"), sections=lines)
    if sub in ("reset", "zurücksetzen"):
        if progress.running:
            return Reply(sections=[t("demo.busy")], ephemeral=True)
        return ask(
            ctx,
            title=t("confirm.demo_title"),
            what=[t("confirm.demo_what", count=count)],
            action_id=RESET_CONFIRMED,
            value="",
            button=t("confirm.demo_button"),
        )
    raise UsageError("demo.unknown_sub", sub=sub)


@action(RESET_CONFIRMED)
async def demo_reset_confirmed(request: Request, ctx: Context) -> Reply:
    """The button of the question before resetting: starts the reset in the background."""
    demo = ctx.services.background.demo
    if demo is None:
        return Reply(sections=[ctx.t("demo.no_reset")], ephemeral=True, error=True)
    if not demo.start_reset():
        return Reply(sections=[ctx.t("demo.busy")], ephemeral=True)
    return Reply(sections=[ctx.t("demo.resetting")], replace=True)
