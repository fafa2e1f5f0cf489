"""`sprint`: plan a sprint from the top of the backlog, follow its burndown, close it.

Buttons: `sprint.status` (refresh the status), `sprint.close`, `sprint.plan` (value: JSON
with optional capacity and days). Item states change through the backlog buttons.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from typing import Any

from core.backlog import planning
from core.backlog.chart import burndown_png
from core.db import session_scope
from core.format import format_day, format_time, sparkline
from core.models_backlog import Sprint
from core.reply import Action, Fact, Image, Reply, Request
from core.storage import audit
from core.storage import backlog as store
from handlers.args import UsageError, json_button_value, parse
from handlers.backlog_view import item_card
from handlers.confirm import ask
from handlers.context import Context
from handlers.registry import action, command

MAX_CAPACITY = 500
CLOSE_CONFIRMED = "sprint.close.confirmed"


@command("sprint", order=41)
async def sprint_command(request: Request, ctx: Context) -> Reply:
    """Plan a sprint from the top of the backlog, follow its burndown, close it.

    de: Plant einen Sprint aus dem oberen Backlog, zeigt seinen Burndown und schließt ihn ab.
    Usage: sprint [status | plan [--capacity POINTS] [--days N] | close]
    """
    args = list(request.args)
    sub = args[0].lower() if args else "status"
    rest = args[1:]
    if sub in ("plan", "planen", "start"):
        parsed = parse(rest, options=("capacity", "days"), max_positional=0)
        return await plan(request, ctx, parsed.options)
    if sub in ("status", "stand"):
        parse(rest, max_positional=0)
        return await status(ctx)
    if sub in ("close", "abschließen", "abschliessen", "end"):
        parse(rest, max_positional=0)
        return await close(request, ctx)
    raise UsageError("sprint.unknown_sub", sub=sub)


@action("sprint.")
async def sprint_button(request: Request, ctx: Context) -> Reply:
    """The buttons under a sprint: status, close, plan."""
    verb = (request.action_id or "").removeprefix("sprint.")
    if verb == "status":
        reply = await status(ctx)
        # Refresh the status in place; from elsewhere (a plan, a standup) post it anew.
        reply.replace = request.action_value == "refresh" and not reply.ephemeral
        return reply
    if verb == "close":
        return await close(request, ctx)
    if verb == CLOSE_CONFIRMED.removeprefix("sprint."):
        return await close(request, ctx, confirmed=True, sprint_id=request.action_value)
    if verb == "plan":
        return await plan(request, ctx, json_button_value(request.action_value))
    raise UsageError("errors.unknown_action")


def _number(options: dict[str, str], name: str, low: int, high: int) -> int | None:
    if name not in options:
        return None
    value = options[name].strip()
    if not value.isdigit() or not low <= int(value) <= high:
        raise UsageError("sprint.bad_number", option=f"--{name}", low=str(low), high=str(high))
    return int(value)


def _date(ctx: Context, value: dt.datetime) -> str:
    return format_time(value, ctx.locale, ctx.workspace.schedules.timezone)


def _buttons(ctx: Context, *, refresh: bool = False) -> list[Action]:
    return [
        Action("sprint.status", ctx.t("sprint.button.status"), "refresh" if refresh else ""),
        Action("sprint.close", ctx.t("sprint.button.close"), style="danger"),
    ]


async def plan(request: Request, ctx: Context, options: dict[str, str]) -> Reply:
    """Start a sprint with the top of the backlog that fits the capacity."""
    t = ctx.t
    capacity = _number(options, "capacity", 1, MAX_CAPACITY)
    days = _number(options, "days", 1, planning.MAX_DAYS) or planning.DEFAULT_DAYS
    async with ctx.sessions() as session:
        running = await store.active_sprint(session=session)
        if running is not None:
            return _running(ctx, running)
        history = await store.closed_sprints(session=session, limit=planning.VELOCITY_SPRINTS)
        candidates = await store.list_items(session=session, states=("todo", "in_progress"))
    if capacity is None:
        capacity = planning.default_capacity([s.completed_points or 0 for s in history])
    chosen = planning.plan(candidates, capacity)
    if not chosen.picks:
        key = "sprint.nothing_fits" if candidates else "sprint.backlog_empty"
        return Reply(sections=[t(key, capacity=capacity)], ephemeral=True)
    now = ctx.now()
    sprint = Sprint(
        capacity=capacity,
        days=days,
        started_at=now,
        ends_at=now + dt.timedelta(days=days),
        created_by=request.actor.id,
    )
    async with session_scope(ctx.sessions) as session:
        created = await store.create_sprint(session=session, sprint=sprint, picks=chosen.picks)
        if created is None:
            running = await store.active_sprint(session=session)
            return _running(ctx, running) if running else Reply(sections=[t("errors.internal")])
        new, taken = created
        await audit.record(
            session=session,
            actor=request.actor,
            kind="sprint.plan",
            subject=f"sprint:{new.id}",
            after=json.dumps({"capacity": capacity, "days": days, "items": [i.id for i in taken]}),
        )
    reply = Reply(
        title=t("sprint.planned_title", id=new.id),
        sections=[
            t(
                "sprint.planned",
                count=len(taken),
                points=new.committed_points,
                capacity=capacity,
                end=_date(ctx, new.ends_at),
            )
        ],
        items=[item_card(ctx, i, request.actor, view="sprint") for i in taken],
        actions=_buttons(ctx),
    )
    if chosen.left_out:
        reply.footnotes.append(t("sprint.left_out", count=len(chosen.left_out)))
    return reply


def _running(ctx: Context, sprint: Sprint) -> Reply:
    return Reply(
        sections=[ctx.t("sprint.already_running", id=sprint.id, end=_date(ctx, sprint.ends_at))],
        actions=_buttons(ctx),
        ephemeral=True,
    )


def _chart(ctx: Context, sprint: Sprint, points: list[planning.BurnPoint]) -> Image:
    t = ctx.t
    zone = ctx.workspace.schedules.timezone
    labels = [format_day(p.at, ctx.locale, zone) for p in points]
    remaining = [p.remaining for p in points]
    known = [r for r in remaining if r is not None]
    fallback = t(
        "sprint.sparkline",
        line=sparkline([float(r) if r is not None else None for r in remaining]),
        start=sprint.committed_points,
        now=known[-1] if known else sprint.committed_points,
    )
    title = t("sprint.chart_title", id=sprint.id)
    png = burndown_png(
        points,
        labels=labels,
        title=title,
        ideal=t("sprint.chart_ideal"),
        actual=t("sprint.chart_actual"),
        y_label=t("sprint.chart_points"),
    )
    return Image(png=png, alt=fallback, title=title, text_fallback=fallback)


async def board(ctx: Context) -> Reply | None:
    """The running sprint's items with their buttons (what a click on one redraws)."""
    t = ctx.t
    async with ctx.sessions() as session:
        sprint = await store.active_sprint(session=session)
        if sprint is None:
            return None
        rows = await store.sprint_rows(session=session, sprint_id=sprint.id or 0)
    done = sum(si.points for si, _ in rows if si.outcome == "done")
    return Reply(
        title=t("sprint.board_title", id=sprint.id, end=_date(ctx, sprint.ends_at)),
        facts=[
            Fact(
                t("sprint.progress"),
                t("sprint.progress_value", done=done, total=sprint.committed_points),
            )
        ],
        items=[item_card(ctx, bi, view="sprint") for si, bi in rows if si.outcome != "dropped"],
        actions=_buttons(ctx),
    )


