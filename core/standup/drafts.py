"""Reply drafts waiting for approval, and for how long (when the drafts feature is there)."""

from __future__ import annotations

import datetime as dt
import importlib
from dataclasses import dataclass, field

from sqlalchemy import func, inspect, select
from sqlmodel.ext.asyncio.session import AsyncSession


@dataclass(frozen=True)
class Waiting:
    id: int
    age: dt.timedelta
    text: str


@dataclass
class DraftsWaiting:
    count: int = 0
    oldest: dt.timedelta | None = None
    items: list[Waiting] = field(default_factory=list)


async def drafts_waiting(
    session: AsyncSession, now: dt.datetime, *, show: int = 3
) -> DraftsWaiting | None:
    """Open drafts (proposed or edited), oldest first; None without the drafts feature."""
    try:
        models = importlib.import_module("core.models_drafts")
        states = importlib.import_module("core.drafts.states")
    except ImportError:
        return None
    draft = getattr(models, "Draft", None)
    waiting_states = getattr(states, "OPEN", None)
    if draft is None or not waiting_states:
        return None

    def has_table(sync_session: object) -> bool:
        conn = sync_session.connection()  # type: ignore[attr-defined]
        return bool(inspect(conn).has_table(draft.__tablename__))

    if not await session.run_sync(has_table):
        return None
    waiting = draft.state.in_(list(waiting_states))  # type: ignore[attr-defined]
    total = (
        await session.execute(select(func.count()).select_from(draft).where(waiting))
    ).scalar_one()
    stmt = select(draft).where(waiting).order_by(draft.created_at).limit(show)  # type: ignore[attr-defined]
    rows = list((await session.execute(stmt)).scalars().all())
    items = [Waiting(int(d.id), now - d.created_at, str(d.text)) for d in rows]
    return DraftsWaiting(int(total), items[0].age if items else None, items)
