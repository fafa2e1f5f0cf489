"""The check-in job: each member of a standup is asked before it, reminded once, and old
answers are deleted.

A tick (every 30 s, on every replica) looks at each channel whose check-ins are on, takes
its next standup (core.standup.schedule: holidays and days off have none, so nobody is
asked), and for every member whose ask time has come claims job
`checkin:<platform>:<channel>:<member>`, slot = the standup's local date. The winner
inserts the member's row (the unique constraint is the second guard), sends the question
and finishes the claim; a send that fails leaves the claim to expire (or to be freed when
its replica restarts), and a later tick sends it — a row already marked asked is never
sent again. A reminder is claimed by a conditional UPDATE of the row, so it goes once.
Retention is a separate hourly job, claimed by one replica.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from bot.console.roster import ConsoleRoster
from bot.slot_jobs import ChannelJobs, scheduler_for, tick_every
from core.clock import to_naive_utc
from core.db import session_scope
from core.models_checkin import CheckinAnswer
from core.standup import schedule as sched
from core.standup.checkin import CheckinSettings, Member, ask_time, remind_time
from core.storage import checkins, claims, conversations
from handlers import checkin_flow as flow
from handlers.context import Services

log = logging.getLogger(__name__)
TICK_SECONDS = 30
CLAIM_TTL = dt.timedelta(minutes=2)
# Members are read from the platform at most this often per channel.
MEMBERS_TTL = dt.timedelta(minutes=10)
# No zone is more than 26 hours ahead of another: a standup further off than this (plus the
# default lead) has no member due yet.
HORIZON = dt.timedelta(hours=27)
RETENTION_SECONDS = 3600


@dataclass(frozen=True)
class Channel:
    platform: str
    channel_id: str
    settings: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Asked:
    member: str
    day: str
    result: str  # asked | reminded | failed


class CheckinJobs(ChannelJobs):
    """The check-in tick of one replica."""

    def _start(self) -> None:
        self._done: set[tuple[str, str]] = set()
        self._members: dict[tuple[str, str], tuple[dt.datetime, list[Member]]] = {}

    def schedule(self, settings: dict[str, Any]) -> sched.StandupSchedule:
        return sched.channel_schedule(settings, self.services.workspace.schedules)

    async def channels(self) -> list[Channel]:
        async with self.services.sessions() as session:
            subs = await conversations.subscriptions(session=session, kind=flow.KIND)
        out = []
        for sub in subs:
            settings = json.loads(sub.settings or "{}")
            if CheckinSettings.from_settings(settings).enabled:
                out.append(Channel(sub.platform, sub.channel_id, settings))
        return out

    async def tick(self) -> list[Asked]:
        """Ask and remind whoever is due; one channel's failure never stops another."""
        now = to_naive_utc(self.clock())
        out: list[Asked] = []
        for channel in await self.channels():
            try:
                out += await self.run_one(channel, now)
            except Exception:
                log.exception("check-ins of %s:%s failed", channel.platform, channel.channel_id)
        return out

    async def members(
        self, channel: Channel, cs: CheckinSettings, now: dt.datetime
    ) -> list[Member]:
        """The channel's members, read from the platform at most every MEMBERS_TTL; when the
        platform refuses (the bot left the channel, a missing scope), logged once per TTL and
        the last list kept."""
        key = (channel.platform, channel.channel_id)
        cached = self._members.get(key)
        if cs.members or cached is None or now - cached[0] > MEMBERS_TTL:
            try:
                found = await flow.members_of(
                    self.services, channel.platform, channel.channel_id, cs
                )
            except Exception as exc:
                log.warning(
                    "check-ins of %s:%s: the members could not be read (%s: %s); tried again in %s",
                    channel.platform,
                    channel.channel_id,
                    type(exc).__name__,
                    exc,
                    MEMBERS_TTL,
                )
                found = cached[1] if cached is not None else []
            self._members[key] = (now, found)
            return found
        return cached[1]

    async def run_one(self, channel: Channel, now: dt.datetime) -> list[Asked]:
        cs = CheckinSettings.from_settings(channel.settings)
        schedule = self.schedule(channel.settings)
        occ = schedule.upcoming(now)
        if occ is None or occ.utc - now > HORIZON:
            return []
        active = sched.active_from(channel.settings)
        out: list[Asked] = []
        for member in await self.members(channel, cs, now):
            if cs.is_away(member.id, occ.local.date()):
                continue
            when = ask_time(occ, cs, channel_zone=schedule.zone, member_zone=member.zone)
            if now < when or (active is not None and when < active - dt.timedelta(hours=1)):
                continue
            result = await self._ask(channel, cs, member, occ, now)
            if result is not None:
                out.append(Asked(member.id, occ.slot, result))
        reminder = remind_time(occ, cs)
        if reminder is not None and now >= reminder:
            out += await self._remind(channel, occ, now)
        return out

    async def _ask(
        self,
        channel: Channel,
        cs: CheckinSettings,
        member: Member,
        occ: sched.Occurrence,
        now: dt.datetime,
    ) -> str | None:
        job = f"checkin:{channel.platform}:{channel.channel_id}:{member.id}"[:128]
        if (job, occ.slot) in self._done:
            return None
        async with session_scope(self.services.sessions) as session:
            won = await claims.try_claim(
                session=session, job=job, slot=occ.slot, owner=self.owner, ttl=CLAIM_TTL, now=now
            )
            held = None if won else await claims.get_claim(session=session, job=job, slot=occ.slot)
        if not won:
            if held is not None and held.done_at is not None:
                self._done.add((job, occ.slot))
            return None
        try:
            asked = await flow.ask(
                self.services,
                platform=channel.platform,
                channel_id=channel.channel_id,
                member=member,
                settings=cs,
                occurrence=occ,
                now=now,
                send=False,
            )
            row: CheckinAnswer | None = asked.row if asked is not None else None
            if row is None:
                async with self.services.sessions() as session:
                    row = await checkins.get(
                        session=session,
                        platform=channel.platform,
                        channel_id=channel.channel_id,
                        member_id=member.id,
                        day=occ.slot,
                    )
            if row is not None and row.asked_at is None and row.posted_at is None:
                await flow.deliver(self.services, row, member, occ, now)
                result = "asked"
            else:
                result = None  # asked already (on demand, or before a restart)
        except Exception:
            log.exception("asking %s for %s failed; retried on a later tick", member.id, job)
            return "failed"
        await self._finish(job, occ.slot)
        return result

    async def _finish(self, job: str, slot: str) -> None:
        await self._close_claim(job, slot)
        self._done.add((job, slot))

    async def _remind(
        self, channel: Channel, occ: sched.Occurrence, now: dt.datetime
    ) -> list[Asked]:
        key = (f"remind:{channel.platform}:{channel.channel_id}", occ.slot)
        if key in self._done:
            return []
        async with self.services.sessions() as session:
            rows = await checkins.for_day(
                session=session,
                platform=channel.platform,
                channel_id=channel.channel_id,
                day=occ.slot,
            )
        out = []
        for row in rows:
            if row.state != "asked" or row.reminded_at is not None or row.asked_at is None:
                continue
            if row.id is None or row.posted_at is not None:
                continue
            async with session_scope(self.services.sessions) as session:
                mine = await checkins.mark_reminded(session=session, row_id=row.id, now=now)
            if not mine:
                continue
            member = Member(row.member_id, row.member_name, locale=row.locale)
            try:
                await flow.deliver(self.services, row, member, occ, now, reminder=True)
            except Exception:
                log.exception("reminding %s failed", row.member_id)
                out.append(Asked(row.member_id, occ.slot, "failed"))
                continue
            out.append(Asked(row.member_id, occ.slot, "reminded"))
        if rows and all(r.asked_at is not None for r in rows):
            # Everyone asked was reminded now (here or elsewhere) or answered: done today.
            self._done.add(key)
        return out

    async def retention(self) -> int:
        """Delete the check-ins each channel keeps no longer (its `--keep` days)."""
        now = to_naive_utc(self.clock())
        async with self.services.sessions() as session:
            subs = await conversations.subscriptions(
                session=session, kind=flow.KIND, enabled_only=False
            )
        deleted = 0
        for sub in subs:
            cs = CheckinSettings.from_settings(json.loads(sub.settings or "{}"))
            async with session_scope(self.services.sessions) as session:
                deleted += await checkins.delete_before(
                    session=session,
                    platform=sub.platform,
                    channel_id=sub.channel_id,
                    before=now - dt.timedelta(days=cs.keep_days),
                )
        if deleted:
            log.info("deleted %d check-in(s) past their retention", deleted)
        return deleted


def setup(app: web.Application, services: Services) -> None:
    """Register the check-in tick and the retention job, and the console's roster."""
    flow.rosters(services).setdefault("console", ConsoleRoster(services))
    scheduler = scheduler_for(services, "members are not asked for check-ins")
    if scheduler is None:
        return
    jobs = CheckinJobs(services)
    services.background.checkins = jobs

    async def retention() -> None:
        await jobs.retention()

    tick_every(scheduler, "checkin", TICK_SECONDS, jobs)
    scheduler.every("checkin-retention", RETENTION_SECONDS, retention)
