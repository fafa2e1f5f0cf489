"""Changing backlog items: add, edit, move between states, take — by command or button.

Every change is stored with a conditional UPDATE (core.storage.backlog) and recorded in
the audit trail with the item before and after.
"""

from __future__ import annotations

import hashlib
import json

from sqlalchemy.exc import IntegrityError

from core.backlog import ice, states
from core.db import session_scope
from core.models_backlog import STATES, BacklogItem
from core.reply import Reply, Request
from core.storage import audit
from core.storage import backlog as store
from core.text import clean_text, fold, truncate
from handlers.args import UsageError, is_id, parse
from handlers.backlog_view import button_value, item_card, parse_button_value
from handlers.confirm import ask
from handlers.context import Context

DROP_CONFIRMED = "backlog.drop.confirmed"
EDIT_OPTIONS = ("title", "story", "owner", "points", "state", "format", "impact", "confidence")


def parse_id(text: str) -> int:
    value = text.strip().lstrip("#")
    if not is_id(value):
        raise UsageError("backlog.bad_id", id=text)
    return int(value)


def evidence_count(item: BacklogItem) -> int:
    """How many mentions the item names as its evidence."""
    try:
        evidence = json.loads(item.evidence or "{}")
    except ValueError:
        return 0
    ids = evidence.get("mention_ids") if isinstance(evidence, dict) else None
    return len(ids) if isinstance(ids, list) else 0


async def load(ctx: Context, ref: str) -> BacklogItem:
    item_id = parse_id(ref)
    async with ctx.sessions() as session:
        item = await store.get_item(session=session, item_id=item_id)
    if item is None:
        raise UsageError("backlog.not_found", id=str(item_id))
    return item


def _int_option(options: dict[str, str], name: str, low: int, high: int) -> int | None:
    if name not in options:
        return None
    value = options[name].strip()
    if not value.isdigit() or not low <= int(value) <= high:
        raise UsageError("backlog.bad_number", option=f"--{name}", low=str(low), high=str(high))
    return int(value)


def _format_option(options: dict[str, str]) -> str | None:
    if "format" not in options:
        return None
    fmt = options["format"].strip().lower().replace("-", "_")
    if fmt not in ice.FORMATS:
        raise UsageError(
            "backlog.bad_format", value=options["format"], choices="|".join(ice.FORMATS)
        )
    return fmt


def owner_name(request: Request, value: str) -> str | None:
    """An owner as typed: `me` is the asker, `none` nobody, else the name (without @)."""
    value = clean_text(value)
    if value.lower() in ("me", "ich", "mir"):
        return request.actor.name or request.actor.id
    if value.lower() in ("none", "-", "niemand", "keiner"):
        return None
    return truncate(value.lstrip("@"), 255)


async def add(request: Request, ctx: Context, args: list[str]) -> Reply:
    parsed = parse(args, options=("points", "format", "owner", "impact", "confidence"))
    title = truncate(clean_text(parsed.text()), 300)
    if not title:
        raise UsageError("backlog.missing_text")
    fmt = _format_option(parsed.options) or ""
    impact = _int_option(parsed.options, "impact", 1, 10) or 5
    confidence = _int_option(parsed.options, "confidence", 1, 10) or 5
    points = _int_option(parsed.options, "points", 0, 100)
    ease = ice.ease(fmt)
    now = ctx.now()
    digest = hashlib.blake2b(fold(title).encode(), digest_size=10).hexdigest()
    item = BacklogItem(
        kind="manual",
        fingerprint=f"manual:{digest}",
        title=title,
        format=fmt,
        channel={
            "linkedin_post": "linkedin",
            "blog_article": "blog",
            "short_video": "instagram",
            "faq_entry": "website",
        }.get(fmt, ""),
        impact=impact,
        confidence=confidence,
        ease=ease,
        score=impact * confidence * ease,
        points=points if points is not None else ice.points(fmt),
        owner=owner_name(request, parsed.options["owner"]) if "owner" in parsed.options else None,
        locale=ctx.locale,
        created_by=request.actor.id,
        created_at=now,
        updated_at=now,
        state_changed_at=now,
    )
    async with session_scope(ctx.sessions) as session:
        stored = await store.insert_item(session=session, item=item)
        if stored is None:
            existing = await store.open_by_fingerprint(
                session=session, fingerprints=[item.fingerprint]
            )
            raise UsageError("backlog.duplicate", id=str(existing.get(item.fingerprint, "?")))
        await audit.record(
            session=session,
            actor=request.actor,
            kind="backlog.add",
            subject=f"backlog:{stored.id}",
            after=title,
        )
    return Reply(
        title=ctx.t("backlog.added", id=stored.id),
        items=[item_card(ctx, stored, request.actor)],
    )


def _snapshot(item: BacklogItem) -> str:
    keys = ("title", "story", "owner", "points", "state", "format", "impact", "confidence", "score")
    return json.dumps({k: getattr(item, k) for k in keys}, ensure_ascii=False, sort_keys=True)


