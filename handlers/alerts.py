"""`alerts`: just-in-time alerts in a channel (on, off, sensitivity), and the buttons on an
alert: useful, noise (which lower and raise that term's threshold) and mute."""

from __future__ import annotations

import datetime as dt

from core.alerts import feedback
from core.alerts.targets import DEFAULT_LEVEL, KIND, LEVELS, level_of, settings_of
from core.db import session_scope
from core.format import format_time
from core.reply import Fact, Reply, Request
from core.storage import alerts as store
from core.storage import audit, conversations
from core.trends.names import load_names
from handlers.args import UsageError, is_id, parse
from handlers.context import Context
from handlers.registry import action, command

SUBCOMMANDS = {
    "on": "on",
    "an": "on",
    "ein": "on",
    "off": "off",
    "aus": "off",
    "sensitivity": "sensitivity",
    "empfindlichkeit": "sensitivity",
    "status": "status",
}
LEVEL_WORDS = {"low": "low", "niedrig": "low", "normal": "normal", "high": "high", "hoch": "high"}
RECENT = dt.timedelta(hours=24)


@command("alerts", aliases=("alarme", "alarm"), order=30)
async def alerts_command(request: Request, ctx: Context) -> Reply:
    """Alerts in this channel the moment a term bursts, climbs or drops: on, off, sensitivity.

    de: Alarme in diesem Kanal, sobald ein Begriff sprunghaft steigt, klettert oder fällt: an, aus, Empfindlichkeit.
    Usage: alerts [on [low|normal|high]|off|sensitivity low|normal|high]
    """
    parsed = parse(request.args, max_positional=2)
    words = [w.lower() for w in parsed.positional]
    sub = SUBCOMMANDS.get(words[0]) if words else "status"
    if sub is None:
        raise UsageError("alerts.unknown_sub", sub=parsed.positional[0])
    if sub == "status":
        return await _status(request, ctx)
    if sub == "off":
        if len(words) > 1:
            raise UsageError("usage.too_many", extra=parsed.positional[1])
        return await _set(request, ctx, enabled=False, level=None)
    level = _level(words[1]) if len(words) > 1 else None
    if sub == "sensitivity" and level is None:
        raise UsageError("alerts.missing_level")
    return await _set(request, ctx, enabled=True, level=level)


def _level(word: str) -> str:
    level = LEVEL_WORDS.get(word.lower())
    if level is None:
        raise UsageError("alerts.bad_level", value=word, choices="|".join(LEVELS))
    return level


async def _set(request: Request, ctx: Context, *, enabled: bool, level: str | None) -> Reply:
    conv = request.conversation
    async with session_scope(ctx.sessions) as session:
        before = await conversations.get_subscription(
            session=session, platform=conv.platform, channel_id=conv.id, kind=KIND
        )
        row = await conversations.set_subscription(
            session=session,
            platform=conv.platform,
            channel_id=conv.id,
            kind=KIND,
            enabled=enabled,
            now=ctx.now(),
            settings={"sensitivity": level} if level else None,
        )
        await audit.record(
            session=session,
            actor=request.actor,
            kind="alerts.subscription",
            subject=f"alerts:{conv.platform}:{conv.id}"[:255],
            before=_describe(before.enabled, before.settings) if before else None,
            after=_describe(row.enabled, row.settings),
        )
    engine = ctx.services.background.alerts
    if engine is not None:
        engine.forget_targets()
    t = ctx.t
    if not enabled:
        return Reply(sections=[t("alerts.off")])
    current = level_of(settings_of(row.settings))
    return Reply(sections=[t("alerts.on", level=t(f"alerts.level.{current}"))])


def _describe(enabled: bool, settings: str | None) -> str:
    return f"{'on' if enabled else 'off'} {level_of(settings_of(settings))}"


async def _status(request: Request, ctx: Context) -> Reply:
    t = ctx.t
    conv = request.conversation
    now = ctx.now()
    async with ctx.sessions() as session:
        sub = await conversations.get_subscription(
            session=session, platform=conv.platform, channel_id=conv.id, kind=KIND
        )
        recent = await store.recent_alerts(session=session, since=now - RECENT, limit=100)
        adjusted = await store.adjusted_thresholds(session=session)
        names = await load_names(session, topic_keys=[a.key for a in adjusted])
    in_file = any(
        ref.platform == conv.platform and ref.id == conv.id for ref in ctx.workspace.channels.alerts
    )
    if sub is not None:
        state = t("alerts.state.on" if sub.enabled else "alerts.state.off")
        level = level_of(settings_of(sub.settings))
    else:
        state = t("alerts.state.workspace" if in_file else "alerts.state.off")
        level = DEFAULT_LEVEL
    facts = [
        Fact(t("alerts.fact.state"), state),
        Fact(t("alerts.fact.level"), t(f"alerts.level.{level}")),
        Fact(t("alerts.fact.recent"), t.number(len(recent))),
    ]
    zone = ctx.workspace.schedules.timezone
    for row in adjusted:
        parts = []
        if row.factor != 1.0:
            parts.append(
                t(
                    "alerts.tuned",
                    factor=t.number(row.factor, 2),
                    noise=t.number(row.noise),
                    useful=t.number(row.useful),
                )
            )
        if row.muted_until is not None and row.muted_until > now:
            parts.append(t("alerts.muted_until", at=format_time(row.muted_until, ctx.locale, zone)))
        if parts:
            facts.append(Fact(names.of(row.key), "; ".join(parts)))
    return Reply(title=t("alerts.status_title"), facts=facts, footnotes=[t("alerts.help")])


@action("alerts.")
async def alert_button(request: Request, ctx: Context) -> Reply:
    """The buttons on an alert: useful, noise, mute."""
    verb = (request.action_id or "").removeprefix("alerts.")
    value = (request.action_value or "").strip()
    if not is_id(value):
        raise UsageError("errors.bad_action_value")
    alert_id = int(value)
    now = ctx.now()
    if verb in feedback.VERDICTS:
        outcome = await feedback.give_feedback(
            ctx.sessions, alert_id=alert_id, verdict=verb, actor=request.actor, now=now
        )
    elif verb == "mute":
        outcome = await feedback.mute(ctx.sessions, alert_id=alert_id, actor=request.actor, now=now)
    else:
        raise UsageError("errors.unknown_action")
    t = ctx.t
    if outcome.status == "not_found":
        return Reply(sections=[t("alerts.not_found", id=str(alert_id))], ephemeral=True, error=True)
    async with ctx.sessions() as session:
        names = await load_names(session, topic_keys=[outcome.key])
    name = names.of(outcome.key)
    if outcome.status == "muted" and outcome.muted_until is not None:
        at = format_time(outcome.muted_until, ctx.locale, ctx.workspace.schedules.timezone)
        return Reply(sections=[t("alerts.feedback.muted", name=name, at=at)], ephemeral=True)
    if outcome.status == "same":
        return Reply(sections=[t("alerts.feedback.same", name=name)], ephemeral=True)
    return Reply(
        sections=[
            t(
                f"alerts.feedback.{verb}",
                name=name,
                before=t.number(outcome.before, 2),
                after=t.number(outcome.after, 2),
            )
        ],
        ephemeral=True,
    )
