"""User and channel preferences (the locale, for now)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from core.models import Preference
from core.storage.dialect import insert_for


async def get_pref(
    *, session: AsyncSession, platform: str, scope: str, subject_id: str, key: str
) -> str | None:
    stmt = select(col(Preference.value)).where(
        col(Preference.platform) == platform,
        col(Preference.scope) == scope,
        col(Preference.subject_id) == subject_id,
        col(Preference.key) == key,
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def set_pref(
    *,
    session: AsyncSession,
    platform: str,
    scope: str,
    subject_id: str,
    key: str,
    value: str,
    now: dt.datetime,
) -> None:
    """Set a preference (an upsert: two people setting it at once both succeed, the last
    write stands)."""
    stmt = insert_for(session, Preference).values(
        platform=platform,
        scope=scope,
        subject_id=subject_id,
        key=key,
        value=value,
        updated_at=now,
    )
    stmt = stmt.on_conflict_do_update(
        index_elements=["platform", "scope", "subject_id", "key"],
        set_={"value": value, "updated_at": now},
    )
    await session.execute(stmt)
