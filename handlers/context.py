"""What a handler may use: the services of the process, and a translator for the request."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from config.settings import Settings
from config.workspace import Workspace
from core.clock import utcnow
from core.db import SessionFactory
from core.i18n import Translator
from core.pipeline import Pipeline
from core.ports import LLM, Notifier, Publisher


@dataclass
class Services:
    """The process's shared services, built once by bot.app and passed to every handler.

    Handlers get exactly this, not the bot: the database, the workspace, the pipeline and
    the ports. `extras` holds feature services (the alert engine, the scheduler) by name.
    """

    settings: Settings
    workspace: Workspace
    sessions: SessionFactory
    pipeline: Pipeline
    llm: LLM | None = None
    publishers: dict[str, Publisher] = field(default_factory=dict)
    notifiers: dict[str, Notifier] = field(default_factory=dict)
    clock: Callable[[], dt.datetime] = utcnow
    extras: dict[str, Any] = field(default_factory=dict)


@dataclass
class Context:
    """Services plus what belongs to this one request: its locale and translator."""

    services: Services
    locale: str
    t: Translator

    @property
    def sessions(self) -> SessionFactory:
        return self.services.sessions

    @property
    def workspace(self) -> Workspace:
        return self.services.workspace

    def now(self) -> dt.datetime:
        return self.services.clock()
