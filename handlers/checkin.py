"""`standup checkin | members | away | history | post`: the team's own part of the standup.

Check-ins ask each member a few questions before the standup (handlers/checkin_flow.py
asks; bot/checkin_jobs.py decides when) and the standup posts the answers. Answers are
private: every reply about one's own check-in is shown only to its author, and the
buttons on a check-in act only for the member it belongs to.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

from core.db import session_scope
from core.models_backlog import BacklogItem
from core.models_checkin import CheckinAnswer
from core.reply import Reply, Request
from core.standup import schedule as sched
from core.standup.checkin import (
    CheckinSettings,
    Member,
    blocker_of,
    parse_questions,
)
from core.storage import audit, checkins, claims, conversations
from core.storage import backlog as store
from core.text import truncate
from handlers import checkin_flow as flow
from handlers.args import UsageError, parse
from handlers.context import Context
from handlers.registry import action

MAX_MEMBERS = 100
MAX_MINUTES = 12 * 60
MAX_KEEP_DAYS = 3650
HISTORY_DEFAULT_DAYS = 14
_DAYS = re.compile(r"^(\d{1,4})\s*[dt]?$", re.IGNORECASE)
POST_CLAIM_TTL = dt.timedelta(minutes=5)
# Platforms whose channels show an ephemeral reply to everyone (Teams has no private
# message inside a channel): a member's check-in goes to their personal chat instead.
PUBLIC_EPHEMERAL = frozenset({"teams"})


def _schedule(ctx: Context, settings: dict[str, Any]) -> sched.StandupSchedule:
    from handlers.standup import channel_schedule

    return channel_schedule(ctx, settings)


async def _store_checkin(request: Request, ctx: Context, changes: dict[str, Any]) -> dict[str, Any]:
    """Merge `changes` into the channel's check-in settings (subscribing it if need be)."""
    conv = request.conversation
    async with session_scope(ctx.sessions) as session:
        sub = await conversations.get_subscription(
            session=session, platform=conv.platform, channel_id=conv.id, kind=flow.KIND
        )
        settings = json.loads(sub.settings or "{}") if sub is not None else {}
        current = settings.get("checkin")
        merged = {**(current if isinstance(current, dict) else {}), **changes}
        extra: dict[str, Any] = {"checkin": merged}
        enabled = sub.enabled if sub is not None else False
        if not enabled and merged.get("on"):
            # A check-in needs its standup: subscribe the channel from now on.
            enabled, extra["active_from"] = True, ctx.now().isoformat()
        row = await conversations.set_subscription(
            session=session,
            platform=conv.platform,
            channel_id=conv.id,
            kind=flow.KIND,
            enabled=enabled,
            now=ctx.now(),
            settings=extra,
        )
        await audit.record(
            session=session,
            actor=request.actor,
            kind="standup.checkin",
            subject=f"standup:{conv.platform}:{conv.id}",
            after=json.dumps(changes, ensure_ascii=False),
        )
    result: dict[str, Any] = json.loads(row.settings or "{}")
    return result


def _number(value: str, what: str, upper: int) -> int:
    if not value.isascii() or not value.isdigit() or int(value) > upper:
        raise UsageError("checkin.bad_number", value=value, what=what)
    return int(value)


async def checkin_command(request: Request, ctx: Context, args: list[str]) -> Reply:
    """`standup checkin on|off [--questions "…|…|…"] [--at HH:MM] [--remind MIN] [--keep DAYS]`,
    `standup checkin` (your open check-in, or how many answered), `answer "…" "…" "…"`, `skip`."""
    sub = args[0].lower() if args else ""
    rest = args[1:]
    t = ctx.t
    if sub in ("on", "an", "ein"):
        parsed = parse(rest, options=("questions", "at", "remind", "keep"), max_positional=0)
        changes: dict[str, Any] = {"on": True}
        if "questions" in parsed.options:
            questions = parse_questions(parsed.options["questions"])
            if questions is None:
                raise UsageError("checkin.bad_questions", value=parsed.options["questions"])
            changes["questions"] = list(questions)
        if "at" in parsed.options:
            at = sched.parse_time(parsed.options["at"])
            if at is None:
                raise UsageError("standup.bad_time", value=parsed.options["at"])
            changes["at"] = at.strftime("%H:%M")
        if "remind" in parsed.options:
            what = t("checkin.what_minutes")
            changes["remind"] = _number(parsed.options["remind"], what, MAX_MINUTES)
        if "keep" in parsed.options:
            what = t("checkin.what_days")
            changes["keep"] = max(1, _number(parsed.options["keep"], what, MAX_KEEP_DAYS))
        settings = await _store_checkin(request, ctx, changes)
        return Reply(sections=_describe(ctx, settings))
    if sub in ("off", "aus"):
        parse(rest, max_positional=0)
        await _store_checkin(request, ctx, {"on": False})
        return Reply(sections=[t("checkin.off")])
    if sub in ("answer", "antwort", "antworten"):
        return await _answer_by_text(request, ctx, rest, skip=False)
    if sub in ("skip", "nicht", "not-today"):
        parse(rest, max_positional=0)
        return await _answer_by_text(request, ctx, [], skip=True)
    if sub in ("", "status", "me", "ich"):
        return await _mine_or_status(request, ctx)
    raise UsageError("checkin.unknown_sub", sub=sub)


