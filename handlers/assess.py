"""`assess TERM`: the four questions before a team engages, answered from the data with the
figures behind them, ending with a verdict whose reasons are those figures."""

from __future__ import annotations

import datetime as dt
from typing import Any

from core.assess import verdict as assess
from core.assess.data import DAYS, gather
from core.assess.verdict import Answer, Figures, Verdict
from core.clock import localize
from core.reply import Fact, Item, Reply, Request
from core.text import clean_text, truncate
from core.trends import event_words as words
from core.trends import fmt
from handlers.args import UsageError, parse
from handlers.context import Context
from handlers.registry import command

MAX_TERM = 200


@command("assess", aliases=("bewerten", "einschätzen", "einschaetzen"), order=22)
async def assess_command(request: Request, ctx: Context) -> Reply:
    """Should we engage? Volume, influence, distinctness and dialogue for a term, with a verdict.

    de: Sollen wir einsteigen? Volumen, Einfluss, Abgrenzung und Dialog zu einem Begriff, mit Urteil.
    Usage: assess TERM
    """
    term = truncate(clean_text(parse(request.args).text()), MAX_TERM)
    if not term:
        raise UsageError("trends.assess.missing")
    async with ctx.sessions() as session:
        figures = await gather(session, text=term, now=ctx.now(), days=DAYS)
    verdict = assess.judge(figures)
    t = ctx.t
    values = _values(ctx, figures)
    title = "title_competitor" if figures.kind == "competitor" else "title"
    return Reply(
        title=t(f"trends.assess.{title}", subject=figures.subject),
        sections=[_verdict(ctx, verdict, values), _period(ctx, figures)],
        items=[_item(ctx, answer, figures, values) for answer in verdict.answers],
        footnotes=[_basis(ctx, figures)],
    )


def _verdict(ctx: Context, verdict: Verdict, values: dict[str, Any]) -> str:
    """ "Verdict: engage — 17.4 mentions a day; 47 % are questions or complaints; …": the
    decision with the figures of the answers that carried it."""
    t = ctx.t

    def worded(codes: tuple[str, ...]) -> str:
        return "; ".join(t(f"trends.assess.reason.{r}", **values) for r in codes)

    decision = t(f"trends.assess.decision.{verdict.decision}", **values)
    pros, cons = verdict.pros(), verdict.cons()
    if verdict.decision in ("engage", "opening") and pros:
        detail = worded(pros)
    elif verdict.decision == "leave" and cons:
        detail = worded(cons)
    elif pros and cons:
        detail = t("trends.assess.pros_cons", pros=worded(pros), cons=worded(cons))
    else:
        detail = t(f"trends.assess.because.{verdict.reason}", **values)
    return f"{decision} — {detail}."


def _period(ctx: Context, f: Figures) -> str:
    """The one period every figure is over, and whether a period before was compared."""
    t = ctx.t
    zone = ctx.workspace.schedules.timezone
    pattern = "%d.%m.%Y %H:%M" if ctx.locale == "de" else "%Y-%m-%d %H:%M"
    end = min(f.end, ctx.now())
    began = ""
    if f.prev_n is None:
        began = t("trends.assess.period_began", began=_moment(ctx, f.listening or f.start))
    return t(
        "trends.assess.period",
        start=localize(f.start, zone).strftime(pattern),
        end=localize(end, zone).strftime(pattern),
        days=_days(f),
        began=began,
    )


def _moment(ctx: Context, value: dt.datetime) -> str:
    zone = ctx.workspace.schedules.timezone
    local = localize(value, zone)
    return f"{words.day(ctx.t, local)} {local.strftime('%H:%M')}"


def _basis(ctx: Context, f: Figures) -> str:
    t = ctx.t
    if f.searched:
        if f.capped:
            return t("trends.assess.basis_capped", n=t.number(f.n), sample=t.number(f.sample))
        return t("trends.assess.basis_searched", subject=f.subject, n=f.n)
    if f.capped:
        return t("trends.assess.basis_counted_capped", n=f.n, sample=t.number(f.sample))
    return t("trends.assess.basis", n=f.n)


def _item(ctx: Context, answer: Answer, f: Figures, values: dict[str, Any]) -> Item:
    t = ctx.t
    reasons = "; ".join(t(f"trends.assess.reason.{r}", **values) for r in answer.reasons)
    return Item(
        title=t(f"trends.assess.q.{answer.question}"),
        text=f"{t(f'trends.assess.grade.{answer.grade}')}: {reasons}",
        facts=tuple(_facts(ctx, answer.question, f, values)),
    )


