"""Reading stored mentions' texts and writing their intents (`python -m bot db reclassify`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import bindparam, select, update
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from core.models import Mention


@dataclass(frozen=True)
class Stored:
    """What the intent model reads of a stored mention, and what it said before."""

    id: int
    text: str
    language: str | None
    intent: str | None


async def mentions_after(*, session: AsyncSession, after: int, limit: int) -> list[Stored]:
    """Up to `limit` mentions with an id above `after`, lowest id first."""
    stmt = (
        select(col(Mention.id), col(Mention.text), col(Mention.language), col(Mention.intent))
        .where(col(Mention.id) > after)
        .order_by(col(Mention.id))
        .limit(limit)
    )
    return [Stored(int(i), t, lang, it) for i, t, lang, it in (await session.execute(stmt)).all()]


async def set_intents(*, session: AsyncSession, changes: Sequence[tuple[int, str]]) -> int:
    """Store new intents as (mention id, intent) pairs; returns how many rows changed."""
    if not changes:
        return 0
    table = Mention.__table__  # type: ignore[attr-defined]
    stmt = (
        update(table)
        .where(table.c.id == bindparam("mention_id"))
        .values(intent=bindparam("new_intent"))
    )
    conn = await session.connection()
    await conn.execute(stmt, [{"mention_id": i, "new_intent": it} for i, it in changes])
    return len(changes)