def _describe(ctx: Context, settings: dict[str, Any]) -> list[str]:
    t = ctx.t
    cs = CheckinSettings.from_settings(settings)
    schedule = _schedule(ctx, settings)
    at = (
        t("checkin.at_time", at=cs.at.strftime("%H:%M"))
        if cs.at is not None
        else t("checkin.on_default_at")
    )
    lines = [
        t("checkin.on", at=at, zone=schedule.zone, keep=t("checkin.keep_days", n=cs.keep_days)),
        t("checkin.remind_line", remind=t("checkin.remind_minutes", n=cs.remind_minutes))
        if cs.remind_minutes
        else t("checkin.remind_off"),
    ]
    questions = cs.questions or tuple(flow.questions_for(cs, ctx.locale))
    lines.append(t("checkin.questions", list=" | ".join(questions)))
    return lines


async def _current_occurrence(ctx: Context, settings: dict[str, Any]) -> sched.Occurrence | None:
    """The standup the check-ins are for now: today's if it is still to come, else the next."""
    schedule = _schedule(ctx, settings)
    return schedule.upcoming(ctx.now())


async def _open_row(request: Request, ctx: Context) -> CheckinAnswer | None:
    """The asker's open check-in (this channel's first); asked now, in the asker's language,
    if the channel's check-ins are on and the asker is on its list but was not asked yet."""
    conv, actor = request.conversation, request.actor
    async with ctx.sessions() as session:
        mine = await checkins.open_for_member(
            session=session, platform=conv.platform, member_id=actor.id
        )
    here = [r for r in mine if r.channel_id == conv.id] or mine
    if here:
        return here[0]
    settings = await flow.channel_settings(ctx.services, conv.platform, conv.id)
    cs = CheckinSettings.from_settings(settings)
    occ = await _current_occurrence(ctx, settings) if cs.enabled else None
    if occ is None:
        return None
    members = await flow.members_of(ctx.services, conv.platform, conv.id, cs)
    member = next((m for m in members if m.id == actor.id), None)
    if member is None or cs.is_away(member.id, occ.local.date()):
        return None
    asked = await flow.ask(
        ctx.services,
        platform=conv.platform,
        channel_id=conv.id,
        member=member,
        settings=cs,
        occurrence=occ,
        now=ctx.now(),
        send=False,
        locale=ctx.locale,
    )
    if asked is None:  # asked a moment ago by the scheduler: read it back
        async with ctx.sessions() as session:
            return await checkins.get(
                session=session,
                platform=conv.platform,
                channel_id=conv.id,
                member_id=actor.id,
                day=occ.slot,
            )
    assert asked.row.id is not None
    async with session_scope(ctx.sessions) as session:
        await checkins.mark_asked(
            session=session, row_id=asked.row.id, direct_id=conv.id, now=ctx.now()
        )
    return asked.row


async def _mine_or_status(request: Request, ctx: Context) -> Reply:
    """A member: their open check-in (asked now if they are on the list); else the count."""
    conv = request.conversation
    row = await _open_row(request, ctx)
    if row is not None:
        reply = flow.prompt(row, at=await _standup_at(ctx, row))
        reply.ephemeral = True
        if conv.platform in PUBLIC_EPHEMERAL and conv.id == row.channel_id:
            # A channel there shows "ephemeral" replies to all: send it in private.
            roster = flow.rosters(ctx.services).get(conv.platform)
            if roster is None:
                raise UsageError("checkin.none_open")
            member = Member(request.actor.id, request.actor.name or request.actor.id)
            await roster.members(conv.id)  # knows the member's account afterwards
            await roster.send_direct(member=member, reply=reply, locale=row.locale)
            return Reply(sections=[ctx.t("checkin.sent_privately")])
        return reply
    settings = await flow.channel_settings(ctx.services, conv.platform, conv.id)
    cs = CheckinSettings.from_settings(settings)
    if not cs.enabled:
        return Reply(sections=[ctx.t("checkin.not_on")], ephemeral=True)
    occ = await _current_occurrence(ctx, settings)
    day = occ.slot if occ is not None else flow.local_day(ctx.now(), _schedule(ctx, settings).zone)
    async with ctx.sessions() as session:
        rows = await checkins.for_day(
            session=session, platform=conv.platform, channel_id=conv.id, day=day
        )
    answered = sum(1 for r in rows if r.state == "answered")
    lines = [ctx.t("checkin.status", answered=answered, asked=len(rows), day=day)]
    return Reply(sections=lines + _describe(ctx, settings), ephemeral=True)