async def status(ctx: Context) -> Reply:
    """Progress, the burndown chart and the items at risk of the running sprint."""
    t = ctx.t
    now = ctx.now()
    async with ctx.sessions() as session:
        sprint = await store.active_sprint(session=session)
        if sprint is None:
            return Reply(sections=[t("sprint.none")], ephemeral=True)
        rows = await store.sprint_rows(session=session, sprint_id=sprint.id or 0)
        at_risk = await planning.risks(session, sprint, rows, now)
    points = planning.burndown(sprint, rows, now)
    remaining = planning.remaining_at(rows, now)
    done = sum(si.points for si, _ in rows if si.outcome == "done")
    day = min(sprint.days, max(1, (now - sprint.started_at).days + 1))
    by_state: dict[str, int] = {}
    for si, bi in rows:
        if si.outcome != "dropped":
            by_state[bi.state] = by_state.get(bi.state, 0) + 1
    image = await asyncio.to_thread(_chart, ctx, sprint, points)
    states_text = ", ".join(
        f"{t(f'backlog.states.{s}')} {n}"
        for s in ("todo", "in_progress", "blocked", "done")
        if (n := by_state.get(s))
    )
    reply = Reply(
        title=t("sprint.status_title", id=sprint.id, day=day, days=sprint.days),
        facts=[
            Fact(
                t("sprint.progress"),
                t("sprint.progress_value", done=done, total=sprint.committed_points),
            ),
            Fact(t("sprint.remaining"), str(remaining)),
            Fact(t("sprint.items"), states_text or "–"),
            Fact(t("sprint.ends"), _date(ctx, sprint.ends_at)),
        ],
        images=[image],
        items=[item_card(ctx, bi, view="sprint") for si, bi in rows if si.outcome != "dropped"],
        actions=_buttons(ctx, refresh=True),
    )
    if at_risk:
        reply.sections.append(t("sprint.at_risk"))
        reply.sections += [
            t(f"sprint.risk.{r.reason}", id=r.item.id, title=r.item.title, **r.values)
            for r in at_risk
        ]
    else:
        reply.sections.append(t("sprint.no_risk"))
    return reply