async def edit(request: Request, ctx: Context, args: list[str]) -> Reply:
    ref, rest = args[0], args[1:]
    parsed = parse(rest, options=EDIT_OPTIONS, max_positional=0)
    opts = parsed.options
    if not opts:
        raise UsageError("backlog.nothing_to_edit")
    target_state = None
    if "state" in opts:
        target_state = states.parse_state(opts["state"])
        if target_state is None:
            raise UsageError("backlog.bad_state", value=opts["state"], choices="|".join(STATES))
        if len(opts) == 1:
            return await change_state(request, ctx, ref, target_state)
    points = _int_option(opts, "points", 0, 100)
    impact = _int_option(opts, "impact", 1, 10)
    confidence = _int_option(opts, "confidence", 1, 10)
    fmt = _format_option(opts)
    item = await load(ctx, ref)
    before = _snapshot(item)
    if "title" in opts:
        title = truncate(clean_text(opts["title"]), 300)
        if not title:
            raise UsageError("backlog.missing_text")
        item.title = title
    if "story" in opts:
        item.story = clean_text(opts["story"])[:2000]
    if "owner" in opts:
        item.owner = owner_name(request, opts["owner"])
    if points is not None:
        item.points = points
    if fmt is not None:
        item.format, item.ease = fmt, ice.ease(fmt)
    if impact is not None:
        item.impact = impact
    if confidence is not None:
        item.confidence = confidence
    item.score = item.impact * item.confidence * item.ease
    item = await _save_edit(request, ctx, item, before)
    if target_state is not None and target_state != item.state:
        return await change_state(request, ctx, str(item.id), target_state)
    return Reply(
        title=ctx.t("backlog.edited", id=item.id), items=[item_card(ctx, item, request.actor)]
    )


async def _save_edit(request: Request, ctx: Context, item: BacklogItem, before: str) -> BacklogItem:
    """Store an edited item and audit the change (`before` is its snapshot before the edit)."""
    async with session_scope(ctx.sessions) as session:
        saved = await store.save_item(session=session, item=item, now=ctx.now())
        await audit.record(
            session=session,
            actor=request.actor,
            kind="backlog.edit",
            subject=f"backlog:{saved.id}",
            before=before,
            after=_snapshot(saved),
        )
    return saved


async def change_state(
    request: Request, ctx: Context, ref: str, to: str, *, confirmed: bool = False
) -> Reply:
    """Move an item to a state (command or button); explains a move that is not allowed.

    Dropping an item that rests on evidence (mentions) is asked first."""
    t = ctx.t
    item = await load(ctx, ref)
    evidence = evidence_count(item)
    if to == "dropped" and evidence and not confirmed and states.can_move(item.state, to):
        _, view = parse_button_value(request.action_value or "")
        return ask(
            ctx,
            title=t("confirm.drop_title", id=item.id),
            what=[t("confirm.drop_what", id=item.id, title=item.title, count=evidence)],
            action_id=DROP_CONFIRMED,
            value=button_value(item.id, view),
            button=t("confirm.drop_button", id=item.id),
        )
    if item.state == to:
        return Reply(
            sections=[t("backlog.already", id=item.id, state=t(f"backlog.states.{to}"))],
            items=[item_card(ctx, item, request.actor)],
            ephemeral=True,
        )
    if not states.can_move(item.state, to):
        return Reply(
            sections=[
                t(
                    "backlog.bad_move",
                    id=item.id,
                    state=t(f"backlog.states.{item.state}"),
                    to=t(f"backlog.states.{to}"),
                )
            ],
            ephemeral=True,
            error=True,
        )
    before = item.state
    try:
        async with session_scope(ctx.sessions) as session:
            moved = await store.move_item(session=session, item=item, to=to, now=ctx.now())
            if moved is not None:
                if to == "in_progress" and not moved.owner:
                    moved.owner = request.actor.name or request.actor.id
                    moved = await store.save_item(session=session, item=moved, now=ctx.now())
                await audit.record(
                    session=session,
                    actor=request.actor,
                    kind="backlog.state",
                    subject=f"backlog:{item.id}",
                    before=before,
                    after=to,
                )
    except IntegrityError:
        return Reply(
            sections=[t("backlog.reopen_conflict", id=item.id)], ephemeral=True, error=True
        )
    if moved is None:
        fresh = await load(ctx, ref)
        return Reply(
            sections=[
                t(
                    "backlog.changed_meanwhile",
                    id=fresh.id,
                    state=t(f"backlog.states.{fresh.state}"),
                )
            ],
            items=[item_card(ctx, fresh, request.actor)],
            ephemeral=True,
        )
    return Reply(
        sections=[t("backlog.moved", id=moved.id, state=t(f"backlog.states.{to}"))],
        items=[item_card(ctx, moved, request.actor)],
    )


async def take(request: Request, ctx: Context, ref: str) -> Reply:
    item = await load(ctx, ref)
    before = _snapshot(item)
    item.owner = request.actor.name or request.actor.id
    item = await _save_edit(request, ctx, item, before)
    return Reply(
        sections=[ctx.t("backlog.taken", id=item.id, owner=item.owner)],
        items=[item_card(ctx, item, request.actor)],
        replace=True,
    )
