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
from core.analysis.trends import DetectorConfig, Signal
from core.backlog import ice
from core.backlog.suggestion import CHANNEL_OF_FORMAT, Suggestion
from core.clock import localize
from core.db import session_scope
from core.reply import Action, Fact, Item, Reply, Request
from core.storage import alerts as alert_store
from core.storage import audit, conversations
from core.storage import backlog as backlog_store
from core.storage import trends as store
from core.trends import emerging
from core.trends.fmt import count_change
from core.trends.names import load_names
from core.trends.period import HOUR, floor_hour
from handlers.args import UsageError, json_button_value, parse
from handlers.context import Context
from handlers.registry import action, command

LIMIT = 6
EXAMPLES = 2
RECENT = dt.timedelta(hours=24)
KINDS = ("burst", "climb", "drop")
KEY_PREFIXES = ("term:", "tag:", "topic:")
CONFIGS: dict[str, DetectorConfig] = {lvl: DetectorConfig(sensitivity=lvl) for lvl in LEVELS}


@command("trends", aliases=("trend",), order=21)
async def trends_command(request: Request, ctx: Context) -> Reply:
    """What is emerging right now: sudden bursts, slow climbs and drops, with the evidence.

    de: Was gerade aufkommt: sprunghafte Anstiege, stetiges Steigen und Einbrüche, mit Belegen.
    Usage: trends
    """
    parse(request.args, max_positional=0)
    return await trends_reply(request, ctx)


@action("trends.now")
async def trends_button(request: Request, ctx: Context) -> Reply:
    """The "What is emerging now" button under a brief."""
    return await trends_reply(request, ctx)


async def trends_reply(request: Request, ctx: Context) -> Reply:
    """Signals of the current hour at this channel's alert sensitivity, with evidence."""
    t = ctx.t
    now = ctx.now()
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
        found = await emerging.scan(session, now=now, config=config, factors=factors, keys=keys)
        items = await _signal_items(ctx, session, found[:LIMIT], factors)
        recent = await alert_store.recent_alerts(session=session, since=now - RECENT, limit=5)
    zone = ctx.workspace.schedules.timezone
    return Reply(
        title=t("trends.now.title"),
        sections=[t("trends.now.header" if found else "trends.now.quiet")],
        items=items,
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
        footnotes=[t("trends.now.footnote", level=t(f"alerts.level.{level}"))],
    )


async def _signal_items(
    ctx: Context,
    session: AsyncSession,
    found: list[tuple[Signal, int]],
    factors: dict[str, float],
) -> list[Item]:
    """Per signal: what moved, its figures and buttons, then its example mentions."""
    t = ctx.t
    now = ctx.now()
    names = await load_names(session, topic_keys=[s.key for s, _ in found])
    items: list[Item] = []
    for signal, hours in found:
        move = Movement.of_signal(signal, hours)
        examples = await store.mentions_for_key(
            session=session,
            key=signal.key,
            since=move.since,
            until=floor_hour(now) + HOUR,
            limit=EXAMPLES,
        )
        actions = [backlog_action(t, signal.key, signal.kind)]
        if examples:
            actions.insert(0, Action("draft.create", t("alerts.draft_button"), str(examples[0].id)))
        items.append(
            Item(
                title=t(f"alerts.title.{signal.kind}", name=names.of(signal.key)),
                text=what(t, move),
                facts=tuple(
                    facts(t, move, ctx.workspace.schedules.timezone, factors.get(signal.key, 1.0))
                ),
                actions=tuple(actions),
            )
        )
        items += [mention_evidence(t, m) for m in examples]
    return items


@action(BACKLOG_ACTION)
async def to_backlog(request: Request, ctx: Context) -> Reply:
    """The "Add to backlog" button of a trend or an alert: a backlog item with its evidence."""
    key, kind = _trend_value(request.action_value)
    t = ctx.t
    now = ctx.now()
    end = floor_hour(now) + HOUR
    async with ctx.sessions() as session:
        totals = await store.window_totals(
            session=session, start=end - 2 * RECENT, mid=end - RECENT, end=end, keys=[key]
        )
        examples = await store.mentions_for_key(
            session=session, key=key, since=end - RECENT, until=end, limit=5
        )
        names = await load_names(session, topic_keys=[key])
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
