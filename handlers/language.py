"""`language`: the language the bot speaks to you, or to the whole channel."""

from __future__ import annotations

from core.db import session_scope
from core.i18n import LOCALES, Translator, normalize_locale
from core.reply import Actor, Reply, Request
from core.storage import audit, prefs
from handlers.args import UsageError, parse
from handlers.context import Context
from handlers.registry import command


@command("language", aliases=("sprache", "lang"), order=90)
async def language_command(request: Request, ctx: Context) -> Reply:
    """Choose the bot's language for you (or with --channel for everyone here).

    de: Wählt die Sprache des Bots für dich (oder mit --channel für alle hier).
    Usage: language [de|en] [--channel]
    """
    words = [a for a in request.args if a.lower() != "--channel"]
    channel = len(words) != len(request.args)
    parsed = parse(words, max_positional=1)
    if not parsed.positional:
        return Reply(
            sections=[ctx.t("language.current", language=ctx.t(f"language.name.{ctx.locale}"))],
            ephemeral=True,
        )
    locale = normalize_locale(parsed.positional[0])
    if locale is None:
        raise UsageError("language.unknown", value=parsed.positional[0], choices="|".join(LOCALES))
    scope, subject = ("channel", request.conversation.id) if channel else ("user", request.actor.id)
    async with session_scope(ctx.sessions) as session:
        await prefs.set_pref(
            session=session,
            platform=request.conversation.platform,
            scope=scope,
            subject_id=subject,
            key="locale",
            value=locale,
            now=ctx.now(),
        )
        await audit.record(
            session=session,
            actor=_actor(request),
            kind="language.set",
            subject=f"{scope}:{subject}",
            after=locale,
        )
    t = Translator(locale)
    key = "language.set_channel" if channel else "language.set_user"
    return Reply(sections=[t(key, language=t(f"language.name.{locale}"))], ephemeral=not channel)


def _actor(request: Request) -> Actor:
    return request.actor
