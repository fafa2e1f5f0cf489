"""`assess TERM`: the four questions before a team engages, answered from the data with the
figures behind them, ending with engage, watch or leave alone and the reasons."""

from __future__ import annotations

from typing import Any

from core.reply import Fact, Item, Reply, Request
from core.text import clean_text, truncate
from core.trends import assess, fmt
from core.trends.assess import Answer, Figures
from core.trends.assess_data import DAYS, gather
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
        figures = await gather(session, text=term, now=ctx.now())
    verdict = assess.judge(figures)
    t = ctx.t
    values = _values(ctx, figures)
    return Reply(
        title=t("trends.assess.title", subject=figures.subject),
        sections=[
            t(f"trends.assess.decision.{verdict.decision}")
            + " "
            + t(f"trends.assess.because.{verdict.reason}", **values)
        ],
        items=[_item(ctx, answer, figures, values) for answer in verdict.answers],
        footnotes=[
            t(
                "trends.assess.basis",
                days=t.number(DAYS),
                sample=t.number(figures.sample),
            )
        ],
    )


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
    return {
        "subject": f.subject,
        "days": t.number(f.days),
        "n": t.number(f.n),
        "prev_n": t.number(f.prev_n),
        "change": fmt.signed_percent(t, (f.n - f.prev_n) / f.prev_n if f.prev_n else None),
        "per_day": t.number(f.per_day, 1),
        "week": t.number(f.week),
        "prev_week": t.number(f.prev_week),
        "week_change": fmt.signed_percent(t, f.week_change),
        "share_all": pct(t, f.share_all),
        "reach": t.number(f.reach),
        "questions": t.number(f.questions),
        "questions_share": share_of(f.questions),
        "complaints": t.number(f.complaints),
        "complaints_share": share_of(f.complaints),
        "asks_share": share_of(f.questions + f.complaints),
        "open": t.number(f.open_threads),
        "open_questions": t.number(f.open_questions),
        "volatility": t.number(f.volatility, 2) if f.volatility is not None else "–",
        "authors": t.number(f.authors),
        "top5_share": pct(t, f.top5_share),
        "voices": ", ".join(f"{name} ({t.number(c)})" for name, c in f.top_voices) or "–",
        "sov": pct(t, f.voice_share),
        "rivals": rivals or "–",
        "net": _net(ctx, f.net),
        "gap": _net(ctx, f.gap),
        "own_terms": ", ".join(f.own_terms) or t("trends.brief.none"),
        "buying": t.number(f.buying),
        "buying_share": share_of(f.buying),
        "churn": t.number(f.churn),
        "churn_share": share_of(f.churn),
        "busy": t.number(assess.BUSY_PER_DAY),
        "some": t.number(assess.SOME_PER_DAY),
        "big_share": t.percent(assess.BIG_SHARE),
        "signal": t(f"trends.now.kind.{f.signal}") if f.signal else "",
    }


def _net(ctx: Context, value: float | None) -> str:
    if value is None:
        return "–"
    text = ctx.t.number(abs(value), 2)
    return f"+{text}" if value > 0 else f"{fmt.MINUS}{text}" if value < 0 else text


LABELS = {
    "volume": ("mentions", "per_day", "week", "share_all", "reach"),
    "influence": ("questions", "complaints", "open", "volatility", "voices"),
    "distinct": ("sov", "rivals", "net", "own_terms"),
    "dialogue": ("buying", "churn", "complaints", "open_questions"),
}


def _facts(ctx: Context, question: str, f: Figures, values: dict[str, Any]) -> list[Fact]:
    t = ctx.t
    labels = LABELS[question]
    if question == "distinct" and not f.rivals:
        labels = ("net", "own_terms")
    return [
        Fact(
            t(f"trends.assess.fact.{label}", **values),
            t(f"trends.assess.value.{label}", **values),
        )
        for label in labels
    ]
