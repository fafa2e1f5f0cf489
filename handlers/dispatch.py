"""Dispatch: a Request in, a Reply out — the one path every platform and trigger takes."""

from __future__ import annotations

import difflib
import logging

from core.i18n import DEFAULT_LOCALE, Translator, normalize_locale
from core.reply import Reply, Request
from core.storage import prefs
from core.text import UNSTORABLE
from handlers.args import UsageError
from handlers.context import Context, Services
from handlers.demo import seeding_note
from handlers.registry import Registry
from handlers.sources_backfill import backfill_offer

log = logging.getLogger(__name__)
ECHO_LIMIT = 80  # what the asker typed is echoed back at most this long


def _drop_unstorable(request: Request) -> None:
    """Remove characters no database can store from everything the asker sent."""
    if UNSTORABLE.search(" ".join([request.text, request.action_value or "", *request.args])):
        request.args = [UNSTORABLE.sub("", a) for a in request.args]
        request.text = UNSTORABLE.sub("", request.text)
        if request.action_value is not None:
            request.action_value = UNSTORABLE.sub("", request.action_value)
    if any(UNSTORABLE.search(v) for v in request.form.values()):
        request.form = {k: UNSTORABLE.sub("", v) for k, v in request.form.items()}


async def resolve_locale(services: Services, request: Request) -> str:
    """The request's explicit locale, else the user's choice, the channel's, the workspace's."""
    explicit = normalize_locale(request.locale)
    if explicit:
        return explicit
    platform = request.conversation.platform
    async with services.sessions() as session:
        for scope, subject in (
            ("user", request.actor.id),
            ("channel", request.conversation.id),
        ):
            value = await prefs.get_pref(
                session=session, platform=platform, scope=scope, subject_id=subject, key="locale"
            )
            if value and (loc := normalize_locale(value)):
                return loc
    return normalize_locale(services.workspace.default_locale) or DEFAULT_LOCALE


async def dispatch(registry: Registry, services: Services, request: Request) -> Reply:
    """Run the handler for a command or a button; never raises, never leaks a traceback."""
    reply, _ = await dispatch_outcome(registry, services, request)
    return reply


async def dispatch_outcome(
    registry: Registry, services: Services, request: Request
) -> tuple[Reply, str]:
    """`dispatch`, and how it went: ok, refused (the handler answered with an error),
    usage (mistyped), unknown (no such command or button) or error (failed on our side)."""
    _drop_unstorable(request)
    try:
        locale = await resolve_locale(services, request)
    except Exception:
        log.exception("could not resolve the locale; using the workspace default")
        locale = normalize_locale(services.workspace.default_locale) or DEFAULT_LOCALE
    ctx = Context(services=services, locale=locale, t=Translator(locale))
    t = ctx.t
    try:
        if request.action_id:
            handler = registry.find_action(request.action_id)
            if handler is None:
                reply = Reply(sections=[t("errors.unknown_action")], ephemeral=True, error=True)
                return reply, "unknown"
            return _judged(await handler(request, ctx))
        name = request.command.strip().lower() or "help"
        spec = registry.find(name)
        if spec is None:
            return unknown_command(registry, ctx, name), "unknown"
        try:
            reply = await spec.handler(request, ctx)
        except UsageError as exc:
            message = t(exc.key, **_echoed(exc.values))
            reply = Reply(
                sections=[message, t("usage.line", usage=spec.usage)], ephemeral=True, error=True
            )
            return reply, "usage"
        if request.read_as:
            reply.footnotes.append(_read_as(ctx, request.read_as))
        if not reply.error and (note := seeding_note(ctx, spec.name)):
            reply.footnotes.insert(0, note)
        await _offer_backfill(services, ctx, reply)
        return _judged(reply)
    except UsageError as exc:
        return (
            Reply(sections=[t(exc.key, **_echoed(exc.values))], ephemeral=True, error=True),
            "usage",
        )
    except Exception:
        log.exception("handler failed for %r (action %r)", request.command, request.action_id)
        return Reply(sections=[t("errors.internal")], ephemeral=True, error=True), "error"


async def _offer_backfill(services: Services, ctx: Context, reply: Reply) -> None:
    """A new workspace's first answer offers to fetch the sources' past, once
    (handlers.sources_backfill.backfill_offer); an offer never fails a command."""
    if reply.error or services.background.backfill_offer_done:
        return
    try:
        line = await backfill_offer(services, ctx.locale)
    except Exception:
        log.exception("could not check the backfill offer")
        services.background.backfill_offer_done = True
        return
    if line:
        reply.footnotes.append(line)


def _read_as(ctx: Context, words: tuple[str, ...]) -> str:
    """How an ambiguous line was read: each word in quotation marks, cut when long."""
    shown = " ".join(ctx.t("usage.quoted", word=shorten(w, 60)) for w in words[:12])
    return ctx.t("usage.read_as", words=shown + (" …" if len(words) > 12 else ""))


def _echoed(values: dict[str, str]) -> dict[str, str]:
    """What the asker typed, shortened before it is echoed in a usage message."""
    return {k: shorten(v, ECHO_LIMIT) if isinstance(v, str) else v for k, v in values.items()}


def shorten(text: str, limit: int) -> str:
    """The text, or its start and an ellipsis when longer than `limit` characters."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _judged(reply: Reply) -> tuple[Reply, str]:
    return reply, "refused" if reply.error else "ok"


def command_label(registry: Registry, request: Request) -> str:
    """A bounded name for metrics: the command's canonical name, the button's registered
    prefix, or `unknown` — never what the asker typed."""
    if request.action_id:
        return registry.action_prefix(request.action_id) or "unknown"
    spec = registry.find(request.command.strip() or "help")
    return spec.name if spec else "unknown"


def unknown_command(registry: Registry, ctx: Context, name: str) -> Reply:
    """A short explanation and the nearest valid command."""
    close = difflib.get_close_matches(name, registry.names(), n=1, cutoff=0.5)
    lines = [ctx.t("errors.unknown_command", command=shorten(name, ECHO_LIMIT))]
    if close:
        spec = registry.find(close[0])
        lines.append(ctx.t("errors.did_you_mean", command=spec.usage if spec else close[0]))
    lines.append(ctx.t("errors.see_help"))
    return Reply(sections=lines, ephemeral=True, error=True)
