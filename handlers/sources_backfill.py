"""`sources backfill [NAME] [--days N]`: fetch a source's past, or list the runs; and the
one-time offer of a backfill on a new workspace's first start."""

from __future__ import annotations

from core.backfill import (
    DEFAULT_DAYS,
    MAX_DAYS,
    Backfiller,
    NotifyTarget,
    backfillable,
    can_backfill,
    fraction,
)
from core.db import session_scope
from core.format import format_day, format_time
from core.i18n import Translator
from core.reply import Fact, Item, Reply, Request
from core.storage import backfills as runs
from handlers.args import UsageError, is_id, parse
from handlers.context import Context, Services

MAX_ASK = max(MAX_DAYS.values())


async def backfill_command(request: Request, ctx: Context) -> Reply:
    """`sources backfill NAME [--days N]` starts or resumes a run; without NAME, the runs."""
    parsed = parse(request.args[1:], options=("days", "tage"), max_positional=1)
    if not parsed.positional:
        return await _runs(ctx)
    name = parsed.positional[0]
    raw_days = parsed.options.get("days") or parsed.options.get("tage") or str(DEFAULT_DAYS)
    if not is_id(raw_days) or not 1 <= int(raw_days) <= MAX_ASK:
        raise UsageError("sources.backfill.bad_days", value=raw_days, most=str(MAX_ASK))
    t = ctx.t
    ready = [c.name for c in backfillable(ctx.workspace, ctx.services.settings)]
    names = ", ".join(ready) or t("sources.backfill.none_ready")
    if name not in ready:
        return Reply(sections=[t(_why_not(ctx, name), name=name, names=names)], error=True)
    backfiller: Backfiller | None = ctx.services.background.backfill
    if backfiller is None:
        return Reply(sections=[t("sources.backfill.no_process", name=name, days=raw_days)])
    conv = request.conversation
    target = NotifyTarget(conv.platform, conv.id, conv.thread_id, ctx.locale)
    try:
        started = await backfiller.start(source=name, days=int(raw_days), notify=target)
    except LookupError as exc:
        return Reply(sections=[t(str(exc.args[0]), name=name, names=names)], error=True)
    async with ctx.sessions() as session:
        run = await runs.get_run(session=session, run_id=started.run_id)
    assert run is not None
    zone = ctx.workspace.schedules.timezone
    lines = [
        t(
            f"sources.backfill.{started.outcome}",
            name=name,
            days=started.days,
            since=format_day(run.since, ctx.locale, zone),
            stored=run.stored,
            percent=t.percent(fraction(since=run.since, until=run.until, reached=run.reached)),
        )
    ]
    if started.clamped:
        lines.append(t("sources.backfill.clamped", name=name, days=started.days))
    return Reply(title=t("sources.backfill.title"), sections=lines)


def _why_not(ctx: Context, name: str) -> str:
    """The message key saying why `name` cannot backfill."""
    cfg = ctx.workspace.source(name)
    if cfg is None:
        return "sources.backfill.unknown"
    return (
        "sources.backfill.not_ready" if can_backfill(cfg.type) else "sources.backfill.unsupported"
    )


async def _runs(ctx: Context) -> Reply:
    t = ctx.t
    async with ctx.sessions() as session:
        recent = await runs.recent_runs(session=session, limit=10)
    zone = ctx.workspace.schedules.timezone
    items = []
    for run in recent:
        share = fraction(since=run.since, until=run.until, reached=run.reached)
        if run.status == "done":
            share = 1.0
        reached = run.since if run.status == "done" and not run.capped else run.reached
        facts = [
            Fact(t("sources.backfill.fact.started"), format_time(run.started_at, ctx.locale, zone)),
            Fact(t("sources.backfill.fact.read"), t.percent(share)),
            Fact(t("sources.backfill.fact.new"), t.number(run.stored)),
            Fact(
                t("sources.backfill.fact.covered"),
                format_day(reached, ctx.locale, zone) if reached else t("sources.never"),
            ),
        ]
        text = t(f"sources.backfill.status.{run.status}")
        if run.error:
            text += f" ({run.error})"
        items.append(
            Item(
                title=t("sources.backfill.run_title", name=run.source, days=run.days),
                text=text,
                facts=tuple(facts),
            )
        )
    ready = [c.name for c in backfillable(ctx.workspace, ctx.services.settings)]
    head = t("sources.backfill.runs") if items else t("sources.backfill.no_runs")
    hint = t(
        "sources.backfill.hint",
        names=", ".join(ready) or t("sources.backfill.none_ready"),
        name=ready[0] if ready else "NAME",
    )
    return Reply(title=t("sources.backfill.title"), sections=[head], items=items, footnotes=[hint])


async def backfill_offer(services: Services, locale: str) -> str | None:
    """The one-time offer of a backfill on a workspace's first start: a line naming the
    sources whose past can be fetched, exactly once per database (None afterwards, and
    when no ready source can backfill or a backfill has run already)."""
    if services.background.backfill_offer_done:
        return None
    ready = [c.name for c in backfillable(services.workspace, services.settings)]
    line: str | None = None
    if ready:
        async with session_scope(services.sessions) as session:
            fresh = not await runs.any_run(session=session)
            if fresh and await runs.claim_offer(session=session, now=services.clock()):
                line = Translator(locale)(
                    "sources.backfill.offer", names=", ".join(ready), name=ready[0]
                )
    services.background.backfill_offer_done = True
    return line
