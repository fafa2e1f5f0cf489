"""One backlog item per story: what its people want decides what to make.

A story (core.stories.overview) is mentions that tell one thing, German and English
together. Its leading intent — from each mention's stored intent — picks the item:
complaints get a public answer where they were made, questions an FAQ entry (a blog
article when many ask), praise a post that shares it, purchase interest a buying guide,
and anything else only a post while it is rising. Complaints must come with a mostly
negative mood and praise with a mostly positive one, so one misread intent does not turn
thanks into a complaint; questions asked mostly in anger ("is the app down for everyone?")
are complaints, never an FAQ entry. Only stories about us (our brand or products named in
enough of their mentions) become complaint, question, praise or purchase items, and general
chatter ("the hotel's coffee machine") is not ours to answer; a competitor's story is left
to the competitor rule. Titles and user stories are written in the channel's
language from templates per intent, with the story's name in quotes.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from core.backlog import ice
from core.backlog.rising import KeyWindow
from core.backlog.rules import RuleContext
from core.backlog.suggestion import CHANNEL_OF_FORMAT, Suggestion
from core.ingest_rows import TERM_SEP
from core.models import Mention
from core.storage import stories as store
from core.storage.stories import Figures
from core.stories.overview import leading_intent, pick
from core.text import truncate

WEEK = dt.timedelta(days=7)
FORTNIGHT = dt.timedelta(days=14)  # questions recur slowly: they are read over two weeks
MIN_VOICES = {"complaint": 4, "question": 3, "praise": 5, "purchase": 3}
# A story is rising at this many times its usual level, and this many standard deviations
# (Poisson) above it: stories are young, and a young story's usual level is thin.
RISING = 3.0
RISING_Z = 4.0
MIN_RISING = 5
BLOG_FROM = 50  # this many askers in two weeks: an FAQ line is not enough
VIDEO_REACH = 50_000
OURS = 0.3  # a story naming us in this share of its mentions is ours to answer
THEIRS = 0.5  # a story naming a competitor in this share (and us rarely) is theirs
MOOD = 0.4  # complaints need this share negative, praise this share positive
ANGRY = 0.5  # questions asked mostly in anger are complaints
MAX_ITEMS = 8
UNANSWERABLE = ("news", "blog")  # where a complaint is reported or reviewed, not made


@dataclass(frozen=True)
class Plan:
    """What to make of a story: the kind of item, its format, the intent read, and where."""

    kind: str
    fmt: str
    intent: str  # the intent whose mentions are the evidence ("" for all of them)
    variant: str = ""  # the template variant (trend: positive or negative)


def plan(fig: Figures, asked: Figures | None, week: KeyWindow | None, *, ours: bool) -> Plan | None:
    """The item a story calls for, from its week (and its fortnight for questions)."""
    lead = leading_intent(fig.intents)
    voiced = fig.intents["complaint"] + fig.intents["question"]
    if ours and lead in ("complaint", "question") and voiced >= MIN_VOICES["complaint"]:
        # "Is the app down for everyone?" asked in anger is a complaint, not an FAQ.
        if lead == "complaint" and fig.neg >= MOOD * fig.n:
            return Plan("complaint", "reply_thread", "complaint")
        if fig.neg >= ANGRY * fig.n:
            return Plan("complaint", "reply_thread", "")
    if ours and (lead == "question" or (asked and leading_intent(asked.intents) == "question")):
        source = asked or fig
        if source.intents["question"] >= MIN_VOICES["question"] and source.neg < ANGRY * source.n:
            many = source.intents["question"] >= BLOG_FROM
            return Plan("question", "blog_article" if many else "faq_entry", "question")
    if ours and lead in ("praise", "purchase") and fig.intents[lead] >= MIN_VOICES[lead]:
        # Praise that is rising is best met while it rises: a post on the story (below).
        if lead == "praise" and fig.pos >= MOOD * fig.n and not rising(week):
            video = fig.reach >= VIDEO_REACH and fig.intents["praise"] >= 20
            return Plan("praise", "short_video" if video else "linkedin_post", "praise")
        if lead == "purchase":
            return Plan("purchase", "blog_article", "purchase")
    if rising(week) and fig.n >= MIN_RISING:
        negative = fig.neg > 0.5 * fig.n
        fmt = "blog_article" if negative else "linkedin_post"
        return Plan("trend", fmt, "", variant="negative" if negative else "positive")
    return None


def rising(week: KeyWindow | None) -> bool:
    """Whether a story's week stands clearly above its usual level."""
    if week is None or week.usual is None:
        return False
    z = (week.n - week.usual) / max(week.usual, 1.0) ** 0.5
    return week.ratio >= RISING and z >= RISING_Z


def is_theirs(names: Counter[str], n: int, ctx: RuleContext) -> bool:
    """Whether a story is a competitor's: one named in most of its mentions, we in few."""
    theirs = max((names[c] for c in ctx.competitors), default=0)
    return n > 0 and theirs >= THEIRS * n and not is_ours(names, n, ctx)


def is_ours(names: Counter[str], n: int, ctx: RuleContext) -> bool:
    """Whether a story names our brand or products in enough of its mentions (`n`: its
    mentions in the fortnight the names were counted over)."""
    return n > 0 and sum(names[c] for c in ctx.ours) >= OURS * n


