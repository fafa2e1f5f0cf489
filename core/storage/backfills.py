"""Backfill runs and the coverage they leave: keyword-only, each takes the session.

A run's cursor and `reached` are saved only after the page they cover is stored (the
runner's order), so a crash in between reads the page again and the idempotent insert
drops the repeats. A run is claimed by one process at a time (`claimed_by` with a lease);
a lease that ran out, or one held by a process of this host that no longer exists, may be
taken over.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

from sqlalchemy import and_, or_, select, update
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from core.models import Preference, SourceState
from core.models_sources import SourceBackfill
from core.storage.dialect import insert_for, rowcount

LEASE = dt.timedelta(minutes=5)
MAX_ERROR = 1024
OFFER_KEY = ("workspace", "workspace", "-", "backfill_offered")


def dump_cursor(cursor: dict[str, Any]) -> str:
    return json.dumps(cursor, sort_keys=True, separators=(",", ":"))


def load_cursor(raw: str | None) -> dict[str, Any]:
    """A stored cursor; an unreadable one counts as none (the run starts from `until`)."""
    try:
        value = json.loads(raw or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


async def get_run(*, session: AsyncSession, run_id: int) -> SourceBackfill | None:
    return await session.get(SourceBackfill, run_id, populate_existing=True)


async def unfinished_run(*, session: AsyncSession, source: str) -> SourceBackfill | None:
    """The newest run of `source` that has not finished (running, or failed to resume)."""
    stmt = (
        select(SourceBackfill)
        .where(
            col(SourceBackfill.source) == source,
            col(SourceBackfill.status).in_(("running", "failed")),
        )
        .order_by(col(SourceBackfill.id).desc())
        .limit(1)
    )
    return (await session.execute(stmt)).scalars().first()


async def runs_to_resume(*, session: AsyncSession) -> list[SourceBackfill]:
    """Runs marked running: at start, those whose holder stopped are resumed (`claim_run`
    decides: a lease that ran out, or a holder of this host that no longer exists)."""
    stmt = select(SourceBackfill).where(col(SourceBackfill.status) == "running")
    return list((await session.execute(stmt)).scalars().all())


async def recent_runs(*, session: AsyncSession, limit: int = 10) -> list[SourceBackfill]:
    stmt = select(SourceBackfill).order_by(col(SourceBackfill.id).desc()).limit(limit)
    return list((await session.execute(stmt)).scalars().all())


async def create_run(
    *,
    session: AsyncSession,
    source: str,
    days: int,
    since: dt.datetime,
    until: dt.datetime,
    owner: str,
    now: dt.datetime,
    notify: dict[str, Any] | None = None,
) -> SourceBackfill:
    """A new run, claimed by `owner`."""
    run = SourceBackfill(
        source=source[:64],
        days=days,
        since=since,
        until=until,
        status="running",
        notify=json.dumps(notify)[:1024] if notify else None,
        started_at=now,
        updated_at=now,
        claimed_by=owner[:128],
        claim_expires_at=now + LEASE,
    )
    session.add(run)
    await session.flush()
    return run


async def claim_run(
    *,
    session: AsyncSession,
    run_id: int,
    owner: str,
    now: dt.datetime,
    is_dead: Callable[[str], bool] = lambda _owner: False,
    notify: dict[str, Any] | None = None,
) -> bool:
    """Take the run for `owner` if nobody holds it, its lease ran out, `owner` holds it
    already, or its holder is a dead process (`is_dead`). Sets it running again."""
    run = await get_run(session=session, run_id=run_id)
    if run is None or run.status == "done":
        return False
    holder = run.claimed_by
    free = (
        holder is None
        or holder == owner
        or run.claim_expires_at is None
        or run.claim_expires_at < now
        or is_dead(holder)
    )
    if not free:
        return False
    values: dict[str, Any] = {
        "claimed_by": owner[:128],
        "claim_expires_at": now + LEASE,
        "status": "running",
        "error": None,
        "updated_at": now,
    }
    if notify is not None:
        values["notify"] = json.dumps(notify)[:1024]
    # Compare-and-set on the holder seen above: of two processes taking over at once,
    # exactly one wins.
    holder_was = (
        col(SourceBackfill.claimed_by).is_(None)
        if holder is None
        else col(SourceBackfill.claimed_by) == holder
    )
    result = await session.execute(
        update(SourceBackfill)
        .where(and_(col(SourceBackfill.id) == run_id, holder_was))
        .values(**values)
    )
    return rowcount(result) > 0


async def save_page(
    *,
    session: AsyncSession,
    run_id: int,
    owner: str,
    cursor: dict[str, Any],
    reached: dt.datetime | None,
    capped: bool,
    fetched: int,
    stored: int,
    duplicates: int,
    now: dt.datetime,
) -> bool:
    """After a stored page: the cursor, how far the run reached, the counts, and a fresh
    lease. False if another process has taken the run over (this one must stop)."""
    result = await session.execute(
        update(SourceBackfill)
        .where(col(SourceBackfill.id) == run_id, col(SourceBackfill.claimed_by) == owner)
        .values(
            cursor=dump_cursor(cursor),
            reached=reached,
            capped=capped,
            fetched=col(SourceBackfill.fetched) + fetched,
            stored=col(SourceBackfill.stored) + stored,
            duplicates=col(SourceBackfill.duplicates) + duplicates,
            pages=col(SourceBackfill.pages) + 1,
            updated_at=now,
            claim_expires_at=now + LEASE,
        )
    )
    return rowcount(result) > 0


async def touch_run(*, session: AsyncSession, run_id: int, owner: str, now: dt.datetime) -> None:
    """Renew the lease of a run that waits out a rate limit."""
    await session.execute(
        update(SourceBackfill)
        .where(col(SourceBackfill.id) == run_id, col(SourceBackfill.claimed_by) == owner)
        .values(claim_expires_at=now + LEASE, updated_at=now)
    )


async def finish_run(
    *,
    session: AsyncSession,
    run_id: int,
    owner: str,
    status: str,
    now: dt.datetime,
    error: str | None = None,
) -> None:
    """Mark the run done or failed and let go of it (a failed run resumes when asked)."""
    await session.execute(
        update(SourceBackfill)
        .where(col(SourceBackfill.id) == run_id, col(SourceBackfill.claimed_by) == owner)
        .values(
            status=status,
            error=error[:MAX_ERROR] if error else None,
            updated_at=now,
            finished_at=now if status == "done" else None,
            claimed_by=None,
            claim_expires_at=None,
        )
    )


async def extend_coverage(*, session: AsyncSession, name: str, covered_from: dt.datetime) -> None:
    """The source's record is complete since `covered_from` (a backfill reached it): move
    its coverage back to there, never forward."""
    await session.execute(
        insert_for(session, SourceState)
        .values(name=name, covered_from=covered_from)
        .on_conflict_do_nothing(index_elements=["name"])
    )
    await session.execute(
        update(SourceState)
        .where(
            col(SourceState.name) == name,
            or_(
                col(SourceState.covered_from).is_(None),
                col(SourceState.covered_from) > covered_from,
            ),
        )
        .values(covered_from=covered_from)
    )


async def any_run(*, session: AsyncSession) -> bool:
    return (await session.execute(select(col(SourceBackfill.id)).limit(1))).first() is not None


async def claim_offer(*, session: AsyncSession, now: dt.datetime) -> bool:
    """True exactly once per database: the first start offers a backfill, later ones not."""
    platform, scope, subject, key = OFFER_KEY
    result = await session.execute(
        insert_for(session, Preference)
        .values(
            platform=platform,
            scope=scope,
            subject_id=subject,
            key=key,
            value=now.isoformat(timespec="seconds"),
            updated_at=now,
        )
        .on_conflict_do_nothing(index_elements=["platform", "scope", "subject_id", "key"])
    )
    return rowcount(result) > 0
