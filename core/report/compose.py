"""The report's content in the channel's language: the figures turned into a document
(core.report.document) with the charts drawn. Runs in a worker thread (matplotlib)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from core.clock import localize
from core.format import format_day, format_time
from core.i18n import Translator
from core.report import charts
from core.report.document import Heading, PageBreak, Paragraph, Picture, ReportDoc, Table
from core.report.figures import ReportFigures
from core.stories.overview import Story
from core.text import truncate
from core.trends import event_words as words
from core.trends import fmt
from core.trends.chart import ChartText
from core.trends.period import Period

EVENTS_SHOWN = 8
MENTION_CHARS = 320
INTENT_KEYS = ("complaint", "question")


@dataclass(frozen=True)
class Setting:
    """Who the report is for and how it speaks: brand, zone, language, when it was made,
    and the coverage notes the chat's brief uses (rendered by the caller)."""

    workspace: str
    brand: str
    zone: str
    now: dt.datetime
    coverage: list[str]
    synthetic: bool = False


def period_words(t: Translator, period: Period, zone: str) -> str:
    """ "01.12.2026 – 07.12.2026 (7 days)", or the quarter's name with its dates."""
    pattern = "%d.%m.%Y" if t.locale == "de" else "%Y-%m-%d"
    first = localize(period.start, zone).strftime(pattern)
    last = localize(period.end - dt.timedelta(seconds=1), zone).strftime(pattern)
    if "Q" in period.name:
        return t("report.period_quarter", name=period.name, first=first, last=last)
    return t("report.period_span", first=first, last=last, span=fmt.span(t, period.span))


def compose(t: Translator, f: ReportFigures, s: Setting) -> ReportDoc:
    """The whole report for the figures `f`."""
    b = f.brief
    doc = ReportDoc(
        title=t("report.title"),
        workspace=s.brand if s.brand == s.workspace else f"{s.brand} · {s.workspace}",
        period=period_words(t, b.period, s.zone),
        cover_lines=[t("report.made", when=format_time(s.now, t.locale, s.zone), zone=s.zone)],
        footer=t("report.footer", brand=s.brand, period=b.period.name),
        language=t.locale,
    )
    if s.synthetic:
        doc.cover_lines.append(t("render.synthetic"))
    if not b.comparable:
        doc.cover_lines.append(t("report.no_comparison"))
    blocks = doc.blocks
    blocks += [Heading(t("report.headline")), _headline(t, f)]
    blocks += [PageBreak(), Heading(t("report.timeline")), *_timeline(t, f, s)]
    blocks += _voice(t, f)
    blocks += [Heading(t("report.stories")), *_stories(t, f.stories, b.comparable)]
    blocks += [Heading(t("report.top")), *_top(t, f, s)]
    blocks += [Heading(t("report.answers")), *_answers(t, f)]
    blocks += [Heading(t("report.work")), *_work(t, f, s)]
    blocks += [Heading(t("report.coverage")), *[Paragraph(line) for line in s.coverage]]
    return doc


def _change(t: Translator, n: int, prev: int, comparable: bool) -> tuple[str, str]:
    if not comparable:
        return "–", "–"
    if not n and not prev:
        return "0", "–"
    return t.number(prev), fmt.signed_percent(t, (n - prev) / prev if prev else None)


def _rate(answered: int, asked: int) -> float | None:
    return answered / asked if asked else None