def place(fig: Figures, intent: str) -> tuple[str, str]:
    """Where the voices of an intent were raised most: (place key, source name)."""
    spots = Counter(
        {(src, kind): n for (i, src, kind), n in fig.places.items() if i == intent or not intent}
    )
    if not spots:
        return "other", ""
    (source, kind), _ = spots.most_common(1)[0]
    low = source.lower()
    for key, marks in (
        ("forum", ("forum",)),
        ("reddit", ("reddit",)),
        ("mastodon", ("mastodon",)),
        ("bluesky", ("bluesky", "bsky")),
        ("hackernews", ("hackernews", "-hn", "hn-")),
        ("blog", ("blog",)),
        ("news", ("news", "presse")),
    ):
        if any(m in low for m in marks) or kind == key:
            return key, source
    if kind in ("x", "twitter"):
        return "x", source
    return "other", source


async def suggest_stories(ctx: RuleContext) -> list[Suggestion]:
    """One suggestion per story that calls for one, best evidence first."""
    out = []
    for root, fig in sorted(ctx.story_week.items(), key=lambda kv: (-kv[1].n, kv[0])):
        asked = ctx.story_fortnight.get(root)
        names = ctx.story_names.get(root, Counter())
        if is_theirs(names, (asked or fig).n, ctx):
            continue  # the competitor rule speaks for a competitor's story
        ours = is_ours(names, (asked or fig).n, ctx)
        chosen = plan(fig, asked, ctx.story_trends.get(f"topic:{root}"), ours=ours)
        if chosen is None:
            continue
        if chosen.kind == "complaint" and place(fig, chosen.intent)[0] in UNANSWERABLE:
            continue  # complaints reported in the news are not answered under the article
        source = asked if chosen.kind == "question" and asked else fig
        out.append(await _suggestion(ctx, root, source, chosen))
    for root, asked in ctx.story_fortnight.items():
        # Questions of the week before still wait for an answer.
        if root in ctx.story_week:
            continue
        ours = is_ours(ctx.story_names.get(root, Counter()), asked.n, ctx)
        chosen = plan(asked, asked, None, ours=ours)
        if chosen is not None and chosen.kind == "question":
            out.append(await _suggestion(ctx, root, asked, chosen))
    out.sort(key=lambda s: (-s.ice.score, s.topic_key))
    return out[:MAX_ITEMS]


async def _suggestion(ctx: RuleContext, root: int, fig: Figures, chosen: Plan) -> Suggestion:
    t = ctx.t
    key = f"topic:{root}"
    window = FORTNIGHT if chosen.kind == "question" else WEEK
    since = ctx.now - window
    topic = ctx.story_label(root)
    voices = fig.intents[chosen.intent] if chosen.intent else fig.n
    where, source = place(fig, chosen.intent)
    ids = await store.member_ids(
        session=ctx.session, root=root, since=since, until=ctx.now, intent=chosen.intent or None
    )
    # The example shows what the item is about: a complaint item quotes a complaint even
    # when its evidence counts the story's questions too (read on the demo: "Answer the
    # complaints about descaling", quoting "How often do I have to descale?").
    shown = chosen.intent or ("complaint" if chosen.kind == "complaint" else "")
    examples: list[Mention] = []
    for intent in dict.fromkeys([shown, chosen.intent]):
        for language in (ctx.locale, None):
            examples = examples or await store.candidates(
                session=ctx.session,
                root=root,
                since=since,
                until=ctx.now,
                language=language,
                intent=intent or None,
            )
    about_us = [m for m in examples if set(m.matched_terms.split(TERM_SEP)) & ctx.ours]
    example = truncate(pick(about_us or examples, topic, []).text, 160) if examples else ""
    name = f"{chosen.kind}.{chosen.variant}" if chosen.variant else chosen.kind
    if chosen.kind == "question":
        name = f"question.{'blog' if chosen.fmt == 'blog_article' else 'faq'}"
    words = {
        "topic": topic,
        "brand": ctx.brand,
        "example": example,
        "place": t(f"backlog.place.{where}", source=source),
    }
    audience = t(f"backlog.rule.{name}.audience", **words)
    week = ctx.story_trends.get(key)
    counts: dict[str, float] = {"mentions": fig.n, "reach": fig.reach}
    if chosen.intent:
        counts[chosen.intent] = voices
    elif chosen.kind == "complaint":
        counts["complaint"] = fig.intents["complaint"]
        counts["question"] = fig.intents["question"]
        voices = fig.intents["complaint"] + fig.intents["question"]
    counts["negative"] = fig.neg
    if week is not None and week.usual is not None:
        counts["usual"] = round(week.usual, 1)
        counts["ratio"] = round(week.ratio, 1)
    share = voices / fig.n if fig.n else 0.0
    consistency = 0.5 * share + 0.5 * (week.consistency if week is not None else 0.0)
    fmt = chosen.fmt
    return Suggestion(
        kind=chosen.kind,
        topic_key=key,
        title=t(f"backlog.rule.{name}.title", **words),
        story=t(f"backlog.rule.{name}.story", audience=audience, **words),
        audience=audience,
        channel=source if fmt == "reply_thread" and source else CHANNEL_OF_FORMAT.get(fmt, ""),
        format=fmt,
        ice=ice.score(
            volume=fig.n, reach=fig.reach, amount=voices, consistency=consistency, fmt=fmt
        ),
        counts=counts,
        mention_ids=ids,
        window_days=window.days,
        identity=key,
    )
