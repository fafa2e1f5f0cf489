"""Drafts in the database: insert, read, list, and every state change as a conditional UPDATE.

The WHERE of each UPDATE names the states (and, for a person's click, the version) the change
starts from; the row count says whether this caller won. Two approvals at once, a retried
event or a second replica therefore change a draft once: the loser's UPDATE touches nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, and_, false, func, or_, select, update
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from core.db import after_commit
from core.metrics import DRAFTS
from core.models import Mention
from core.models_drafts import Draft, DraftApproval
from core.storage.dialect import insert_for, rowcount

LIST_LIMIT = 20


async def insert_draft(*, session: AsyncSession, values: dict[str, Any]) -> int | None:
    """Insert a draft; None when the mention already has an open draft (`open_key` taken)."""
    stmt = (
        insert_for(session, Draft)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["open_key"])
        .returning(Draft.id)
    )
    row = (await session.execute(stmt)).first()
    if row is None:
        return None
    _count_on_commit(session, str(values.get("state") or "proposed"))
    return int(row[0])


def _count_on_commit(session: AsyncSession, state: str) -> None:
    """horch_drafts_total{state}: every draft entering a state, counted once committed."""
    after_commit(session, DRAFTS.labels(state).inc)


async def get_draft(*, session: AsyncSession, draft_id: int) -> Draft | None:
    """The draft as the database has it now (never a stale copy from the session)."""
    stmt = select(Draft).where(col(Draft.id) == draft_id).execution_options(populate_existing=True)
    return (await session.execute(stmt)).scalars().first()


async def open_draft_for(*, session: AsyncSession, mention_id: int) -> Draft | None:
    """The mention's open (proposed or edited) draft, if any."""
    stmt = (
        select(Draft)
        .where(col(Draft.open_key) == mention_id)
        .execution_options(populate_existing=True)
    )
    return (await session.execute(stmt)).scalars().first()


async def transition(
    *,
    session: AsyncSession,
    draft_id: int,
    from_states: Sequence[str],
    to_state: str,
    version: int | None = None,
    values: dict[str, Any] | None = None,
    now: dt.datetime,
) -> bool:
    """Move a draft from one of `from_states` to `to_state` (at `version`); True if it moved."""
    conditions = [col(Draft.id) == draft_id, col(Draft.state).in_(list(from_states))]
    if version is not None:
        conditions.append(col(Draft.version) == version)
    stmt = (
        update(Draft)
        .where(and_(*conditions))
        .values(
            state=to_state,
            version=col(Draft.version) + 1,
            updated_at=now,
            **(values or {}),
        )
    )
    moved = rowcount(await session.execute(stmt)) == 1
    if moved:
        _count_on_commit(session, to_state)
    return moved


async def add_approval(
    *,
    session: AsyncSession,
    draft_id: int,
    version: int,
    person: str,
    actor_id: str,
    actor_platform: str,
    now: dt.datetime,
) -> bool:
    """Record a person's approval of a draft's version; False if they approved it already
    (from this account or another of theirs)."""
    stmt = (
        insert_for(session, DraftApproval)
        .values(
            draft_id=draft_id,
            version=version,
            person=person[:255],
            actor_id=actor_id[:255],
            actor_platform=actor_platform[:16],
            at=now,
        )
        .on_conflict_do_nothing(index_elements=["draft_id", "version", "person"])
    )
    return rowcount(await session.execute(stmt)) == 1


async def approving_people(*, session: AsyncSession, draft_id: int, version: int) -> list[str]:
    """The people who approved this version of the draft, in the order they did."""
    stmt = (
        select(col(DraftApproval.person))
        .where(col(DraftApproval.draft_id) == draft_id, col(DraftApproval.version) == version)
        .order_by(col(DraftApproval.id))
    )
    return list((await session.execute(stmt)).scalars().all())


