"""Chat conversations the bot knows, and channel subscriptions (alerts, standups, briefs)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from sqlalchemy import select
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from core.models import ChatConversation, Subscription
from core.storage.dialect import insert_for


async def save_conversation(
    *,
    session: AsyncSession,
    platform: str,
    conversation_id: str,
    reference: str | None = None,
    name: str | None = None,
    tenant_id: str | None = None,
    now: dt.datetime,
) -> None:
    """Insert or refresh a conversation (Teams keeps its reference for proactive posts)."""
    values: dict[str, Any] = {"updated_at": now}
    if reference is not None:
        values["reference"] = reference
    if name is not None:
        values["name"] = name
    if tenant_id is not None:
        values["tenant_id"] = tenant_id
    stmt = insert_for(session, ChatConversation).values(
        platform=platform, conversation_id=conversation_id, **values
    )
    stmt = stmt.on_conflict_do_update(index_elements=["platform", "conversation_id"], set_=values)
    await session.execute(stmt)


async def get_conversation(
    *, session: AsyncSession, platform: str, conversation_id: str
) -> ChatConversation | None:
    stmt = select(ChatConversation).where(
        col(ChatConversation.platform) == platform,
        col(ChatConversation.conversation_id) == conversation_id,
    )
    return (await session.execute(stmt)).scalars().first()


async def set_subscription(
    *,
    session: AsyncSession,
    platform: str,
    channel_id: str,
    kind: str,
    enabled: bool,
    now: dt.datetime,
    settings: dict[str, Any] | None = None,
) -> Subscription:
    """Subscribe or unsubscribe a channel; settings are merged into what was there.

    Safe when two replicas change the same channel at once (a double click, two people):
    the row is created with ON CONFLICT DO NOTHING, then read under a row lock (PostgreSQL;
    SQLite holds the database's write lock from the insert on), so the second change waits
    for the first, merges into it, and the last write stands — never a unique violation."""
    ensure = (
        insert_for(session, Subscription)
        .values(
            platform=platform,
            channel_id=channel_id,
            kind=kind,
            enabled=enabled,
            settings="{}",
            updated_at=now,
        )
        .on_conflict_do_nothing(index_elements=["platform", "channel_id", "kind"])
    )
    await session.execute(ensure)
    stmt = (
        select(Subscription)
        .where(
            col(Subscription.platform) == platform,
            col(Subscription.channel_id) == channel_id,
            col(Subscription.kind) == kind,
        )
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    row = (await session.execute(stmt)).scalars().one()
    merged = {**json.loads(row.settings or "{}"), **(settings or {})}
    row.enabled, row.settings, row.updated_at = enabled, json.dumps(merged), now
    session.add(row)
    await session.flush()
    return row


async def subscriptions(
    *, session: AsyncSession, kind: str, enabled_only: bool = True
) -> list[Subscription]:
    stmt = select(Subscription).where(col(Subscription.kind) == kind)
    if enabled_only:
        stmt = stmt.where(col(Subscription.enabled).is_(True))
    return list((await session.execute(stmt)).scalars().all())


async def get_subscription(
    *, session: AsyncSession, platform: str, channel_id: str, kind: str
) -> Subscription | None:
    stmt = select(Subscription).where(
        col(Subscription.platform) == platform,
        col(Subscription.channel_id) == channel_id,
        col(Subscription.kind) == kind,
    )
    return (await session.execute(stmt)).scalars().first()
