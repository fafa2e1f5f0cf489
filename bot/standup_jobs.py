"""The standup job: every subscribed channel gets one post a day at its local time.

A tick (every 30 s, on every replica) looks at each subscribed channel, asks the schedule
(core.standup.schedule, croniter) for its latest occurrence and claims the run in the
database as job `standup:<platform>:<channel>`, slot = the channel's local date. Only the
replica that wins the claim posts, so with several replicas each standup is posted once.

After a restart, a run missed by less than the grace time is posted once; an older one is
claimed as "skipped" and logged once. A failed post leaves its claim unfinished: it expires
after CLAIM_TTL and a later tick (on any replica) tries again while still within the grace.
The tick reads an injected clock, so tests drive it through DST changes and restarts.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from bot.console.notifier import ConsoleNotifier
from bot.slot_jobs import Outcome, SlotJobs, scheduler_for, tick_every
from core.clock import to_naive_utc
from core.db import session_scope
from core.i18n import Translator
from core.notify import notify
from core.reply import SYSTEM, Conversation, Request
from core.standup import schedule as sched
from core.standup.report import StandupData
from core.storage import backlog as store
from core.storage import checkins, conversations
from handlers.context import Context, Services
from handlers.dispatch import resolve_locale
from handlers.standup import KIND, standup_reply

log = logging.getLogger(__name__)
TICK_SECONDS = 30
CLAIM_TTL = dt.timedelta(minutes=5)


@dataclass(frozen=True)
class Target:
    """A channel that gets standups, with its own settings (time, zone, weekdays)."""

    platform: str
    channel_id: str
    settings: dict[str, Any] = field(default_factory=dict)

    @property
    def job(self) -> str:
        return f"standup:{self.platform}:{self.channel_id}"


class StandupJobs(SlotJobs):
    """The standup tick of one replica."""

    kind = KIND
    claim_ttl = CLAIM_TTL

    def _start(self) -> None:
        super()._start()
        # The figures gathered in the current tick, per window (shared by its channels).
        self._figures: dict[tuple[dt.datetime, dt.datetime], StandupData] = {}

    def schedule(self, settings: dict[str, Any]) -> sched.StandupSchedule:
        return sched.channel_schedule(settings, self.services.workspace.schedules)

    async def targets(self) -> list[Target]:
        """Channels subscribed in the database, plus the workspace's standup channels
        (unless the database has a row for that channel, which then decides)."""
        async with self.services.sessions() as session:
            subs = await conversations.subscriptions(session=session, kind=KIND, enabled_only=False)
        known = {(s.platform, s.channel_id) for s in subs}
        out = [
            Target(s.platform, s.channel_id, json.loads(s.settings or "{}"))
            for s in subs
            if s.enabled
        ]
        for ref in self.services.workspace.channels.standup:
            if (ref.platform, ref.id) not in known:
                out.append(Target(ref.platform, ref.id))
        return out

    async def tick(self) -> list[Outcome]:
        """Post every standup that is due now; one channel's failure never stops another."""
        now = to_naive_utc(self.clock())
        outcomes = []
        self._figures = {}
        for target in await self.targets():
            try:
                outcome = await self.run_one(target, now)
            except Exception:
                log.exception("standup for %s failed", target.job)
                continue
            if outcome is not None:
                outcomes.append(outcome)
        return outcomes

    async def run_one(self, target: Target, now: dt.datetime) -> Outcome | None:
        due = sched.due(
            self.schedule(target.settings), now, active_from=sched.active_from(target.settings)
        )
        if due is None:
            return None
        slot = due.occurrence.slot
        if (target.job, slot) in self._finished:
            return None
        if not due.post:
            if await self._claim(target.job, slot, now):
                await self._finish(target.job, slot, "skipped")
                log.warning(
                    "standup %s for %s skipped: missed by %s, more than the grace time",
                    target.job,
                    slot,
                    str(due.late).split(".")[0],
                )
                return Outcome(target.job, slot, "skipped")
            return None
        notifier = self.services.notifiers.get(target.platform)
        if notifier is None:
            if (target.job, slot) not in self._warned:
                self._warned.add((target.job, slot))
                log.warning("standup %s: no notifier for platform %s", target.job, target.platform)
            return Outcome(target.job, slot, "no_notifier")
        if not await self._claim(target.job, slot, now):
            return None  # posted (or skipped) already, or another replica is posting it
        conversation = Conversation(platform=target.platform, id=target.channel_id)  # type: ignore[arg-type]
        # The day's check-ins are locked before the post is built, so an answer given while
        # it is built is either in the post or refused, never silently left out.
        async with session_scope(self.services.sessions) as session:
            await checkins.mark_posted(
                session=session,
                platform=target.platform,
                channel_id=target.channel_id,
                day=slot,
                now=now,
            )
        try:
            locale = await resolve_locale(
                self.services, Request("standup", [], SYSTEM, conversation)
            )
            ctx = Context(self.services, locale, Translator(locale))
            reply = await standup_reply(
                ctx, conversation, now=now, cache=self._figures, checkin_day=slot, publish=True
            )
            ref = await notify(
                notifier, kind="standup", channel_id=target.channel_id, reply=reply, locale=locale
            )
        except Exception:
            log.exception(
                "posting standup %s (%s) failed; retrying within the grace", target.job, slot
            )
            return Outcome(target.job, slot, "failed")
        async with session_scope(self.services.sessions) as session:
            await store.record_post(
                session=session,
                platform=target.platform,
                channel_id=target.channel_id,
                slot=slot,
                posted_at=now,
                message_ref=ref,
            )
        await self._finish(target.job, slot, "done")
        log.info("standup %s for %s posted", target.job, slot)
        return Outcome(target.job, slot, "posted")


def setup(app: web.Application, services: Services) -> None:
    """Register the standup tick on the scheduler, and the console's notifier."""
    services.notifiers.setdefault(
        "console", ConsoleNotifier.for_workspace(services.workspace, services.settings.files_dir)
    )
    scheduler = scheduler_for(services, "standups will not be posted")
    if scheduler is None:
        return
    jobs = StandupJobs(services)
    services.background.standups = jobs
    tick_every(scheduler, "standup", TICK_SECONDS, jobs)