async def _standup_at(ctx: Context, row: CheckinAnswer) -> str:
    settings = await flow.channel_settings(ctx.services, row.platform, row.channel_id)
    return _schedule(ctx, settings).at.strftime("%H:%M")


async def _own_row(request: Request, ctx: Context, value: str | None) -> CheckinAnswer:
    if not value or not value.isascii() or not value.isdigit() or len(value) > 9:
        raise UsageError("errors.bad_action_value")
    async with ctx.sessions() as session:
        row = await session.get(CheckinAnswer, int(value))
    if row is None:
        raise UsageError("checkin.not_found")
    if row.member_id != request.actor.id:
        raise UsageError("checkin.not_yours")
    return row


async def _save(
    request: Request, ctx: Context, row: CheckinAnswer, answers: list[str] | None
) -> Reply:
    t = ctx.t
    if answers is not None and not any(a.strip() for a in answers):
        raise UsageError("checkin.empty")
    async with session_scope(ctx.sessions) as session:
        saved = await checkins.record_answer(
            session=session, row=row, answers=answers, now=ctx.now()
        )
    if saved is None:
        return Reply(sections=[t("checkin.too_late", day=row.day)], ephemeral=True, error=True)
    if answers is None:
        return Reply(sections=[t("checkin.skipped")], ephemeral=True, replace=True)
    if request.conversation.platform in PUBLIC_EPHEMERAL and (
        request.conversation.id == saved.channel_id
    ):
        return Reply(sections=[t("checkin.saved", at=await _standup_at(ctx, saved))])
    reply = flow.prompt(saved, at=await _standup_at(ctx, saved))
    reply.sections = [t("checkin.saved", at=await _standup_at(ctx, saved))]
    reply.ephemeral, reply.replace = True, True
    return reply


async def _answer_by_text(request: Request, ctx: Context, args: list[str], *, skip: bool) -> Reply:
    row = await _open_row(request, ctx)
    if row is None:
        return Reply(sections=[ctx.t("checkin.none_open")], ephemeral=True)
    if skip:
        return await _save(request, ctx, row, None)
    questions = checkins.questions_of(row)
    answers = [truncate(a.strip(), 1500) for a in args][: len(questions)]
    answers += [""] * (len(questions) - len(answers))
    return await _save(request, ctx, row, answers)


@action("checkin.")
async def checkin_button(request: Request, ctx: Context) -> Reply:
    """Buttons of a check-in: answer (the form's fields), not today, move a backlog item the
    answer named, make a blocker a backlog item."""
    verb = (request.action_id or "").removeprefix("checkin.")
    if verb == "answer":
        row = await _own_row(request, ctx, request.action_value)
        questions = checkins.questions_of(row)
        answers = [
            truncate(request.form.get(flow.FIELD.format(n=n), "").strip(), 1500)
            for n in range(len(questions))
        ]
        return await _save(request, ctx, row, answers)
    if verb == "skip":
        row = await _own_row(request, ctx, request.action_value)
        return await _save(request, ctx, row, None)
    if verb == "move":
        return await _move(request, ctx)
    if verb == "block":
        return await _block(request, ctx)
    raise UsageError("errors.unknown_action")