def _headline(t: Translator, f: ReportFigures) -> Table:
    b = f.brief
    ok = b.comparable
    rows = [
        (t("report.fig.mentions"), t.number(b.n), *_change(t, b.n, b.prev_n, ok)),
        (t("report.fig.reach"), t.number(b.reach), "", ""),
    ]
    for which in ("neg", "pos"):
        now, before = b.mix.share(which), b.prev_mix.share(which)
        shift = now - before if ok and now is not None and before is not None else None
        rows.append(
            (
                t(f"report.fig.{which}"),
                fmt.share(t, now),
                fmt.share(t, before) if ok else "–",
                fmt.points(t, shift) if ok else "–",
            )
        )
    if b.voice is not None:
        rows.append(
            (
                t("report.fig.voice"),
                fmt.share(t, b.voice.share),
                fmt.share(t, b.voice.prev_share) if ok else "–",
                fmt.points(t, b.voice.shift) if ok else "–",
            )
        )
    rate, prev_rate = _rate(f.answered, f.asked), _rate(f.prev_answered, f.prev_asked)
    rows.append(
        (
            t("report.fig.answered"),
            t("report.of", part=t.number(f.answered), whole=t.number(f.asked)),
            t("report.of", part=t.number(f.prev_answered), whole=t.number(f.prev_asked))
            if ok
            else "–",
            fmt.points(t, rate - prev_rate if rate is not None and prev_rate is not None else None)
            if ok
            else "–",
        )
    )
    rows.append(
        (
            t("report.fig.approved"),
            t.number(f.approved),
            *_change(t, f.approved, f.prev_approved, ok),
        )
    )
    rows.append(
        (
            t("report.fig.published"),
            t.number(f.published),
            *_change(t, f.published, f.prev_published, ok),
        )
    )
    rows.append(
        (
            t("report.fig.done"),
            t.number(f.done_total),
            *_change(t, f.done_total, f.prev_done_total, ok),
        )
    )
    return Table(
        header=(
            t("report.col.figure"),
            t("report.col.period"),
            t("report.col.before"),
            t("report.col.change"),
        ),
        rows=rows,
        widths=(4, 2, 2, 2),
        align="LRRR",
    )


def _tick(t: Translator, period: Period, start: dt.datetime, zone: str) -> str:
    if period.step < dt.timedelta(hours=24) and period.span <= dt.timedelta(days=2):
        return localize(start, zone).strftime("%H:%M")
    return format_day(start, t.locale, zone)


def _timeline(t: Translator, f: ReportFigures, s: Setting) -> list[Paragraph | Picture]:
    b = f.brief
    period = b.period
    if not b.n:
        return [Paragraph(t("report.no_mentions"))]
    shown = sorted(b.events, key=lambda e: (-e.score, e.key))[:EVENTS_SHOWN]
    shown.sort(key=lambda e: (e.start, e.key))
    marks = [
        charts.Mark(
            number=i,
            start=(e.start - period.start) / period.step,
            end=(e.until - period.start) / period.step,
        )
        for i, e in enumerate(shown, start=1)
    ]
    words_ = ChartText(
        title=t("trends.chart.title"),
        volume=t("trends.chart.volume"),
        negative=t("trends.chart.negative"),
        positive=t("trends.chart.positive"),
    )
    png = charts.timeline(
        [_tick(t, period, p.start, s.zone) for p in b.points],
        [p.n for p in b.points],
        [p.neg for p in b.points],
        [p.pos for p in b.points],
        marks,
        words_,
    )
    alt = t(
        "trends.chart.alt",
        period=fmt.span(t, period.span),
        n=t.number(b.n),
        peak=t.number(max((p.n for p in b.points), default=0)),
    )
    out: list[Paragraph | Picture] = [Picture(png, alt)]
    if not shown:
        out.append(Paragraph(t("report.no_events")))
        return out
    out.append(Paragraph(t("report.events", count=len(shown))))
    hours = period.span <= dt.timedelta(days=2)
    for i, event in enumerate(shown, start=1):
        out.append(Paragraph(f"{i}. " + words.sentence(t, b.names, event, s.zone, hours=hours)))
    if len(b.events) > len(shown):
        out.append(
            Paragraph(
                t("report.more_events", count=len(b.events) - len(shown), period=period.name),
                small=True,
            )
        )
    return out


def _voice(t: Translator, f: ReportFigures) -> list[Heading | Paragraph | Picture | Table]:
    b = f.brief
    if b.voice is None or not b.voices:
        return []
    rows = []
    chart_rows = []
    for v in b.voices:
        name = b.names.of(f"term:{v.competitor}")
        caption = t(
            "report.voice_caption",
            share=fmt.share(t, v.share),
            ours=t.number(v.ours),
            theirs=t.number(v.theirs),
        )
        chart_rows.append((name, v.share or 0.0, caption))
        rows.append(
            (
                name,
                t.number(v.ours),
                t.number(v.theirs),
                fmt.share(t, v.share),
                fmt.points(t, v.shift) if b.comparable else "–",
            )
        )
    png = charts.voice_bars(chart_rows, t("report.voice_axis"))
    return [
        Heading(t("report.voice")),
        Paragraph(t("report.voice_intro", share=fmt.share(t, b.voice.share))),
        Picture(png, t("report.voice_alt", share=fmt.share(t, b.voice.share)), width=0.9),
        Table(
            header=(
                t("report.col.competitor"),
                t("report.col.ours"),
                t("report.col.theirs"),
                t("report.col.share"),
                t("report.col.change"),
            ),
            rows=rows,
            widths=(4, 2, 2, 2, 2),
            align="LRRRR",
        ),
    ]


