"""`standup`: the daily summary on demand, and the channel's subscription to it.

The scheduled post (bot/standup_jobs.py) uses `standup_reply` too, so the post on demand
and the one at 09:30 are the same.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import replace
from typing import Any

from core.format import format_time
from core.models import Subscription
from core.reply import Action, Conversation, Reply, Request
from core.standup import schedule as sched
from core.standup.report import StandupData, build
from core.standup.signals import Signal
from core.storage import backlog as store
from core.storage import conversations
from core.trends import event_words as words
from core.trends.names import Names
from handlers import checkin, checkin_flow
from handlers.args import UsageError, parse
from handlers.context import Context
from handlers.registry import command
from handlers.subscriptions import set_channel_subscription

KIND = "standup"
DEFAULT_SINCE = dt.timedelta(hours=24)
ALERT_KINDS = ("burst", "climb", "drop")


@command("standup", order=45)
async def standup_command(request: Request, ctx: Context) -> Reply:
    """The daily standup: mentions against the usual, trends, drafts waiting, backlog, focus; plain `standup` previews today's post (nothing is posted; `standup post` posts it).

    de: Das tägliche Standup: Erwähnungen gegenüber dem Üblichen, Trends, wartende Entwürfe, Backlog, Fokus; `standup` allein zeigt eine Vorschau des heutigen Posts (nichts wird gepostet; `standup post` postet ihn).
    Usage: standup [on | off | at HH:MM [ZONE] | days mon-fri | status | post | checkin on|off [--questions "…|…|…"] [--at HH:MM] [--remind MIN] [--keep DAYS] | checkin [answer "…" … | skip] | members [@a @b …] | away @member until DATE | history @me 14d]
    """
    args = list(request.args)
    if not args:
        return await standup_reply(ctx, request.conversation, now=ctx.now())
    sub, rest = args[0].lower(), args[1:]
    if sub in ("on", "an", "ein"):
        parse(rest, max_positional=0)
        return await _subscribe(request, ctx, {})
    if sub in ("off", "aus"):
        parse(rest, max_positional=0)
        return await _unsubscribe(request, ctx)
    if sub in ("at", "um"):
        return await _subscribe(request, ctx, _time_settings(rest))
    if sub in ("days", "tage"):
        parsed = parse(rest)
        days = sched.parse_weekdays(",".join(parsed.positional))
        if days is None:
            raise UsageError("standup.bad_days", value=" ".join(rest))
        return await _subscribe(request, ctx, {"weekdays": list(days)})
    if sub in ("status", "info"):
        parse(rest, max_positional=0)
        return await _status(request, ctx)
    if sub in ("checkin", "check-in"):
        return await checkin.checkin_command(request, ctx, rest)
    if sub in ("members", "mitglieder"):
        return await checkin.members_command(request, ctx, rest)
    if sub in ("away", "abwesend", "weg"):
        return await checkin.away_command(request, ctx, rest)
    if sub in ("history", "verlauf"):
        return await checkin.history_command(request, ctx, rest)
    if sub in ("post", "now", "jetzt"):
        parse(rest, max_positional=0)
        return await checkin.post_command(request, ctx)
    raise UsageError("standup.unknown_sub", sub=sub)


def _time_settings(args: list[str]) -> dict[str, Any]:
    parsed = parse(args, max_positional=2)
    if not parsed.positional:
        raise UsageError("standup.missing_time")
    at = sched.parse_time(parsed.positional[0])
    if at is None:
        raise UsageError("standup.bad_time", value=parsed.positional[0])
    settings: dict[str, Any] = {"at": at.strftime("%H:%M")}
    if len(parsed.positional) > 1:
        zone = sched.parse_zone(parsed.positional[1])
        if zone is None:
            raise UsageError("standup.bad_zone", value=parsed.positional[1])
        settings["zone"] = zone
    return settings


def channel_schedule(ctx: Context, settings: dict[str, Any]) -> sched.StandupSchedule:
    """The channel's schedule: its settings over the workspace's defaults."""
    return sched.channel_schedule(settings, ctx.workspace.schedules)


def _describe(ctx: Context, sub: Subscription | None, settings: dict[str, Any]) -> list[str]:
    t = ctx.t
    schedule = channel_schedule(ctx, settings)
    days = ", ".join(t(f"standup.day.{d}") for d in schedule.weekdays)
    lines = [t("standup.schedule", at=schedule.at.strftime("%H:%M"), zone=schedule.zone, days=days)]
    nxt = schedule.upcoming(ctx.now())
    if sub is not None and sub.enabled and nxt is not None:
        lines.append(t("standup.next", when=format_time(nxt.utc, ctx.locale, schedule.zone)))
    return lines


async def _subscribe(request: Request, ctx: Context, settings: dict[str, Any]) -> Reply:
    # Occurrences before this moment are not posted: subscribing at 09:45 does not post
    # the 09:30 standup of today after the fact.
    settings = {**settings, "active_from": ctx.now().isoformat()}
    sub = await set_channel_subscription(
        request, ctx, kind=KIND, enabled=True, now=ctx.now(), settings=settings
    )
    merged = json.loads(sub.settings or "{}")
    return Reply(sections=[ctx.t("standup.on"), *_describe(ctx, sub, merged)])


async def _unsubscribe(request: Request, ctx: Context) -> Reply:
    await set_channel_subscription(request, ctx, kind=KIND, enabled=False, now=ctx.now())
    return Reply(sections=[ctx.t("standup.off")])


async def _status(request: Request, ctx: Context) -> Reply:
    conv = request.conversation
    async with ctx.sessions() as session:
        sub = await conversations.get_subscription(
            session=session, platform=conv.platform, channel_id=conv.id, kind=KIND
        )
        last = await store.last_post(session=session, platform=conv.platform, channel_id=conv.id)
    settings = json.loads(sub.settings) if sub is not None else {}
    t = ctx.t
    lines = [
        t("standup.subscribed") if sub is not None and sub.enabled else t("standup.not_subscribed")
    ]
    lines += _describe(ctx, sub, settings)
    if last is not None:
        zone = channel_schedule(ctx, settings).zone
        lines.append(t("standup.last", when=format_time(last.posted_at, ctx.locale, zone)))
    return Reply(sections=lines, ephemeral=True)


async def standup_reply(
    ctx: Context,
    conversation: Conversation,
    *,
    now: dt.datetime,
    since: dt.datetime | None = None,
    cache: dict[tuple[dt.datetime, dt.datetime], StandupData] | None = None,
    checkin_day: str | None = None,
    publish: bool = False,
) -> Reply:
    """The standup for a channel: since its last scheduled standup (or the last 24 hours).

    `cache` lets one scheduler tick gather the figures once for every channel that shares
    the same window (they differ only in language). The check-ins of `checkin_day` (default:
    the channel's local today) come last: with `publish` every member's answers, else only
    how many answered (answers stay private until the standup posts them).
    """
    async with ctx.sessions() as session:
        if since is None:
            last = await store.last_post(
                session=session,
                platform=conversation.platform,
                channel_id=conversation.id,
                before=now,
            )
            since = last.posted_at if last is not None else now - DEFAULT_SINCE
        data = cache.get((since, now)) if cache is not None else None
        if data is None:
            data = await build(session, since=since, now=now)
            if cache is not None:
                cache[(since, now)] = data
    reply = render(ctx, data)
    if checkin_day is None:
        settings = await checkin_flow.channel_settings(
            ctx.services, conversation.platform, conversation.id
        )
        checkin_day = checkin_flow.local_day(now, channel_schedule(ctx, settings).zone)
    sections, items = await checkin_flow.summary(
        ctx, conversation, day=checkin_day, publish=publish
    )
    # The market first, then the team: the check-in lines lead into the members' answers
    # (items, which every platform shows after the sections).
    reply.sections = reply.sections + sections
    reply.items = items + reply.items
    return reply


def _age(ctx: Context, delta: dt.timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    if minutes < 60:
        return ctx.t("standup.age.minutes", n=max(minutes, 0))
    if minutes < 48 * 60:
        return ctx.t("standup.age.hours", n=minutes // 60)
    return ctx.t("standup.age.days", n=minutes // (24 * 60))


def _items(items: list[Any]) -> str:
    return "; ".join(f"#{i.id} {i.title}" for i in items)


def _signal(ctx: Context, s: Signal, names: Names) -> str:
    t = ctx.t
    if s.key.startswith("topic:"):
        s = replace(s, topic=names.localized(ctx.locale).of(s.key))
    if s.kind == "trend":
        return t("standup.signal_figures", topic=s.topic, n=s.n, ratio=t.number(s.ratio or 0, 1))
    kind = t(f"standup.alert_kind.{s.detail}") if s.detail in ALERT_KINDS else s.detail
    return t("standup.alert_figures", topic=s.topic, kind=kind, n=s.n)


def _event_sections(ctx: Context, data: StandupData) -> list[str]:
    """What happened since the last standup: the events, each in one line with its time."""
    t = ctx.t
    zone = ctx.workspace.schedules.timezone
    if not data.events:
        return [t("standup.no_events")]
    lines = [t("standup.events", count=len(data.events))]
    lines += ["• " + words.sentence(t, data.names, e, zone, hours=True) for e in data.events]
    return lines


def render(ctx: Context, data: StandupData) -> Reply:
    """The standup as a reply: one short section per topic, focus hints last."""
    t = ctx.t
    zone = ctx.workspace.schedules.timezone
    since = format_time(data.since, ctx.locale, zone)
    v = data.volume
    sections = []
    if v.usual is None:
        sections.append(t("standup.volume_no_history", n=t.number(v.n), since=since))
    else:
        ratio = v.ratio or 0.0
        sections.append(
            t(
                "standup.volume",
                n=t.number(v.n),
                since=since,
                usual=t.number(v.usual),
                change=("+" if ratio >= 1 else "−") + t.percent(abs(ratio - 1)),
            )
        )
    if v.n:
        usual_neg = v.usual_neg_share
        sections.append(
            t(
                "standup.sentiment",
                neg=t.percent(v.neg_share),
                pos=t.percent(v.pos_share),
                usual_neg=t.percent(usual_neg) if usual_neg is not None else "–",
            )
        )
    sections += _event_sections(ctx, data)
    if data.signals:
        parts = [_signal(ctx, s, data.names) for s in data.signals]
        sections.append(t(f"standup.signals_{data.signals_from}", list="; ".join(parts)))
    else:
        sections.append(t(f"standup.no_signals_{data.signals_from}"))
    if data.drafts is not None:
        d = data.drafts
        if d.count and d.oldest is not None:
            sections.append(t("standup.drafts", count=d.count, age=_age(ctx, d.oldest)))
        else:
            sections.append(t("standup.no_drafts"))
    sections.append(
        t("standup.done", list=_items(data.done)) if data.done else t("standup.none_done")
    )
    if data.in_progress:
        sections.append(t("standup.in_progress", list=_items(data.in_progress)))
    if data.blocked:
        sections.append(t("standup.blocked", list=_items(data.blocked)))
    if data.sprint is not None:
        s = data.sprint
        sections.append(
            t(
                "standup.sprint",
                id=s.sprint.id,
                done=s.done_points,
                total=s.sprint.committed_points,
                remaining=s.remaining,
                days=s.days_left,
            )
        )
    sections.append(t("standup.focus_title"))
    sections += [
        f"{n}. {t(f'standup.focus.{h.key}', **h.values)}" for n, h in enumerate(data.hints, 1)
    ]
    day = format_time(data.now, ctx.locale, zone)[:10]
    actions = [Action("backlog.list", t("standup.button.backlog"))]
    if data.sprint is not None:
        actions.append(Action("sprint.status", t("standup.button.sprint")))
    return Reply(title=t("standup.title", day=day), sections=sections, actions=actions)
