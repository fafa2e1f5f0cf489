"""The weekly report: every channel that said `report weekly on` gets the PDF of the last
7 days on Mondays at 09:00 in its time zone, not on holidays.

As the standup (bot/standup_jobs.py): a tick every 30 s on every replica looks at each
subscribed channel, asks the schedule (core.report.schedule) for its latest Monday, and
claims the run in the database as job `report:<platform>:<channel>`, slot = the local date.
Only the replica that wins the claim posts, so with several replicas each report goes out
once. A run missed by more than the grace (the bot was down all morning) is claimed as
"skipped"; a failed post leaves its claim to expire, and a later tick tries again within
the grace.
"""

from __future__ import annotations

import datetime as dt
import json
import logging

from aiohttp import web

from bot.slot_jobs import Outcome, SlotJobs, scheduler_for, tick_every
from core.clock import to_naive_utc
from core.i18n import Translator
from core.notify import notify
from core.reply import SYSTEM, Conversation, Request
from core.standup import schedule as sched
from core.storage import conversations
from handlers.context import Context, Services
from handlers.dispatch import resolve_locale
from handlers.report import KIND, channel_weekly_schedule, report_reply

log = logging.getLogger(__name__)
TICK_SECONDS = 30
# Making the PDF takes seconds; a claim older than this without a result is free again.
CLAIM_TTL = dt.timedelta(minutes=10)
PERIOD = "7d"


class ReportJobs(SlotJobs):
    """The weekly report tick of one replica."""

    kind = KIND
    claim_ttl = CLAIM_TTL

    async def tick(self) -> list[Outcome]:
        """Post every weekly report that is due now; one channel's failure stops no other."""
        now = to_naive_utc(self.clock())
        async with self.services.sessions() as session:
            subs = await conversations.subscriptions(session=session, kind=KIND)
        outcomes = []
        for sub in subs:
            job = f"report:{sub.platform}:{sub.channel_id}"
            try:
                outcome = await self.run_one(sub.platform, sub.channel_id, sub.settings, now)
            except Exception:
                log.exception("weekly report for %s failed", job)
                continue
            if outcome is not None:
                outcomes.append(outcome)
        return outcomes

    async def run_one(
        self, platform: str, channel_id: str, settings_json: str | None, now: dt.datetime
    ) -> Outcome | None:
        job = f"report:{platform}:{channel_id}"
        schedule = await channel_weekly_schedule(self.services, platform, channel_id)
        settings = json.loads(settings_json or "{}")
        due = sched.due(schedule, now, active_from=sched.active_from(settings))
        if due is None:
            return None
        slot = due.occurrence.slot
        if (job, slot) in self._finished:
            return None
        if not due.post:
            if await self._claim(job, slot, now):
                await self._finish(job, slot, "skipped")
                log.warning("weekly report %s for %s skipped: missed by %s", job, slot, due.late)
                return Outcome(job, slot, "skipped")
            return None
        notifier = self.services.notifiers.get(platform)
        if notifier is None:
            if (job, slot) not in self._warned:
                self._warned.add((job, slot))
                log.warning("weekly report %s: no notifier for platform %s", job, platform)
            return Outcome(job, slot, "no_notifier")
        if not await self._claim(job, slot, now):
            return None  # posted already, or another replica is making it
        conversation = Conversation(platform=platform, id=channel_id)  # type: ignore[arg-type]
        try:
            locale = await resolve_locale(self.services, Request(KIND, [], SYSTEM, conversation))
            ctx = Context(self.services, locale, Translator(locale))
            # The report of the 7 days before the Monday's 09:00, whenever within the grace
            # it is made.
            reply = await report_reply(ctx, PERIOD, now=due.occurrence.utc)
            await notify(notifier, kind="report", channel_id=channel_id, reply=reply, locale=locale)
        except Exception:
            log.exception(
                "posting weekly report %s (%s) failed; retrying within the grace", job, slot
            )
            return Outcome(job, slot, "failed")
        await self._finish(job, slot, "done")
        log.info("weekly report %s for %s posted", job, slot)
        return Outcome(job, slot, "posted")


def setup(app: web.Application, services: Services) -> None:
    """Register the weekly report tick on the scheduler."""
    scheduler = scheduler_for(services, "weekly reports will not be posted")
    if scheduler is None:
        return
    jobs = ReportJobs(services)
    services.background.reports = jobs
    tick_every(scheduler, "report", TICK_SECONDS, jobs)
