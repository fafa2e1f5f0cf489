"""Check-ins between the scheduler and the chat: whom to ask, asking one member once, and
the standup's section of answers.

The scheduler's job (bot/checkin_jobs.py) and the commands (handlers/checkin.py) share
these, so a member asked by the tick and one who asks for their check-in by command get
the same question, stored in the same row.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from core.db import session_scope
from core.i18n import Translator, normalize_locale
from core.models_backlog import OPEN_STATES
from core.models_checkin import CheckinAnswer
from core.reply import Action, Actor, Conversation, Fact, Input, Item, Reply, Request
from core.standup import schedule as sched
from core.standup.checkin import (
    CheckinSettings,
    Member,
    Roster,
    blocker_of,
    item_refs,
)
from core.storage import backlog as backlog_store
from core.storage import checkins, conversations, prefs
from handlers.context import Context, Services
from handlers.dispatch import resolve_locale

log = logging.getLogger(__name__)
KIND = "standup"
ANSWER = "checkin.answer"
SKIP = "checkin.skip"
EDIT = "checkin.edit"
MOVE = "checkin.move"
BLOCK = "checkin.block"
FIELD = "a{n}"


def rosters(services: Services) -> dict[str, Roster]:
    """The platforms' rosters (registered by each platform's setup)."""
    return services.rosters


async def channel_settings(services: Services, platform: str, channel_id: str) -> dict[str, object]:
    async with services.sessions() as session:
        sub = await conversations.get_subscription(
            session=session, platform=platform, channel_id=channel_id, kind=KIND
        )
    return json.loads(sub.settings or "{}") if sub is not None else {}


async def members_of(
    services: Services, platform: str, channel_id: str, settings: CheckinSettings
) -> list[Member]:
    """The standup's members: the configured list, else the channel's from the platform."""
    if settings.members:
        return list(settings.members)
    roster = rosters(services).get(platform)
    if roster is None:
        return []
    return await roster.members(channel_id)


def questions_for(settings: CheckinSettings, locale: str) -> list[str]:
    """The channel's questions (the team's own words), else the defaults in `locale`."""
    if settings.questions:
        return list(settings.questions)
    t = Translator(locale)
    return [t("checkin.q1"), t("checkin.q2"), t("checkin.q3")]


async def member_locale(services: Services, platform: str, channel_id: str, member: Member) -> str:
    """The member's language: their own choice, what the platform says, else the channel's."""
    async with services.sessions() as session:
        chosen = await prefs.get_pref(
            session=session, platform=platform, scope="user", subject_id=member.id, key="locale"
        )
    if loc := normalize_locale(chosen) or normalize_locale(member.locale):
        return loc
    actor = Actor(id=member.id, name=member.name, platform=platform)  # type: ignore[arg-type]
    request = Request("standup", [], actor, Conversation(platform, channel_id))  # type: ignore[arg-type]
    return await resolve_locale(services, request)


def standup_time(occurrence: sched.Occurrence) -> str:
    return occurrence.local.strftime("%H:%M")


def prompt(row: CheckinAnswer, *, at: str, reminder: bool = False) -> Reply:
    """The question to a member: the questions as a form, answer and "not today"."""
    t = Translator(row.locale)
    answers = checkins.answers_of(row)
    inputs = [
        Input(FIELD.format(n=n), q, answers[n] if n < len(answers) else "", True, 1500)
        for n, q in enumerate(checkins.questions_of(row))
    ]
    sections = [t("checkin.reminder", at=at)] if reminder else []
    sections.append(t("checkin.intro", at=at))
    value = str(row.id)
    return Reply(
        title=t("checkin.title", day=_day_label(row.day, row.locale)),
        sections=sections,
        inputs=inputs,
        actions=[
            Action(ANSWER, t("checkin.button_answer"), value, "primary"),
            Action(SKIP, t("checkin.button_skip"), value),
        ],
    )


def saved(row: CheckinAnswer, *, at: str, ephemeral: bool) -> Reply:
    """A saved check-in: its answers, and buttons to change it or skip the day; it takes the
    place of the question (the DM message, the card)."""
    t = Translator(row.locale)
    pairs = zip(checkins.questions_of(row), checkins.answers_of(row), strict=False)
    value = str(row.id)
    return Reply(
        title=t("checkin.title", day=_day_label(row.day, row.locale)),
        sections=[t("checkin.saved", at=at)],
        facts=[Fact(q, a) for q, a in pairs if a.strip()],
        actions=[
            Action(EDIT, t("checkin.button_edit"), value),
            Action(SKIP, t("checkin.button_skip"), value),
        ],
        ephemeral=ephemeral,
        replace=True,
    )


def _day_label(day: str, locale: str) -> str:
    try:
        date = dt.date.fromisoformat(day)
    except ValueError:
        return day
    return date.strftime("%d.%m.%Y") if locale == "de" else date.isoformat()


@dataclass(frozen=True)
class Asked:
    row: CheckinAnswer
    sent: bool


async def ask(
    services: Services,
    *,
    platform: str,
    channel_id: str,
    member: Member,
    settings: CheckinSettings,
    occurrence: sched.Occurrence,
    now: dt.datetime,
    send: bool = True,
    locale: str | None = None,
) -> Asked | None:
    """Ask a member for the standup of `occurrence`, once: the row's insert is the claim.

    None when the member was asked already (by this or another replica, before a restart).
    A row whose question never went out (the sender died between insert and send) is
    sent again by the caller through `resend`."""
    locale = locale or await member_locale(services, platform, channel_id, member)
    async with session_scope(services.sessions) as session:
        row = await checkins.claim_member(
            session=session,
            platform=platform,
            channel_id=channel_id,
            member_id=member.id,
            member_name=member.label,
            day=occurrence.slot,
            locale=locale,
            questions=questions_for(settings, locale),
            now=now,
        )
    if row is None:
        return None
    if not send:
        return Asked(row, False)
    return Asked(await deliver(services, row, member, occurrence, now), True)


async def deliver(
    services: Services,
    row: CheckinAnswer,
    member: Member,
    occurrence: sched.Occurrence,
    now: dt.datetime,
    *,
    reminder: bool = False,
) -> CheckinAnswer:
    """Send the question (or the reminder) to the member in private; marks it asked."""
    roster = rosters(services).get(row.platform)
    if roster is None:
        raise LookupError(f"no roster for platform {row.platform}")
    reply = prompt(row, at=standup_time(occurrence), reminder=reminder)
    direct = await roster.send_direct(
        member=member, reply=reply, locale=row.locale, channel_id=row.channel_id
    )
    if not reminder and row.id is not None:
        async with session_scope(services.sessions) as session:
            await checkins.mark_asked(session=session, row_id=row.id, direct_id=direct, now=now)
        row.asked_at, row.direct_id = now, direct
    return row


# --- the standup's section ----------------------------------------------------------


async def summary(
    ctx: Context,
    conversation: Conversation,
    *,
    day: str,
    publish: bool,
) -> tuple[list[str], list[Item]]:
    """The check-ins of `day` for the standup post: with `publish`, every member's answers
    (blockers first) and who did not answer; without, only how many answered (answers are
    private until the standup posts them)."""
    t = ctx.t
    async with ctx.sessions() as session:
        rows = await checkins.for_day(
            session=session, platform=conversation.platform, channel_id=conversation.id, day=day
        )
        items = await backlog_store.list_items(session=session, states=OPEN_STATES)
    # Members who were not asked (the post came before their check-in time, or their ask
    # failed) have no row; the post still names them, except those away that day.
    missing = await _unasked(ctx, conversation, day, {r.member_id for r in rows}) if publish else []
    if not rows and not missing:
        return [], []
    answered = [r for r in rows if r.state == "answered"]
    # Once the standup posted them, the answers are the channel's to see.
    if not publish and any(r.posted_at is None for r in rows):
        return [t("checkin.summary_pending", answered=len(answered), asked=len(rows))], []
    known = [(int(i.id), i.title) for i in items if i.id is not None]
    blocked: list[Item] = []
    others: list[Item] = []
    for row in answered:
        questions, answers = checkins.questions_of(row), checkins.answers_of(row)
        blocker = blocker_of(questions, answers)
        lines = [f"{q} — {a}" for q, a in zip(questions, answers, strict=False) if a.strip()]
        refs = item_refs(
            answers, known, blocker_index=len(questions) - 1 if len(questions) >= 3 else None
        )
        actions = [
            Action(
                MOVE,
                t("checkin.button_move", id=ref.item_id, state=t(f"checkin.state.{ref.state}")),
                f"{row.id}:{ref.item_id}:{ref.state}",
            )
            for ref in refs
            if ref.state is not None
        ]
        if blocker is not None:
            actions.append(Action(BLOCK, t("checkin.button_block"), str(row.id), "danger"))
        title = t("checkin.blocked_title", name=row.member_name) if blocker else row.member_name
        item = Item(title=title, text="\n".join(lines), actions=tuple(actions[:5]))
        (blocked if blocker else others).append(item)
    sections = [t("checkin.summary", answered=len(answered), asked=len(rows) + len(missing))]
    silent = [r.member_name or r.member_id for r in rows if r.state == "asked"] + missing
    if silent:
        sections.append(t("checkin.no_answer_from", list=", ".join(silent)))
    skipped = [r.member_name for r in rows if r.state == "skipped"]
    if skipped:
        sections.append(t("checkin.not_today", list=", ".join(skipped)))
    return sections, blocked + others


async def _unasked(ctx: Context, conversation: Conversation, day: str, have: set[str]) -> list[str]:
    """The standup's members with no check-in row for `day` who are not away."""
    settings = CheckinSettings.from_settings(
        await channel_settings(ctx.services, conversation.platform, conversation.id)
    )
    if not settings.enabled:
        return []
    try:
        members = await members_of(ctx.services, conversation.platform, conversation.id, settings)
    except Exception:  # the post matters more than the roster (the platform may be down)
        log.warning("could not list the standup's members", exc_info=True)
        return []
    date = dt.date.fromisoformat(day)
    return [m.label for m in members if m.id not in have and not settings.is_away(m.id, date)]


def local_day(now: dt.datetime, zone: str) -> str:
    """The local date of a naive-UTC time in a zone (the standup slot of that day)."""
    return now.replace(tzinfo=dt.UTC).astimezone(ZoneInfo(zone)).date().isoformat()
