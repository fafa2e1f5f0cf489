"""`trends`: what is emerging right now — bursts, climbs and drops with their evidence — and
the "add to backlog" button of trends and alerts."""

from __future__ import annotations

import datetime as dt

from sqlmodel.ext.asyncio.session import AsyncSession

from core.alerts.message import (
    BACKLOG_ACTION,
    Movement,
    backlog_action,
    facts,
    mention_evidence,
    what,
)
from core.alerts.targets import DEFAULT_LEVEL, KIND, LEVELS, level_of, settings_of
from core.analysis.bursts import DetectorConfig
from core.backlog import ice
from core.backlog.suggestion import CHANNEL_OF_FORMAT, Suggestion
from core.clock import localize
from core.db import session_scope
from core.reply import Action, Fact, Item, Reply, Request
from core.storage import alerts as alert_store
from core.storage import audit, conversations
from core.storage import backlog as backlog_store
from core.storage import sources as source_store
from core.storage import windows as store
from core.stories.overview import story_key, story_of_key
from core.trends import emerging, fmt
from core.trends import event_words as words
from core.trends.coverage import coverage
from core.trends.emerging import Moving
from core.trends.events import Event, find_events
from core.trends.fmt import count_change
from core.trends.names import Names, load_names
from core.trends.period import HOUR, Period, floor_hour, parse_period
from handlers.args import UsageError, json_button_value, parse
from handlers.context import Context
from handlers.coverage_note import partial_coverage
from handlers.registry import action, command

LIMIT = 6
EVENT_LIMIT = 8
EXAMPLES = 2
PERIOD_BUTTONS = ("24h", "7d", "30d")
ONGOING_WINDOW = "24h"
RECENT = dt.timedelta(hours=24)
KINDS = ("burst", "climb", "drop")
KEY_PREFIXES = ("term:", "tag:", "topic:")
CONFIGS: dict[str, DetectorConfig] = {lvl: DetectorConfig(sensitivity=lvl) for lvl in LEVELS}


@command("trends", aliases=("trend",), order=21)
async def trends_command(request: Request, ctx: Context) -> Reply:
    """What is moving right now (the last hours, whatever the time) and, for a period, what moved.

    de: Was sich gerade bewegt (die letzten Stunden, egal zu welcher Uhrzeit) und, für einen Zeitraum, was sich bewegt hat.
    Usage: trends [24h|7d|30d]
    """
    parsed = parse(request.args, max_positional=1)
    return await trends_reply(request, ctx, parsed.positional[0] if parsed.positional else None)


@action("trends.now")
async def trends_button(request: Request, ctx: Context) -> Reply:
    """The "What is emerging now" button under a brief."""
    return await trends_reply(request, ctx, request.action_value or None)


