"""`sources`: where the bot listens, how each source is doing, and what it does not cover;
`sources backfill NAME --days N`: fetch a source's past (core.backfill)."""

from __future__ import annotations

import datetime as dt

from config.workspace import SourceConfig
from core.backfill import backfillable
from core.format import format_day, format_time
from core.models import SourceState
from core.reply import Fact, Item, Reply, Request
from core.source_catalog import Assessment, assess, uncovered_platforms
from core.storage import sources as store
from handlers.args import parse
from handlers.context import Context
from handlers.demo import demo_stream_item
from handlers.registry import command
from handlers.sources_backfill import backfill_command

DAY = dt.timedelta(hours=24)
BACKFILL_WORDS = ("backfill", "nachladen")


@command("sources", aliases=("quellen",), order=60)
async def sources_command(request: Request, ctx: Context) -> Reply:
    """Every source with its state, new mentions in 24 h, quota and coverage, and what is
    not covered; `sources backfill NAME --days N` fetches a source's past.

    de: Alle Quellen mit Zustand, neuen Erwähnungen in 24 Std., Kontingent und Abdeckung,
    und was fehlt; `sources backfill NAME --days N` holt die Vergangenheit einer Quelle nach.
    Usage: sources | sources backfill [NAME] [--days 30]
    """
    if request.args and request.args[0].lower() in BACKFILL_WORDS:
        return await backfill_command(request, ctx)
    parse(request.args, max_positional=0)
    t = ctx.t
    async with ctx.sessions() as session:
        states = await store.list_states(session=session)
        runs = await store.run_summary(session=session, since=ctx.now() - DAY)
    configured = ctx.workspace.sources
    items = [_item(ctx, cfg, states.get(cfg.name), runs) for cfg in configured]
    names = {cfg.name for cfg in configured}
    others = sorted(n for n in runs if n not in names and runs[n].new)
    for name in others:
        items.append(
            Item(
                title=name,
                text=t("sources.imported_text"),
                facts=(Fact(t("sources.fact.new_24h"), t.number(runs[name].new)),),
            )
        )
    # The demo stream feeds mentions too (synthetic, seeded by the bot itself).
    if demo := await demo_stream_item(ctx):
        items.append(demo)
    uncovered = uncovered_platforms(ctx.workspace, ctx.services.settings)
    platforms = ", ".join(t("sources.x_without_token") if p == "X" else p for p in uncovered)
    sections = [t("sources.header") if configured else t("sources.none")]
    footnotes = [t("sources.uncovered", platforms=platforms)]
    past = [c.name for c in backfillable(ctx.workspace, ctx.services.settings)]
    if past:
        footnotes.append(t("sources.backfill.hint", names=", ".join(past), name=past[0]))
    return Reply(
        title=t("sources.title"),
        sections=sections,
        items=items,
        footnotes=footnotes,
    )


def _item(
    ctx: Context,
    cfg: SourceConfig,
    state: SourceState | None,
    runs: dict[str, store.RunSummary],
) -> Item:
    t = ctx.t
    verdict = assess(cfg, ctx.services.settings)
    run = runs.get(cfg.name)
    facts: list[Fact] = []
    if verdict.status == "ready":
        facts.append(Fact(t("sources.fact.interval"), _interval(ctx, cfg.interval_seconds)))
        last = state.last_success if state else None
        facts.append(Fact(t("sources.fact.last_success"), _when(ctx, last)))
    elif verdict.status == "push":
        how = t(f"sources.how.{cfg.type}", name=cfg.name)
        facts.append(Fact(t("sources.fact.how"), how))
        facts.append(Fact(t("sources.fact.last_success"), _when(ctx, run.last_at if run else None)))
    if state is not None and state.last_error:
        when = _when(ctx, state.last_error_at)
        facts.append(Fact(t("sources.fact.last_error"), f"{when}: {state.last_error}"))
    if verdict.status in ("ready", "push"):
        facts.append(Fact(t("sources.fact.new_24h"), t.number(run.new if run else 0)))
    if state is not None and state.covered_from is not None and verdict.status == "ready":
        zone = ctx.workspace.schedules.timezone
        facts.append(
            Fact(t("sources.fact.covered_from"), format_day(state.covered_from, ctx.locale, zone))
        )
    if verdict.status == "ready":
        quota = state.quota_remaining if state else None
        facts.append(
            Fact(
                t("sources.fact.quota"),
                t.number(quota) if quota is not None else t("sources.unknown"),
            )
        )
    notes = [t(key, **values) for key, values in verdict.notes]
    text = "\n".join([_state_text(ctx, verdict, state), *notes])
    return Item(title=f"{cfg.name} ({cfg.type})", text=text, facts=tuple(facts))


def _state_text(ctx: Context, verdict: Assessment, state: SourceState | None) -> str:
    t = ctx.t
    if verdict.status in ("off", "misconfigured"):
        reason = t(verdict.reason, **verdict.values) if verdict.reason else ""
        return t(f"sources.state.{verdict.status}", reason=reason)
    if verdict.status != "ready":
        return t(f"sources.state.{verdict.status}")
    if state is None or (state.last_success is None and not state.error_count):
        return t("sources.state.never")
    if state.error_count:
        at = _when(ctx, state.next_poll_at) if state.next_poll_at else t("sources.unknown")
        return t("sources.state.failing", count=state.error_count, at=at)
    return t("sources.state.ok")


def _when(ctx: Context, value: dt.datetime | None) -> str:
    if value is None:
        return ctx.t("sources.never")
    return format_time(value, ctx.locale, ctx.workspace.schedules.timezone)


def _interval(ctx: Context, seconds: int) -> str:
    return ctx.t(
        "sources.minutes", minutes=ctx.t.number(seconds / 60, 0 if seconds % 60 == 0 else 1)
    )
