"""The brief's section on stories: the period's main stories, each with its size, its
share of negative mentions, what most of its people want, and the mention that shows it.

Kept apart from handlers/brief.py, which adds these items with one call."""

from __future__ import annotations

from core.reply import Item
from core.stories.overview import Story
from core.text import truncate
from core.trends import fmt
from core.trends.event_words import NEARLY_ALL
from handlers.context import Context

EXAMPLE_CHARS = 200


def story_items(ctx: Context, stories: list[Story], *, comparable: bool = True) -> list[Item]:
    """One card per story, biggest (and fastest-growing) first."""
    t = ctx.t
    out = []
    for story in stories:
        if comparable:
            title = t(
                "stories.brief.title",
                label=story.label,
                count=story.n,
                change=fmt.signed_percent(t, story.growth),
            )
        else:
            title = t("stories.brief.title_plain", label=story.label, count=story.n)
        if story.intent != "other" and story.intent_share >= NEARLY_ALL:
            intent = t(f"stories.intent_all.{story.intent}")  # not "mostly questions (100 %)"
        else:
            intent = t(f"stories.intent.{story.intent}", share=t.percent(story.intent_share))
        lines = [t("stories.brief.detail", negative=t.percent(story.neg_share), intent=intent)]
        example = story.representative
        if example is not None:
            lines.append(t("stories.brief.example", text=truncate(example.text, EXAMPLE_CHARS)))
        out.append(
            Item(
                title=title,
                text="\n".join(lines),
                url=example.url if example is not None else None,
                source=example.source if example is not None else None,
                time=example.published_at if example is not None else None,
            )
        )
    return out
