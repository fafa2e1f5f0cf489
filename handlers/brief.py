"""`brief`: what happened in a period — volume, sentiment, share of voice, movers, the top
mentions, open questions and complaints, the coverage, and a chart."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt

from core.clock import localize
from core.models import Mention
from core.reply import Action, Fact, Image, Item, Reply, Request
from core.stories.overview import main_stories
from core.trends import event_words as words
from core.trends import fmt
from core.trends.brief import BriefFigures, Point, gather
from core.trends.chart import ChartText, png_chart, text_chart
from core.trends.movers import KINDS, Mover
from core.trends.period import Period, parse_period
from core.trends.summary import since, summarise
from handlers.args import UsageError, parse
from handlers.brief_stories import story_items
from handlers.context import Context
from handlers.coverage_note import coverage_notes
from handlers.mentions import mention_item
from handlers.registry import action, command

PERIOD_BUTTONS = ("24h", "7d", "30d")
EVENTS_SHOWN = {"24h": 3, "7d": 5, "30d": 6}
EVENTS_DEFAULT = 5


@command("brief", aliases=("lage", "überblick", "ueberblick"), order=20)
async def brief_command(request: Request, ctx: Context) -> Reply:
    """The brief: volume, sentiment, share of voice, rising and falling topics, open questions.

    de: Das Briefing: Volumen, Stimmung, Share of Voice, steigende und fallende Themen, offene Fragen.
    Usage: brief [24h|7d|30d]
    """
    parsed = parse(request.args, max_positional=1)
    return await brief_reply(ctx, parsed.positional[0] if parsed.positional else None)


@action("trends.brief")
async def brief_button(request: Request, ctx: Context) -> Reply:
    """The period buttons under a brief."""
    return await brief_reply(ctx, request.action_value or None)


async def brief_reply(ctx: Context, period_text: str | None) -> Reply:
    """The brief for a period such as 24h, 7d or 30d."""
    t = ctx.t
    period = parse_period(period_text, ctx.now())
    if period is None:
        raise UsageError("trends.brief.bad_period", value=period_text or "")
    async with ctx.sessions() as session:
        figures = await gather(
            session,
            period=period,
            workspace=ctx.workspace,
            settings=ctx.services.settings,
            now=ctx.now(),
        )
        # The stories in the channel's language ("delivery" in English, "Lieferung" here).
        figures.names = figures.names.localized(ctx.locale)
        stories = await main_stories(
            session,
            since=period.start,
            until=period.end,
            prev_since=period.prev_start if figures.comparable else None,
            locale=ctx.locale,
        )
    # The chart is drawn in a worker thread, so the event loop keeps serving, and after the
    # queries rather than beside them: two threads taking turns at the interpreter would slow
    # both. A model, when configured, writes the summary meanwhile (it waits on the network).
    chart = asyncio.to_thread(_chart, ctx, period, figures.points) if figures.n else _no_chart()
    (summary, by_model), image = await asyncio.gather(
        summarise(figures, t, ctx.services.llm, ctx.workspace.schedules.timezone), chart
    )
    reply = Reply(
        title=t("trends.brief.title", period=fmt.span(t, period.span)),
        sections=_sections(ctx, figures, summary),
        facts=_facts(ctx, figures),
        items=[
            *story_items(ctx, stories, comparable=figures.comparable),
            *_top_items(ctx, figures.top),
            *_open_items(ctx, figures.open),
        ],
        actions=[
            Action("trends.brief", t("trends.brief.button", period=p), p)
            for p in PERIOD_BUTTONS
            if p != period.name
        ]
        + [Action("trends.now", t("trends.now.button"))],
        footnotes=_footnotes(ctx, figures, by_model),
    )
    if image is not None:
        reply.images.append(image)
    return reply


async def _no_chart() -> None:
    return None


def _sections(ctx: Context, f: BriefFigures, summary: str) -> list[str]:
    """What happened (the events, in the order they happened), then the summary.

    The topics section (what people talk about, as named stories) is inserted here, after
    the summary, by one call that returns its lines.
    """
    lines = event_lines(ctx, f)
    # Nothing to open with: the summary heads the brief, and the quiet says so after it.
    sections = [*lines, summary] if f.events else [summary, *lines]
    # ↓ The topics section goes here: `sections += <one call returning its lines>`.
    return sections


def event_lines(ctx: Context, f: BriefFigures) -> list[str]:
    """The brief's opening: the strongest events of the period, one line each, oldest first.

    Picked by significance weighted by size (a fourfold spike before a 30 % wobble on a
    huge key), then told in the order they happened, each with its day.
    """
    t = ctx.t
    if not f.events:
        if not f.n:
            return []  # "no mentions" says it all
        return [t("trends.brief.no_events", period=fmt.span(t, f.period.span, dative=True))]
    limit = EVENTS_SHOWN.get(f.period.name, EVENTS_DEFAULT)
    shown = sorted(f.events, key=lambda e: (-e.score, e.key))[:limit]
    shown.sort(key=lambda e: (e.start, e.key))
    zone = ctx.workspace.schedules.timezone
    hours = f.period.span <= dt.timedelta(days=2)
    lines = [t("trends.brief.events", count=len(shown))]
    lines += ["• " + words.sentence(t, f.names, e, zone, hours=hours) for e in shown]
    if len(f.events) > len(shown):
        more = len(f.events) - len(shown)
        lines.append(t("trends.brief.more_events", count=more, period=f.period.name))
    return lines


def _facts(ctx: Context, f: BriefFigures) -> list[Fact]:
    t = ctx.t
    if f.comparable:
        volume = fmt.count_change(t, f.n, f.prev_n)
    else:
        zone = ctx.workspace.schedules.timezone
        volume = t("trends.brief.volume_partial", n=t.number(f.n), since=since(t, f, zone))
    facts = [
        Fact(
            t("trends.brief.volume"),
            t("trends.brief.volume_value", figures=volume, reach=t.number(f.reach)),
        )
    ]
    if f.n:
        facts.append(
            Fact(
                t("trends.brief.sentiment"),
                t(
                    "trends.brief.sentiment_value",
                    neg=fmt.share(t, f.mix.share("neg")),
                    neg_shift=fmt.points(t, _shift(f, "neg")),
                    neu=fmt.share(t, f.mix.share("neu")),
                    pos=fmt.share(t, f.mix.share("pos")),
                    pos_shift=fmt.points(t, _shift(f, "pos")),
                ),
            )
        )
    if f.voice is not None:
        facts.append(
            Fact(
                t("trends.brief.voice"),
                t(
                    "trends.brief.voice_value",
                    share=fmt.share(t, f.voice.share),
                    shift=fmt.points(t, f.voice.shift),
                ),
            )
        )
        for v in f.voices:
            facts.append(
                Fact(
                    t("trends.brief.voice_against", competitor=f.names.of(f"term:{v.competitor}")),
                    t(
                        "trends.brief.voice_against_value",
                        share=fmt.share(t, v.share),
                        ours=t.number(v.ours),
                        theirs=t.number(v.theirs),
                        shift=fmt.points(t, v.shift),
                    ),
                )
            )
    moved = False
    for direction, groups in (("rising", f.rising), ("falling", f.falling)):
        named: set[str] = set()
        for kind in KINDS:
            group = groups.get(kind) or []
            if kind == "topic":
                # A story named like a term or hashtag listed above it ("#latteart",
                # "Lieferung"/"delivery") is that word's talk: listed once.
                group = [m for m in group if not f.names.spellings(m.key) & named]
            named |= {s for m in group for s in f.names.spellings(m.key)}
            if group:
                moved = True
                facts.append(
                    Fact(t(f"trends.brief.{direction}.{kind}"), _movers_text(ctx, f, group))
                )
    if not moved:
        quiet = "trends.brief.no_movers" if f.comparable else "trends.brief.no_comparison"
        facts.append(Fact(t("trends.brief.movers"), t(quiet)))
    facts.append(
        Fact(
            t("trends.brief.open"),
            t(
                "trends.brief.open_value",
                count=t.number(f.open_total),
                shown=t.number(len(f.open)),
            ),
        )
    )
    return facts


def _shift(f: BriefFigures, which: str) -> float | None:
    now, before = f.mix.share(which), f.prev_mix.share(which)
    return now - before if now is not None and before is not None else None


def _movers_text(ctx: Context, f: BriefFigures, group: list[Mover]) -> str:
    t = ctx.t
    return " · ".join(f"{f.names.of(m.key)} {fmt.count_change(t, m.n, m.prev_n)}" for m in group)


def _top_items(ctx: Context, mentions: list[Mention]) -> list[Item]:
    t = ctx.t
    out = []
    for m in mentions:
        item = mention_item(ctx, m, text_limit=200)
        title = t("trends.brief.top_item", reach=t.number(m.reach))
        out.append(dataclasses.replace(item, title=_join(title, item.title)))
    return out


def _open_items(ctx: Context, mentions: list[Mention]) -> list[Item]:
    t = ctx.t
    out = []
    for m in mentions:
        item = mention_item(ctx, m, text_limit=200)
        kind = "complaint" if m.intent == "complaint" else "question"
        out.append(
            dataclasses.replace(item, title=_join(t(f"trends.brief.open_{kind}"), item.title))
        )
    return out


def _join(label: str, title: str) -> str:
    return f"{label} — {title}" if title else label


def _chart(ctx: Context, period: Period, points: list[Point]) -> Image:
    t = ctx.t
    words = ChartText(
        title=t("trends.chart.title"),
        volume=t("trends.chart.volume"),
        negative=t("trends.chart.negative"),
        positive=t("trends.chart.positive"),
    )
    volume = [p.n for p in points]
    negative = [p.neg for p in points]
    positive = [p.pos for p in points]
    labels = [_tick(ctx, period, p.start) for p in points]
    sparks = text_chart(volume, negative, positive, words)
    return Image(
        png=png_chart(labels, volume, negative, positive, words),
        alt=t(
            "trends.chart.alt",
            period=fmt.span(t, period.span),
            n=t.number(sum(volume)),
            peak=t.number(max(volume, default=0)),
        ),
        title=words.title,
        text_fallback=sparks,
    )


def _tick(ctx: Context, period: Period, start: dt.datetime) -> str:
    local = localize(start, ctx.workspace.schedules.timezone)
    if period.step < dt.timedelta(hours=24) and period.span <= dt.timedelta(days=2):
        return local.strftime("%H:%M")
    return local.strftime("%d.%m." if ctx.locale == "de" else "%m-%d")


def _footnotes(ctx: Context, f: BriefFigures, by_model: bool) -> list[str]:
    t = ctx.t
    notes = coverage_notes(ctx, f.coverage)
    zone = ctx.workspace.schedules.timezone
    fmt_time = "%d.%m. %H:%M" if ctx.locale == "de" else "%m-%d %H:%M"
    notes.append(
        t(
            "trends.brief.window",
            start=localize(f.period.start, zone).strftime(fmt_time),
            end=localize(min(f.period.end, ctx.now()), zone).strftime(fmt_time),
            zone=zone,
        )
    )
    if by_model:
        notes.append(t("trends.brief.by_model"))
    return notes
