"""The console adapter: a line of text in, the dispatched Reply out, as terminal text.

The interactive session (line editor, numbered buttons) is in bot/console/session.py."""

from __future__ import annotations

import logging
import re
import sys

from bot.console.render import to_text
from bot.files_disk import on_disk
from bot.responder import Responder
from core.i18n import normalize_locale
from core.reply import Actor, Conversation, Reply, Request
from handlers.args import read_words
from handlers.context import Services
from handlers.dispatch import resolve_locale
from handlers.registry import Registry

log = logging.getLogger(__name__)
CONSOLE_ACTOR = Actor(id="console", name="console", platform="console")
CONSOLE_CHANNEL = Conversation(platform="console", id="console")


def console_actor(name: str | None) -> Actor:
    """Who types in the console: `console`, or the member it plays (`chat --as NAME`)."""
    if not name:
        return CONSOLE_ACTOR
    clean = name.strip().lstrip("@")[:255] or "console"
    return Actor(id=clean, name=clean, platform="console")


def parse_line(line: str, locale: str | None = None, actor: Actor = CONSOLE_ACTOR) -> Request:
    """`/horch mentions x`, `horch mentions x`, `@Horchposten mentions x` or `mentions x`.

    `!ACTION_ID VALUE` clicks a button (its id and value are shown under each reply);
    `!ACTION_ID VALUE field="some text"` also fills a form's fields (an edit form's inputs).
    """
    text = line.strip()
    for prefix in ("/horch", "horch", "@horchposten"):
        if text.lower().startswith(prefix + " ") or text.lower() == prefix:
            text = text[len(prefix) :].strip()
            break
    if text.startswith("!"):
        action_id, _, rest = text[1:].partition(" ")
        value, form = _action_value_and_form(rest.strip())
        return Request(
            command="",
            args=[],
            actor=actor,
            conversation=CONSOLE_CHANNEL,
            locale=locale,
            text=line,
            action_id=action_id,
            action_value=value,
            form=form,
        )
    words, guessed = read_words(text)
    command, args = (words[0], words[1:]) if words else ("help", [])
    return Request(
        command=command,
        args=args,
        actor=actor,
        conversation=CONSOLE_CHANNEL,
        locale=locale,
        text=text,
        read_as=tuple(words) if guessed else (),
    )


_FIELD = re.compile(r"^([A-Za-z_][\w.-]*)=(.*)$", re.DOTALL)


def _action_value_and_form(rest: str) -> tuple[str, dict[str, str]]:
    """A button value is taken verbatim (it may be JSON); trailing `key=value` words fill a form.

    A form is only recognised when the rest splits cleanly like a shell line and every word
    after the value is `key=value`; otherwise the whole rest is the value.
    """
    if "=" not in rest:
        return rest, {}
    words, guessed = read_words(rest)
    if guessed:
        return rest, {}
    fields = [_FIELD.match(w) for w in words[1:]]
    if not words or not fields or not all(fields):
        return rest, {}
    return words[0], {m.group(1): m.group(2) for m in fields if m}


async def answer(
    registry: Registry,
    services: Services,
    line: str,
    locale: str | None = None,
    actor: Actor = CONSOLE_ACTOR,
) -> tuple[Reply, str]:
    """Dispatch one console line as `actor`; returns the reply and the locale it was written in."""
    return await answer_request(registry, services, parse_line(line, locale, actor), locale)


async def answer_request(
    registry: Registry, services: Services, request: Request, locale: str | None
) -> tuple[Reply, str]:
    """Dispatch a console request (a line or a click); the reply and its locale."""
    reply = on_disk(
        await Responder(services, "console", registry=registry).answer(request),
        services.settings.files_dir,
    )
    # A `language` command changes the locale; render in the one now in force.
    loc = normalize_locale(locale) or await resolve_locale(services, request)
    return reply, loc


async def once(
    registry: Registry,
    services: Services,
    line: str,
    locale: str | None,
    actor: Actor = CONSOLE_ACTOR,
) -> int:
    """`python -m bot chat --once TEXT [--as NAME]`: print one answer as plain text; exit 1
    on an error."""
    reply, loc = await answer(registry, services, line, locale, actor)
    sys.stdout.write(to_text(reply, locale=loc, zone=services.workspace.schedules.timezone))
    return 1 if reply.error else 0