async def _move(request: Request, ctx: Context) -> Reply:
    t = ctx.t
    parts = (request.action_value or "").split(":")
    if len(parts) != 3 or parts[2] not in ("done", "in_progress"):
        raise UsageError("errors.bad_action_value")
    row_id, item_id, state = parts
    async with ctx.sessions() as session:
        row = await session.get(CheckinAnswer, int(row_id)) if row_id.isdigit() else None
    if row is None or not item_id.isdigit() or len(item_id) > 9:
        raise UsageError("checkin.not_found")
    if row.member_id != request.actor.id:
        return Reply(
            sections=[t("checkin.move_only_member", name=row.member_name)],
            ephemeral=True,
            error=True,
        )
    async with session_scope(ctx.sessions) as session:
        item = await store.get_item(session=session, item_id=int(item_id))
        if item is None:
            return Reply(sections=[t("checkin.move_missing", id=item_id)], ephemeral=True)
        state_name = t(f"checkin.state.{state}")
        if item.state == state:
            return Reply(
                sections=[t("checkin.moved", id=item.id, state=state_name)], ephemeral=True
            )
        moved = await store.move_item(session=session, item=item, to=state, now=ctx.now())
        if moved is None:
            return Reply(
                sections=[t("checkin.move_lost", id=item_id, state=item.state)], ephemeral=True
            )
        if state == "in_progress" and not moved.owner:
            moved.owner = row.member_name
            await store.save_item(session=session, item=moved, now=ctx.now())
        await audit.record(
            session=session,
            actor=request.actor,
            kind="backlog.move",
            subject=f"backlog:{item_id}",
            after=state,
        )
    return Reply(sections=[t("checkin.moved", id=item_id, state=state_name)], ephemeral=True)


async def _block(request: Request, ctx: Context) -> Reply:
    t = ctx.t
    value = request.action_value or ""
    if not value.isdigit() or len(value) > 9:
        raise UsageError("errors.bad_action_value")
    async with ctx.sessions() as session:
        row = await session.get(CheckinAnswer, int(value))
    if row is None:
        raise UsageError("checkin.not_found")
    blocker = blocker_of(checkins.questions_of(row), checkins.answers_of(row))
    if blocker is None or row.posted_at is None:
        return Reply(sections=[t("checkin.no_blocker")], ephemeral=True)
    fingerprint = f"blocker:{row.id}"
    now = ctx.now()
    async with session_scope(ctx.sessions) as session:
        existing = await store.open_by_fingerprint(session=session, fingerprints=[fingerprint])
        if fingerprint in existing:
            return Reply(sections=[t("checkin.blocker_exists", id=existing[fingerprint])])
        item = await store.insert_item(
            session=session,
            item=BacklogItem(
                kind="manual",
                fingerprint=fingerprint,
                title=truncate(f"{row.member_name}: {blocker}", 300),
                story=blocker,
                owner=row.member_name or None,
                state="blocked",
                locale=row.locale,
                created_by=request.actor.name or request.actor.id,
                created_at=now,
                updated_at=now,
                state_changed_at=now,
            ),
        )
        if item is None:
            existing = await store.open_by_fingerprint(session=session, fingerprints=[fingerprint])
            return Reply(sections=[t("checkin.blocker_exists", id=existing.get(fingerprint, "?"))])
        await audit.record(
            session=session,
            actor=request.actor,
            kind="backlog.add",
            subject=f"backlog:{item.id}",
            after="blocked",
        )
    return Reply(sections=[t("checkin.blocker_added", id=item.id)])


# --- members, away, history, post ------------------------------------------------------


def _member_words(words: list[str]) -> list[Member]:
    out: list[Member] = []
    for word in words:
        name = word.strip().strip(",")
        if not name.startswith("@") or len(name) < 2:
            raise UsageError("checkin.missing_member")
        ident = truncate(name[1:], 255)
        if all(m.id != ident for m in out):
            out.append(Member(ident, ident))
    return out[:MAX_MEMBERS]


async def members_command(request: Request, ctx: Context, args: list[str]) -> Reply:
    """`standup members` (who is asked), `standup members @a @b` (this list),
    `standup members channel` (the channel's members again)."""
    t = ctx.t
    parsed = parse(args)
    words = parsed.positional
    if not words:
        conv = request.conversation
        cs = CheckinSettings.from_settings(
            await flow.channel_settings(ctx.services, conv.platform, conv.id)
        )
        if not cs.members:
            return Reply(sections=[t("checkin.members_from_platform")], ephemeral=True)
        names = ", ".join("@" + m.label for m in cs.members)
        return Reply(sections=[t("checkin.members_list", list=names)], ephemeral=True)
    if len(words) == 1 and words[0].lower() in ("channel", "kanal", "clear", "alle", "all"):
        await _store_checkin(request, ctx, {"members": []})
        return Reply(sections=[t("checkin.members_cleared")])
    members = _member_words(words)
    await _store_checkin(request, ctx, {"members": [{"id": m.id, "name": m.name} for m in members]})
    names = ", ".join("@" + m.label for m in members)
    return Reply(sections=[t("checkin.members_set", list=names)])


