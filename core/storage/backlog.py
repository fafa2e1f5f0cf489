"""Backlog items, sprints and standup posts: keyword-only queries that take the session.

The mentions and counts behind a suggestion are in core.storage.backlog_evidence.

State changes are conditional UPDATEs on the state the caller read, so two clicks on the
same button (or two people) change an item once; the second caller learns it lost.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select, text, update
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from core.models_backlog import OPEN_STATES, BacklogItem, Sprint, SprintItem, StandupPost
from core.storage.dialect import insert_for, rowcount

_OPEN_WHERE = text("state IN ('todo', 'in_progress', 'blocked')")
_ACTIVE_WHERE = text("state = 'active'")


def _values(model: Any) -> dict[str, Any]:
    return {k: v for k, v in model.model_dump().items() if k != "id"}


async def insert_item(*, session: AsyncSession, item: BacklogItem) -> BacklogItem | None:
    """Store a new item; None when an open item with the same fingerprint exists already."""
    stmt = (
        insert_for(session, BacklogItem)
        .values(**_values(item))
        .on_conflict_do_nothing(index_elements=["fingerprint"], index_where=_OPEN_WHERE)
        .returning(col(BacklogItem.id))
    )
    new_id = (await session.execute(stmt)).scalar_one_or_none()
    if new_id is None:
        return None
    return await session.get(BacklogItem, new_id)


async def open_by_fingerprint(
    *, session: AsyncSession, fingerprints: Sequence[str]
) -> dict[str, int]:
    """fingerprint → id of the open item carrying it."""
    if not fingerprints:
        return {}
    stmt = select(col(BacklogItem.fingerprint), col(BacklogItem.id)).where(
        col(BacklogItem.fingerprint).in_(list(fingerprints)),
        col(BacklogItem.state).in_(OPEN_STATES),
    )
    return {fp: int(i) for fp, i in (await session.execute(stmt)).all()}


async def open_story_items(*, session: AsyncSession) -> dict[str, int]:
    """topic key (`topic:<id>`) → id of an open item made from that story."""
    stmt = select(col(BacklogItem.topic_key), col(BacklogItem.id)).where(
        col(BacklogItem.topic_key).startswith("topic:"),
        col(BacklogItem.state).in_(OPEN_STATES),
    )
    return {key: int(i) for key, i in (await session.execute(stmt)).all()}


async def closed_since(
    *, session: AsyncSession, fingerprints: Sequence[str], since: dt.datetime
) -> set[str]:
    """Fingerprints of items finished or dropped since a time (not suggested again so soon)."""
    if not fingerprints:
        return set()
    stmt = select(col(BacklogItem.fingerprint)).where(
        col(BacklogItem.fingerprint).in_(list(fingerprints)),
        col(BacklogItem.state).in_(("done", "dropped")),
        col(BacklogItem.state_changed_at) >= since,
    )
    return {fp for (fp,) in (await session.execute(stmt)).all()}


async def get_item(*, session: AsyncSession, item_id: int) -> BacklogItem | None:
    return await session.get(BacklogItem, item_id)


async def list_items(
    *,
    session: AsyncSession,
    states: Sequence[str] = OPEN_STATES,
    owner: str | None = None,
    sprint_id: int | None = None,
    limit: int | None = None,
) -> list[BacklogItem]:
    """Items in the given states, highest ICE score first (ties: oldest first)."""
    stmt = select(BacklogItem).where(col(BacklogItem.state).in_(list(states)))
    if owner is not None:
        stmt = stmt.where(func.lower(col(BacklogItem.owner)) == owner.lower())
    if sprint_id is not None:
        stmt = stmt.where(col(BacklogItem.sprint_id) == sprint_id)
    stmt = stmt.order_by(col(BacklogItem.score).desc(), col(BacklogItem.id))
    if limit is not None:
        stmt = stmt.limit(limit)
    return list((await session.execute(stmt)).scalars().all())


async def count_by_state(*, session: AsyncSession) -> dict[str, int]:
    stmt = select(col(BacklogItem.state), func.count()).group_by(col(BacklogItem.state))
    return {state: int(n) for state, n in (await session.execute(stmt)).all()}


async def changed_since(
    *, session: AsyncSession, states: Sequence[str], since: dt.datetime, limit: int = 20
) -> list[BacklogItem]:
    """Items that entered one of `states` since a time, newest change first."""
    stmt = (
        select(BacklogItem)
        .where(
            col(BacklogItem.state).in_(list(states)),
            col(BacklogItem.state_changed_at) >= since,
        )
        .order_by(col(BacklogItem.state_changed_at).desc())
        .limit(limit)
    )
    return list((await session.execute(stmt)).scalars().all())


async def move_item(
    *, session: AsyncSession, item: BacklogItem, to: str, now: dt.datetime
) -> BacklogItem | None:
    """Change an item's state from the one it was read in; None if someone was faster.

    Keeps the sprint's record in step: done items count as burnt down, dropped ones leave
    the sprint's scope, and a reopened item is no longer done.
    """
    active = await active_sprint(session=session)
    in_active = active is not None and item.sprint_id == active.id
    values: dict[str, Any] = {"state": to, "state_changed_at": now, "updated_at": now}
    values["done_at"] = now if to == "done" else None
    if to == "dropped" or (not in_active and item.sprint_id is not None and to != "done"):
        values["sprint_id"] = None  # out of the (closed) sprint, back in the backlog
    stmt = (
        update(BacklogItem)
        .where(col(BacklogItem.id) == item.id, col(BacklogItem.state) == item.state)
        .values(**values)
    )
    if not rowcount(await session.execute(stmt)):
        return None
    if in_active and active is not None:
        mark: dict[str, Any]
        if to == "done":
            mark = {"done_at": now, "outcome": "done", "removed_at": None}
        elif to == "dropped":
            mark = {"removed_at": now, "outcome": "dropped", "done_at": None}
        else:
            mark = {"done_at": None, "removed_at": None, "outcome": None}
        await session.execute(
            update(SprintItem)
            .where(col(SprintItem.sprint_id) == active.id, col(SprintItem.item_id) == item.id)
            .values(**mark)
        )
    return await session.get(BacklogItem, item.id, populate_existing=True)


async def save_item(*, session: AsyncSession, item: BacklogItem, now: dt.datetime) -> BacklogItem:
    """Store edited fields (title, story, owner, points…); points follow into the sprint."""
    item.updated_at = now
    item = await session.merge(item)
    await session.flush()
    if item.sprint_id is not None and item.points is not None:
        active = await active_sprint(session=session)
        if active is not None and active.id == item.sprint_id:
            await session.execute(
                update(SprintItem)
                .where(col(SprintItem.sprint_id) == active.id, col(SprintItem.item_id) == item.id)
                .values(points=item.points)
            )
    return item


# --- sprints -------------------------------------------------------------------------


async def active_sprint(*, session: AsyncSession) -> Sprint | None:
    stmt = select(Sprint).where(col(Sprint.state) == "active").limit(1)
    return (await session.execute(stmt)).scalars().first()


async def get_sprint(*, session: AsyncSession, sprint_id: int) -> Sprint | None:
    return await session.get(Sprint, sprint_id)


async def closed_sprints(*, session: AsyncSession, limit: int = 3) -> list[Sprint]:
    """The most recently closed sprints, newest first (their velocity plans the next)."""
    stmt = (
        select(Sprint)
        .where(col(Sprint.state) == "closed")
        .order_by(col(Sprint.closed_at).desc(), col(Sprint.id).desc())
        .limit(limit)
    )
    return list((await session.execute(stmt)).scalars().all())


async def create_sprint(
    *,
    session: AsyncSession,
    sprint: Sprint,
    picks: Sequence[tuple[BacklogItem, int]],
) -> tuple[Sprint, list[BacklogItem]] | None:
    """Start a sprint with the picked items; None when another sprint is active already.

    An item someone moved into another state or sprint meanwhile is left out.
    """
    stmt = (
        insert_for(session, Sprint)
        .values(**_values(sprint))
        .on_conflict_do_nothing(index_elements=["state"], index_where=_ACTIVE_WHERE)
        .returning(col(Sprint.id))
    )
    sprint_id = (await session.execute(stmt)).scalar_one_or_none()
    if sprint_id is None:
        return None
    taken: list[BacklogItem] = []
    for item, points in picks:
        claim = (
            update(BacklogItem)
            .where(
                col(BacklogItem.id) == item.id,
                col(BacklogItem.sprint_id).is_(None),
                col(BacklogItem.state).in_(OPEN_STATES),
            )
            .values(sprint_id=sprint_id, points=points, updated_at=sprint.started_at)
        )
        if not rowcount(await session.execute(claim)):
            continue
        session.add(
            SprintItem(
                sprint_id=sprint_id, item_id=item.id or 0, points=points, added_at=sprint.started_at
            )
        )
        fresh = await session.get(BacklogItem, item.id, populate_existing=True)
        if fresh is not None:
            taken.append(fresh)
    committed = sum(i.points or 0 for i in taken)
    await session.execute(
        update(Sprint).where(col(Sprint.id) == sprint_id).values(committed_points=committed)
    )
    await session.flush()
    created = await session.get(Sprint, sprint_id, populate_existing=True)
    assert created is not None
    return created, taken


async def sprint_rows(
    *, session: AsyncSession, sprint_id: int
) -> list[tuple[SprintItem, BacklogItem]]:
    """The sprint's items with their backlog rows, highest score first."""
    stmt = (
        select(SprintItem, BacklogItem)
        .join(BacklogItem, col(BacklogItem.id) == col(SprintItem.item_id))
        .where(col(SprintItem.sprint_id) == sprint_id)
        .order_by(col(BacklogItem.score).desc(), col(BacklogItem.id))
    )
    return [(si, bi) for si, bi in (await session.execute(stmt)).all()]


