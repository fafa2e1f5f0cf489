"""Events API deliveries run once: across retries, replicas and restarts.

Slack redelivers an event when it did not see the ack in 3 seconds (`X-Slack-Retry-Num`),
and Socket Mode redelivers after a reconnect. Each event_id is claimed in the database
(`core.storage.claims`) before its command runs, so the second delivery finds the claim
and stops — in this process, in another replica, or after a restart. A claim whose
owner died before finishing expires after CLAIM_TTL; a later retry may then run it
(a crash must not drop the command). Finished claims are purged after KEEP.
"""

from __future__ import annotations

import datetime as dt
import logging
import time

from sqlalchemy import delete
from sqlmodel import col

from core.db import session_scope
from core.models import JobClaim
from core.storage import claims
from core.storage.dialect import rowcount
from handlers.context import Services

log = logging.getLogger(__name__)
JOB = "slack.event"
# Longer than a command takes; shorter than Slack's last retry (5 minutes after the first).
CLAIM_TTL = dt.timedelta(minutes=4)
# Slack gives up retrying after about 5 minutes; a day of ids is plenty.
KEEP = dt.timedelta(days=1)
PURGE_EVERY_SECONDS = 3600.0
SLOT_CHARS = 64


class EventLedger:
    """Claims of event ids for one process (owner = this replica's instance name)."""

    def __init__(self, services: Services) -> None:
        self.services = services
        self.owner: str = services.instance[:128]
        self._last_purge = 0.0

    async def claim(self, event_id: str) -> bool:
        """True if this process should run the event (first delivery, or a dead claim)."""
        async with session_scope(self.services.sessions) as session:
            won = await claims.try_claim(
                session=session,
                job=JOB,
                slot=event_id[:SLOT_CHARS],
                owner=self.owner,
                ttl=CLAIM_TTL,
                now=self.services.clock(),
            )
        if time.monotonic() - self._last_purge > PURGE_EVERY_SECONDS:
            self._last_purge = time.monotonic()
            await self.purge()
        return won

    async def finish(self, event_id: str, *, ok: bool = True) -> None:
        async with session_scope(self.services.sessions) as session:
            await claims.finish_claim(
                session=session,
                job=JOB,
                slot=event_id[:SLOT_CHARS],
                owner=self.owner,
                now=self.services.clock(),
                status="done" if ok else "failed",
            )

    async def purge(self, now: dt.datetime | None = None) -> int:
        """Forget event ids older than KEEP; returns how many."""
        cutoff = (now or self.services.clock()) - KEEP
        try:
            async with session_scope(self.services.sessions) as session:
                result = await session.execute(
                    delete(JobClaim).where(
                        col(JobClaim.job) == JOB, col(JobClaim.claimed_at) < cutoff
                    )
                )
            return rowcount(result)
        except Exception:
            log.exception("purging old Slack event ids failed (they are retried next hour)")
            return 0
