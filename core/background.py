"""The process's background services, attached at start by the features that run them.

A small typed container in place of a bag of named objects: each field is None until the
feature that owns it is set up (bot.app's setup functions; a handler or test process may
run without them). Core types and ports only, so handlers and integrations can read it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from core.backfill import Backfiller

if TYPE_CHECKING:  # heavy imports (the topic job loads the encoder's module)
    from core.alerts.engine import AlertEngine
    from core.stories.topic_job import TopicJob

Job = Callable[[], Awaitable[None]]


class Scheduling(Protocol):
    """Interval jobs; with `claim`, one replica per time slot runs a job (bot.scheduler)."""

    def every(
        self,
        name: str,
        seconds: float,
        fn: Job,
        *,
        claim: bool = True,
        ttl: dt.timedelta | None = None,
    ) -> None:
        """Run `fn` every `seconds`."""
        ...


class Ticking(Protocol):
    """A job that does its work when it is ticked (bot.standup_jobs)."""

    async def tick(self) -> object:
        """Do what is due now (what it returns is the job's own report)."""
        ...


@dataclass
class SeedProgress:
    """How far this process's seeding of the synthetic demo stream has come."""

    done: int = 0
    total: int = 0
    running: bool = False
    finished: bool = False  # a seeding of this process ended (or there was none to do)

    def update(self, done: int, total: int) -> None:
        self.done, self.total = done, total


class DemoData(Protocol):
    """The synthetic demo data that the bot seeds (bot.demo)."""

    def start_reset(self) -> bool:
        """Remove every synthetic mention and seed the demo afresh, in the background;
        False (and nothing done) when a seeding runs already."""
        ...


@dataclass
class Background:
    """What runs beside the requests: each None until its feature is set up."""

    scheduler: Scheduling | None = None
    alerts: AlertEngine | None = None
    topics: TopicJob | None = None
    standups: Ticking | None = None
    # Asks the standup's members for their check-ins (bot.checkin_jobs).
    checkins: Ticking | None = None
    backfill: Backfiller | None = None
    reports: Ticking | None = None  # the weekly report (bot.report_jobs)
    # The one-time backfill offer was shown, or cannot be (handlers.sources_backfill).
    backfill_offer_done: bool = False
    # The demo stream: how far its seeding is (answers say so while it runs), and its reset.
    seeding: SeedProgress = field(default_factory=SeedProgress)
    demo: DemoData | None = None
