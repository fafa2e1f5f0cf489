"""The interactive console: a line editor, numbered buttons, forms asked inline, and posts
from the background printed above the prompt.

Ctrl-C cancels the line being typed (or the command running); a second Ctrl-C in a row, or
Ctrl-D, ends the session. Everything printed while the prompt is shown (a standup, an
alert, a log line on stdout) goes through prompt_toolkit's `patch_stdout`, which draws it
above the prompt and redraws the line being typed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from prompt_toolkit import PromptSession
from prompt_toolkit.formatted_text import AnyFormattedText
from prompt_toolkit.patch_stdout import patch_stdout
from rich.console import Console
from rich.text import Text

from bot.console.buttons import Button, ButtonBook, button_number
from bot.console.chat import CONSOLE_ACTOR, CONSOLE_CHANNEL, answer_request, parse_line
from bot.console.editor import LineCancelled, prompt_session
from bot.console.progress import toolbar
from bot.console.render import render, safe
from core.i18n import Translator, normalize_locale
from core.reply import Actor, Reply, Request
from core.storage import watch
from handlers.context import Services
from handlers.registry import Registry

log = logging.getLogger(__name__)
PROMPT = "horch> "


@dataclass
class Listening:
    """Where the running bot can be reached, for the banner (None in `chat` mode)."""

    address: str | None = None  # as shown: the bound address, and the loopback URL
    url: str | None = None  # the base URL that Slack and Teams post to
    slack: str | None = None  # "Socket Mode" or "HTTP", when configured
    teams: bool = False


@dataclass
class ConsoleSession:
    """One person at the terminal."""

    registry: Registry
    services: Services
    locale: str | None
    stop: asyncio.Event
    actor: Actor = CONSOLE_ACTOR
    console: Console = field(default_factory=Console)
    book: ButtonBook = field(default_factory=ButtonBook)
    watch_terms: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.zone = self.services.workspace.schedules.timezone
        self.prompt: PromptSession[str] = prompt_session(
            self.registry,
            history=self.services.settings.console_history,
            watch_terms=lambda: self.watch_terms,
        )

    @property
    def t(self) -> Translator:
        return Translator(
            normalize_locale(self.locale)
            or normalize_locale(self.services.workspace.default_locale)
            or "de"
        )

    def say(self, text: str, style: str = "") -> None:
        self.console.print(Text(safe(text), style=style))

    def show(self, reply: Reply, locale: str) -> None:
        numbers = self.book.number(reply)
        self.console.print(render(reply, locale=locale, zone=self.zone, numbers=numbers))

    async def run(self, banner: list[str]) -> None:
        """Read and answer lines until Ctrl-D, a second Ctrl-C, or `stop`."""
        with patch_stdout(raw=True):
            self.console.print(Text(self.t("console.title"), style="bold"))
            for note in banner:
                self.say(note, "dim")
            await self._refresh_watch_terms()
            interrupted = False
            while not self.stop.is_set():
                line: str | None
                try:
                    line = await self._read(PROMPT)
                except KeyboardInterrupt:
                    if interrupted:
                        break
                    interrupted = True
                    self.say(self.t("console.again_to_quit"), "dim")
                    continue
                except EOFError:
                    break
                if line is None:  # stopped from outside
                    break
                interrupted = False
                if line.strip():
                    await self.handle(line)
            self.say(self.t("console.bye"), "dim")
        self.stop.set()

    async def _read(self, message: str, default: str = "") -> str | None:
        """A line from the editor, or None when `stop` is set while waiting.

        Awaited here, not in a task of its own: a Ctrl-C must reach this coroutine as an
        exception, not escape from a separate task into the event loop."""
        watcher = asyncio.ensure_future(self._exit_on_stop())
        try:
            line: str | None = await self.prompt.prompt_async(message, default=default)
        except LineCancelled as exc:
            raise KeyboardInterrupt from exc
        finally:
            watcher.cancel()
        return None if self.stop.is_set() else line

    async def _exit_on_stop(self) -> None:
        await self.stop.wait()
        if self.prompt.app.is_running:
            self.prompt.app.exit(result="")

    async def handle(self, line: str) -> None:
        """Answer one line: a numbered click, `!ACTION VALUE`, or a command."""
        number = button_number(line)
        if number is not None:
            button = self.book.get(number)
            if button is None:
                self.say(self.t("console.no_button", number=str(number), count=self.book.keep))
                return
            request = await self._click(button, line)
            if request is None:
                return
        else:
            request = parse_line(line, self.locale, self.actor)
        reply = await self._cancellable(
            answer_request(self.registry, self.services, request, self.locale)
        )
        if reply is None:
            self.say(self.t("console.cancelled"), "dim")
            return
        self.show(*reply)
        await self._refresh_watch_terms()

    async def _click(self, button: Button, line: str) -> Request | None:
        """The request of a numbered button; its form's fields are asked for first."""
        action = button.action
        if action.url:
            self.say(self.t("console.link", url=action.url))
            return None
        form: dict[str, str] = {}
        if button.fields:
            self.say(self.t("console.form"), "dim")
            for field_ in button.fields:
                try:
                    value = await self._read(f"{safe(field_.label)}: ", default=field_.value)
                except (KeyboardInterrupt, EOFError):
                    self.say(self.t("console.cancelled"), "dim")
                    return None
                if value is None:
                    return None
                form[field_.id] = value
        return Request(
            command="",
            args=[],
            actor=self.actor,
            conversation=CONSOLE_CHANNEL,
            locale=self.locale,
            text=line,
            action_id=action.id,
            action_value=action.value,
            form=form,
        )

    async def _cancellable(self, work: Awaitable[tuple[Reply, str]]) -> tuple[Reply, str] | None:
        """Run a command; Ctrl-C while it runs (the terminal is not raw then, so it is a
        signal) cancels it instead of ending the bot."""
        task = asyncio.ensure_future(work)
        loop = asyncio.get_running_loop()
        installed = False
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            loop.add_signal_handler(signal.SIGINT, task.cancel)
            installed = True
        try:
            return await task
        except asyncio.CancelledError:
            if self.stop.is_set() or not task.cancelled():
                raise
            return None
        finally:
            if installed:
                # Back to what `run` wants on SIGINT: stop the bot.
                loop.add_signal_handler(signal.SIGINT, self.stop.set)

    async def _refresh_watch_terms(self) -> None:
        """The watch terms that `watch remove` completes."""
        try:
            async with self.services.sessions() as session:
                rows = await watch.list_terms(session=session)
            self.watch_terms = [r.term for r in rows]
        except Exception:
            log.exception("could not read the watch terms for completion")