def _ask_before_closing(ctx: Context, sprint: Sprint, rows: list[tuple[Any, Any]]) -> Reply:
    """What closing a sprint before its end records, and a button to do it."""
    t = ctx.t
    zone = ctx.workspace.schedules.timezone
    done = sum(si.points for si, _ in rows if si.outcome == "done")
    open_items = sum(1 for si, bi in rows if si.outcome is None and bi.state != "done")
    days = max(1, (sprint.ends_at - ctx.now()).days + 1)
    return ask(
        ctx,
        title=t("confirm.sprint_title", id=sprint.id),
        what=[
            t(
                "confirm.sprint_what",
                id=sprint.id,
                end=format_day(sprint.ends_at, ctx.locale, zone, weekday=True),
                days=days,
                done=done,
                total=sprint.committed_points,
                open=open_items,
            )
        ],
        action_id=CLOSE_CONFIRMED,
        value=str(sprint.id),
        button=t("confirm.sprint_button", id=sprint.id),
    )


async def close(
    request: Request, ctx: Context, *, confirmed: bool = False, sprint_id: str | None = None
) -> Reply:
    """Close the running sprint: record the velocity and carry the rest into the backlog.

    Before its end it is asked first (`_ask_before_closing`); the confirming button names
    the sprint, so a click on an old question cannot close a newer sprint."""
    t = ctx.t
    async with session_scope(ctx.sessions) as session:
        sprint = await store.active_sprint(session=session)
        if sprint is None:
            return Reply(sections=[t("sprint.none")], ephemeral=True)
        if confirmed and sprint_id != str(sprint.id):
            return Reply(sections=[t("sprint.closed_meanwhile", id=sprint_id)], ephemeral=True)
        if not confirmed and ctx.now() < sprint.ends_at:
            rows = await store.sprint_rows(session=session, sprint_id=sprint.id or 0)
            return _ask_before_closing(ctx, sprint, rows)
        result = await store.close_sprint(session=session, sprint=sprint, now=ctx.now())
        if result is None:
            return Reply(sections=[t("sprint.closed_meanwhile", id=sprint.id)], ephemeral=True)
        closed, velocity, carried = result
        history = await store.closed_sprints(session=session, limit=planning.VELOCITY_SPRINTS)
        await audit.record(
            session=session,
            actor=request.actor,
            kind="sprint.close",
            subject=f"sprint:{closed.id}",
            after=json.dumps({"velocity": velocity, "carried": [i.id for i in carried]}),
        )
    average = planning.default_capacity([s.completed_points or 0 for s in history])
    reply = Reply(
        title=t("sprint.closed_title", id=closed.id),
        facts=[
            Fact(
                t("sprint.velocity"),
                t("sprint.velocity_value", done=velocity, total=closed.committed_points),
            ),
            Fact(
                t("sprint.carried"),
                t("sprint.carried_value", count=len(carried), points=closed.carried_points or 0),
            ),
            Fact(t("sprint.next_capacity"), str(average)),
        ],
        items=[item_card(ctx, i, request.actor, view="list") for i in carried],
        actions=[Action("sprint.plan", t("sprint.button.plan"), json.dumps({}), style="primary")],
    )
    return reply
