"""`backlog`: the content backlog — suggestions from the data, sorted by ICE score.

Items change by command (`backlog edit 4 --state done`) or by the buttons on an item
(action ids `backlog.<verb>`, value the item id and its view, `4@sprint`); every change
goes to the audit trail (handlers/backlog_edit.py).
"""

from __future__ import annotations

import json

from core.backlog import states
from core.backlog.enrich import enrich
from core.backlog.suggest import suggest
from core.db import session_scope
from core.models_backlog import OPEN_STATES, STATES, BacklogItem
from core.reply import Fact, Reply, Request
from core.storage import audit
from core.storage import backlog as store
from core.storage.backlog_evidence import mentions_by_ids
from handlers.args import UsageError, parse
from handlers.backlog_edit import (
    DROP_CONFIRMED,
    add,
    change_state,
    edit,
    load,
    owner_name,
    take,
)
from handlers.backlog_view import (
    evidence_facts,
    ice_basis_facts,
    ice_fact,
    item_card,
    parse_button_value,
)
from handlers.context import Context
from handlers.export import export_backlog
from handlers.mentions import mention_item
from handlers.registry import action, command
from handlers.sprint import board

LIST_LIMIT = 15
SUBCOMMANDS = {
    "list": "list",
    "ls": "list",
    "liste": "list",
    "suggest": "suggest",
    "vorschlagen": "suggest",
    "add": "add",
    "neu": "add",
    "show": "show",
    "zeige": "show",
    "edit": "edit",
    "ändern": "edit",
    "aendern": "edit",
    "drop": "drop",
    "verwerfen": "drop",
}


@command("backlog", aliases=("bl",), order=40)
async def backlog_command(request: Request, ctx: Context) -> Reply:
    """The content backlog: suggestions from the listening data, sorted by ICE score; --export csv gives the list as a file.

    de: Das Content-Backlog: Vorschläge aus den Listening-Daten, sortiert nach ICE-Score; --export csv liefert die Liste als Datei.
    Usage: backlog [list [--state todo|in_progress|blocked|done|dropped|all] [--owner NAME] [--export csv] | suggest | add TEXT [--points N] [--format FORMAT] [--owner NAME] [--impact 1-10] [--confidence 1-10] | show ID | edit ID [--title T] [--story S] [--owner NAME|me|none] [--points N] [--state STATE] [--format FORMAT] [--impact 1-10] [--confidence 1-10] | drop ID]
    """
    args = list(request.args)
    if args and args[0].startswith("--"):  # `backlog --export csv`, `backlog --state done`
        args = ["list", *args]
    sub = SUBCOMMANDS.get(args[0].lower(), "") if args else "list"
    if not sub:
        if args[0].lstrip("#").isdigit():
            return await _show(ctx, args[0])
        raise UsageError("backlog.unknown_sub", sub=args[0])
    rest = args[1:]
    if sub == "list":
        return await _list(ctx, rest, request)
    if sub == "suggest":
        parse(rest, max_positional=0)
        return await _suggest(request, ctx)
    if sub == "add":
        return await add(request, ctx, rest)
    if not rest:
        raise UsageError("backlog.missing_id")
    if sub == "show":
        parse(rest[1:], max_positional=0)
        return await _show(ctx, rest[0])
    if sub == "drop":
        parse(rest[1:], max_positional=0)
        return await change_state(request, ctx, rest[0], "dropped")
    return await edit(request, ctx, rest)


@action("backlog.")
async def backlog_button(request: Request, ctx: Context) -> Reply:
    """Buttons on a backlog item: start, done, block, unblock, reopen, drop, take, show.

    The value names the item and the view its card sits in (`4@sprint`); after a change
    the whole view is redrawn in place, so a list or the sprint board stays complete.
    """
    verb = (request.action_id or "").removeprefix("backlog.")
    ref, view = parse_button_value(request.action_value or "")
    if verb == "list":
        return await _list(ctx, [], request)
    if verb == "suggest":
        return await _suggest(request, ctx)
    if verb == "show":
        return await _show(ctx, ref)
    if verb == "take":
        reply = await take(request, ctx, ref)
    elif verb == DROP_CONFIRMED.removeprefix("backlog."):
        reply = await change_state(request, ctx, ref, "dropped", confirmed=True)
    elif verb in states.BUTTONS:
        reply = await change_state(request, ctx, ref, states.BUTTONS[verb])
    else:
        raise UsageError("errors.unknown_action")
    if reply.error or reply.ephemeral:
        return reply
    note = reply.sections[:1]
    if view == "list":
        reply = await _list(ctx, [], request)
    elif view == "sprint":
        reply = await board(ctx) or reply
    reply.sections = [*note, *(s for s in reply.sections if s not in note)]
    reply.replace = True
    return reply