async def trends_reply(request: Request, ctx: Context, period_text: str | None = None) -> Reply:
    """What moves now at this channel's alert sensitivity, with evidence; with a period,
    also the events of that period. Each list most significant first, by the z it shows."""
    t = ctx.t
    now = ctx.now()
    period = parse_period(period_text, now) if period_text else None
    if period_text and period is None:
        raise UsageError("trends.brief.bad_period", value=period_text)
    conv = request.conversation
    async with ctx.sessions() as session:
        sub = await conversations.get_subscription(
            session=session, platform=conv.platform, channel_id=conv.id, kind=KIND
        )
        level = level_of(settings_of(sub.settings)) if sub else DEFAULT_LEVEL
        config = CONFIGS[level]
        keys = await emerging.candidates(session, now=now, config=config)
        limits = await alert_store.thresholds(session=session, keys=keys)
        factors = {k: r.factor for k, r in limits.items()}
        moving = await emerging.scan(session, now=now, config=config, factors=factors, keys=keys)
        stories = {m.signal.key: await _story(session, m.signal.key, now) for m in moving}
        moving = _once_per_story(moving, stories)
        # Without a period: the events of the last day that still go on (a climb since
        # yesterday whose last hour is merely as busy as the hours before it).
        window = period or parse_period(ONGOING_WINDOW, now)
        assert window is not None
        found = await find_events(session, since=window.start, until=window.end, now=now)
        # What moves now is listed above; its event is the same story.
        now_keys = {m.signal.key for m in moving[:LIMIT]}
        now_keys |= {stories[k] or k for k in now_keys}
        for e in found:
            stories.setdefault(e.key, await _story(session, e.key, now))
        events = [
            e
            for e in found
            if not (e.ongoing and {e.key, stories[e.key] or e.key} & now_keys)
            and (period is not None or e.ongoing)
        ]
        names = await load_names(
            session,
            locale=ctx.locale,
            topic_keys=[m.signal.key for m in moving]
            + [k for e in events for k in (e.key, *e.related, *(c.key for c in e.companions))],
        )
        items = await _moving_items(ctx, session, moving[:LIMIT], factors, names, stories)
        event_items = await _event_items(ctx, session, events[:EVENT_LIMIT], names, period, stories)
        recent = await alert_store.recent_alerts(session=session, since=now - RECENT, limit=5)
        states = await source_store.list_states(session=session) if period else {}
    zone = ctx.workspace.schedules.timezone
    partial: list[str] = []
    if period is not None:
        cov = coverage(
            workspace=ctx.workspace,
            settings=ctx.services.settings,
            states=states,
            delivered=(),
            since=period.start,
        )
        partial = [partial_coverage(ctx, cov.partial)] if cov.partial else []
    sections = [t("trends.now.header" if moving else "trends.now.quiet")]
    if period is not None:
        span = fmt.span(t, period.span, dative=True)
        heading = "trends.events.header" if events else "trends.events.quiet"
        event_section = [t(heading, period=span)]
    else:
        event_section = [t("trends.events.ongoing")] if events else []
    return Reply(
        title=t("trends.now.title")
        if period is None
        else t("trends.events.title", period=fmt.span(t, period.span)),
        sections=sections,
        items=items + ([Item(title=event_section[0])] if event_section else []) + event_items,
        facts=[
            Fact(
                alert.title,
                t(
                    "trends.now.recent_value",
                    kind=t(f"trends.now.kind.{alert.kind}"),
                    at=localize(alert.fired_at, zone).strftime("%H:%M"),
                ),
            )
            for alert in recent
        ],
        actions=[
            Action("trends.now", t("trends.events.button", period=p), p)
            for p in PERIOD_BUTTONS
            if period is None or p != period.name
        ],
        footnotes=[t("trends.now.footnote", level=t(f"alerts.level.{level}"))]
        + ([t("trends.events.footnote")] if period is not None else [])
        + partial,
    )


async def _moving_items(
    ctx: Context,
    session: AsyncSession,
    found: list[Moving],
    factors: dict[str, float],
    names: Names,
    stories: dict[str, str | None],
) -> list[Item]:
    """Per key moving now: what moved, its figures and buttons, then its example mentions."""
    t = ctx.t
    items: list[Item] = []
    for moving in found:
        signal = moving.signal
        move = Movement.of_signal(signal, max(1, round(moving.span / HOUR)))
        examples = await store.mentions_for_key(
            session=session,
            key=signal.key,
            since=moving.since,
            until=moving.until,
            limit=EXAMPLES,
        )
        # The button files the story (one story is one backlog item), else the key.
        actions = [backlog_action(t, stories.get(signal.key) or signal.key, signal.kind)]
        if examples:
            actions.insert(0, Action("draft.create", t("alerts.draft_button"), str(examples[0].id)))
        items.append(
            Item(
                title=t(f"alerts.title.{signal.kind}", name=words.name(t, names, signal.key)),
                text=what(t, move),
                facts=tuple(
                    facts(t, move, ctx.workspace.schedules.timezone, factors.get(signal.key, 1.0))
                ),
                actions=tuple(actions),
            )
        )
        items += [mention_evidence(t, m) for m in examples]
    return items


async def _event_items(
    ctx: Context,
    session: AsyncSession,
    events: list[Event],
    names: Names,
    period: Period | None,
    stories: dict[str, str | None],
) -> list[Item]:
    """Per event of the period: when and how big in one line, its significance, buttons,
    and the widest-reaching mentions of its hours."""
    t = ctx.t
    zone = ctx.workspace.schedules.timezone
    hours = period is not None and period.span <= dt.timedelta(days=2)
    items: list[Item] = []
    for event in events:
        examples = await store.mentions_for_key(
            session=session, key=event.key, since=event.start, until=event.until, limit=EXAMPLES
        )
        kind = "drop" if event.kind == "drop" else "rise"
        actions = [backlog_action(t, stories.get(event.key) or event.key, event.kind)]
        if examples:
            actions.insert(0, Action("draft.create", t("alerts.draft_button"), str(examples[0].id)))
        items.append(
            Item(
                title=t(
                    f"trends.events.title_{event.kind}{'_ongoing' if event.ongoing else ''}",
                    name=words.name(t, names, event.key),
                ),
                text=words.sentence(t, names, event, zone, hours=hours),
                facts=(
                    Fact(t("alerts.fact.z"), fmt.signed(t, event.z)),
                    Fact(t(f"trends.events.size_{kind}"), words.against_usual(t, event)),
                ),
                actions=tuple(actions),
            )
        )
        items += [mention_evidence(t, m) for m in examples]
    return items


