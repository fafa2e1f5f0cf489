"""The console's Notifier: a proactive post (a standup, an alert) shown in the terminal.

A console "channel" is the terminal the bot runs in. The post is rendered exactly as a
console reply, printed when the terminal is interactive, and always logged, so a post
made by a headless bot can be found in its log.
"""

from __future__ import annotations

import itertools
import logging
import sys
from collections import deque
from pathlib import Path

from rich.console import Console

from bot.console.render import render, to_text
from bot.files_disk import on_disk
from config.settings import DEFAULT_FILES
from config.workspace import Workspace
from core.reply import Reply

log = logging.getLogger(__name__)


class ConsoleNotifier:
    """Implements core.ports.Notifier for the platform "console"."""

    platform = "console"

    def __init__(
        self,
        *,
        zone: str,
        locale: str = "de",
        echo: bool = False,
        files_dir: Path = DEFAULT_FILES,
    ) -> None:
        self.zone = zone
        self.files_dir = files_dir
        self.locale = locale
        self.echo = echo
        # The last posts, newest last (for `chat` sessions and tests to look at).
        self.posted: deque[tuple[str, str]] = deque(maxlen=50)
        self._ids = itertools.count(1)

    @classmethod
    def for_workspace(
        cls, workspace: Workspace, files_dir: Path = DEFAULT_FILES
    ) -> ConsoleNotifier:
        """The terminal's notifier in the workspace's zone and language, echoing when the
        terminal is interactive."""
        return cls(
            zone=workspace.schedules.timezone,
            locale=workspace.default_locale,
            echo=sys.stdout.isatty(),
            files_dir=files_dir,
        )

    async def post(
        self,
        *,
        channel_id: str,
        reply: Reply,
        thread_id: str | None = None,
        locale: str | None = None,
    ) -> str | None:
        loc = locale or self.locale
        reply = on_disk(reply, self.files_dir)
        text = to_text(reply, locale=loc, zone=self.zone)
        self.posted.append((channel_id, text))
        log.info("console post to %s:\n%s", channel_id, text)
        if self.echo:
            Console().print(render(reply, locale=loc, zone=self.zone))
        return f"console-{next(self._ids)}"