def _stories(t: Translator, stories: list[Story], comparable: bool) -> list[Paragraph | Table]:
    if not stories:
        return [Paragraph(t("report.no_stories"))]
    rows = [
        (
            s.label,
            t.number(s.n),
            fmt.signed_percent(t, s.growth) if comparable else "–",
            t.percent(s.neg_share),
            t(f"report.wants.{s.intent}"),
            truncate(s.representative.text, 160) if s.representative is not None else "",
        )
        for s in stories
    ]
    return [
        Table(
            header=(
                t("report.col.story"),
                t("report.col.mentions"),
                t("report.col.change"),
                t("report.col.negative"),
                t("report.col.wants"),
                t("report.col.example"),
            ),
            rows=rows,
            widths=(3, 2.3, 2.1, 1.8, 2.3, 6.5),
            align="LRRRLL",
        )
    ]


def _top(t: Translator, f: ReportFigures, s: Setting) -> list[Paragraph | Table]:
    top = f.brief.top
    if not top:
        return [Paragraph(t("report.none"))]
    rows = []
    for m in top:
        who = m.author or m.author_handle or "–"
        where = f"{format_time(m.published_at, t.locale, s.zone)}\n{m.source}\n{who}"
        body = truncate(m.text, MENTION_CHARS)
        if m.url:
            body += f"\n{truncate(m.url, 120)}"
        sentiment = t(f"sentiment.{m.sentiment}") if m.sentiment else "–"
        rows.append((t.number(m.reach), where, sentiment, body))
    return [
        Table(
            header=(
                t("report.col.reach"),
                t("report.col.where"),
                t("report.col.sentiment"),
                t("report.col.text"),
            ),
            rows=rows,
            widths=(2.1, 3.2, 1.7, 8.4),
            align="RLLL",
        )
    ]


def _answers(t: Translator, f: ReportFigures) -> list[Paragraph | Table]:
    rows = []
    for intent in INTENT_KEYS:
        asked, answered = f.voices.get(intent, (0, 0))
        rows.append(
            (
                t(f"report.intent.{intent}"),
                t.number(asked),
                t.number(answered),
                t.number(max(asked - answered, 0)),
                fmt.share(t, _rate(answered, asked)),
            )
        )
    rows.append(
        (
            t("report.total"),
            t.number(f.asked),
            t.number(f.answered),
            t.number(max(f.asked - f.answered, 0)),
            fmt.share(t, _rate(f.answered, f.asked)),
        )
    )
    return [
        Table(
            header=(
                t("report.col.kind"),
                t("report.col.asked"),
                t("report.col.answered"),
                t("report.col.open"),
                t("report.col.rate"),
            ),
            rows=rows,
            widths=(4, 2, 2, 2, 2),
            align="LRRRR",
        ),
        Paragraph(t("report.answered_means"), small=True),
    ]


def _work(t: Translator, f: ReportFigures, s: Setting) -> list[Paragraph | Table]:
    out: list[Paragraph | Table] = [
        Paragraph(t("report.drafts", approved=f.approved, published=f.published)),
        Paragraph(t("report.done", count=f.done_total)),
    ]
    if f.done:
        rows = [
            (
                truncate(item.title, 160),
                item.owner or "–",
                format_day(item.done_at or item.state_changed_at, t.locale, s.zone),
            )
            for item in f.done
        ]
        out.append(
            Table(
                header=(t("report.col.item"), t("report.col.owner"), t("report.col.done_on")),
                rows=rows,
                widths=(8, 3, 2),
                align="LLR",
            )
        )
        if f.done_total > len(f.done):
            out.append(
                Paragraph(t("report.more_done", count=f.done_total - len(f.done)), small=True)
            )
    return out
