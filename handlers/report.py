"""`report`: a PDF of a period for people outside the chat, and the weekly report.

The figures are the brief's (core.trends.brief) and the report's own (core.report.figures);
the document is composed and drawn in a worker thread, written to the files folder and
handed over as a file: Slack uploads it, Teams links to it, the console names its path.
`report weekly on` subscribes the channel: bot/report_jobs.py posts it Mondays at 09:00.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from pathlib import Path

from core.format import format_time
from core.i18n import Translator
from core.reply import File, Reply, Request
from core.report.compose import Setting, compose, period_words
from core.report.figures import ReportFigures, gather_report
from core.report.pdf import render_pdf
from core.report.period import report_period
from core.report.schedule import channel_zone, weekly_schedule
from core.standup.schedule import StandupSchedule
from core.storage import conversations
from core.trends import fmt
from handlers.args import UsageError, parse
from handlers.context import Context, Services
from handlers.coverage_note import coverage_notes
from handlers.files import new_path
from handlers.registry import command
from handlers.subscriptions import set_channel_subscription

KIND = "report"
PDF = "application/pdf"
WEEKLY = ("weekly", "wöchentlich", "woechentlich")


@command("report", aliases=("bericht",), order=21)
async def report_command(request: Request, ctx: Context) -> Reply:
    """A PDF report of a period to forward: figures and their change, volume and sentiment with the events, share of voice, stories, top mentions, answers, drafts, backlog, coverage; report weekly on sends it every Monday at 09:00.

    de: Ein PDF-Bericht eines Zeitraums zum Weiterleiten: Kennzahlen und ihre Veränderung, Volumen und Stimmung mit den Ereignissen, Share of Voice, Geschichten, Top-Erwähnungen, Antworten, Entwürfe, Backlog, Abdeckung; report weekly on schickt ihn jeden Montag um 09:00.
    Usage: report [7d|30d|2026Q4] | report weekly on|off
    """
    parsed = parse(request.args, max_positional=2)
    words = [w.lower() for w in parsed.positional]
    if words and words[0] in WEEKLY:
        if len(words) != 2 or words[1] not in ("on", "an", "ein", "off", "aus"):
            raise UsageError("report.weekly_usage")
        return await _weekly(request, ctx, on=words[1] in ("on", "an", "ein"))
    if len(words) > 1:
        raise UsageError("usage.too_many", extra=" ".join(parsed.positional[1:]))
    return await report_reply(ctx, parsed.positional[0] if parsed.positional else None)


async def report_reply(
    ctx: Context, period_text: str | None, *, now: dt.datetime | None = None
) -> Reply:
    """The report of a period (7d, 30d, 2026Q4) as a reply with the PDF attached; `now`:
    the moment it is made for (the scheduled one's slot), else the clock's."""
    t = ctx.t
    now = now or ctx.now()
    zone = ctx.workspace.schedules.timezone
    period = report_period(period_text, now, zone)
    if period is None:
        raise UsageError("report.bad_period", value=period_text or "")
    async with ctx.sessions() as session:
        figures = await gather_report(
            session,
            period=period,
            workspace=ctx.workspace,
            settings=ctx.services.settings,
            now=now,
            locale=ctx.locale,
        )
    setting = Setting(
        workspace=ctx.workspace.name,
        brand=ctx.workspace.brand.name,
        zone=zone,
        now=now,
        coverage=coverage_notes(ctx, figures.brief.coverage),
        synthetic=any(m.synthetic for m in figures.brief.top),
    )
    path = new_path(ctx, f"{t('report.file_stem')}-{period.name}", "pdf", now=now)
    # Drawing the charts and laying out the pages is CPU work: a worker thread, so the event
    # loop keeps answering.
    await asyncio.to_thread(_write, t, figures, setting, path)
    title = t("report.reply_title", period=period_words(t, period, zone))
    return Reply(
        title=title,
        sections=[_summary(ctx, figures)],
        files=[File(name=path.name, mime=PDF, path=path, title=title)],
        footnotes=setting.coverage[:1],
    )


def _write(t: Translator, figures: ReportFigures, setting: Setting, path: Path) -> None:
    path.write_bytes(render_pdf(compose(t, figures, setting)))


def _summary(ctx: Context, f: ReportFigures) -> str:
    t = ctx.t
    b = f.brief
    change = fmt.signed_percent(t, b.change) if b.comparable else t("trends.fmt.no_comparison")
    return t(
        "report.summary",
        n=t.number(b.n),
        change=change,
        neg=fmt.share(t, b.mix.share("neg")),
        answered=t.number(f.answered),
        asked=t.number(f.asked),
    )


async def _weekly(request: Request, ctx: Context, *, on: bool) -> Reply:
    conv = request.conversation
    now = ctx.now()
    await set_channel_subscription(
        request,
        ctx,
        kind=KIND,
        enabled=on,
        now=now,
        # Mondays before this moment are not posted after the fact.
        settings={"active_from": now.isoformat()} if on else None,
    )
    if not on:
        return Reply(sections=[ctx.t("report.weekly_off")])
    schedule = await channel_weekly_schedule(ctx, conv.platform, conv.id)
    lines = [ctx.t("report.weekly_on", zone=schedule.zone)]
    if (upcoming := schedule.upcoming(now)) is not None:
        when = format_time(upcoming.utc, ctx.locale, schedule.zone)
        lines.append(ctx.t("report.weekly_next", when=when))
    return Reply(sections=lines)


async def channel_weekly_schedule(
    ctx: Context | Services, platform: str, channel_id: str
) -> StandupSchedule:
    """The channel's weekly report time: Mondays 09:00 in its standup's zone (or the
    workspace's), holidays left out."""
    services = ctx.services if isinstance(ctx, Context) else ctx
    async with services.sessions() as session:
        standup = await conversations.get_subscription(
            session=session, platform=platform, channel_id=channel_id, kind="standup"
        )
    settings = json.loads(standup.settings or "{}") if standup is not None else {}
    ws = services.workspace.schedules
    return weekly_schedule(zone=channel_zone(settings, ws.timezone), holidays=ws.holidays)
