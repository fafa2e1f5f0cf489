"""What a handler may use: the services of the process, and a translator for the request."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncEngine

from config.settings import Settings
from config.workspace import Workspace
from core.background import Background
from core.clock import utcnow
from core.db import SessionFactory
from core.i18n import Translator
from core.pipeline import Pipeline
from core.ports import LLM, Notifier, Publisher
from core.standup.checkin import Roster
from handlers.registry import Registry


@dataclass
class Services:
    """The process's shared services, built once by bot.app and passed to every handler.

    Handlers get exactly this, not the bot: the database, the workspace, the pipeline, the
    ports, the command registry, and the background services (`background`: the scheduler,
    the alert engine, …) that features attach at start. Built in bot.services.
    """

    settings: Settings
    workspace: Workspace
    sessions: SessionFactory
    pipeline: Pipeline
    llm: LLM | None = None
    publishers: dict[str, Publisher] = field(default_factory=dict)
    notifiers: dict[str, Notifier] = field(default_factory=dict)
    # Who is in a channel, and a private message to one of them (standup check-ins).
    rosters: dict[str, Roster] = field(default_factory=dict)
    clock: Callable[[], dt.datetime] = utcnow
    registry: Registry = field(default_factory=Registry)
    # This replica's name in claims and leases (bot.services.instance_name).
    instance: str = "local"
    engine: AsyncEngine | None = None
    background: Background = field(default_factory=Background)


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
