"""What people ask and what they complain about, grouped by similar wording.

Recurring questions deserve an FAQ entry (or, when many ask, a blog article); complaints
deserve a public answer in a reply thread where they were made.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from core.backlog import ice
from core.backlog.cluster import Group, group
from core.backlog.rules import RuleContext
from core.backlog.suggestion import CHANNEL_OF_FORMAT, Suggestion
from core.pipeline import TERM_SEP
from core.storage.backlog_evidence import Voice, mentions_by_intent
from core.text import truncate


@dataclass(frozen=True)
class VoiceRule:
    intent: str  # the Mention.intent the rule reads
    kind: str
    window: dt.timedelta
    min_group: int
    max_items: int = 5


QUESTIONS = VoiceRule("question", "question", dt.timedelta(days=14), min_group=3)
COMPLAINTS = VoiceRule("complaint", "complaint", dt.timedelta(days=7), min_group=2)
BLOG_FROM = 10  # this many askers: an FAQ line is not enough


def _representative(group_: Group, rows: list[Voice]) -> Voice:
    """The member sharing most label words; among those the widest-reaching."""
    label = set(group_.label)

    def rank(i: int) -> tuple[int, int]:
        text = rows[i].text.casefold()
        return (sum(1 for w in label if w in text), rows[i].reach)

    return rows[max(group_.members, key=rank)]


async def suggest_voices(ctx: RuleContext, rule: VoiceRule) -> list[Suggestion]:
    rows = await mentions_by_intent(
        session=ctx.session, intent=rule.intent, since=ctx.now - rule.window, until=ctx.now
    )
    if not rows:
        return []
    terms = [[t for t in m.matched_terms.split(TERM_SEP) if t] for m in rows]
    texts = [f"{m.title or ''} {m.text}" for m in rows]
    groups = group(texts, extra=terms, ignore=ctx.brand_words)
    out = []
    for g in groups:
        if len(g.members) < rule.min_group or not g.label:
            continue
        members = [rows[i] for i in g.members]
        authors = {m.author_handle or m.author or f"#{m.id}" for m in members}
        reach = sum(m.reach for m in members)
        consistency = 0.5 * g.cohesion + 0.5 * len(authors) / len(members)
        topic = ", ".join(g.label)
        example = truncate(_representative(g, rows).text, 160)
        if rule.kind == "question":
            fmt = "blog_article" if len(members) >= BLOG_FROM else "faq_entry"
            channel = CHANNEL_OF_FORMAT[fmt]
        else:
            fmt = "reply_thread"
            channel = Counter(m.source for m in members).most_common(1)[0][0]
        t = ctx.t
        audience = t(f"backlog.rule.{rule.kind}.audience", topic=topic)
        newest_first = sorted(members, key=lambda m: (m.reach, m.id), reverse=True)
        out.append(
            Suggestion(
                kind=rule.kind,
                topic_key=" ".join(sorted(g.label[:2])),
                title=t(f"backlog.rule.{rule.kind}.title", topic=topic),
                story=t(
                    f"backlog.rule.{rule.kind}.story",
                    audience=audience,
                    topic=topic,
                    brand=ctx.brand,
                    example=example,
                ),
                audience=audience,
                channel=channel,
                format=fmt,
                ice=ice.score(
                    volume=len(members),
                    reach=reach,
                    amount=len(members),
                    consistency=consistency,
                    fmt=fmt,
                ),
                counts={
                    "mentions": len(members),
                    "authors": len(authors),
                    "reach": reach,
                    "cohesion": round(g.cohesion, 2),
                },
                mention_ids=[m.id for m in newest_first[:10]],
                window_days=rule.window.days,
            )
        )
        if len(out) >= rule.max_items:
            break
    return out
