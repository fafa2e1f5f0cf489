"""Competitor moves: a competitor talked about much more than usual, or far more negatively.

Competitors are the watch terms of kind "competitor"; their counts are `term:<canonical>`.
"""

from __future__ import annotations

import datetime as dt

from core.backlog.rising import KeyWindow
from core.backlog.rules import RuleContext, key_suggestion
from core.backlog.suggestion import Suggestion
from core.storage.windows import mentions_for_key

WINDOW = dt.timedelta(days=7)
MIN_COUNT = 5
VOLUME_RATIO = 1.5
NEGATIVE_SHIFT = 0.15  # 15 percentage points more negative than usual


def moves(fig: KeyWindow) -> list[str]:
    """Which moves the figures show: "volume", "sentiment", both or none."""
    found: list[str] = []
    if fig.n < MIN_COUNT or fig.usual is None:
        return found
    if fig.ratio >= VOLUME_RATIO:
        found.append("volume")
    usual_neg = fig.usual_neg_share
    if fig.neg_share - (usual_neg or 0.0) >= NEGATIVE_SHIFT:
        found.append("sentiment")
    return found


async def suggest_competitor_moves(ctx: RuleContext) -> list[Suggestion]:
    out = []
    for canonical in sorted(ctx.competitors):
        key = f"term:{canonical}"
        fig = ctx.week.get(key)
        if fig is None:
            continue
        found = moves(fig)
        if not found:
            continue
        mentions = await mentions_for_key(
            session=ctx.session, key=key, since=ctx.now - WINDOW, until=ctx.now, limit=5
        )
        name = ctx.topic(key)
        for move in found:
            fmt = "linkedin_post" if move == "volume" else "blog_article"
            consistency = fig.consistency if move == "volume" else fig.neg_share
            amount = fig.n if move == "volume" else fig.neg
            usual_neg = fig.usual_neg_share
            out.append(
                key_suggestion(
                    ctx,
                    kind="competitor",
                    topic_key=f"{key}|{move}",
                    messages=f"backlog.rule.competitor.{move}",
                    names={"competitor": name},
                    fig=fig,
                    fmt=fmt,
                    amount=amount,
                    consistency=consistency,
                    counts={
                        "negative_share": round(fig.neg_share, 2),
                        "usual_negative_share": round(usual_neg, 2)
                        if usual_neg is not None
                        else 0.0,
                    },
                    mentions=mentions,
                    window=WINDOW,
                )
            )
    return out
