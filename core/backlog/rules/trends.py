"""Rising terms and hashtags: a post while people talk about it more than usual."""

from __future__ import annotations

import datetime as dt

from core.backlog.rising import KeyWindow, rising
from core.backlog.rules import RuleContext, key_suggestion
from core.backlog.suggestion import Suggestion
from core.storage.stories import stories_of_key
from core.storage.windows import mentions_for_key

WINDOW = dt.timedelta(days=7)
MIN_COUNT = 5
MIN_RATIO = 2.0
VIDEO_REACH = 50_000
MAX_ITEMS = 5
STORY_SHARE = 0.5  # a key with this share of its mentions in one story is that story


def pick_format(fig: KeyWindow) -> str:
    """Mostly negative talk needs an explanation; a far-reaching hashtag a short video."""
    if fig.neg_share > 0.5:
        return "blog_article"
    if fig.key.startswith("tag:") and fig.reach >= VIDEO_REACH:
        return "short_video"
    return "linkedin_post"


async def suggest_trends(ctx: RuleContext) -> list[Suggestion]:
    """One item per rising keyword or hashtag. A key that is one story seen from outside
    ("#lumoralatteart") is filed as that story (`identity`): the story rule's item for it,
    if it makes one, is the same item; and a story too new to have a usual level (which the
    story rule needs to call it rising) still gets its post while it rises."""
    # A rising brand or product name is made of stories (each its own item) and a rising
    # competitor has its own rule: what is left are keywords and hashtags.
    named = ctx.competitors | ctx.ours
    figures = {k: f for k, f in ctx.week.items() if k.partition(":")[2] not in named}
    out: list[Suggestion] = []
    for fig in rising(figures, min_count=MIN_COUNT, min_ratio=MIN_RATIO):
        if len(out) >= MAX_ITEMS:
            break
        inside = await stories_of_key(
            session=ctx.session, key=fig.key, since=ctx.now - WINDOW, until=ctx.now
        )
        story = None
        if inside and (top := inside.most_common(1)[0])[1] >= STORY_SHARE * fig.n:
            story = f"topic:{top[0]}"
        fmt = pick_format(fig)
        topic = ctx.topic(fig.key)
        mentions = await mentions_for_key(
            session=ctx.session, key=fig.key, since=ctx.now - WINDOW, until=ctx.now, limit=5
        )
        variant = "negative" if fmt == "blog_article" else "positive"
        out.append(
            key_suggestion(
                ctx,
                kind="trend",
                topic_key=story or fig.key,
                messages=f"backlog.rule.trend.{variant}",
                names={"topic": topic},
                fig=fig,
                fmt=fmt,
                amount=fig.n,
                consistency=fig.consistency,
                counts={"negative": fig.neg, "positive": fig.pos, "active_days": fig.blocks_active},
                mentions=mentions,
                window=WINDOW,
                identity=story,
            )
        )
    return out