async def claim_publish(
    *,
    session: AsyncSession,
    draft_id: int,
    owner: str,
    now: dt.datetime,
    ttl: dt.timedelta,
) -> bool:
    """Take the right to call the platform for an approved draft (one caller at a time).

    A claim whose holder died expires after `ttl`; the next caller retries with the same
    idempotency key, so the platform still sees one post.
    """
    stmt = (
        update(Draft)
        .where(
            col(Draft.id) == draft_id,
            col(Draft.state) == "approved",
            or_(
                col(Draft.publish_claimed_until).is_(None),
                col(Draft.publish_claimed_until) < now,
            ),
        )
        .values(
            publish_owner=owner,
            publish_claimed_until=now + ttl,
            publish_attempts=col(Draft.publish_attempts) + 1,
            updated_at=now,
        )
    )
    return rowcount(await session.execute(stmt)) == 1


async def release_publish(
    *,
    session: AsyncSession,
    draft_id: int,
    owner: str,
    error: str,
    next_attempt_at: dt.datetime | None,
    now: dt.datetime,
) -> bool:
    """Give the claim back after a failed call, with the error and when to try again."""
    stmt = (
        update(Draft)
        .where(
            col(Draft.id) == draft_id,
            col(Draft.state) == "approved",
            col(Draft.publish_owner) == owner,
        )
        .values(
            publish_claimed_until=None,
            last_error=error[:1000],
            next_attempt_at=next_attempt_at,
            updated_at=now,
        )
    )
    return rowcount(await session.execute(stmt)) == 1


async def due_for_publishing(
    *, session: AsyncSession, now: dt.datetime, limit: int = 20
) -> list[Draft]:
    """Approved drafts that nobody is publishing and whose next attempt is due."""
    stmt = (
        select(Draft)
        .where(
            col(Draft.state) == "approved",
            or_(
                col(Draft.publish_claimed_until).is_(None),
                col(Draft.publish_claimed_until) < now,
            ),
            col(Draft.next_attempt_at).is_not(None),
            col(Draft.next_attempt_at) <= now,
        )
        .order_by(col(Draft.approved_at), col(Draft.id))
        .limit(limit)
        .execution_options(populate_existing=True)
    )
    return list((await session.execute(stmt)).scalars().all())


async def list_drafts(
    *,
    session: AsyncSession,
    states: Sequence[str] | None = None,
    requested_by: Sequence[tuple[str, str]] | None = None,
    limit: int = LIST_LIMIT,
) -> tuple[list[Draft], int]:
    """Newest first, filtered by state and/or requester (any of the (platform, id) accounts
    of one person); and the total."""

    conditions: list[ColumnElement[bool]] = []
    if states is not None:
        conditions.append(col(Draft.state).in_(list(states)))
    if requested_by is not None:
        conditions.append(
            or_(
                false(),
                *(
                    and_(col(Draft.requested_by_platform) == p, col(Draft.requested_by) == i)
                    for p, i in requested_by
                ),
            )
        )
    stmt = select(Draft).where(*conditions).order_by(col(Draft.id).desc()).limit(limit)
    rows = list((await session.execute(stmt)).scalars().all())
    total_stmt = select(func.count()).select_from(Draft).where(*conditions)
    total = int((await session.execute(total_stmt)).scalar_one())
    return rows, total


async def thread_of(*, session: AsyncSession, mention: Mention, limit: int = 6) -> list[Mention]:
    """The posts around a mention that we stored: its parent and others of its thread."""
    keys = [k for k in (mention.thread_id, mention.reply_to) if k]
    if not keys:
        return []
    stmt = (
        select(Mention)
        .where(
            col(Mention.source) == mention.source,
            col(Mention.id) != mention.id,
            or_(
                col(Mention.external_id).in_(keys),
                col(Mention.thread_id).in_(keys),
            ),
            col(Mention.published_at) <= mention.published_at,
        )
        .order_by(col(Mention.published_at).desc())
        .limit(limit)
    )
    rows = list((await session.execute(stmt)).scalars().all())
    return list(reversed(rows))


async def drafted_mentions(*, session: AsyncSession, mention_ids: Sequence[int]) -> set[int]:
    """Which of these mentions have a draft that was not rejected (open, approved, sent)."""
    if not mention_ids:
        return set()
    stmt = select(col(Draft.mention_id)).where(
        col(Draft.mention_id).in_(list(mention_ids)), col(Draft.state) != "rejected"
    )
    return {int(r[0]) for r in (await session.execute(stmt)).all()}
