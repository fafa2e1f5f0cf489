"""`watch`: the watchlist — show it, add a term, remove a term. Every change is audited."""

from __future__ import annotations

from core.db import session_scope
from core.models import WatchTerm
from core.reply import Fact, Reply, Request
from core.storage import audit, watch
from core.watchlist import normalize_term
from handlers.args import UsageError, parse
from handlers.confirm import ask
from handlers.context import Context
from handlers.registry import action, command

KINDS = ("brand", "product", "competitor", "keyword", "hashtag")
MAX_TERM = 100
# Removing one of these changes what is collected and counted: it is asked first.
CONFIRM_KINDS = ("brand", "competitor")
REMOVE_CONFIRMED = "watch.remove.confirmed"
_LIST = ("list", "ls", "show")
_ADD = ("add", "+")
_REMOVE = ("remove", "rm", "delete", "del", "-")


@command("watch", aliases=("watchlist",), order=50)
async def watch_command(request: Request, ctx: Context) -> Reply:
    """Show or edit the watchlist: brand, products, competitors, keywords and hashtags.

    de: Zeigt oder ändert die Watchlist: Marke, Produkte, Wettbewerber, Stichwörter und Hashtags.
    Usage: watch list | add TERM [--as brand|product|competitor|keyword|hashtag] | remove TERM
    """
    sub = request.args[0].lower() if request.args else "list"
    rest = request.args[1:]
    if sub in _LIST:
        parse(rest, max_positional=0)
        return await _list(ctx)
    if sub in _ADD:
        parsed = parse(rest, options=("as",), choices={"as": KINDS})
        return await _add(request, ctx, parsed.text(), parsed.options.get("as"))
    if sub in _REMOVE:
        return await _remove(request, ctx, parse(rest).text())
    raise UsageError("watch.unknown_sub", sub=sub)


@action(REMOVE_CONFIRMED)
async def watch_remove_confirmed(request: Request, ctx: Context) -> Reply:
    """The button of the question before removing the brand or a competitor."""
    return await _remove(request, ctx, request.action_value or "", confirmed=True)


async def _list(ctx: Context) -> Reply:
    t = ctx.t
    async with ctx.sessions() as session:
        rows = await watch.list_terms(session=session)
    if not rows:
        return Reply(title=t("watch.title"), sections=[t("watch.empty")])
    facts = []
    for kind in KINDS:
        terms = [_label(ctx, r) for r in rows if r.kind == kind]
        if terms:
            facts.append(Fact(t(f"watch.group.{kind}"), ", ".join(terms)))
    if ctx.workspace.exclusions:
        facts.append(Fact(t("watch.exclusions"), ", ".join(ctx.workspace.exclusions)))
    return Reply(
        title=t("watch.title"), facts=facts, footnotes=[t("watch.footer", count=len(rows))]
    )


async def _ask_before_removing(ctx: Context, term: str) -> Reply | None:
    """Removing the brand or a competitor changes what is collected: ask first."""
    normalized = normalize_term(term)
    async with ctx.sessions() as session:
        rows = await watch.list_terms(session=session)
    row = next((r for r in rows if r.normalized == normalized), None)
    if row is None or row.kind not in CONFIRM_KINDS:
        return None
    t = ctx.t
    return ask(
        ctx,
        title=t("confirm.watch_title", term=row.term),
        what=[t("confirm.watch_what", term=row.term, kind=t(f"watch.kind.{row.kind}"))],
        action_id=REMOVE_CONFIRMED,
        value=row.term,
        button=t("confirm.watch_button", term=row.term),
    )


def _label(ctx: Context, row: WatchTerm) -> str:
    """The term as written; an alias also names the entity it counts for."""
    canonical = row.canonical or row.normalized
    if canonical != row.normalized:
        return ctx.t("watch.alias_of", term=row.term, canonical=canonical)
    return row.term


def _checked(term: str, kind: str | None) -> tuple[str, str]:
    """The term as it will be stored, and its kind; UsageError when it cannot be a term."""
    term = " ".join(term.split())
    if not term:
        raise UsageError("watch.missing_term")
    if len(term) > MAX_TERM:
        raise UsageError("watch.too_long", max=str(MAX_TERM))
    if term.startswith("#") or kind == "hashtag":
        if kind not in (None, "hashtag"):
            raise UsageError("watch.hashtag_kind")
        if " " in term:
            raise UsageError("watch.hashtag_word", term=term)
        term, kind = "#" + term.lstrip("#"), "hashtag"
    if not any(c.isalnum() for c in normalize_term(term)):
        raise UsageError("watch.no_letters", term=term)
    return term, kind or "keyword"


async def _add(request: Request, ctx: Context, raw: str, kind: str | None) -> Reply:
    term, kind = _checked(raw, kind)
    normalized = normalize_term(term)
    async with session_scope(ctx.sessions) as session:
        added = await watch.add_term(
            session=session, term=term, kind=kind, actor=request.actor.id, now=ctx.now()
        )
        row, changed, was = added.row, added.changed, added.was
        if changed:
            await audit.record(
                session=session,
                actor=request.actor,
                kind="watch.add",
                subject=f"watch:{normalized}",
                before=f"{was[0]} (active={was[1]})" if was else None,
                after=kind,
            )
    if changed:
        ctx.services.pipeline.invalidate_watchlist()
    name = ctx.t(f"watch.kind.{kind}")
    if was is None:
        key = "watch.added"
    elif not was[1]:
        key = "watch.reactivated"
    else:
        key = "watch.changed" if changed else "watch.unchanged"
    return Reply(sections=[ctx.t(key, term=row.term, kind=name)])


async def _remove(request: Request, ctx: Context, raw: str, *, confirmed: bool = False) -> Reply:
    term = " ".join(raw.split())
    if not term:
        raise UsageError("watch.missing_remove_term")
    if not confirmed:
        question = await _ask_before_removing(ctx, term)
        if question is not None:
            return question
    async with session_scope(ctx.sessions) as session:
        row = await watch.remove_term(session=session, term=term)
        if row is not None:
            await audit.record(
                session=session,
                actor=request.actor,
                kind="watch.remove",
                subject=f"watch:{row.normalized}",
                before=row.kind,
                after=None,
            )
    if row is None:
        return Reply(sections=[ctx.t("watch.unknown", term=term)], ephemeral=True, error=True)
    ctx.services.pipeline.invalidate_watchlist()
    return Reply(sections=[ctx.t("watch.removed", term=row.term)])