async def close_sprint(
    *, session: AsyncSession, sprint: Sprint, now: dt.datetime
) -> tuple[Sprint, int, list[BacklogItem]] | None:
    """Close the sprint: record its velocity and carry unfinished items back to the backlog.

    Returns (the closed sprint, velocity, carried items), or None if it was closed meanwhile.
    """
    stmt = (
        update(Sprint)
        .where(col(Sprint.id) == sprint.id, col(Sprint.state) == "active")
        .values(state="closed", closed_at=now)
    )
    if not rowcount(await session.execute(stmt)):
        return None
    rows = await sprint_rows(session=session, sprint_id=sprint.id or 0)
    velocity = sum(si.points for si, bi in rows if si.outcome == "done")
    carried: list[BacklogItem] = []
    for si, bi in rows:
        if si.outcome in ("done", "dropped"):
            continue
        si.outcome = "carried"
        session.add(si)
        if bi.sprint_id == sprint.id and bi.state in OPEN_STATES:
            bi.sprint_id, bi.updated_at = None, now
            session.add(bi)
            carried.append(bi)
    carried_points = sum(b.points or 0 for b in carried)
    await session.execute(
        update(Sprint)
        .where(col(Sprint.id) == sprint.id)
        .values(completed_points=velocity, carried_points=carried_points)
    )
    await session.flush()
    closed = await session.get(Sprint, sprint.id, populate_existing=True)
    assert closed is not None
    return closed, velocity, carried


# --- standup posts --------------------------------------------------------------------


async def record_post(
    *,
    session: AsyncSession,
    platform: str,
    channel_id: str,
    slot: str,
    posted_at: dt.datetime,
    message_ref: str | None,
) -> None:
    stmt = (
        insert_for(session, StandupPost)
        .values(
            platform=platform,
            channel_id=channel_id,
            slot=slot,
            posted_at=posted_at,
            message_ref=message_ref,
        )
        .on_conflict_do_nothing(index_elements=["platform", "channel_id", "slot"])
    )
    await session.execute(stmt)


async def last_post(
    *, session: AsyncSession, platform: str, channel_id: str, before: dt.datetime | None = None
) -> StandupPost | None:
    """The channel's latest scheduled standup (before a time, if given)."""
    stmt = select(StandupPost).where(
        col(StandupPost.platform) == platform, col(StandupPost.channel_id) == channel_id
    )
    if before is not None:
        stmt = stmt.where(col(StandupPost.posted_at) < before)
    stmt = stmt.order_by(col(StandupPost.posted_at).desc()).limit(1)
    return (await session.execute(stmt)).scalars().first()