async def away_command(request: Request, ctx: Context, args: list[str]) -> Reply:
    """`standup away @member until DATE` (not asked until then), `standup away @member back`."""
    t = ctx.t
    parsed = parse(args, max_positional=3)
    words = parsed.positional
    if not words:
        raise UsageError("checkin.missing_member")
    member = _member_words(words[:1])[0]
    conv = request.conversation
    settings = await flow.channel_settings(ctx.services, conv.platform, conv.id)
    raw = settings.get("checkin")
    away = dict((raw if isinstance(raw, dict) else {}).get("away") or {})
    rest = [w for w in words[1:] if w.lower() not in ("until", "bis")]
    if rest and rest[0].lower() in ("back", "zurück", "off", "none"):
        away.pop(member.id, None)
        await _store_checkin(request, ctx, {"away": away})
        return Reply(sections=[t("checkin.away_cleared", member="@" + member.label)])
    if not rest:
        raise UsageError("checkin.bad_date", value="")
    try:
        until = dt.date.fromisoformat(rest[0])
    except ValueError as exc:
        raise UsageError("checkin.bad_date", value=rest[0]) from exc
    away[member.id] = until.isoformat()
    await _store_checkin(request, ctx, {"away": away})
    return Reply(
        sections=[t("checkin.away_set", member="@" + member.label, date=until.isoformat())]
    )


async def history_command(request: Request, ctx: Context, args: list[str]) -> Reply:
    """`standup history @me 14d`: your own check-ins (nobody sees another's)."""
    t = ctx.t
    parsed = parse(args, max_positional=2)
    words = parsed.positional
    who = request.actor.id
    days = HISTORY_DEFAULT_DAYS
    for word in words:
        if word.startswith("@"):
            name = word[1:]
            if name.lower() not in ("me", "ich", "mir") and name not in (
                request.actor.id,
                request.actor.name,
            ):
                return Reply(sections=[t("checkin.history_only_own")], ephemeral=True, error=True)
        elif match := _DAYS.match(word):
            days = max(1, min(int(match.group(1)), MAX_KEEP_DAYS))
        else:
            raise UsageError("checkin.bad_days", value=word)
    zone = ctx.workspace.schedules.timezone
    since = flow.local_day(ctx.now() - dt.timedelta(days=days), zone)
    async with ctx.sessions() as session:
        rows = await checkins.history(
            session=session, platform=request.conversation.platform, member_id=who, since_day=since
        )
    span = t("checkin.keep_days", n=days)
    if not rows:
        return Reply(sections=[t("checkin.history_empty", days=span)], ephemeral=True)
    sections = []
    for row in rows:
        if row.state == "skipped":
            body = t("checkin.history_skipped")
        elif row.state == "asked":
            body = t("checkin.history_open")
        else:
            pairs = zip(checkins.questions_of(row), checkins.answers_of(row), strict=False)
            body = "\n".join(f"{q} — {a}" for q, a in pairs if a.strip())
        sections.append(f"{row.day}\n{body}")
    return Reply(title=t("checkin.history_title", days=span), sections=sections, ephemeral=True)


async def post_command(request: Request, ctx: Context) -> Reply:
    """`standup post`: post the next standup now, with the check-ins collected for it, as
    the scheduler would (once: its scheduled run then finds it done)."""
    from handlers.standup import standup_reply

    conv = request.conversation
    settings = await flow.channel_settings(ctx.services, conv.platform, conv.id)
    now = ctx.now()
    occ = await _current_occurrence(ctx, settings)
    day = occ.slot if occ is not None else flow.local_day(now, _schedule(ctx, settings).zone)
    job = f"standup:{conv.platform}:{conv.id}"
    owner = f"command:{request.actor.id}"[:128]
    async with session_scope(ctx.sessions) as session:
        won = await claims.try_claim(
            session=session, job=job, slot=day, owner=owner, ttl=POST_CLAIM_TTL, now=now
        )
    if not won:
        return Reply(sections=[ctx.t("checkin.posted_already", day=day)], ephemeral=True)
    reply = await standup_reply(ctx, conv, now=now, checkin_day=day, publish=True)
    async with session_scope(ctx.sessions) as session:
        await store.record_post(
            session=session,
            platform=conv.platform,
            channel_id=conv.id,
            slot=day,
            posted_at=now,
            message_ref=None,
        )
        await checkins.mark_posted(
            session=session, platform=conv.platform, channel_id=conv.id, day=day, now=now
        )
        await claims.finish_claim(session=session, job=job, slot=day, owner=owner, now=now)
    return reply