def _seeding_toolbar(session: ConsoleSession) -> Callable[[], AnyFormattedText]:
    """The demo seeding's progress bar under the prompt while it runs."""
    progress = session.services.background.seeding

    def show() -> AnyFormattedText:
        if not progress.running and (progress.finished or not session.services.settings.seed_demo):
            session.prompt.bottom_toolbar = None  # done: the toolbar's line goes away
        return toolbar(progress, session.t)

    return show


def banner_lines(t: Translator, listening: Listening | None) -> list[str]:
    """Where the bot listens and how Slack and Teams reach it."""
    if listening is None or listening.address is None:
        return [t("console.no_server"), t("console.buttons")]
    lines = [t("console.listening", address=listening.address)]
    lines.append(
        t("console.slack_on", mode=listening.slack) if listening.slack else t("console.slack_off")
    )
    lines.append(
        t("console.teams_on", address=listening.url or listening.address)
        if listening.teams
        else t("console.teams_off")
    )
    lines.append(t("console.buttons"))
    return lines


async def repl(
    registry: Registry,
    services: Services,
    locale: str | None,
    stop: asyncio.Event,
    actor: Actor = CONSOLE_ACTOR,
    *,
    listening: Listening | None = None,
) -> None:
    """The interactive console until Ctrl-D, a second Ctrl-C, or `stop` is set; `actor` is
    who types (`chat --as NAME` plays a member of the team)."""
    session = ConsoleSession(registry, services, locale, stop, actor)
    session.prompt.bottom_toolbar = _seeding_toolbar(session)
    session.prompt.refresh_interval = 0.5
    banner = banner_lines(session.t, listening)
    # A new workspace's first start offers to fetch the sources' past (once per database).
    from handlers.sources_backfill import backfill_offer

    try:
        offer = await backfill_offer(services, locale or services.workspace.default_locale)
    except Exception:
        log.exception("could not check the backfill offer")
        offer = None
    if offer:
        banner.append(offer)
    await session.run(banner)
