"""The audit trail: who changed what, when, with the text before and after."""

from __future__ import annotations

from sqlalchemy import select
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from core.models import AuditEvent
from core.reply import Actor


async def record(
    *,
    session: AsyncSession,
    actor: Actor,
    kind: str,
    subject: str,
    before: str | None = None,
    after: str | None = None,
) -> AuditEvent:
    """Add an audit event in the caller's transaction (it commits with the change itself)."""
    event = AuditEvent(
        actor_id=actor.id,
        actor_platform=actor.platform,
        kind=kind,
        subject=subject,
        before=before,
        after=after,
    )
    session.add(event)
    await session.flush()
    return event


async def events_for(*, session: AsyncSession, subject: str) -> list[AuditEvent]:
    stmt = select(AuditEvent).where(col(AuditEvent.subject) == subject).order_by(col(AuditEvent.id))
    return list((await session.execute(stmt)).scalars().all())
