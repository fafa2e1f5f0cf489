"""Claims in the database, so that a run happens once across replicas.

A claim is a row (job, slot) with an expiry. Inserting it is the claim: the unique
constraint lets exactly one replica win. A claim whose owner died expires and can be taken
over; a finished one (`done_at`) is never run again.

Replicas also keep a heartbeat row (job `replica`, slot = owner) fresh while they run
(bot.scheduler). A claim whose owner's heartbeat has gone stale is free at once, however
long its own expiry: a replica killed mid-job hands its work on within seconds, while a
live replica keeps a long job. Owners without a heartbeat (a CLI import) rely on the
expiry alone.

A lease (`try_lease`) is a claim without slots: one holder at a time, released when done,
renewed by the holder's heartbeat — "one replica polls this source at a time".
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from typing import Any

from sqlalchemy import and_, delete, or_, select, update
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from core.models import JobClaim
from core.storage.dialect import insert_for, rowcount


async def try_claim(
    *,
    session: AsyncSession,
    job: str,
    slot: str,
    owner: str,
    ttl: dt.timedelta,
    now: dt.datetime,
) -> bool:
    """Claim (job, slot) for `owner` at `now`; True if this caller now holds it."""
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
                _lapsed(now),
            )
        )
        .values(owner=owner, claimed_at=now, expires_at=now + ttl, status="running")
    )
    return bool(rowcount(await session.execute(takeover)))


async def finish_claim(
    *,
    session: AsyncSession,
    job: str,
    slot: str,
    owner: str,
    now: dt.datetime,
    status: str = "done",
) -> bool:
    """Mark a claim done; False if another replica took it over meanwhile."""
    stmt = (
        update(JobClaim)
        .where(col(JobClaim.job) == job, col(JobClaim.slot) == slot, col(JobClaim.owner) == owner)
        .values(done_at=now, status=status)
    )
    return bool(rowcount(await session.execute(stmt)))


async def get_claim(*, session: AsyncSession, job: str, slot: str) -> JobClaim | None:
    stmt = select(JobClaim).where(col(JobClaim.job) == job, col(JobClaim.slot) == slot)
    return (await session.execute(stmt)).scalars().first()


async def expired_or_free(*, session: AsyncSession, job: str, slot: str, now: dt.datetime) -> bool:
    stmt = select(col(JobClaim.id)).where(
        col(JobClaim.job) == job,
        col(JobClaim.slot) == slot,
        or_(col(JobClaim.done_at).is_not(None), col(JobClaim.expires_at) >= now),
    )
    return (await session.execute(stmt)).first() is None


REPLICA = "replica"  # heartbeat rows: job REPLICA, owner (and, shortened, slot) = the replica
LEASE_SLOT = "lease"


def _replica_slot(owner: str) -> str:
    """The heartbeat's slot: the owner name, hashed when longer than the column."""
    if len(owner) <= 64:
        return owner
    return "h:" + hashlib.blake2b(owner.encode(), digest_size=16).hexdigest()


def _dead_owners(now: dt.datetime) -> Any:
    """Owners whose heartbeat row has gone stale (a killed or stopped replica)."""
    return select(col(JobClaim.owner)).where(
        col(JobClaim.job) == REPLICA, col(JobClaim.expires_at) < now
    )


def _lapsed(now: dt.datetime) -> ColumnElement[bool]:
    """A claim that may be taken over: past its expiry, or held by a dead replica."""
    return or_(col(JobClaim.expires_at) < now, col(JobClaim.owner).in_(_dead_owners(now)))


async def beat(*, session: AsyncSession, owner: str, ttl: dt.timedelta, now: dt.datetime) -> None:
    """Say that `owner` is alive for `ttl` more (its heartbeat row), and renew its leases."""
    stmt = insert_for(session, JobClaim).values(
        job=REPLICA, slot=_replica_slot(owner), owner=owner, claimed_at=now, expires_at=now + ttl
    )
    await session.execute(
        stmt.on_conflict_do_update(
            index_elements=["job", "slot"],
            set_={"expires_at": now + ttl, "done_at": None, "status": "running"},
        )
    )
    await session.execute(
        update(JobClaim)
        .where(
            col(JobClaim.job).startswith("lease:"),
            col(JobClaim.owner) == owner,
            col(JobClaim.done_at).is_(None),
        )
        .values(expires_at=now + ttl)
    )


async def retire(*, session: AsyncSession, owner: str, now: dt.datetime) -> int:
    """A replica stops (or starts again under the same name): its heartbeat lapses and its
    unfinished claims are free for the others at once. Returns how many claims it let go."""
    gone = now - dt.timedelta(seconds=1)
    await session.execute(
        update(JobClaim)
        .where(col(JobClaim.job) == REPLICA, col(JobClaim.slot) == _replica_slot(owner))
        .values(expires_at=gone, done_at=now, status="stopped")
    )
    result = await session.execute(
        update(JobClaim)
        .where(
            col(JobClaim.owner) == owner,
            col(JobClaim.job) != REPLICA,
            col(JobClaim.done_at).is_(None),
        )
        .values(expires_at=gone)
    )
    return rowcount(result)


def _lease_job(name: str) -> str:
    return f"lease:{name}"[:128]


async def try_lease(
    *,
    session: AsyncSession,
    name: str,
    owner: str,
    ttl: dt.timedelta,
    now: dt.datetime,
) -> bool:
    """Take the lease `name` if nobody else holds it (or its holder died); True if taken.

    The caller runs one holder per name and process (the scheduler's jobs do)."""
    job = _lease_job(name)
    stmt = (
        insert_for(session, JobClaim)
        .values(job=job, slot=LEASE_SLOT, owner=owner, claimed_at=now, expires_at=now + ttl)
        .on_conflict_do_nothing(index_elements=["job", "slot"])
    )
    if rowcount(await session.execute(stmt)):
        return True
    takeover = (
        update(JobClaim)
        .where(
            col(JobClaim.job) == job,
            col(JobClaim.slot) == LEASE_SLOT,
            # Ours already: a release that failed (the database was away) is not a block.
            or_(col(JobClaim.done_at).is_not(None), col(JobClaim.owner) == owner, _lapsed(now)),
        )
        .values(owner=owner, claimed_at=now, expires_at=now + ttl, done_at=None, status="running")
    )
    return bool(rowcount(await session.execute(takeover)))


async def release_lease(*, session: AsyncSession, name: str, owner: str, now: dt.datetime) -> bool:
    """Give the lease back; False if it was no longer ours (taken over meanwhile)."""
    stmt = (
        update(JobClaim)
        .where(
            col(JobClaim.job) == _lease_job(name),
            col(JobClaim.slot) == LEASE_SLOT,
            col(JobClaim.owner) == owner,
            col(JobClaim.done_at).is_(None),
        )
        .values(done_at=now, status="free")
    )
    return bool(rowcount(await session.execute(stmt)))


async def prune(*, session: AsyncSession, jobs: Sequence[str], before: dt.datetime) -> int:
    """Delete claims of `jobs` (slots that never come again) that ended or lapsed before
    `before`, and heartbeats of replicas gone since then. Returns the rows deleted."""
    deleted = 0
    if jobs:
        result = await session.execute(
            delete(JobClaim).where(
                col(JobClaim.job).in_(list(jobs)),
                or_(col(JobClaim.done_at) < before, col(JobClaim.expires_at) < before),
            )
        )
        deleted += rowcount(result)
    result = await session.execute(
        delete(JobClaim).where(col(JobClaim.job) == REPLICA, col(JobClaim.expires_at) < before)
    )
    return deleted + rowcount(result)