def _values(ctx: Context, f: Figures) -> dict[str, Any]:
    """Every figure, formatted for the chat: what reasons and facts are worded with."""
    t = ctx.t
    pct = fmt.share

    def share_of(count: int) -> str:
        return pct(t, f.share(count))

    rivals = " · ".join(f"{r.name} {t.number(r.n)}" for r in f.rivals)
    if f.kind == "ours":
        rivals = " · ".join([f"{f.subject} {t.number(f.n)}", rivals]) if rivals else ""
    days = _days(f)
    return {
        "subject": f.subject,
        "days": t.number(days, 0 if float(days).is_integer() else 1),
        "days_text": t("trends.assess.days_text", count=days),
        "days_count": days,
        "n": t.number(f.n),
        "prev_n": t.number(f.prev_n) if f.prev_n is not None else "–",
        "change": fmt.signed_percent(t, f.change),
        "per_day": t.number(f.per_day, 1),
        "week": t.number(f.week) if f.week is not None else "–",
        "prev_week": t.number(f.prev_week) if f.prev_week is not None else "–",
        "week_change": fmt.signed_percent(t, f.week_change),
        "first_seen": _moment(ctx, f.first_seen) if f.first_seen else "–",
        "share_all": pct(t, f.share_all),
        "reach": t.number(f.reach),
        "questions": t.number(f.questions),
        "questions_share": share_of(f.questions),
        "complaints": t.number(f.complaints),
        "complaints_share": share_of(f.complaints),
        "asks_share": share_of(f.questions + f.complaints),
        "open": t.number(f.open_threads),
        "n_open": f.open_threads,
        "open_questions": t.number(f.open_questions),
        "n_open_questions": f.open_questions,
        "volatility": t.number(f.volatility, 2) if f.volatility is not None else "–",
        "authors": t.number(f.authors),
        "top5_share": pct(t, f.top5_share),
        "voices": ", ".join(f"{name} ({t.number(c)})" for name, c in f.top_voices) or "–",
        "sov": pct(t, f.voice_share),
        "rivals": rivals or "–",
        "net": _net(ctx, f.net),
        "gap": _net(ctx, f.gap),
        "net_ours": _net(ctx, f.net_ours),
        "net_theirs": _net(ctx, f.net_theirs),
        "named_ours": t.number(f.named_ours),
        "named_theirs": t.number(f.named_theirs),
        "named_share": share_of(f.named_ours),
        "sample": t.number(f.sample),
        "own_terms": ", ".join(f.own_terms) or t("trends.brief.none"),
        "buying": t.number(f.buying),
        "n_buying": f.buying,
        "buying_share": share_of(f.buying),
        "churn": t.number(f.churn),
        "n_churn": f.churn,
        "churn_share": share_of(f.churn),
        "busy": t.number(assess.BUSY_PER_DAY),
        "some": t.number(assess.SOME_PER_DAY),
        "big_share": t.percent(assess.BIG_SHARE),
    }


def _days(f: Figures) -> float | int:
    """The period in days as written: whole when it is (30), else to a tenth (13.4), so
    that a rate a day and the days it is over agree."""
    days = round(f.days, 1)
    return int(days) if days.is_integer() else days


def _net(ctx: Context, value: float | None) -> str:
    if value is None:
        return "–"
    text = ctx.t.number(abs(value), 2)
    return f"+{text}" if value > 0 else f"{fmt.MINUS}{text}" if value < 0 else text


def _labels(question: str, f: Figures) -> tuple[str, ...]:
    if question == "volume":
        mentions = "mentions" if f.prev_n is not None else "mentions_alone"
        out: tuple[str, ...] = (mentions, "per_day")
        if f.week is not None:
            out += ("week",)
        if f.first_seen is not None:
            out += ("first_seen",)
        return (*out, "share_all", "reach")
    if question == "distinct":
        if f.kind == "ours":
            return ("rivals", "sov", "net", "own_terms") if f.rivals else ("net", "own_terms")
        return ("named", "sov", "net_named")
    return {
        "influence": ("questions", "complaints", "open", "volatility", "voices"),
        "dialogue": ("buying", "churn", "complaints", "open_questions"),
        "unhappy": ("complaints", "churn", "week", "open_questions"),
        "presence": ("named_with_them", "net_them"),
        "win": ("churn", "buying", "open_questions"),
    }[question]


def _facts(ctx: Context, question: str, f: Figures, values: dict[str, Any]) -> list[Fact]:
    t = ctx.t
    out = []
    for label in _labels(question, f):
        if label == "week" and f.week is None:
            continue
        value_key = "mentions_alone" if label == "mentions_alone" else label
        fact_key = "mentions" if label == "mentions_alone" else label
        out.append(
            Fact(
                t(f"trends.assess.fact.{fact_key}", **values),
                t(f"trends.assess.value.{value_key}", **values),
            )
        )
    return out