# --- reading ------------------------------------------------------------------------


async def _list(ctx: Context, args: list[str], request: Request) -> Reply:
    parsed = parse(
        args, options=("state", "owner", "export"), choices={"export": ("csv",)}, max_positional=0
    )
    wanted = parsed.options.get("state", "")
    if not wanted:
        chosen: tuple[str, ...] = OPEN_STATES
    elif wanted.lower() in ("all", "alle"):
        chosen = STATES
    else:
        state = states.parse_state(wanted)
        if state is None:
            raise UsageError("backlog.bad_state", value=wanted, choices="|".join(STATES))
        chosen = (state,)
    owner = owner_name(request, parsed.options["owner"]) if "owner" in parsed.options else None
    if parsed.options.get("export"):
        return await export_backlog(ctx, chosen, owner)
    async with ctx.sessions() as session:
        rows = await store.list_items(
            session=session, states=chosen, owner=owner, limit=LIST_LIMIT + 1
        )
    t = ctx.t
    if not rows:
        key = "backlog.none_match" if parsed.options else "backlog.empty"
        return Reply(title=t("backlog.title"), sections=[t(key)])
    reply = Reply(
        title=t("backlog.title"),
        sections=[
            t("backlog.list_header", states=", ".join(t(f"backlog.states.{s}") for s in chosen))
        ],
        items=[item_card(ctx, i, view="list") for i in rows[:LIST_LIMIT]],
    )
    if len(rows) > LIST_LIMIT:
        reply.footnotes.append(t("backlog.more", count=LIST_LIMIT))
    return reply


async def _show(ctx: Context, ref: str) -> Reply:
    item = await load(ctx, ref)
    evidence = json.loads(item.evidence or "{}")
    ids = [int(i) for i in evidence.get("mention_ids") or [] if isinstance(i, int)][:5]
    async with ctx.sessions() as session:
        mentions = await mentions_by_ids(session=session, ids=ids)
    t = ctx.t
    card = item_card(ctx, item)
    facts = [
        ice_fact(ctx, item),
        *ice_basis_facts(ctx, item),
        *evidence_facts(ctx, item),
        *card.facts[1:],
        Fact(t("backlog.kind"), t(f"backlog.kinds.{item.kind}")),
    ]
    reply = Reply(
        title=f"#{item.id} {item.title}",
        sections=[item.story] if item.story else [],
        facts=facts,
        items=[mention_item(ctx, m, text_limit=200) for m in mentions],
        actions=[a for a in card.actions if a.id != "backlog.show"],
    )
    if item.enriched:
        reply.footnotes.append(t("backlog.enriched"))
    return reply


async def _suggest(request: Request, ctx: Context) -> Reply:
    t = ctx.t
    now = ctx.now()
    async with ctx.sessions() as session:
        result = await suggest(session, now=now, locale=ctx.locale, brand=ctx.workspace.brand.name)
    enriched = await enrich(ctx.services.llm, result.new, locale=ctx.locale)
    added: list[BacklogItem] = []
    raced = 0
    async with session_scope(ctx.sessions) as session:
        for s in result.new:
            item = await store.insert_item(
                session=session,
                item=s.to_item(locale=ctx.locale, created_by=request.actor.id, now=now),
            )
            if item is None:
                raced += 1  # another replica or click stored it a moment ago
                continue
            added.append(item)
            await audit.record(
                session=session,
                actor=request.actor,
                kind="backlog.suggest",
                subject=f"backlog:{item.id}",
                after=item.title,
            )
    known = sorted({i for _, i in result.known})
    lines = [t("backlog.suggest.added", count=len(added))]
    if known:
        lines.append(
            t("backlog.suggest.known", count=len(known), ids=", ".join(f"#{i}" for i in known))
        )
    if result.recently_closed:
        lines.append(t("backlog.suggest.recent", count=result.recently_closed))
    if raced:
        lines.append(t("backlog.suggest.raced", count=raced))
    if not added and not known:
        lines = [t("backlog.suggest.none")]
    reply = Reply(
        title=t("backlog.suggest.title"),
        sections=lines,
        items=[item_card(ctx, i, request.actor, view="list") for i in added],
    )
    if enriched:
        reply.footnotes.append(t("backlog.suggest.enriched"))
    if result.failed:
        reply.footnotes.append(t("backlog.suggest.failed", rules=", ".join(result.failed)))
    return reply
