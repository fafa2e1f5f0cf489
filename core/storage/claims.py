"""Claims in the database, so that a run happens once across replicas.

A claim is a row (job, slot) with an expiry. Inserting it is the claim: the unique
constraint lets exactly one replica win. A claim whose owner died expires and can be taken
over; a finished one (`done_at`) is never run again.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import and_, or_, select, update
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from core.clock import utcnow
from core.models import JobClaim
from core.storage.dialect import insert_for, rowcount


async def try_claim(
    *,
    session: AsyncSession,
    job: str,
    slot: str,
    owner: str,
    ttl: dt.timedelta,
    now: dt.datetime | None = None,
) -> bool:
    """Claim (job, slot) for `owner`; True if this caller now holds it."""
    now = now or utcnow()
    stmt = (
        insert_for(session, JobClaim)
        .values(job=job, slot=slot, owner=owner, claimed_at=now, expires_at=now + ttl)
        .on_conflict_do_nothing(index_elements=["job", "slot"])
    )
    result = await session.execute(stmt)
    if rowcount(result):
        return True
    # Take over an expired, unfinished claim; the WHERE makes the takeover itself atomic.
    takeover = (
        update(JobClaim)
        .where(
            and_(
                col(JobClaim.job) == job,
                col(JobClaim.slot) == slot,
                col(JobClaim.done_at).is_(None),
                col(JobClaim.expires_at) < now,
            )
        )
        .values(owner=owner, claimed_at=now, expires_at=now + ttl, status="running")
    )
    return bool(rowcount(await session.execute(takeover)))


async def finish_claim(
    *, session: AsyncSession, job: str, slot: str, owner: str, status: str = "done"
) -> bool:
    """Mark a claim done; False if another replica took it over meanwhile."""
    stmt = (
        update(JobClaim)
        .where(col(JobClaim.job) == job, col(JobClaim.slot) == slot, col(JobClaim.owner) == owner)
        .values(done_at=utcnow(), status=status)
    )
    return bool(rowcount(await session.execute(stmt)))


async def get_claim(*, session: AsyncSession, job: str, slot: str) -> JobClaim | None:
    stmt = select(JobClaim).where(col(JobClaim.job) == job, col(JobClaim.slot) == slot)
    return (await session.execute(stmt)).scalars().first()


async def expired_or_free(
    *, session: AsyncSession, job: str, slot: str, now: dt.datetime | None = None
) -> bool:
    now = now or utcnow()
    stmt = select(col(JobClaim.id)).where(
        col(JobClaim.job) == job,
        col(JobClaim.slot) == slot,
        or_(col(JobClaim.done_at).is_not(None), col(JobClaim.expires_at) >= now),
    )
    return (await session.execute(stmt)).first() is None