async def _story(session: AsyncSession, key: str, now: dt.datetime) -> str | None:
    """The story (`topic:<root>`) a key tells over the last day: a topic's story, or the
    story holding most of a term's or hashtag's mentions; None when spread over several."""
    if key.startswith("topic:"):
        return await story_key(session, key)
    if not key.startswith(("term:", "tag:")):
        return None
    end = floor_hour(now) + HOUR
    root = await story_of_key(session, key, since=end - RECENT, until=end)
    return f"topic:{root}" if root is not None else None


def _once_per_story(moving: list[Moving], stories: dict[str, str | None]) -> list[Moving]:
    """The strongest signal of each story (a hashtag and the story it names are one)."""
    seen: set[str] = set()
    out = []
    for m in moving:
        story = stories.get(m.signal.key) or m.signal.key
        if story in seen:
            continue
        seen.add(story)
        out.append(m)
    return out


@action(BACKLOG_ACTION)
async def to_backlog(request: Request, ctx: Context) -> Reply:
    """The "Add to backlog" button of a trend or an alert: a backlog item with its evidence."""
    key, kind = _trend_value(request.action_value)
    t = ctx.t
    now = ctx.now()
    end = floor_hour(now) + HOUR
    async with ctx.sessions() as session:
        # A hashtag or term that is one story files that story: the same item as the
        # story's own suggestion (`backlog suggest`), never a second one.
        key = await _story(session, key, now) or key
        totals = await store.window_totals(
            session=session, start=end - 2 * RECENT, mid=end - RECENT, end=end, keys=[key]
        )
        examples = await store.mentions_for_key(
            session=session, key=key, since=end - RECENT, until=end, limit=5
        )
        names = await load_names(session, topic_keys=[key], locale=ctx.locale)
    tot = totals.get(key, store.Totals())
    name = names.of(key)
    variant = "drop" if kind == "drop" else "rise"
    # A drop, or mostly negative talk, needs an explanation; a rise a quick post.
    form = "blog_article" if kind == "drop" or tot.neg * 2 > max(tot.n, 1) else "linkedin_post"
    audience = t(f"trends.backlog.{variant}.audience", topic=name)
    suggestion = Suggestion(
        kind="trend",
        topic_key=key,
        title=t(f"trends.backlog.{variant}.title", topic=name),
        story=t(
            f"trends.backlog.{variant}.story",
            audience=audience,
            topic=name,
            brand=ctx.workspace.brand.name,
        ),
        audience=audience,
        channel=CHANNEL_OF_FORMAT[form],
        format=form,
        ice=ice.score(
            volume=tot.n,
            reach=tot.reach,
            amount=len(examples),
            consistency=min(1.0, tot.n / max(tot.prev_n, 1) / 4),
            fmt=form,
        ),
        counts={"n": tot.n, "before": tot.prev_n, "reach": tot.reach, "negative": tot.neg},
        mention_ids=[m.id for m in examples if m.id is not None],
        window_days=1,
        identity=key if key.startswith("topic:") else None,
    )
    item = suggestion.to_item(locale=ctx.locale, created_by=request.actor.id, now=now)
    async with session_scope(ctx.sessions) as session:
        stored = await backlog_store.insert_item(session=session, item=item)
        if stored is None:
            known = await backlog_store.open_by_fingerprint(
                session=session, fingerprints=[item.fingerprint]
            )
            return Reply(
                sections=[
                    t("trends.backlog.exists", id=str(known.get(item.fingerprint, "?")), topic=name)
                ],
                ephemeral=True,
            )
        await audit.record(
            session=session,
            actor=request.actor,
            kind="backlog.add",
            subject=f"backlog:{stored.id}",
            after=stored.title,
        )
    return Reply(
        sections=[t("trends.backlog.added", id=str(stored.id), title=stored.title)],
        facts=[
            Fact(t("trends.backlog.figures"), count_change(t, tot.n, tot.prev_n)),
        ],
        actions=[Action("backlog.show", t("trends.backlog.show"), str(stored.id))],
    )


def _trend_value(raw: str | None) -> tuple[str, str]:
    value = json_button_value(raw)
    key, kind = value.get("key", ""), value.get("kind", "")
    if not key.startswith(KEY_PREFIXES) or len(key) > 300 or kind not in KINDS:
        raise UsageError("errors.bad_action_value")
    return key, kind
